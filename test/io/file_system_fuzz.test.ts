// Fuzzing the loader (fast-check): random mutations of a valid saved model — weights paths, dtypes,
// shapes, file lengths, any node of the JSON — must load as the valid model or fail with an Error,
// within 5 s, without reading outside the folder and without allocating 100 MB.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSystem } from '../../src/io/file_system.js';

const root = mkdtempSync(join(tmpdir(), 'tfjs-am-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const x = tf.tensor2d([[1, 2, 3]]);
const model = (() => {
  const input = tfl.input({ shape: [3] });
  return tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2 }).apply(input) as tfl.SymbolicTensor });
})();
const valid = join(root, 'valid');
await model.save(fileSystem(valid));
const validJson = JSON.parse(readFileSync(join(valid, 'model.json'), 'utf8')) as tf.io.ModelJSON;
const weightsName = validJson.weightsManifest[0]!.paths[0]!.slice(2);
const weights = readFileSync(join(valid, weightsName));
const expected = (await (model.predict(x) as tf.Tensor).array()) as number[][];
// Beside every model folder: a file of the weights' length (so that reading it would load) with other values.
writeFileSync(join(root, 'outside.bin'), Buffer.from(new Float32Array(weights.byteLength / 4).fill(7).buffer));

type Json = unknown;
/** Every path (list of keys) to a node of a JSON value. */
function pathsOf(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const here = [at];
  if (Array.isArray(value)) return here.concat(...value.map((v, i) => pathsOf(v, [...at, i])));
  if (value !== null && typeof value === 'object') return here.concat(...Object.entries(value).map(([k, v]) => pathsOf(v, [...at, k])));
  return here;
}
function setAt(value: Json, path: Array<string | number>, replacement: Json): Json {
  // Json or REMOVE
  if (path.length === 0) return replacement === REMOVE ? undefined : replacement;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, Json>;
  const [key, ...rest] = path as [string | number, ...Array<string | number>];
  const next = setAt(copy[key], rest, replacement);
  if (next === undefined && rest.length === 0) delete copy[key];
  else copy[key] = next;
  return copy;
}
const REMOVE = Symbol('remove');

const hostile = fc.constantFrom<Json>(
  '../outside.bin',
  '../../outside.bin',
  'a/../../outside.bin',
  join(root, 'outside.bin'),
  '/etc/hostname',
  './',
  '.',
  '',
  '\u0000',
  'link-out',
  'missing.bin',
  'string',
  'complex64',
  'int64',
  'float16',
  'bool',
  'int32',
  -1,
  1e7,
  1e300,
  2.5,
  -0,
  null,
  [],
  {},
  [1e7],
  [2 ** 53],
  [3, 2],
  [2],
);
const mutation = fc.oneof(
  // a weights path
  fc.record({ kind: fc.constant('path' as const), value: hostile }),
  // an entry's dtype or shape, or one dimension
  fc.record({
    kind: fc.constant('entry' as const),
    index: fc.nat(1),
    field: fc.constantFrom('dtype', 'shape', 'name', 'quantization'),
    value: fc.oneof(hostile, fc.jsonValue({ maxDepth: 2 })),
  }),
  fc.record({ kind: fc.constant('dim' as const), index: fc.nat(1), dim: fc.nat(1), value: fc.oneof(fc.integer(), fc.double(), hostile) }),
  // the weights file's length
  fc.record({ kind: fc.constant('length' as const), delta: fc.integer({ min: -32, max: 64 }) }),
  // any node of the model file: replaced or removed
  fc.record({ kind: fc.constant('node' as const), pick: fc.nat(), value: fc.oneof(hostile, fc.jsonValue({ maxDepth: 2 }), fc.constant<Json>(REMOVE)) }),
);

let run = 0;
describe('fileSystem loads fuzzed model files', () => {
  it('as the valid model or with an Error, in under 5 s, never from outside the folder or with 100 MB allocated (1,000 mutations)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const dir = join(root, `m${run++}`);
        mkdirSync(dir);
        writeFileSync(join(dir, weightsName), weights);
        let json: Json = structuredClone(validJson);
        for (const m of mutations) {
          if (m.kind === 'path') json = setAt(json, ['weightsManifest', 0, 'paths', 0], m.value);
          else if (m.kind === 'entry') json = setAt(json, ['weightsManifest', 0, 'weights', m.index, m.field], m.value);
          else if (m.kind === 'dim') json = setAt(json, ['weightsManifest', 0, 'weights', m.index, 'shape', m.dim], m.value);
          else if (m.kind === 'length') {
            if (m.delta < 0) truncateSync(join(dir, weightsName), Math.max(0, weights.byteLength + m.delta));
            else appendFileSync(join(dir, weightsName), Buffer.alloc(m.delta, 1));
          } else {
            const paths = pathsOf(json);
            json = setAt(json, paths[m.pick % paths.length]!, m.value);
          }
        }
        writeFileSync(join(dir, 'model.json'), JSON.stringify(json) ?? '');
        const before = process.memoryUsage();
        const start = performance.now();
        let loaded: tfl.LayersModel | null = null;
        let error: unknown = null;
        try {
          loaded = await tfl.loadLayersModel(fileSystem(dir));
        } catch (e) {
          error = e;
        }
        const ms = performance.now() - start;
        const after = process.memoryUsage();
        expect(ms).toBeLessThan(5000);
        expect(after.rss - before.rss + (after.arrayBuffers - before.arrayBuffers)).toBeLessThan(100 * 2 ** 20);
        if (loaded != null) {
          // Loaded: it is the valid model (so nothing came from outside.bin, whose values are 7s).
          expect(await (loaded.predict(x) as tf.Tensor).array()).toEqual(expected);
        } else {
          expect(error).toBeInstanceOf(Error);
          // What the loader checks (paths, dtypes, shapes, lengths) is refused by the loader, naming the file.
          const manifestOnly = mutations.every((m) => m.kind !== 'node');
          if (
            manifestOnly &&
            !/Provided weight data has no target variable|Shape mismatch|weight\(s\) that were not set|Duplicate weight name/.test((error as Error).message)
          ) {
            expect((error as Error).message).toContain(`fileSystem: `);
            expect((error as Error).message).toContain(dir);
          }
        }
      }),
      { numRuns: 1000, seed: 27_0601 },
    );
  });
});
