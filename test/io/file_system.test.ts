import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, describe, expect, it } from 'vitest';
import { fileSystem } from '../../src/node.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tfjs-am-io-'));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function smallModel(): tfl.LayersModel {
  const x = tfl.input({ shape: [3] });
  return tfl.model({ inputs: x, outputs: tfl.layers.dense({ units: 2 }).apply(x) as tfl.SymbolicTensor });
}

describe('fileSystem', () => {
  it('writes model.json and weights.bin and loads them back, from the folder or the json path', async () => {
    const dir = join(tempDir(), 'nested', 'model');
    const model = smallModel();
    const result = await model.save(fileSystem(dir));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((3 * 2 + 2) * 4);
    expect(existsSync(join(dir, 'weights.bin'))).toBe(true);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['./weights.bin']);
    for (const path of [dir, join(dir, 'model.json')]) {
      const loaded = await tfl.loadLayersModel(fileSystem(path));
      const x = tf.tensor2d([[1, 2, 3]]);
      expect(await (loaded.predict(x) as tf.Tensor).array()).toEqual(await (model.predict(x) as tf.Tensor).array());
    }
  });

  it('says what is wrong with a missing or broken model', async () => {
    const dir = tempDir();
    await expect(tfl.loadLayersModel(fileSystem(join(dir, 'none')))).rejects.toThrow(/cannot read model JSON at .*none/);
    writeFileSync(join(dir, 'model.json'), '{ not json');
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/model.json is not valid JSON/);
    writeFileSync(join(dir, 'model.json'), '{"format": "layers-model"}');
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/has no modelTopology/);
    await smallModel().save(fileSystem(dir));
    rmSync(join(dir, 'weights.bin'));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/cannot read weights file .*weights.bin/);
    expect(() => fileSystem('')).toThrow(/expected a folder or model.json path/);
  });
});
