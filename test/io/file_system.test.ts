import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileSystem } from '../../src/node.js';

// Fault injection: the n-th file opened or renamed by a save throws, as a full disk would.
const faults = vi.hoisted(() => ({ failAt: 0, count: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const faulty = <F extends (...args: never[]) => Promise<unknown>>(f: F) =>
    (async (...args: Parameters<F>) => {
      faults.count++;
      if (faults.count === faults.failAt) throw new Error('ENOSPC: no space left on device');
      return f(...args);
    }) as F;
  return { ...real, open: faulty(real.open), rename: faulty(real.rename) };
});

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tfjs-am-io-'));
  dirs.push(d);
  return d;
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The weights files that a folder's model file names (relative to the folder). */
function weightsFilesOf(dir: string, jsonName = 'model.json'): string[] {
  const json = JSON.parse(readFileSync(join(dir, jsonName), 'utf8')) as tf.io.ModelJSON;
  return json.weightsManifest.flatMap((g) => g.paths.map((p) => p.replace(/^\.\//, '')));
}

/** The one weights file that a folder's model file names. */
function weightsFileOf(dir: string, jsonName = 'model.json'): string {
  const [file, ...more] = weightsFilesOf(dir, jsonName);
  expect(more).toEqual([]);
  return file!;
}

async function predictionOf(model: tfl.LayersModel): Promise<number[][]> {
  return (await (model.predict(tf.tensor2d([[1, 2, 3]])) as tf.Tensor).array()) as number[][];
}

function smallModel(): tfl.LayersModel {
  const x = tfl.input({ shape: [3] });
  return tfl.model({ inputs: x, outputs: tfl.layers.dense({ units: 2 }).apply(x) as tfl.SymbolicTensor });
}

describe('fileSystem', () => {
  it('writes model.json and a weights file of its own and loads them back, from the folder or the json path', async () => {
    const dir = join(tempDir(), 'nested', 'model');
    const model = smallModel();
    const result = await model.save(fileSystem(dir));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((3 * 2 + 2) * 4);
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual([expect.stringMatching(new RegExp(`^\\./weights\\.${process.pid}-[0-9a-f]{16}\\.bin$`))]);
    expect(readdirSync(dir).sort()).toEqual(['model.json', weightsFileOf(dir)]);
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
    expect([json.format, json.generatedBy, json.convertedBy, json.weightsManifest]).toEqual([
      'layers-model',
      'TensorFlow.js',
      null,
      [{ paths: [expect.stringMatching(/^\.\/bare\.weights\.\d+-[0-9a-f]{16}\.bin$/)], weights: [] }],
    ]);
    expect(readFileSync(join(dir, weightsFileOf(dir, 'bare.json'))).byteLength).toBe(0);
    expect(result.modelArtifactsInfo).toMatchObject({
      modelTopologyType: 'JSON',
      modelTopologyBytes: JSON.stringify(topology).length,
      weightSpecsBytes: 2,
      weightDataBytes: 0,
    });
    await expect(handler.save!({ modelTopology: new ArrayBuffer(4) })).rejects.toThrow(
      /fileSystem: saving a binary \(GraphDef\) topology is not supported; save a tf.LayersModel/,
    );
    writeFileSync(join(dir, 'a-file'), 'x');
    await expect(smallModel().save(fileSystem(join(dir, 'a-file', 'model')))).rejects.toThrow(
      new RegExp(`fileSystem: cannot create the folder .*a-file/model: `),
    );
  });

  it('says what is wrong with a missing or broken model', async () => {
    const dir = tempDir();
    // A path that is neither a folder nor a .json file is read as the model file itself.
    await expect(tfl.loadLayersModel(fileSystem(join(dir, 'none')))).rejects.toThrow(`fileSystem: cannot read model JSON at ${join(dir, 'none')}: ENOENT`);
    // A .json path is the model file, as in save, even where it is a folder.
    mkdirSync(join(dir, 'folder.json'));
    await expect(tfl.loadLayersModel(fileSystem(join(dir, 'folder.json')))).rejects.toThrow(
      `fileSystem: cannot read model JSON at ${join(dir, 'folder.json')}: EISDIR`,
    );
    writeFileSync(join(dir, 'model.json'), '{ not json');
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/model.json is not valid JSON/);
    writeFileSync(join(dir, 'model.json'), '{"format": "layers-model"}');
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/has no modelTopology/);
    writeFileSync(join(dir, 'model.json'), 'null');
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(`fileSystem: ${join(dir, 'model.json')} has no modelTopology; is it a tfjs model.json?`);
    await smallModel().save(fileSystem(dir));
    rmSync(join(dir, weightsFileOf(dir)));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(
      `fileSystem: cannot read weights file ${join(dir, weightsFileOf(dir))} listed in ${join(dir, 'model.json')}: ENOENT`,
    );
    mkdirSync(join(dir, weightsFileOf(dir)));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(
      `fileSystem: the weights file ${join(dir, weightsFileOf(dir))} listed in ${join(dir, 'model.json')} is not a file.`,
    );
    expect(() => fileSystem('')).toThrow('fileSystem: expected a folder or model.json path, but got "".');
    expect(() => fileSystem(42 as unknown as string)).toThrow('fileSystem: expected a folder or model.json path, but got 42.');
  });

  it('keeps the previous model loadable and unchanged when a save fails at any write or rename', async () => {
    const dir = tempDir();
    const first = smallModel();
    await first.save(fileSystem(dir));
    const before = [readFileSync(join(dir, 'model.json')), readFileSync(join(dir, weightsFileOf(dir)))];
    const expected = await predictionOf(first);
    // A save opens its weights file and its temporary model file, renames the latter over model.json,
    // and opens the folder to flush it; each failure before the rename names its step and file.
    const escaped = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const steps: Array<[string, string]> = [
      ['write', 'weights\\.\\d+-[0-9a-f]+\\.bin'],
      ['write', 'model\\.json\\.tmp-'],
      ['move into place', 'model\\.json:'],
    ];
    for (let failAt = 1; failAt <= 3; failAt++) {
      Object.assign(faults, { failAt, count: 0 });
      const [verb, file] = steps[failAt - 1]!;
      await expect(smallModel().save(fileSystem(dir))).rejects.toThrow(new RegExp(`fileSystem: cannot ${verb} ${escaped}/${file}.*ENOSPC`));
      faults.failAt = 0;
      expect([readFileSync(join(dir, 'model.json')), readFileSync(join(dir, weightsFileOf(dir)))]).toEqual(before);
      expect(readdirSync(dir).sort()).toEqual(['model.json', weightsFileOf(dir)]);
      expect(await predictionOf(await tfl.loadLayersModel(fileSystem(dir)))).toEqual(expected);
    }
    // The folder's flush is the 4th operation: where the platform refuses it, the save stands.
    Object.assign(faults, { failAt: 4, count: 0 });
    const second = smallModel();
    await second.save(fileSystem(dir));
    faults.failAt = 0;
    expect(faults.count).toBe(4);
    expect(readdirSync(dir).sort()).toEqual(['model.json', weightsFileOf(dir)]); // the previous weights are gone
    expect(await predictionOf(await tfl.loadLayersModel(fileSystem(dir)))).toEqual(await predictionOf(second));
  });

  it('names the weights after the model file, so that two models share a folder', async () => {
    const dir = tempDir();
    const [a, b] = [smallModel(), smallModel()];
    await a.save(fileSystem(join(dir, 'a.json')));
    await b.save(fileSystem(join(dir, 'b.json')));
    await a.save(fileSystem(join(dir, 'a.json'))); // a's second save leaves b's files alone
    expect(readdirSync(dir).sort()).toEqual(['a.json', weightsFileOf(dir, 'a.json'), 'b.json', weightsFileOf(dir, 'b.json')].sort());
    expect(weightsFileOf(dir, 'a.json')).toMatch(/^a\.weights\.\d+-[0-9a-f]{16}\.bin$/);
    const x = tf.tensor2d([[1, 2, 3]]);
    for (const [name, model] of [
      ['a.json', a],
      ['b.json', b],
    ] as const) {
      const loaded = await tfl.loadLayersModel(fileSystem(join(dir, name)));
      expect(await (loaded.predict(x) as tf.Tensor).array()).toEqual(await (model.predict(x) as tf.Tensor).array());
    }
  });

  it('refuses weights whose byte length differs from the manifest, naming the files and both lengths', async () => {
    const dir = tempDir();
    await smallModel().save(fileSystem(dir));
    const file = join(dir, weightsFileOf(dir));
    const weights = readFileSync(file);
    expect(weights.byteLength).toBe(32);
    writeFileSync(file, weights.subarray(0, 31));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(
      /the weights in .*weights\.\d+-[0-9a-f]+\.bin have 31 bytes, but .*model\.json describes 32/,
    );
    writeFileSync(file, Buffer.concat([weights, weights]));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/have 64 bytes, but .*describes 32/);
  });

  it('loads weights split over several files (as other writers shard them), and names every file when their lengths differ', async () => {
    const dir = tempDir();
    const model = smallModel();
    await model.save(fileSystem(dir));
    const weights = readFileSync(join(dir, weightsFileOf(dir)));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    json.weightsManifest[0]!.paths = ['part-1.bin', 'part-2.bin'];
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'part-1.bin'), weights.subarray(0, 16));
    writeFileSync(join(dir, 'part-2.bin'), weights.subarray(16));
    const loaded = await tfl.loadLayersModel(fileSystem(dir));
    for (const [i, w] of loaded.getWeights().entries()) expect(Array.from(await w.data())).toEqual(Array.from(await model.getWeights()[i]!.data()));
    writeFileSync(join(dir, 'part-2.bin'), weights.subarray(16, 31));
    await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(
      `fileSystem: the weights in ${join(dir, 'part-1.bin')}, ${join(dir, 'part-2.bin')} have 31 bytes`,
    );
  });

  describe('model files as untrusted input', () => {
    /** A saved model whose manifest is then changed by `edit`; returns the folder. */
    async function edited(edit: (json: tf.io.ModelJSON, dir: string) => void): Promise<string> {
      const dir = join(tempDir(), 'model');
      await smallModel().save(fileSystem(dir));
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      edit(json, dir);
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      return dir;
    }

    it('refuses weights paths that lead out of the model folder, naming the path and the folder', async () => {
      const outside = tempDir();
      writeFileSync(join(outside, 'secret'), Buffer.alloc(32, 7)); // as long as the model's weights
      mkdirSync(join(outside, 'a'));
      for (const listed of ['../secret', 'a/../../secret', join(outside, 'secret'), './link']) {
        const dir = await edited((json, d) => {
          json.weightsManifest[0]!.paths = [listed];
          if (listed === './link') symlinkSync(join(outside, 'secret'), join(d, 'link'));
        });
        // The model folder sits beside the secret: `../secret` is the secret itself.
        rmSync(join(outside, 'secret'), { force: true });
        writeFileSync(join(outside, 'secret'), Buffer.alloc(32, 7));
        const target = join(dirname(dir), 'secret');
        writeFileSync(target, Buffer.alloc(32, 7));
        await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(
          `fileSystem: ${join(dir, 'model.json')} lists the weights file ${JSON.stringify(listed)}, which lies outside the model's folder ${dir}; a model's weights must be files inside its folder.`,
        );
      }
    });

    it('follows links that stay inside the folder, and loads a folder reached through a link', async () => {
      const model = smallModel();
      const runs = tempDir();
      const dir = join(runs, 'run-42');
      await model.save(fileSystem(dir));
      symlinkSync(dir, join(runs, 'latest'));
      expect(await predictionOf(await tfl.loadLayersModel(fileSystem(join(runs, 'latest'))))).toEqual(await predictionOf(model));
      mkdirSync(join(dir, 'sub'));
      symlinkSync(join(dir, weightsFileOf(dir)), join(dir, 'sub', 'w.bin'));
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      json.weightsManifest[0]!.paths = ['sub/w.bin'];
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      expect(await predictionOf(await tfl.loadLayersModel(fileSystem(join(runs, 'latest', 'model.json'))))).toEqual(await predictionOf(model));
    });

    it('refuses dtypes a layers model never saves and malformed shapes before reading anything, in milliseconds', async () => {
      const cases: Array<[(json: tf.io.ModelJSON) => void, string | RegExp]> = [
        [
          (j) => j.weightsManifest[0]!.weights.push({ name: 'bomb', shape: [1e7], dtype: 'string' }),
          `weightsManifest[0].weights[2] ("bomb") has dtype "string"; a layers model's weights are float32, int32 or bool.`,
        ],
        [
          (j) => (j.weightsManifest[0]!.weights[0]!.dtype = 'complex64'),
          /weightsManifest\[0\]\.weights\[0\] \("dense_Dense\d+\/kernel"\) has dtype "complex64"/,
        ],
        [(j) => (j.weightsManifest[0]!.weights[0]!.shape = [3, -2]), '/kernel") has shape [3,-2]; expected an array of non-negative integers.'],
        [(j) => (j.weightsManifest[0]!.weights[0]!.shape = [3, 1.5]), 'has shape [3,1.5]; expected an array of non-negative integers.'],
        [(j) => (j.weightsManifest[0]!.weights[0]!.shape = [1e15, 1e15]), 'has shape [1000000000000000,1000000000000000], which is too large to be stored.'],
        [(j) => (j.weightsManifest[0]!.weights[0]!.shape = '3,2' as unknown as number[]), 'has shape "3,2"'],
        [
          (j) => (j.weightsManifest[0]!.weights[0] = null as unknown as tf.io.WeightsManifestEntry),
          'weightsManifest[0].weights[0] must be an object { name, shape, dtype }, but is null.',
        ],
        [(j) => (j.weightsManifest[0]!.weights[0]!.name = 5 as unknown as string), 'weightsManifest[0].weights[0].name must be a string, but is 5.'],
        [
          (j) => (j.weightsManifest[0]!.weights[0]!.quantization = { dtype: 'int64' } as unknown as tf.io.WeightsManifestEntry['quantization']),
          'has quantization {"dtype":"int64"}; expected a dtype of uint8, uint16 or float16.',
        ],
        [(j) => (j.weightsManifest[0]!.paths = [42 as unknown as string]), 'weightsManifest[0].paths must be an array of file names, but is [42].'],
        [(j) => (j.weightsManifest[0]!.weights = {} as unknown as tf.io.WeightsManifestEntry[]), 'weightsManifest[0].weights must be an array, but is {}.'],
        [(j) => (j.weightsManifest = [7] as unknown as tf.io.WeightsManifestConfig), 'weightsManifest[0] must be an object { paths, weights }, but is 7.'],
        [(j) => (j.weightsManifest = 'x' as unknown as tf.io.WeightsManifestConfig), 'weightsManifest must be an array of { paths, weights }, but is "x".'],
      ];
      for (const [edit, message] of cases) {
        const dir = await edited(edit);
        const start = performance.now();
        await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(message);
        expect(performance.now() - start).toBeLessThan(1000);
      }
      // A declared size that does not match the files fails before the weights are read.
      const dir = await edited((j) => (j.weightsManifest[0]!.weights[0]!.shape = [4e8]));
      await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/have 32 bytes, but .* describes 1600000008/);
    });

    it('refuses a topology whose layers wait for a layer or node that never comes (tfjs-layers would loop forever)', async () => {
      const layersOf = (j: tf.io.ModelJSON) => (j.modelTopology as { config: { layers: Array<{ name: string; inbound_nodes: unknown[][][] }> } }).config.layers;
      const cases: Array<[(j: tf.io.ModelJSON) => void, RegExp]> = [
        [
          (j) => (layersOf(j)[1]!.inbound_nodes[0]![0]![0] = '../x'),
          /layer "dense_Dense\d+" takes its input from "\.\.\/x", a layer the model does not define; tfjs-layers would wait for it forever\./,
        ],
        [
          (j) => (layersOf(j)[1]!.inbound_nodes[0]![0]![1] = 1),
          /layer "dense_Dense\d+" takes its input from node 1 of "input\d+", which the model never builds \(a missing node or a cycle\)/,
        ],
        [
          (j) => {
            layersOf(j)[0]!.inbound_nodes = [[[layersOf(j)[1]!.name, 0, 0, {}]]];
            (layersOf(j)[0] as unknown as { class_name: string }).class_name = 'Dense';
          },
          /which the model never builds/,
        ],
        [(j) => (layersOf(j)[1]!.inbound_nodes[0]![0] = [7, 0, 0] as unknown as unknown[]), /takes its input from "7", a layer the model does not define/],
      ];
      for (const [edit, message] of cases) {
        const dir = await edited(edit);
        const start = performance.now();
        await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(message);
        expect(performance.now() - start).toBeLessThan(1000);
      }
      // A model nested as a layer is checked too; a valid one loads.
      const inner = smallModel();
      const input = tfl.input({ shape: [3] });
      const outer = tfl.model({ inputs: input, outputs: inner.apply(input) as tfl.SymbolicTensor });
      const dir = join(tempDir(), 'nested');
      await outer.save(fileSystem(dir));
      expect(await predictionOf(await tfl.loadLayersModel(fileSystem(dir)))).toEqual(await predictionOf(outer));
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const nested = (json.modelTopology as { config: { layers: Array<{ config: { layers: Array<{ inbound_nodes: unknown[][][] }> } }> } }).config.layers[1]!
        .config.layers[1]!;
      nested.inbound_nodes[0]![0]![0] = 'nowhere';
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      await expect(tfl.loadLayersModel(fileSystem(dir))).rejects.toThrow(/takes its input from "nowhere"/);
    });

    it('loads quantized weights (their stored dtype counts), and a model file without weights', async () => {
      const model = smallModel();
      const dir = join(tempDir(), 'q');
      await model.save(fileSystem(dir));
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const floats = new Float32Array(Uint8Array.from(readFileSync(join(dir, weightsFileOf(dir)))).buffer);
      const [min, max] = [Math.min(...floats), Math.max(...floats)];
      const scale = (max - min) / 255;
      for (const w of json.weightsManifest[0]!.weights) w.quantization = { dtype: 'uint8', min, scale };
      writeFileSync(
        join(dir, weightsFileOf(dir)),
        Uint8Array.from(floats, (v) => Math.round((v - min) / scale)),
      );
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      const loaded = await tfl.loadLayersModel(fileSystem(dir));
      const restored = await loaded.getWeights()[0]!.data();
      restored.forEach((v, i) => expect(Math.abs(v - floats[i]!)).toBeLessThanOrEqual(scale / 2 + 1e-6));
      const bare = join(tempDir(), 'bare.json');
      writeFileSync(bare, JSON.stringify({ modelTopology: (json as { modelTopology: unknown }).modelTopology }));
      const artifacts = await fileSystem(bare).load!();
      expect([artifacts.weightSpecs, artifacts.weightData]).toEqual([undefined, undefined]);
    });
  });

  describe('saves under concurrency and after killed saves', () => {
    /** A model whose every weight is `value`. */
    function modelOf(value: number): tfl.LayersModel {
      const model = smallModel();
      model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, value)));
      return model;
    }
    const valueOf = async (dir: string): Promise<number[]> => Array.from(new Set(await (await tfl.loadLayersModel(fileSystem(dir))).getWeights()[0]!.data()));

    it('commits saves into one folder one after the other: the folder holds the save that resolved last, whole (25 pairs)', async () => {
      const dir = tempDir();
      for (let pair = 0; pair < 25; pair++) {
        const resolved: number[] = [];
        // Two handlers for one folder, named two ways, saving at once.
        await Promise.all([
          modelOf(2 * pair + 1)
            .save(fileSystem(dir))
            .then(() => resolved.push(2 * pair + 1)),
          modelOf(2 * pair + 2)
            .save(fileSystem(join(dir, '.', 'model.json')))
            .then(() => resolved.push(2 * pair + 2)),
        ]);
        expect(await valueOf(dir)).toEqual([resolved[1]]);
        expect(readdirSync(dir).sort()).toEqual(['model.json', weightsFileOf(dir)]);
      }
      // One save rejected (the first file operation fails, whichever save reaches it first) and one
      // resolved: the folder holds the resolved one.
      Object.assign(faults, { failAt: 1, count: 0 });
      const settled = await Promise.allSettled([modelOf(100).save(fileSystem(dir)), modelOf(200).save(fileSystem(dir))]);
      faults.failAt = 0;
      expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(await valueOf(dir)).toEqual([settled[0].status === 'fulfilled' ? 100 : 200]);
    });

    it('removes what killed saves and earlier versions left, and no file of another model, the user or a running save', async () => {
      const dir = tempDir();
      await modelOf(1).save(fileSystem(dir));
      const dead = 2 ** 22 + 12_345; // above Linux's largest process id: no process has it
      const leftovers = [
        `weights.${dead}-0123456789abcdef.bin`,
        `model.json.tmp-${dead}-0123456789abcdef`,
        'weights.bin',
        `weights.bin.tmp-${dead}-lq2a3b`,
        `weights.bin.tmp-${dead}-lq2a3b.previous`,
        `model.json.tmp-${dead}-lq2a3b`,
      ];
      const running = [`weights.${process.ppid}-0123456789abcdef.bin`, `model.json.tmp-${process.ppid}-fedcba9876543210`];
      const others = ['notes.txt', 'other.json', 'other.weights.bin', `other.weights.${dead}-0123456789abcdef.bin`, 'weights.bin.bak', 'weightsXbin'];
      for (const name of [...leftovers, ...running, ...others]) writeFileSync(join(dir, name), 'x');
      await modelOf(2).save(fileSystem(dir));
      expect(await valueOf(dir)).toEqual([2]);
      expect(readdirSync(dir).sort()).toEqual(['model.json', weightsFileOf(dir), ...running, ...others].sort());
    });

    it('loads a folder saved by an earlier version (weights.bin), and replaces it on the next save', async () => {
      const dir = await (async () => {
        const d = tempDir();
        await modelOf(3).save(fileSystem(d));
        const json = JSON.parse(readFileSync(join(d, 'model.json'), 'utf8')) as tf.io.ModelJSON;
        const file = weightsFileOf(d);
        json.weightsManifest[0]!.paths = ['./weights.bin'];
        writeFileSync(join(d, 'weights.bin'), readFileSync(join(d, file)));
        rmSync(join(d, file));
        writeFileSync(join(d, 'model.json'), JSON.stringify(json));
        return d;
      })();
      expect(await valueOf(dir)).toEqual([3]);
      await modelOf(4).save(fileSystem(dir));
      expect(readdirSync(dir).sort()).toEqual(['model.json', weightsFileOf(dir)]);
      expect(await valueOf(dir)).toEqual([4]);
    });
  });
});
