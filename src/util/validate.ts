/**
 * Argument checks shared by the ops and layers. Each error names the argument, says what was
 * expected and shows what came, so that a bad call is fixed from the message alone.
 * @internal
 */

/** Short, readable rendering of a received value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value === null) return 'null';
  if (typeof value === 'object' || typeof value === 'function') return Object.prototype.toString.call(value);
  return String(value as string | number | boolean | bigint | symbol | undefined);
}

/** Throws unless `value` is an integer ≥ `min`. */
export function assertInteger(owner: string, name: string, value: unknown, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`${owner}: ${name} must be an integer >= ${min}, but got ${describe(value)}.`);
  }
}

/** Throws unless `value` is an integer from 0 to 2^53 − 1: a count that a pass counter holds exactly. */
export function assertCount(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${owner}: ${name} must be an integer from 0 to 2^53 - 1 (${Number.MAX_SAFE_INTEGER}), but got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a finite number ≥ 0. */
export function assertNonNegative(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`${owner}: ${name} must be a finite number >= 0, but got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a finite number > 0. */
export function assertPositive(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${owner}: ${name} must be a finite number > 0, but got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a boolean. */
export function assertBoolean(owner: string, name: string, value: unknown): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw new Error(`${owner}: ${name} must be a boolean, but got ${describe(value)}.`);
  }
}

/** Whether `value` is a plain object (not null, not an array): a record of untrusted data to look into. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws unless `value` is an options object (a plain object, not null or an array); `example` shows one. */
export function assertOptions(owner: string, value: unknown, example: string): void {
  if (!isRecord(value)) {
    throw new Error(`${owner}: expected an options object such as ${example}, but got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a finite number in [0, 1] (a momentum, a fraction). */
export function assertUnitInterval(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`${owner}: ${name} must be a number in [0, 1], but got ${describe(value)}.`);
  }
}

/** Throws unless `value` is a number strictly between 0 and 1 (a weight that needs both terms). */
export function assertOpenUnitInterval(owner: string, name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !(value > 0 && value < 1)) {
    throw new Error(`${owner}: ${name} must be a number in (0, 1), but got ${describe(value)}.`);
  }
}

/** Throws unless `value` is one of `allowed` (a variant, a mode), listing them. */
export function assertOneOf<T>(owner: string, name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new Error(`${owner}: ${name} must be one of ${allowed.join(', ')}, but got ${describe(value)}.`);
  }
}
