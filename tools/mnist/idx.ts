// IDX files (the MNIST format): big-endian magic 0x0000 TT DD (TT = 0x08 for unsigned bytes,
// DD = number of dimensions), then DD big-endian uint32 sizes, then the data.
import { constants, gunzipSync } from 'node:zlib';

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

/**
 * The first compressed bytes of a gzipped IDX file inflated to read its header: 4 KiB, which
 * deflate (at most 1032:1) expands to at most about 4.1 MiB, under the output bound.
 */
const HEADER_PROBE = { input: 4096, output: 8 << 20 };

/**
 * Gunzips if gzipped, never to more than the IDX header that the data starts with declares (header
 * and data): the header is inflated from the first compressed bytes alone, and the whole with that
 * limit, so that a small file that inflates to gigabytes fails after allocating no more than its
 * header announced. `expectedDims` is the header's number of dimensions; `name` is used in errors.
 */
export function maybeGunzip(bytes: Uint8Array, name: string, expectedDims: number): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const inflate = (input: Uint8Array, options: { finishFlush?: number; maxOutputLength: number }) => {
    try {
      return new Uint8Array(gunzipSync(input, options));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new Error(`${name}: the gzip data inflates to more than the ${options.maxOutputLength} bytes its IDX header declares.`);
      }
      throw new Error(`${name}: corrupt gzip data (${(e as Error).message}).`);
    }
  };
  // A partial inflate (sync flush) of the first bytes: the header, without the rest.
  const head = inflate(bytes.subarray(0, HEADER_PROBE.input), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: HEADER_PROBE.output });
  const { headerBytes, size } = readHeader(head, name, expectedDims);
  return inflate(bytes, { maxOutputLength: headerBytes + size });
}

/** The header of IDX bytes (raw): its shape, length and the data size it declares; `name` is used in errors. */
function readHeader(raw: Uint8Array, name: string, expectedDims: number): { shape: number[]; headerBytes: number; size: number } {
  if (raw.length < 4) throw new Error(`${name}: truncated: ${raw.length} bytes, too short for an IDX header.`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >>> 8) & 0xff;
  const dims = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== UNSIGNED_BYTE || dims !== expectedDims) {
    throw new Error(
      `${name}: bad magic number 0x${magic.toString(16).padStart(8, '0')}: expected 0x000008${expectedDims.toString(16).padStart(2, '0')} (unsigned bytes, ${expectedDims} dimension${expectedDims > 1 ? 's' : ''}).`,
    );
  }
  const headerBytes = 4 + 4 * dims;
  if (raw.length < headerBytes) throw new Error(`${name}: truncated: ${raw.length} bytes, the header needs ${headerBytes}.`);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
  return { shape, headerBytes, size: shape.reduce((a, b) => a * b, 1) };
}

/**
 * Parses an IDX file of unsigned bytes, raw or gzipped. `expectedDims` is the number of
 * dimensions the caller needs (3 for images, 1 for labels). Every error names the file.
 */
export function parseIdx(bytes: Uint8Array, name: string, expectedDims: number): IdxArray {
  const raw = maybeGunzip(bytes, name, expectedDims);
  const { shape, headerBytes, size } = readHeader(raw, name, expectedDims);
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
  if (count === 0) throw new Error(`${imagesName}: holds no images (its IDX header declares 0).`);
  if (rows !== 28 || cols !== 28) throw new Error(`${imagesName}: images of ${rows}×${cols} pixels, but MNIST's are 28×28.`);
  if (labels.shape[0] !== count) {
    throw new Error(`${labelsName}: count mismatch: ${labels.shape[0]} labels, but ${imagesName} has ${count} images.`);
  }
  const bad = labels.data.findIndex((v) => v > 9);
  if (bad >= 0) throw new Error(`${labelsName}: the label at index ${bad} is ${labels.data[bad]}, expected a digit 0-9.`);
  return { images: images.data, labels: labels.data, count, rows, cols };
}
