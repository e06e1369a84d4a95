import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { isRecord } from '../util/validate.js';

/**
 * Bytes per element of the dtypes a layers model saves. tfjs-layers saves float32, int32 and bool
 * weights only; a `string` entry would switch the byte-length check off (its elements vary in
 * length) and make tfjs decode the declared shape string by string, so it is refused.
 */
const WEIGHT_DTYPE_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1 };
/** Bytes per element of the stored dtypes of quantized weights (tfjs-converter's `--quantize_*`). */
const QUANTIZED_DTYPE_BYTES: Readonly<Record<string, number>> = { uint8: 1, uint16: 2, float16: 2 };

/** A weights group after its checks: files relative to the model file's folder, and their entries. */
export interface CheckedWeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/** `JSON.stringify`, cut to 60 characters: a value quoted in a message. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The byte length of one manifest entry, after checking its name, dtype, shape and quantization. */
function entryBytes(entry: unknown, where: string, fail: (message: string) => never): number {
  if (!isRecord(entry)) fail(`${where} must be an object { name, shape, dtype }, but is ${quote(entry)}`);
  const { name, shape, dtype, quantization } = entry;
  if (typeof name !== 'string') fail(`${where}.name must be a string, but is ${quote(name)}`);
  const label = `${where} (${quote(name)})`;
  const width = typeof dtype === 'string' ? WEIGHT_DTYPE_BYTES[dtype] : undefined;
  if (width === undefined) {
    fail(`${label} has dtype ${quote(dtype)}; a layers model's weights are float32, int32 or bool`);
  }
  let stored = width;
  if (quantization !== undefined) {
    const q = isRecord(quantization) ? quantization.dtype : undefined;
    const qWidth = typeof q === 'string' ? QUANTIZED_DTYPE_BYTES[q] : undefined;
    if (qWidth === undefined) fail(`${label} has quantization ${quote(quantization)}; expected a dtype of uint8, uint16 or float16`);
    stored = qWidth;
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    fail(`${label} has shape ${quote(shape)}; expected an array of non-negative integers`);
  }
  const bytes = (shape as number[]).reduce((n, d) => n * d, stored);
  if (!Number.isSafeInteger(bytes)) fail(`${label} has shape ${quote(shape)}, which is too large to be stored`);
  return bytes;
}

/**
 * Checks a model file's `weightsManifest` before anything is read or allocated: every group has a
 * list of file paths and a list of entries, every entry a name, a shape of non-negative integers
 * and a dtype a layers model saves (with a quantization's stored dtype, where there is one).
 *
 * @param manifest - the parsed `weightsManifest` (untrusted).
 * @param jsonPath - the model file, named in every error.
 * @returns the groups as checked, and the total byte length their entries describe.
 */
export function checkWeightsManifest(manifest: unknown, jsonPath: string): { groups: CheckedWeightsGroup[]; bytes: number } {
  const fail = (message: string): never => {
    throw new Error(`fileSystem: ${jsonPath}: ${message}.`);
  };
  if (!Array.isArray(manifest)) fail(`weightsManifest must be an array of { paths, weights }, but is ${quote(manifest)}`);
  let bytes = 0;
  const groups = (manifest as unknown[]).map((group, g): CheckedWeightsGroup => {
    const where = `weightsManifest[${g}]`;
    if (!isRecord(group)) fail(`${where} must be an object { paths, weights }, but is ${quote(group)}`);
    const { paths, weights } = group as Record<string, unknown>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p.length > 0)) {
      fail(`${where}.paths must be an array of file names, but is ${quote(paths)}`);
    }
    if (!Array.isArray(weights)) fail(`${where}.weights must be an array, but is ${quote(weights)}`);
    for (const [i, entry] of (weights as unknown[]).entries()) bytes += entryBytes(entry, `${where}.weights[${i}]`, fail);
    if (!Number.isSafeInteger(bytes)) fail('the weights it describes are too large to be stored');
    return { paths: paths as string[], weights: weights as tf.io.WeightsManifestEntry[] };
  });
  return { groups, bytes };
}

/**
 * The real path of a weights file that a model file lists, confined to the model's folder: the
 * path is resolved relative to `folder` with every symbolic link followed, and refused where it
 * ends outside (`../x`, `a/../../x`, an absolute path, a link to a file elsewhere). A link whose
 * target stays inside the folder is followed.
 *
 * @param folder - the model file's folder, already resolved with `realpath`.
 * @param listed - the path as the manifest lists it (untrusted).
 * @param jsonPath - the model file, named in the error.
 * @returns the resolved path and the file's size in bytes.
 */
export async function confinedWeightsFile(folder: string, listed: string, jsonPath: string): Promise<{ file: string; size: number }> {
  const refuse = (): never => {
    throw new Error(
      `fileSystem: ${jsonPath} lists the weights file ${quote(listed)}, which lies outside the model's folder ${folder}; a model's weights must be files inside its folder.`,
    );
  };
  if (isAbsolute(listed) || listed.includes('\0')) refuse();
  const lexical = join(folder, listed);
  let file: string;
  try {
    file = await realpath(lexical);
  } catch (e) {
    throw new Error(`fileSystem: cannot read weights file ${lexical} listed in ${jsonPath}: ${(e as Error).message}`);
  }
  const inside = relative(folder, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) refuse();
  const info = await stat(file);
  if (!info.isFile()) throw new Error(`fileSystem: the weights file ${lexical} listed in ${jsonPath} is not a file.`);
  return { file, size: info.size };
}
