import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser, type Download, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD_KINDS, HEADS } from '../../src/heads/registry.js';

const root = join(process.cwd(), 'examples', 'browser', 'dist');
const artifacts = join(process.cwd(), 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

let server: Server;
let base = '';
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(root, 'index.html'))) throw new Error(`${root}/index.html is missing: run npm run demo:build first.`);
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH.`);
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]!)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  mkdirSync(artifacts, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

interface Figures {
  digits: number[];
  images: number;
  precisionAt1: number;
  mapAtR: number;
  tarAtFar: number;
  threshold: number;
  eer: number;
}
interface DemoState {
  running: boolean;
  backend: string;
  step: number;
  losses: number[];
  testAccuracy: number | null;
  openSet: boolean;
  figures: Figures | null;
  plottedPoints: number;
  tensorsBefore: number;
  tensorsAfter: number | null;
  error: string | null;
}
const demoState = (page: Page) => page.evaluate(() => (window as unknown as { __demo: DemoState }).__demo);

/** Runs the demo with `head` on webgl; with the page's default steps and batch size unless given. */
async function runDemo(page: Page, head: string, steps?: number): Promise<DemoState> {
  await page.selectOption('#head', head);
  if (steps != null) {
    await page.fill('#steps', String(steps));
    await page.fill('#batchSize', '64');
  }
  await page.selectOption('#backend', 'webgl');
  if (head === 'cosFace') await page.fill('#margin', '0.2');
  await page.click('#train');
  await page.waitForFunction(
    () => {
      const s = (window as unknown as { __demo?: DemoState }).__demo;
      return s != null && (s.error != null || (!s.running && s.testAccuracy != null && s.tensorsAfter != null));
    },
    undefined,
    { timeout: 480_000, polling: 500 },
  );
  return demoState(page);
}

describe('browser demo (headless Chromium, WebGL on SwiftShader)', () => {
  it('trains A-Softmax on MNIST in the page with its defaults: the loss falls, the plot fills, held-out accuracy >= 0.9, nothing leaks', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/index.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Ready'), undefined, { timeout: 60_000 });
    // The head menu is the registry's, after the original softmax; each head shows its default margin.
    const menu = await page.locator('#head option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
    expect(menu).toEqual(['original', ...HEAD_KINDS]);
    expect(await page.inputValue('#head')).toBe('angularSoftmax');
    for (const kind of HEAD_KINDS) {
      await page.selectOption('#head', kind);
      const margin = (HEADS[kind].defaults as Record<string, unknown>)['margin'];
      expect({ kind, disabled: await page.isDisabled('#margin') }).toEqual({ kind, disabled: typeof margin !== 'number' });
      if (typeof margin === 'number') expect(Number(await page.inputValue('#margin'))).toBe(margin);
    }
    const s = await runDemo(page, 'angularSoftmax'); // the page's defaults, as a visitor who presses Train
    expect(s.error).toBeNull();
    expect(s.backend).toBe('webgl');
    expect(s.step).toBe(Number(await page.inputValue('#steps')));
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(s.losses.slice(-25))).toBeLessThan(mean(s.losses.slice(0, 25)) * 0.8);
    expect(s.plottedPoints).toBe(1000);
    expect(await page.locator('#embeddings svg circle[r="1.6"]').count()).toBe(1000);
    expect(await page.locator('#embeddings svg .weight').count()).toBe(10);
    expect(await page.locator('#loss svg polyline').count()).toBe(1);
    expect(await page.textContent('#result')).toMatch(/test accuracy on 1000 held-out digits: 0\.\d{4}/);
    expect(s.testAccuracy!).toBeGreaterThanOrEqual(0.9);
    expect(s.tensorsAfter).toBe(s.tensorsBefore);
    expect(await page.textContent('#stats')).toMatch(/smallest angle between class centres/);
    // Retrieval and verification among the 1,000 test digits, as the library computes them.
    expect(s.figures!.digits).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(s.figures!.images).toBe(1000);
    expect(s.figures!.precisionAt1).toBeGreaterThan(0.85);
    for (const v of [s.figures!.mapAtR, s.figures!.tarAtFar, s.figures!.eer]) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThan(1);
    }
    expect(await page.textContent('#stats')).toContain(`MAP@R (digits 0, 1, 2, 3, 4, 5, 6, 7, 8, 9)${s.figures!.mapAtR.toFixed(4)}`);
    await page.screenshot({ path: join(artifacts, 'demo-angular.png'), fullPage: true });

    // Switching heads starts clean, and a second run leaks nothing either. This one is the open
    // set: 7 classes trained, retrieval and verification among the digits 7-9 only.
    await page.check('#openSet');
    const again = await runDemo(page, 'cosFace', 40);
    expect(again.error).toBeNull();
    expect(again.step).toBe(40);
    expect(again.openSet).toBe(true);
    expect(again.figures!.digits).toEqual([7, 8, 9]);
    expect(await page.locator('#embeddings svg .weight').count()).toBe(7);
    expect(await page.textContent('#result')).toMatch(
      new RegExp(
        `^test accuracy on \\d+ held-out digits 0-6: 0\\.\\d{4}; MAP@R of the ${again.figures!.images} held-out digits 7-9, never trained on: ${again.figures!.mapAtR.toFixed(4)}$`,
      ),
    );
    expect(again.tensorsAfter).toBe(again.tensorsBefore);
    expect(again.tensorsBefore).toBe(s.tensorsAfter);
    // The trained embedding model downloads as tfjs's two files, which plain tfjs loads.
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.click('#download');
    for (let waited = 0; downloads.length < 2 && waited < 30_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual(['mnist-embeddings.json', 'mnist-embeddings.weights.bin']);
    const files = Object.fromEntries(await Promise.all(downloads.map(async (d) => [d.suggestedFilename(), readFileSync(await d.path())] as const)));
    const json = JSON.parse(files['mnist-embeddings.json']!.toString('utf8')) as tf.io.ModelJSON;
    const weightData = new Uint8Array(files['mnist-embeddings.weights.bin']!).buffer;
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData }));
    // The trunk alone: tfjs's own layers, none of this library's (plain tfjs, no import, loaded it).
    const classNames = loaded.layers.map((l) => l.getClassName());
    expect(classNames.filter((c) => Object.values(HEADS).some((h) => h.className === c))).toEqual([]);
    expect(classNames).toContain('Dense');
    expect((loaded.predict(tf.zeros([1, 784])) as tf.Tensor).shape).toEqual([1, 2]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('stops on request', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/index.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('Ready'), undefined, { timeout: 60_000 });
    await page.selectOption('#backend', 'webgl');
    await page.fill('#steps', '100000');
    await page.click('#train');
    await page.waitForFunction(() => ((window as unknown as { __demo: DemoState }).__demo.step ?? 0) >= 5, undefined, { timeout: 120_000 });
    await page.click('#stop');
    await page.waitForFunction(() => !(window as unknown as { __demo: DemoState }).__demo.running, undefined, { timeout: 120_000 });
    const s = await demoState(page);
    expect(s.step).toBeLessThan(100000);
    expect(await page.textContent('#result')).toMatch(/stopped early/);
    expect(s.tensorsAfter).toBe(s.tensorsBefore);
    await page.close();
  });

  it('runs the plain <script> variant: tfjs global plus the IIFE bundle', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/script.html`);
    await page.waitForFunction(() => (window as unknown as { __scriptDemo?: unknown }).__scriptDemo != null, undefined, { timeout: 120_000 });
    const r = await page.evaluate(() => (window as unknown as { __scriptDemo: { first: number; last: number; error?: string } }).__scriptDemo);
    expect(r.error).toBeUndefined();
    expect(r.last).toBeLessThan(r.first);
    await page.close();
  });
});
