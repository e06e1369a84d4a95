import { mkdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { saveAtomically } from './atomic_save.js';
import { joinWeightData } from '../util/weight_data.js';
import { danglingReference } from './topology_references.js';
import { checkWeightsManifest, confinedWeightsFile } from './weights_manifest.js';

const MODEL_JSON = 'model.json';
/**
 * The largest model file that `load` reads (256 MiB). A layers model's topology takes kilobytes;
 * the limit keeps a hostile file from costing more memory than that before it is parsed.
 */
const MAX_MODEL_JSON_BYTES = 256 * 1024 * 1024;

/** Model JSON as written beside its weights. */
type ModelJson = tf.io.ModelJSON;

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a model file, refusing one larger than MAX_MODEL_JSON_BYTES before reading it. */
async function readModelJson(jsonPath: string): Promise<ModelJson> {
  let text: string;
  try {
    const size = (await stat(jsonPath)).size;
    if (size > MAX_MODEL_JSON_BYTES) throw new Error(`it has ${size} bytes, more than the ${MAX_MODEL_JSON_BYTES} a model file may have`);
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
  if (json == null || typeof json !== 'object' || json.modelTopology == null) {
    throw new Error(`fileSystem: ${jsonPath} has no modelTopology; is it a tfjs model.json?`);
  }
  const dangling = danglingReference(json.modelTopology);
  if (dangling != null) throw new Error(`fileSystem: ${jsonPath}: ${dangling}; tfjs-layers would wait for it forever.`);
  return json;
}

/**
 * Reads the weights a model file lists, from files inside its folder only, after checking the
 * manifest and that the files' sizes add up to what it describes: nothing is allocated for a
 * manifest that does not match its files.
 */
async function readWeights(json: ModelJson, jsonPath: string): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const { groups, bytes } = checkWeightsManifest(json.weightsManifest, jsonPath);
  let folder: string;
  try {
    folder = await realpath(dirname(jsonPath));
  } catch (e) {
    throw new Error(`fileSystem: cannot read the folder of ${jsonPath}: ${(e as Error).message}`);
  }
  const files = [];
  for (const group of groups) for (const p of group.paths) files.push(await confinedWeightsFile(folder, p, jsonPath));
  const size = files.reduce((sum, f) => sum + f.size, 0);
  if (size !== bytes) {
    throw new Error(
      `fileSystem: the weights in ${files.map((f) => f.file).join(', ')} have ${size} bytes, but ${jsonPath} describes ${bytes}: the files do not belong together (truncated, or from another save).`,
    );
  }
  const data = new Uint8Array(bytes);
  let offset = 0;
  for (const { file } of files) {
    let chunk: Buffer;
    try {
      chunk = await readFile(file);
    } catch (e) {
      throw new Error(`fileSystem: cannot read weights file ${file} listed in ${jsonPath}: ${(e as Error).message}`);
    }
    if (offset + chunk.byteLength > bytes) {
      throw new Error(`fileSystem: the weights file ${file} listed in ${jsonPath} grew while it was read.`);
    }
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  if (offset !== bytes) throw new Error(`fileSystem: the weights files listed in ${jsonPath} shrank while they were read.`);
  return [groups.flatMap((g) => g.weights), data.buffer];
}

/**
 * A tfjs `IOHandler` that saves a model to, and loads it from, the local file system in Node —
 * without `@tensorflow/tfjs-node`, whose `file://` scheme exists only there.
 *
 * Saving writes `model.json` into the folder `path` (created if missing), or, for a path ending in
 * `.json`, that file (so that two models can share a folder), and beside it the weights under a
 * name of their own per save (`weights.<id>.bin`, `a.weights.<id>.bin`), which the model file
 * names. The model file is written to a temporary file and renamed over the old one: that one
 * rename commits the save, so that a failure, a crash or a kill at any point leaves the folder
 * loading as the previous model or as the new one, never a mix. The previous weights, and files
 * that killed saves left, are removed once a save has committed. Saves of one model file in one
 * process commit one after the other, so that the folder holds the save that resolved last; across
 * processes, each save commits whole and the last rename wins.
 *
 * Loading reads `path` if it names a `.json` file, else `path/model.json`, and the weight files its
 * manifest lists. Model files are untrusted: every weights path must resolve, symbolic links
 * followed, to a file inside the model file's folder (an absolute path, `../x` or a link out of the
 * folder is refused; the folder itself may be reached through a link); every entry must have a
 * dtype a layers model saves (float32, int32, bool) and a shape of non-negative integers; and the
 * files' sizes must add up to what the manifest describes, all before the weights are read. Every
 * error names its file. The format is tfjs's own, so `tf.loadLayersModel` of tfjs-node or of a
 * browser (over http) reads the same files.
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
      try {
        await mkdir(folder, { recursive: true });
      } catch (e) {
        throw new Error(`fileSystem: cannot create the folder ${folder}: ${(e as Error).message}`);
      }
      const weights = artifacts.weightData == null ? new Uint8Array(0) : joinWeightData(artifacts.weightData);
      const jsonFor = (weightsPath: string): string => {
        const json: ModelJson = {
          modelTopology: artifacts.modelTopology as ModelJson['modelTopology'],
          format: artifacts.format ?? 'layers-model',
          generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
          convertedBy: artifacts.convertedBy ?? null,
          weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs ?? [] }],
        };
        if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
        if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
        return JSON.stringify(json);
      };
      await saveAtomically(folder, jsonName, jsonFor, weights);
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
      const json = await readModelJson(jsonPath);
      // tfjs asks for the weights only where the model file has a manifest.
      return tf.io.getModelArtifactsForJSON(json, () => readWeights(json, jsonPath));
    },
  };
}
