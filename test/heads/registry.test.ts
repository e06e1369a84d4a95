import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { HEAD_KINDS, HEADS } from '../../src/heads/registry.js';
import * as library from '../../src/index.js';
import { sphereFace2Loss } from '../../src/losses/sphere_face2_loss.js';

describe('the registry of heads', () => {
  it('lists every head layer the library exports, once each', () => {
    // The exported subclasses of MarginHead, less the two bases the heads extend.
    const bases: unknown[] = [library.MarginHead, library.ScaledCosineHead];
    const exported = Object.values(library)
      .filter((v): v is typeof library.MarginHead => typeof v === 'function' && v.prototype instanceof library.MarginHead && !bases.includes(v))
      .map((c) => (c as unknown as { className: string }).className);
    expect(exported.length).toBeGreaterThan(0);
    expect(
      Object.values(HEADS)
        .map((h) => h.className)
        .sort(),
    ).toEqual([...exported].sort());
    expect(HEAD_KINDS).toEqual(Object.keys(HEADS));
  });

  it('names each head once: kind = factory = class name with a lower-case first letter, file = its snake case', () => {
    for (const kind of HEAD_KINDS) {
      const { className } = HEADS[kind];
      expect(kind).toBe(className[0]!.toLowerCase() + className.slice(1));
      const factory = (library as unknown as Record<string, (args: { units: number }) => { getClassName(): string }>)[kind];
      expect(factory?.({ units: 3 }).getClassName()).toBe(className);
      const file = className
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
        .toLowerCase();
      expect(existsSync(join(process.cwd(), 'src', 'layers', `${file}.ts`))).toBe(true);
    }
  });

  for (const kind of HEAD_KINDS) {
    it(`${kind}: creates its layer, whose configuration without arguments is the registry's defaults`, () => {
      const head = HEADS[kind] as {
        className: string;
        title: string;
        defaults: Record<string, unknown>;
        create(args: { units: number }): tf.serialization.Serializable & { getConfig(): tf.serialization.ConfigDict };
      };
      const layer = head.create({ units: 3 });
      expect(layer.getClassName()).toBe(head.className);
      expect(head.title.length).toBeGreaterThan(0);
      const config = layer.getConfig();
      for (const [name, value] of Object.entries(head.defaults)) expect([name, config[name]]).toEqual([name, value]);
    });
  }

  it("gives SphereFace2 its own loss with the head's α and r (the defaults when unset), and no other head a loss", async () => {
    const yTrue = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
    const yPred = tf.tensor2d([
      [2, -1, 0.5],
      [-3, 1, 4],
    ]);
    const value = async (loss: (t: tf.Tensor, p: tf.Tensor) => tf.Scalar) => (await loss(yTrue, yPred).data())[0];
    expect(await value(HEADS.sphereFace2.loss!({ units: 3 }))).toBe(await value(sphereFace2Loss({ alpha: 0.7, r: 40 })));
    expect(await value(HEADS.sphereFace2.loss!({ units: 3, alpha: 0.6, r: 10 }))).toBe(await value(sphereFace2Loss({ alpha: 0.6, r: 10 })));
    expect(await value(HEADS.sphereFace2.loss!({ units: 3, alpha: 0.6 }))).not.toBe(await value(sphereFace2Loss({ alpha: 0.7, r: 40 })));
    expect(HEAD_KINDS.filter((kind) => 'loss' in HEADS[kind])).toEqual(['sphereFace2']);
  });
});
