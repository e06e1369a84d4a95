import { describe, expect, it } from 'vitest';
import { parseIdx, toSplit } from '../../../tools/mnist/idx.js';
import { gzip, idx, images, labels } from './fixtures.js';

describe('parseIdx', () => {
  it('parses raw and gzipped files alike', () => {
    const raw = images(3);
    for (const bytes of [raw, gzip(raw)]) {
      const parsed = parseIdx(bytes, 'x', 3);
      expect(parsed.shape).toEqual([3, 28, 28]);
      expect(parsed.data.length).toBe(3 * 784);
      expect(parsed.data[1]).toBe(37);
    }
  });

  it('names the file and says what is wrong', () => {
    expect(() => parseIdx(images(2), 'imgs', 1)).toThrow(/imgs: bad magic number 0x00000803: expected 0x00000801/);
    expect(() => parseIdx(idx([2], new Uint8Array(2), 0x0d01), 'f', 1)).toThrow(/f: bad magic number 0x00000d01/);
    expect(() => parseIdx(idx([2], new Uint8Array(2), 0x01000801), 'f', 1)).toThrow(/f: bad magic number 0x01000801/);
    expect(() => parseIdx(images(2).subarray(0, 100), 'cut', 3)).toThrow(
      /cut: truncated: the header announces 2×28×28 = 1568 bytes of data, but only 84 follow/,
    );
    expect(() => parseIdx(new Uint8Array([0, 0]), 'tiny', 1)).toThrow(/tiny: truncated: 2 bytes/);
    expect(() => parseIdx(new Uint8Array([...labels(3), 1, 2]), 'long', 1)).toThrow(/long: 2 unexpected bytes after the 3 data/);
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 1, 2, 3]), 'bad.gz', 1)).toThrow(/bad.gz: corrupt gzip data/);
  });
});

describe('toSplit', () => {
  it('checks that image and label counts agree and labels are digits', () => {
    const split = toSplit(parseIdx(images(4), 'i', 3), parseIdx(labels(4), 'l', 1), 'i', 'l');
    expect([split.count, split.rows, split.cols]).toEqual([4, 28, 28]);
    expect(() => toSplit(parseIdx(images(4), 'i', 3), parseIdx(labels(3), 'l', 1), 'i', 'l')).toThrow(/l: count mismatch: 3 labels, but i has 4 images/);
    expect(() => toSplit(parseIdx(images(1), 'i', 3), parseIdx(idx([1], Uint8Array.from([12])), 'l', 1), 'i', 'l')).toThrow(
      /l: the label at index 0 is 12, expected a digit 0-9/,
    );
    expect(() => toSplit(parseIdx(idx([2, 14, 56], new Uint8Array(2 * 14 * 56)), 'i', 3), parseIdx(labels(2), 'l', 1), 'i', 'l')).toThrow(
      /i: images of 14×56 pixels, but MNIST's are 28×28/,
    );
  });

  it('inflates a gzipped file only to the size its header declares: a small file that inflates to 64 MB fails at once', () => {
    const bomb = gzip(idx([3], new Uint8Array(64 << 20)));
    expect(bomb.byteLength).toBeLessThan(128 * 1024);
    const before = process.memoryUsage().rss;
    const start = performance.now();
    expect(() => parseIdx(bomb, 'bomb-labels.gz', 1)).toThrow('bomb-labels.gz: the gzip data inflates to more than the 11 bytes its IDX header declares.');
    expect(performance.now() - start).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(32 << 20);
    expect(() => parseIdx(gzip(new Uint8Array([0, 0, 8])), 'short.gz', 1)).toThrow('short.gz: truncated: 3 bytes, too short for an IDX header.');
  });

  it('names an IDX file that holds no images', () => {
    expect(() =>
      toSplit(
        parseIdx(idx([0, 28, 28], new Uint8Array(0)), 'empty-images', 3),
        parseIdx(idx([0], new Uint8Array(0)), 'empty-labels', 1),
        'empty-images',
        'empty-labels',
      ),
    ).toThrow('empty-images: holds no images (its IDX header declares 0).');
  });
});
