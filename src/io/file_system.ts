import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

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
 * Saving writes `model.json` and `weights.bin` into the folder `path` (created if missing).
 * Loading reads `path` if it names a `.json` file, else `path/model.json`, and the weight files
 * its manifest lists, relative to it. The format is tfjs's own, so `tf.loadLayersModel` of
 * tfjs-node or of a browser (over http) reads the same files.
 *
 * Import it from the `tfjs-angular-margin/node` subpath: it uses `node:fs`, which browsers lack.
 *
 * @param path - a folder (save; load) or a model.json file (load).
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
      await mkdir(folder, { recursive: true });
      const weights = artifacts.weightData == null ? new Uint8Array(0) : joinWeightData(artifacts.weightData);
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology as {},
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? 'TensorFlow.js',
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_BIN}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
      await writeFile(join(folder, WEIGHTS_BIN), weights);
      await writeFile(join(folder, jsonName), JSON.stringify(json));
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
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}
