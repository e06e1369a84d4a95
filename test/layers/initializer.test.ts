import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { resolveInitializer, serializeInitializer, type InitializerName } from '../../src/layers/initializer.js';
import { cosFace } from '../../src/layers/cos_face.js';

/** Each accepted name: that of a tfjs-layers initializer factory. */
const NAMES: InitializerName[] = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'leCunUniform', 'leCunNormal', 'zeros', 'ones'];
const factory = (name: InitializerName) =>
  (tfl.initializers as unknown as Record<InitializerName, (config: object) => ReturnType<typeof tfl.initializers.zeros>>)[name];

describe('resolveInitializer', () => {
  it('turns each name into the tfjs-layers initializer of that name', () => {
    for (const name of NAMES) {
      const init = resolveInitializer('Owner', name);
      const expected = factory(name)({});
      expect({ name, className: init.getClassName(), config: init.getConfig() }).toEqual({
        name,
        className: expected.getClassName(),
        config: expected.getConfig(),
      });
    }
  });

  it('passes an instance through and rebuilds a serialized one with its config', async () => {
    const seeded = tfl.initializers.glorotUniform({ seed: 3 });
    expect(resolveInitializer('Owner', seeded)).toBe(seeded);
    const again = resolveInitializer('Owner', serializeInitializer(seeded));
    expect(again).not.toBe(seeded);
    expect(again.getConfig()).toEqual(seeded.getConfig());
    expect(Array.from(await again.apply([4, 3]).data())).toEqual(Array.from(await seeded.apply([4, 3]).data()));
    // A serialized form without a config is the class's default.
    expect(resolveInitializer('Owner', { className: 'Ones' } as unknown as Parameters<typeof resolveInitializer>[1]).getClassName()).toBe('Ones');
    expect(
      Array.from(
        await resolveInitializer('Owner', { className: 'Constant', config: { value: 2.5 } })
          .apply([2])
          .data(),
      ),
    ).toEqual([2.5, 2.5]);
  });

  it('rejects unknown names, unknown classes and other values, naming the owner and what came', () => {
    expect(() => resolveInitializer('Owner', 'nope' as InitializerName)).toThrow(
      `Owner: kernelInitializer must be one of ${NAMES.join(', ')} or an initializer instance, but got "nope".`,
    );
    expect(() => resolveInitializer('Owner', { className: 'NoSuchInitializer', config: {} })).toThrow('Owner: unknown initializer class "NoSuchInitializer".');
    const malformed = 'Owner: kernelInitializer must be a name, an initializer instance or { className, config }';
    for (const [value, got] of [
      [42, '42'],
      [null, 'null'],
      [{ className: 5, config: {} }, '[object Object]'],
      [{ config: {} }, '[object Object]'],
      [['zeros'], '["zeros"]'],
    ] as const) {
      expect(() => resolveInitializer('Owner', value as unknown as InitializerName)).toThrow(`${malformed}, but got ${got}.`);
    }
  });

  it('is what a head uses, by name, instance or serialized form, and what its config carries', async () => {
    for (const kernelInitializer of ['ones', tfl.initializers.ones(), { className: 'Ones', config: {} }] as const) {
      const head = cosFace({ units: 2, kernelInitializer });
      head.build([null, 3]);
      expect(Array.from(await head.getWeights()[0]!.data())).toEqual([1, 1, 1, 1, 1, 1]);
      expect(head.getConfig()['kernelInitializer']).toEqual({ className: 'Ones', config: {} });
    }
    expect(() => cosFace({ units: 2, kernelInitializer: { className: 'Nope', config: {} } })).toThrow('CosFace: unknown initializer class "Nope".');
  });
});
