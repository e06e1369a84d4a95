// The two-copies checks. With two real copies installed they run in the install matrix
// (.ci/install-matrix.sh); here: no false alarm with one copy, and the messages.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { angularSoftmax } from '../../src/index.js';
import { assertOneTfjsCore, assertOwnSymbolicTensors, loadedCopies, twoCopiesMessage } from '../../src/util/one_tfjs.js';

const canReadModuleCache = typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function';

describe('one copy of tfjs', () => {
  it('passes with the one copy this checkout installs', () => {
    expect(() => assertOneTfjsCore()).not.toThrow();
    expect(() => assertOwnSymbolicTensors('AngularSoftmax', [tfl.input({ shape: [3] }), tfl.input({ shape: [1] })])).not.toThrow();
    expect(() => assertOwnSymbolicTensors('AngularSoftmax', [tf.zeros([2, 3]), tf.zeros([2])])).not.toThrow();
    // Only an object with both of a SymbolicTensor's fields is taken for a foreign one.
    expect(() => assertOwnSymbolicTensors('AngularSoftmax', [{ sourceLayer: {} }, { outputTensorIndex: 0 }, null, 3, 'x'])).not.toThrow();
  });

  it.runIf(canReadModuleCache)("lists the loaded copies from Node's module cache: here one, of the installed version", () => {
    const copies = loadedCopies('@tensorflow/tfjs-core');
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatch(new RegExp(`^${tf.version_core.replace(/\./g, '\\.')} \\(.*node_modules/@tensorflow/tfjs-core\\)$`));
    expect(loadedCopies('no-such-package')).toEqual([]);
  });

  it.runIf(canReadModuleCache)('lists every copy in the module cache, sorted by folder, naming one without a readable package.json', () => {
    // Two copies of a made-up package, as Node's module cache would list them (no package.json on disk).
    const cache = (process as unknown as { getBuiltinModule(id: string): { createRequire(p: string): { cache: Record<string, unknown> } } })
      .getBuiltinModule('node:module')
      .createRequire(`${process.cwd()}/`).cache;
    // (A top-level /node_modules, as in some container images, counts too.)
    // (And a Windows path, whose backslashes are read as slashes.)
    const files = [
      '/z/node_modules/fake-tfjs-copy/dist/index.js',
      '/a/node_modules/fake-tfjs-copy/index.js',
      '/a/node_modules/fake-tfjs-copy/dist/more.js',
      '/node_modules/fake-tfjs-copy/index.js',
      'C:\\w\\node_modules\\fake-tfjs-copy\\index.js',
    ];
    for (const f of files) cache[f] = {};
    try {
      expect(loadedCopies('fake-tfjs-copy')).toEqual([
        'version unknown (/a/node_modules/fake-tfjs-copy)',
        'version unknown (/node_modules/fake-tfjs-copy)',
        'version unknown (/z/node_modules/fake-tfjs-copy)',
        'version unknown (C:/w/node_modules/fake-tfjs-copy)',
      ]);
    } finally {
      for (const f of files) delete cache[f];
    }
  });

  it("lists nothing where Node's module cache cannot be read (no process, no node:module, a failing createRequire)", () => {
    const real = globalThis.process;
    const fakes: unknown[] = [
      undefined,
      { cwd: () => '/', getBuiltinModule: () => undefined },
      {
        cwd: () => '/',
        getBuiltinModule: () => ({
          createRequire: () => {
            throw new Error('no require here');
          },
        }),
      },
    ];
    for (const fake of fakes) {
      let copies: string[] | null = null;
      Object.defineProperty(globalThis, 'process', { value: fake, configurable: true, writable: true });
      try {
        copies = loadedCopies('@tensorflow/tfjs-core');
      } finally {
        Object.defineProperty(globalThis, 'process', { value: real, configurable: true, writable: true });
      }
      expect(copies).toEqual([]);
    }
  });

  it('names both copies, the one in use and the fix', () => {
    const message = twoCopiesMessage(
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-core 4.22.0',
      ['4.10.0 (/a/node_modules/@tensorflow/tfjs-core)', '4.22.0 (/b)'],
      'the tensors belong to the other copy',
    );
    expect(message).toContain('two copies of @tensorflow/tfjs-core are loaded: 4.10.0 (/a/node_modules/@tensorflow/tfjs-core) and 4.22.0 (/b)');
    expect(message).toContain('This library uses @tensorflow/tfjs-core 4.22.0; the tensors belong to the other copy.');
    expect(message).toContain('npm dedupe');
    expect(message).toMatch(/^tfjs-angular-margin: two copies/);
    expect(message).toContain('A model cannot mix layers and tensors of two copies. Install matching versions of the tfjs packages');
    expect(message).toContain('`npm install @tensorflow/tfjs@X`, or `npm install @tensorflow/tfjs-core@X @tensorflow/tfjs-layers@X`');
    expect(message).toContain('with a bundler, make sure both resolve to the same files.');
    expect(twoCopiesMessage('@tensorflow/tfjs-layers', 'x', [], 'y')).toContain('`npm ls @tensorflow/tfjs-layers` lists them');
  });

  it('stops a layer applied to a SymbolicTensor of another tfjs-layers, before tfjs-layers fails on it', () => {
    // What a SymbolicTensor of another copy looks like from here: its fields, not this copy's class.
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- the point: its fields without its class
    const foreign = { ...tfl.input({ shape: [3] }) };
    expect(foreign instanceof tfl.SymbolicTensor).toBe(false);
    expect(() => angularSoftmax({ units: 4 }).apply([foreign, tfl.input({ shape: [1] })])).toThrow(
      /^tfjs-angular-margin: two copies of @tensorflow\/tfjs-layers are loaded.*AngularSoftmax was applied to a SymbolicTensor of the other copy/,
    );
    // A single input, not in an array, is checked too; the message names this copy's version.
    expect(() => assertOwnSymbolicTensors('Owner', foreign)).toThrow(
      `This library uses @tensorflow/tfjs-layers ${tfl.version_layers}; Owner was applied to a SymbolicTensor of the other copy.`,
    );
  });
});
