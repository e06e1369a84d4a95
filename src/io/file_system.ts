import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

/** The weights file of a model file: model.json → weights.bin, a.json → a.weights.bin. */
function weightsNameOf(jsonName: string): string {
  return jsonName === MODEL_JSON ? WEIGHTS_BIN : `${jsonName.slice(0, -'.json'.length)}.weights.bin`;
}

/** Runs a file operation; a failure names the operation and the path. */
async function io<T>(what: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new Error(`fileSystem: cannot ${what} ${path}: ${(e as Error).message}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Bytes per element of a weight spec's stored values, or null where they vary (strings). */
function bytesPerElement(spec: tf.io.WeightsManifestEntry): number | null {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const sizes: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };
  return sizes[stored] ?? null;
}

/**
 * Writes `weights` and then `json` so that a failure at any step leaves the previous files as they
 * were: both go to temporary files in the same folder first; the previous weights are kept aside
 * until the new model file has replaced the old one, and put back if that fails.
 */
async function writeModel(folder: string, jsonName: string, json: string, weights: Uint8Array): Promise<void> {
  const jsonPath = join(folder, jsonName);
  const weightsPath = join(folder, weightsNameOf(jsonName));
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  const [newWeights, newJson, oldWeights] = [`${weightsPath}${tag}`, `${jsonPath}${tag}`, `${weightsPath}${tag}.previous`];
  const cleanUp = () => Promise.all([newWeights, newJson].map((p) => rm(p, { force: true }).catch(() => undefined)));
  try {
    await io('write', newWeights, () => writeFile(newWeights, weights));
    await io('write', newJson, () => writeFile(newJson, json));
  } catch (e) {
    await cleanUp();
    throw e;
  }
  const hadWeights = await exists(weightsPath);
  try {
    if (hadWeights) await io('move aside', weightsPath, () => rename(weightsPath, oldWeights));
    await io('move into place', weightsPath, () => rename(newWeights, weightsPath));
    await io('move into place', jsonPath, () => rename(newJson, jsonPath));
  } catch (e) {
    // Put the previous weights back, so that the previous model file still matches its weights.
    if (hadWeights && (await exists(oldWeights))) await rename(oldWeights, weightsPath).catch(() => undefined);
    await cleanUp();
    throw e;
  }
  if (hadWeights) await rm(oldWeights, { force: true }).catch(() => undefined);
}

/** Model JSON as written next to weights.bin. */
type ModelJson = tf.io.ModelJSON;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function joinWeightData(data: tf.io.WeightData): Uint8Array {
  const buffers = Array.isArray(data) ? data : [data];
  return new Uint8Array(tf.io.concatenateArrayBuffers(buffers));
}

/**
 * A tfjs `IOHandler` that saves a model to, and loads it from, the local file system in Node —
 * without `@tensorflow/tfjs-node`, whose `file://` scheme exists only there.
 *
 * Saving writes `model.json` and `weights.bin` into the folder `path` (created if missing), or,
 * for a path ending in `.json`, that file and its weights named after it (`dir/a.json` →
 * `dir/a.weights.bin`), so that two models can share a folder. The files are written to
 * temporary names and renamed into place, the model file last: a save that fails at any point
 * (a full disk, a missing permission) leaves the previous model loadable and unchanged.
 * Loading reads `path` if it names a `.json` file, else `path/model.json`, and the weight files
 * its manifest lists, relative to it, and checks their byte length against the manifest. Every
 * I/O error names its path. The format is tfjs's own, so `tf.loadLayersModel` of tfjs-node or of
 * a browser (over http) reads the same files.
 *
 * Import it from the `tfjs-angular-margin/node` subpath: it uses `node:fs`, which browsers lack.
 *
 * @param path - a folder, or a `.json` model file.
 * @returns an IOHandler for `model.save(...)` and `tf.loadLayersModel(...)`.
 * @example
 * ```ts
 * import { fileSystem } from 'tfjs-angular-margin/node';
 * await model.save(fileSystem('./my-model'));
 * const loaded = await tf.loadLayersModel(fileSystem('./my-model'));
 * ```
 */
export function fileSystem(path: string): tf.io.IOHandler {
  if (typeof path !== 'string' || path.length === 0) {
    throw new Error(`fileSystem: expected a folder or model.json path, but got ${JSON.stringify(path)}.`);
  }
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new Error('fileSystem: saving a binary (GraphDef) topology is not supported; save a tf.LayersModel.');
      }
      const folder = path.endsWith('.json') ? dirname(path) : path;
      const jsonName = path.endsWith('.json') ? basename(path) : MODEL_JSON;
      await io('create the folder', folder, () => mkdir(folder, { recursive: true }));
      const weights = artifacts.weightData == null ? new Uint8Array(0) : joinWeightData(artifacts.weightData);
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology as {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${weightsNameOf(jsonName)}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeModel(folder, jsonName, JSON.stringify(json), weights);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = path.endsWith('.json') || !(await isDirectory(path)) ? path : join(path, MODEL_JSON);
      let text: string;
      try {
        text = await readFile(jsonPath, 'utf8');
      } catch (e) {
        throw new Error(`fileSystem: cannot read model JSON at ${jsonPath}: ${(e as Error).message}`);
      }
      let json: ModelJson;
      try {
        json = JSON.parse(text) as ModelJson;
      } catch (e) {
        throw new Error(`fileSystem: ${jsonPath} is not valid JSON: ${(e as Error).message}`);
      }
      if (json == null || json.modelTopology == null) {
        throw new Error(`fileSystem: ${jsonPath} has no modelTopology; is it a tfjs model.json?`);
      }
      const folder = dirname(jsonPath);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = join(folder, p);
            let bytes: Buffer;
            try {
              bytes = await readFile(file);
            } catch (e) {
              throw new Error(`fileSystem: cannot read weights file ${file} listed in ${jsonPath}: ${(e as Error).message}`);
            }
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        const data = tf.io.concatenateArrayBuffers(buffers);
        const perElement = specs.map(bytesPerElement);
        if (perElement.every((b) => b != null)) {
          const expected = specs.reduce((sum, spec, i) => sum + spec.shape.reduce((n, d) => n * d, 1) * perElement[i]!, 0);
          if (expected !== data.byteLength) {
            const files = manifest.flatMap((g) => g.paths.map((p) => join(folder, p))).join(', ');
            throw new Error(`fileSystem: the weights in ${files} have ${data.byteLength} bytes, but ${jsonPath} describes ${expected}: the files do not belong together (truncated, or from another save).`);
          }
        }
        return [specs, data];
      });
    },
  };
}
