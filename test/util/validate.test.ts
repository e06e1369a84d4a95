import { describe, expect, it } from 'vitest';
import {
  assertBoolean,
  assertInteger,
  assertNonNegative,
  assertOneOf,
  assertOpenUnitInterval,
  assertPositive,
  assertUnitInterval,
} from '../../src/util/validate.js';

describe('argument checks', () => {
  it('reject numeric strings, NaN and Infinity where a number is expected, naming owner and argument', () => {
    for (const bad of ['3', NaN, Infinity, null, undefined]) {
      expect(() => assertInteger('Owner', 'n', bad, 0)).toThrow(/Owner: n must be an integer >= 0, but got /);
      expect(() => assertNonNegative('Owner', 'x', bad)).toThrow(/Owner: x must be a finite number >= 0, but got /);
      expect(() => assertPositive('Owner', 's', bad)).toThrow(/Owner: s must be a finite number > 0, but got /);
      expect(() => assertUnitInterval('Owner', 't', bad)).toThrow(/Owner: t must be a number in \[0, 1\], but got /);
    }
    expect(() => assertPositive('Owner', 's', '3')).toThrow(/but got "3"\./);
    expect(() => assertBoolean('Owner', 'b', 'true')).toThrow(/Owner: b must be a boolean, but got "true"\./);
  });

  it('accept the edges of their ranges and reject just outside', () => {
    expect(() => assertInteger('O', 'n', 2, 2)).not.toThrow();
    expect(() => assertInteger('O', 'n', 1, 2)).toThrow();
    expect(() => assertInteger('O', 'n', 2.5, 2)).toThrow();
    expect(() => assertNonNegative('O', 'x', 0)).not.toThrow();
    expect(() => assertNonNegative('O', 'x', -1e-9)).toThrow();
    expect(() => assertPositive('O', 's', 1e-9)).not.toThrow();
    expect(() => assertPositive('O', 's', 0)).toThrow();
    expect(() => assertUnitInterval('O', 't', 0)).not.toThrow();
    expect(() => assertUnitInterval('O', 't', 1)).not.toThrow();
    expect(() => assertUnitInterval('O', 't', 1 + 1e-9)).toThrow();
    expect(() => assertUnitInterval('O', 't', -1e-9)).toThrow();
    expect(() => assertBoolean('O', 'b', false)).not.toThrow();
  });

  it('assertOpenUnitInterval takes numbers strictly between 0 and 1, not their strings', () => {
    expect(() => assertOpenUnitInterval('O', 'a', 0.5)).not.toThrow();
    for (const bad of [0, 1, NaN, '0.5', null]) expect(() => assertOpenUnitInterval('O', 'a', bad)).toThrow(/^O: a must be a number in \(0, 1\), but got /);
    expect(() => assertOpenUnitInterval('O', 'a', '0.5')).toThrow(/but got "0\.5"\.$/);
  });

  it('shows an object by its type, not by its own toString (a tensor would print its values)', () => {
    const tensorLike = { toString: () => 'Tensor [1, 2, 3]' };
    expect(() => assertPositive('O', 's', tensorLike)).toThrow(/^O: s must be a finite number > 0, but got \[object Object\]\.$/);
    expect(() => assertPositive('O', 's', new Float32Array(2))).toThrow(/but got \[object Float32Array\]\.$/);
  });

  it('assertOneOf accepts only the listed values, listing them', () => {
    expect(() => assertOneOf('O', 'mode', 'b', ['a', 'b'])).not.toThrow();
    expect(() => assertOneOf('O', 'mode', 'B', ['a', 'b'])).toThrow(/^O: mode must be one of a, b, but got "B"\.$/);
    expect(() => assertOneOf('O', 'mode', undefined, ['a', 'b'])).toThrow(/but got undefined\.$/);
  });
});
