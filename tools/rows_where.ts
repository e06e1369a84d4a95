// Selecting the images of some classes from a set of images stored row by row, shared by the MNIST
// program (open set, Uint8Array pixels) and the browser demo (Float32Array pixels).

/** Pixel rows and their labels, in matching typed arrays. */
export interface LabelledRows<I extends Uint8Array | Float32Array, L extends Uint8Array | Int32Array> {
  images: I;
  labels: L;
  count: number;
}

/**
 * The rows of `width` values whose label passes `keep`, in their order, with their labels, in
 * arrays of the same types as the input's.
 */
export function rowsWhere<I extends Uint8Array | Float32Array, L extends Uint8Array | Int32Array>(
  images: I,
  labels: L,
  width: number,
  keep: (label: number) => boolean,
): LabelledRows<I, L> {
  const indices = [...labels.keys()].filter((i) => keep(labels[i]!));
  const picked = new (images.constructor as new (length: number) => I)(indices.length * width);
  indices.forEach((from, to) => picked.set(images.subarray(from * width, (from + 1) * width), to * width));
  const pickedLabels = new (labels.constructor as new (length: number) => L)(indices.length);
  indices.forEach((from, to) => (pickedLabels[to] = labels[from]!));
  return { images: picked, labels: pickedLabels, count: indices.length };
}
