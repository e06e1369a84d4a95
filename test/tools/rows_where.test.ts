import { describe, expect, it } from 'vitest';
import { rowsWhere } from '../../tools/rows_where.js';

describe('rowsWhere', () => {
  it('keeps the rows whose label passes, in order, in arrays of the input types', () => {
    const images = Float32Array.from({ length: 12 }, (_, i) => i); // 4 rows of 3
    const labels = Int32Array.from([7, 2, 9, 2]);
    const picked = rowsWhere(images, labels, 3, (l) => l === 2);
    expect(picked.images).toBeInstanceOf(Float32Array);
    expect(picked.labels).toBeInstanceOf(Int32Array);
    expect([...picked.images]).toEqual([3, 4, 5, 9, 10, 11]);
    expect([...picked.labels]).toEqual([2, 2]);
    expect(picked.count).toBe(2);
    const bytes = rowsWhere(Uint8Array.from([1, 2, 3, 4]), Uint8Array.from([0, 1]), 2, (l) => l > 0);
    expect(bytes.images).toBeInstanceOf(Uint8Array);
    expect([...bytes.images, ...bytes.labels, bytes.count]).toEqual([3, 4, 1, 1]);
    expect(rowsWhere(images, labels, 3, () => false).count).toBe(0);
  });
});
