import { describe, expect, it } from 'vitest';
import { lambdaAt } from '../../src/schedule/lambda_at.js';

const SPHEREFACE = { base: 1000, gamma: 0.12, power: 1, min: 5 };

describe('lambdaAt', () => {
  it('is max(min, base·(1 + gamma·iteration)^(−power))', () => {
    for (const it of [0, 1, 10, 100, 1000, 5000]) {
      expect(lambdaAt(it, SPHEREFACE)).toBeCloseTo(Math.max(5, 1000 / (1 + 0.12 * it)), 12);
    }
    expect(lambdaAt(3, { base: 8, gamma: 1, power: 2, min: 0 })).toBe(0.5);
  });

  it('starts at base, reaches the floor, and gives 0 for base = min = 0', () => {
    expect(lambdaAt(0, SPHEREFACE)).toBe(1000);
    expect(lambdaAt(1e6, SPHEREFACE)).toBe(5);
    expect(lambdaAt(123, { base: 0, gamma: 0.12, power: 1, min: 0 })).toBe(0);
  });

  it('rejects negative or non-finite arguments', () => {
    expect(() => lambdaAt(-1, SPHEREFACE)).toThrow(/lambdaAt: iteration must be a finite number >= 0, but got -1/);
    expect(() => lambdaAt(Number.NaN, SPHEREFACE)).toThrow(/but got NaN/);
    expect(() => lambdaAt(0, { ...SPHEREFACE, base: -1 })).toThrow(/lambda base must be a finite number >= 0, but got -1/);
    expect(() => lambdaAt(0, { ...SPHEREFACE, min: -5 })).toThrow(/lambda min/);
    for (const notASchedule of [null, 5, 'fast']) {
      expect(() => lambdaAt(0, notASchedule as unknown as typeof SPHEREFACE)).toThrow(`lambdaAt: expected a schedule { base, gamma, power, min }, but got ${notASchedule}.`);
    }
  });
});
