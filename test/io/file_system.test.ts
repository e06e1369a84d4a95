import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileSystem } from '../../src/node.js';

// Fault injection: the n-th write or rename of a save throws, as a full disk would.
const faults = vi.hoisted(() => ({ failAt: 0, count: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const faulty = <F extends (...args: never[]) => Promise<unknown>>(f: F) => (async (...args: Parameters<F>) => {
    faults.count++;
    if (faults.count === faults.failAt) throw new Error('ENOSPC: no space left on device');
    return f(...args);
  }) as F;
  return { ...real, writeFile: faulty(real.writeFile), rename: faulty(real.rename) };
});

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

  it('keeps the format, producer, training config and user metadata, and writes none that is absent', async () => {
    const dir = tempDir();
    const plain = smallModel();
    await plain.save(fileSystem(join(dir, 'plain.json')));
    const plainJson = JSON.parse(readFileSync(join(dir, 'plain.json'), 'utf8'));
    expect(plainJson.format).toBe('layers-model');
    expect(plainJson.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v/);
    expect(plainJson.convertedBy).toBeNull();
    expect('trainingConfig' in plainJson || 'userDefinedMetadata' in plainJson).toBe(false);
    const trained = smallModel();
    trained.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    trained.setUserDefinedMetadata({ note: 'kept' });
    await trained.save(fileSystem(join(dir, 'trained.json')), { includeOptimizer: true }); // tfjs writes trainingConfig only then
    const json = JSON.parse(readFileSync(join(dir, 'trained.json'), 'utf8'));
    expect(json.trainingConfig.loss).toBe('mean_squared_error');
    expect(json.userDefinedMetadata).toEqual({ note: 'kept' });
    const loaded = await tfl.loadLayersModel(fileSystem(join(dir, 'trained.json')));
    expect(loaded.getUserDefinedMetadata()).toEqual({ note: 'kept' });
  });

  it('fills in what bare artifacts lack, reports what it wrote, and refuses a binary topology or a folder it cannot make', async () => {
    const dir = tempDir();
    const handler = fileSystem(join(dir, 'bare.json'));
    const topology = { class_name: 'Sequential', config: { layers: [] } };
    const result = await handler.save!({ modelTopology: topology });
    const json = JSON.parse(readFileSync(join(dir, 'bare.json'), 'utf8'));
    expect([json.format, json.generatedBy, json.convertedBy, json.weightsManifest]).toEqual(['layers-model', 'TensorFlow.js', null, [{ paths: ['./bare.weights.bin'], weights: [] }]]);
    expect(readFileSync(join(dir, 'bare.weights.bin')).byteLength).toBe(0);
    expect(result.modelArtifactsInfo).toMatchObject({ modelTopologyType: 'JSON', modelTopologyBytes: JSON.stringify(topology).length, weightSpecsBytes: 2, weightDataBytes: 0 });
    await expect(handler.save!({ modelTopology: new ArrayBuffer(4) })).rejects.toThrow(/fileSystem: saving a binary \(GraphDef\) topology is not supported; save a tf.LayersModel/);
    writeFileSync(join(dir, 'a-file'), 'x');
    await expect(smallModel().save(fileSystem(join(dir, 'a-file', 'model')))).rejects.toThrow(new RegExp(`fileSystem: cannot create the folder .*a-file/model: `));
  });

  it('says what is wrong with a missing or broken model', async () => {
    const dir = tempDir();
    // A path that is neither a folder nor a .json file is read as the model file itself.
    await expect(tfl.loadLayersModel(fileSystem(join(dir, 'none')))).rejects.toThrow(`fileSystem: cannot read model JSON at ${join(dir, 'none')}: ENOENT`);
    // A .json path is the model file, as in save, even where it is a folder.
    mkdirSync(join(dir, 'folder.json'));
    await expect(tfl.loadLayersModel(fileSystem(join(dir, 'folder.json')))).rejects.toThrow(`fileSystem: cannot read model JSON at ${join(dir, 'folder.json')}: EISDIR`);
    writeFileSync(join(dir, 'model.json'), '{ not json');
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/model.json is not valid JSON/);
    writeFileSync(join(dir, 'model.json'), '{"format": "layers-model"}');
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/has no modelTopology/);
    writeFileSync(join(dir, 'model.json'), 'null');
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(`fileSystem: ${join(dir, 'model.json')} has no modelTopology; is it a tfjs model.json?`);
    await smallModel().save(fileSystem(dir));
    rmSync(join(dir, 'weights.bin'));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/cannot read weights file .*weights.bin/);
    expect(() => fileSystem('')).toThrow('fileSystem: expected a folder or model.json path, but got "".');
    expect(() => fileSystem(42 as unknown as string)).toThrow('fileSystem: expected a folder or model.json path, but got 42.');
  });

  it('keeps the previous model loadable and unchanged when a save fails at any write or rename', async () => {
    const dir = tempDir();
    const x = tf.tensor2d([[1, 2, 3]]);
    const first = smallModel();
    await first.save(fileSystem(dir));
    const before = [readFileSync(join(dir, 'model.json')), readFileSync(join(dir, 'weights.bin'))];
    const expected = await (first.predict(x) as tf.Tensor).array();
    // A successful save over an existing model: 2 writes and 3 renames; each failure names its step and file.
    const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const steps: Array<[string, string]> = [['write', 'weights\\.bin\\.tmp-'], ['write', 'model\\.json\\.tmp-'], ['move aside', 'weights\\.bin:'], ['move into place', 'weights\\.bin:'], ['move into place', 'model\\.json:']];
    for (let failAt = 1; failAt <= 5; failAt++) {
      Object.assign(faults, { failAt, count: 0 });
      const [verb, file] = steps[failAt - 1]!;
      await expect(smallModel().save(fileSystem(dir))).rejects.toThrow(new RegExp(`fileSystem: cannot ${verb} ${escaped}/${file}.*ENOSPC`));
      faults.failAt = 0;
      expect([readFileSync(join(dir, 'model.json')), readFileSync(join(dir, 'weights.bin'))]).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
      const loaded = await tfl.loadLayersModel(fileSystem(dir));
      expect(await (loaded.predict(x) as tf.Tensor).array()).toEqual(expected);
    }
    Object.assign(faults, { failAt: 6, count: 0 }); // past the last operation: the save succeeds
    const second = smallModel();
    await second.save(fileSystem(dir));
    faults.failAt = 0;
    expect(faults.count).toBe(5);
    expect(readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']); // the previous weights, set aside, are gone
    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    expect(await (loaded.predict(x) as tf.Tensor).array()).toEqual(await (second.predict(x) as tf.Tensor).array());
  });

  it('names the weights after the model file, so that two models share a folder', async () => {
    const dir = tempDir();
    const [a, b] = [smallModel(), smallModel()];
    await a.save(fileSystem(join(dir, 'a.json')));
    await b.save(fileSystem(join(dir, 'b.json')));
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'a.weights.bin', 'b.json', 'b.weights.bin']);
    const x = tf.tensor2d([[1, 2, 3]]);
    for (const [name, model] of [['a.json', a], ['b.json', b]] as const) {
      const loaded = await tfl.loadLayersModel(fileSystem(join(dir, name)));
      expect(await (loaded.predict(x) as tf.Tensor).array()).toEqual(await (model.predict(x) as tf.Tensor).array());
    }
  });

  it('refuses weights whose byte length differs from the manifest, naming the files and both lengths', async () => {
    const dir = tempDir();
    await smallModel().save(fileSystem(dir));
    const weights = readFileSync(join(dir, 'weights.bin'));
    expect(weights.byteLength).toBe(32);
    writeFileSync(join(dir, 'weights.bin'), weights.subarray(0, 31));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/the weights in .*weights\.bin have 31 bytes, but .*model\.json describes 32/);
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([weights, weights]));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/have 64 bytes, but .*describes 32/);
  });

  it('loads weights split over several files (as other writers shard them), and names every file when their lengths differ', async () => {
    const dir = tempDir();
    const model = smallModel();
    await model.save(fileSystem(dir));
    const weights = readFileSync(join(dir, 'weights.bin'));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    json.weightsManifest[0]!.paths = ['part-1.bin', 'part-2.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'part-1.bin'), weights.subarray(0, 16));
    writeFileSync(join(dir, 'part-2.bin'), weights.subarray(16));
    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    for (const [i, w] of loaded.getWeights().entries()) expect(Array.from(await w.data())).toEqual(Array.from(await model.getWeights()[i]!.data()));
    writeFileSync(join(dir, 'part-2.bin'), weights.subarray(16, 31));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(`fileSystem: the weights in ${join(dir, 'part-1.bin')}, ${join(dir, 'part-2.bin')} have 31 bytes`);
  });
});
