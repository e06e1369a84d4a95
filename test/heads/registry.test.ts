import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { HEAD_KINDS, HEADS } from '../../src/heads/registry.js';

describe('the registry of heads', () => {
  it('lists every head once, in its order', () => {
    expect(HEAD_KINDS).toEqual(['modified', 'angular', 'spherefacer', 'sphereface2', 'cosface', 'arcface', 'combined', 'subcenter', 'adaface', 'curricular', 'normlinear']);
    expect(new Set(Object.values(HEADS).map((h) => h.className)).size).toBe(HEAD_KINDS.length);
  });

  for (const kind of HEAD_KINDS) {
    it(`${kind}: creates its layer, whose configuration without arguments is the registry's defaults`, () => {
      const head = HEADS[kind] as { className: string; title: string; defaults: Record<string, unknown>; create(args: { units: number }): tf.serialization.Serializable & { getConfig(): tf.serialization.ConfigDict } };
      const layer = head.create({ units: 3 });
      expect(layer.getClassName()).toBe(head.className);
      expect(head.title.length).toBeGreaterThan(0);
      const config = layer.getConfig();
      for (const [name, value] of Object.entries(head.defaults)) expect([name, config[name]]).toEqual([name, value]);
    });
  }
});
