import { describe, expect, it } from 'vitest';
import { lambdaAt, lambdaScheduleFor } from '../../src/schedule/lambda_at.js';

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
      expect(() => lambdaAt(0, notASchedule as unknown as typeof SPHEREFACE)).toThrow(
        `lambdaAt: expected a schedule { base, gamma, power, min }, but got ${notASchedule}.`,
      );
    }
  });
});

describe('lambdaScheduleFor', () => {
  it('fits the schedule to a run: λ 1000 at the start, at most 1 from 20% of the steps, 0.01 at the end, no floor', () => {
    for (const steps of [1, 80, 469, 5628, 100_000]) {
      const args = lambdaScheduleFor(steps);
      const schedule = { base: args.lambdaBase, gamma: args.lambdaGamma, power: args.lambdaPower, min: args.lambdaMin };
      expect([schedule.base, schedule.power, schedule.min]).toEqual([1000, 2, 0]);
      expect(lambdaAt(0, schedule)).toBe(1000);
      expect(lambdaAt(Math.ceil(0.2 * steps), schedule)).toBeLessThanOrEqual(1);
      expect(lambdaAt(steps, schedule)).toBeCloseTo(0.01, 10);
      // float64: λ = 1000 / (1 + γ·steps)² with 1 + γ·steps = √(1000 / 0.01).
      expect(1000 / (1 + schedule.gamma * steps) ** 2).toBeCloseTo(0.01, 12);
    }
    expect(() => lambdaScheduleFor(0)).toThrow('lambdaScheduleFor: steps must be an integer >= 1, but got 0.');
    expect(() => lambdaScheduleFor(2.5)).toThrow('lambdaScheduleFor: steps must be an integer >= 1, but got 2.5.');
  });
});
