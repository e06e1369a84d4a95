// IDX files (the MNIST format): big-endian magic 0x0000 TT DD (TT = 0x08 for unsigned bytes,
// DD = number of dimensions), then DD big-endian uint32 sizes, then the data.
import { gunzipSync } from 'node:zlib';

export interface IdxArray {
  /** Sizes of each dimension, e.g. [60000, 28, 28]. */
  shape: number[];
  /** The unsigned bytes, row-major. */
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** True when the bytes start with the gzip magic 1f 8b. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzips if gzipped; `name` is used in errors. */
export function maybeGunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (e) {
    throw new Error(`${name}: corrupt gzip data (${(e as Error).message}).`);
  }
}

/**
 * Parses an IDX file of unsigned bytes, raw or gzipped. `expectedDims` is the number of
 * dimensions the caller needs (3 for images, 1 for labels). Every error names the file.
 */
export function parseIdx(bytes: Uint8Array, name: string, expectedDims: number): IdxArray {
  const raw = maybeGunzip(bytes, name);
  if (raw.length < 4) throw new Error(`${name}: truncated: ${raw.length} bytes, too short for an IDX header.`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >>> 8) & 0xff;
  const dims = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== UNSIGNED_BYTE || dims !== expectedDims) {
    throw new Error(`${name}: bad magic number 0x${magic.toString(16).padStart(8, '0')}: expected 0x000008${expectedDims.toString(16).padStart(2, '0')} (unsigned bytes, ${expectedDims} dimension${expectedDims > 1 ? 's' : ''}).`);
  }
  const headerBytes = 4 + 4 * dims;
  if (raw.length < headerBytes) throw new Error(`${name}: truncated: ${raw.length} bytes, the header needs ${headerBytes}.`);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
  const size = shape.reduce((a, b) => a * b, 1);
  const available = raw.length - headerBytes;
  if (available < size) {
    throw new Error(`${name}: truncated: the header announces ${shape.join('×')} = ${size} bytes of data, but only ${available} follow.`);
  }
  if (available > size) {
    throw new Error(`${name}: ${available - size} unexpected bytes after the ${shape.join('×')} data.`);
  }
  return { shape, data: raw.subarray(headerBytes, headerBytes + size) };
}

/** One split of MNIST: images [N, rows, cols] and labels [N], checked against each other. */
export interface MnistSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Combines parsed image and label files, checking counts and label range. */
export function toSplit(images: IdxArray, labels: IdxArray, imagesName: string, labelsName: string): MnistSplit {
  const [count, rows, cols] = images.shape as [number, number, number];
  if (rows !== 28 || cols !== 28) throw new Error(`${imagesName}: images of ${rows}×${cols} pixels, but MNIST's are 28×28.`);
  if (labels.shape[0] !== count) {
    throw new Error(`${labelsName}: count mismatch: ${labels.shape[0]} labels, but ${imagesName} has ${count} images.`);
  }
  const bad = labels.data.findIndex((v) => v > 9);
  if (bad >= 0) throw new Error(`${labelsName}: label ${bad} is ${labels.data[bad]}, expected a digit 0-9.`);
  return { images: images.data, labels: labels.data, count, rows, cols };
}
