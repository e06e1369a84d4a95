import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { runProgram, runProgramOk } from '../../helpers.js';

const root = process.cwd();
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const main = join(root, 'examples', 'mnist', 'main.ts');
const out = mkdtempSync(join(tmpdir(), 'mnist-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('MNIST example, smoke run', () => {
  it('trains all three heads on a 512-image subset and writes results, metrics and figures', async () => {
    const args = [main, '--preset', 'tiny', '--train-subset', '512', '--test-subset', '300', '--max-plot-points', '200', '--backend', process.env.TFJS_BACKEND ?? 'cpu', '--out', out];
    const stdout = await runProgramOk(tsx, args);
    expect(stdout).toMatch(/data: 512 training and 300 test images/);
    expect(stdout).toMatch(/angular: test accuracy \d\.\d{4}/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(Object.keys(results.heads)).toEqual(['original', 'modified', 'angular']);
    for (const head of Object.values(results.heads) as Array<Record<string, any>>) {
      expect(head.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(head.testAccuracy).toBeLessThanOrEqual(1);
      expect(head.curves.loss.length).toBe(8);
      expect(Number.isFinite(head.angular.minInterClassAngleDegrees)).toBe(true);
    }
    expect(results.heads.angular.curves.lambda[0]).toBe(1000);
    expect(results.config.seed).toBe(1);
    expect(results.backend.name).toBe(process.env.TFJS_BACKEND ?? 'cpu');
    expect(results.config.optimizer).toBe(process.env.TFJS_BACKEND === 'webgpu' ? 'flat-adam' : 'adam'); // auto
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('head,step,epoch,loss,accuracy,lr,lambda');
    expect(csv.length).toBe(1 + 3 * 8);
    for (const head of ['original', 'modified', 'angular']) {
      const svg = readFileSync(join(out, `embeddings-2d-${head}.svg`), 'utf8');
      expect(XMLValidator.validate(svg)).toBe(true);
      expect((svg.match(/<circle cx="[\d.-]+" cy="[\d.-]+" r="1.6"/g) ?? []).length).toBe(200);
      expect((svg.match(/class="weight"/g) ?? []).length).toBe(10);
    }
    for (const chart of ['loss.svg', 'accuracy.svg']) {
      const svg = readFileSync(join(out, chart), 'utf8');
      expect(XMLValidator.validate(svg)).toBe(true);
      expect((svg.match(/<polyline/g) ?? []).length).toBe(3);
    }
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('embeddings-2d-angular.svg');
  });

  it('trains the cosine-margin heads and reports pair verification for every head', async () => {
    const dir = join(out, 'cosine');
    await runProgramOk(tsx, [main, '--preset', 'tiny', '--head', 'cosface,arcface,combined', '--scale', '8', '--train-subset', '256', '--test-subset', '200', '--backend', process.env.TFJS_BACKEND ?? 'cpu', '--out', dir]);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(Object.keys(results.heads)).toEqual(['cosface', 'arcface', 'combined']);
    for (const head of Object.values(results.heads) as Array<Record<string, any>>) {
      expect(head.verification.pairs).toBe(6000);
      expect(head.verification.folds).toBe(10);
      expect(head.verification.accuracy).toBeGreaterThan(0);
      expect(head.referenceAccuracy).toBeNull();
    }
  });

  it('trains a small CNN on wasm through the fast filter gradient', async () => {
    const dir = join(out, 'cnn');
    const stdout = await runProgramOk(tsx, [main, '--preset', 'quick-cnn', '--head', 'angular', '--epochs', '1', '--steps-per-epoch', '3', '--batch-size', '32', '--train-subset', '512', '--test-subset', '100', '--backend', 'wasm', '--out', dir]);
    expect(stdout).toMatch(/backend: wasm — .*registerFastConvGradients/);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.heads.angular.curves.loss.every(Number.isFinite)).toBe(true);
  });

  it(`trains a small CNN with --conv-gradient taps on the ${process.env.TFJS_BACKEND ?? 'cpu'} backend, and refuses stock on wasm`, async () => {
    const backend = process.env.TFJS_BACKEND ?? 'cpu';
    const dir = join(out, 'cnn-taps');
    const stdout = await runProgramOk(tsx, [main, '--preset', 'quick-cnn', '--head', 'modified', '--epochs', '1', '--steps-per-epoch', '2', '--batch-size', '16', '--train-subset', '256', '--test-subset', '64', '--backend', backend, '--conv-gradient', 'taps', '--optimizer', 'flat-adam', '--out', dir]);
    expect(stdout).toMatch(new RegExp(`backend: ${backend} — .*filter gradient: registerFastConvGradients \\(method taps\\)`));
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.config.convGradient).toBe('taps');
    expect(results.config.optimizer).toBe('flat-adam');
    expect(results.heads.modified.curves.loss.every(Number.isFinite)).toBe(true);
    const stock = await runProgram(tsx, [main, '--preset', 'quick-cnn', '--backend', 'wasm', '--conv-gradient', 'stock', '--out', join(out, 'refused')]);
    expect(stock.status).toBe(1);
    expect(stock.stderr.trim()).toBe('error: the wasm backend has no filter gradient of its own: use --conv-gradient auto, transposed or taps to train convolutions there.');
  });

  it('draws 3-D embeddings on the sphere', async () => {
    const dir = join(out, 'dim3');
    await runProgramOk(tsx, [main, '--preset', 'tiny', '--head', 'angular', '--dim', '3', '--train-subset', '256', '--test-subset', '100', '--backend', 'cpu', '--out', dir]);
    const svg = readFileSync(join(dir, 'embeddings-3d-angular.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect((svg.match(/class="pt"/g) ?? []).length).toBe(4 * 100);
  });

  it('explains an unavailable backend or a bad flag in one line, without a stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--backend', 'tensorflow', '--preset', 'tiny'], /error: the tensorflow backend needs @tensorflow\/tfjs-node or @tensorflow\/tfjs-node-gpu/],
      [['--epochs', 'many'], /error: --epochs must be an integer >= 1, but got "many"/],
      [['--backend', 'cpu', '--preset', 'tiny', '--data', join(out, 'nowhere')], /error: MNIST: train-images-idx3-ubyte \(or .gz\) not found in/],
    ];
    for (const [args, message] of cases) {
      const r = await runProgram(tsx, [main, ...args, '--out', join(out, 'x')]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      // No JavaScript stack frames (Dawn may print a native warning when it probes for Vulkan).
      expect(r.stderr).not.toMatch(/\n\s+at .*\.(?:ts|js|mjs|cjs):\d+/);
    }
  });

  it('prints its help', async () => {
    expect(await runProgramOk(tsx, [main, '--help'])).toMatch(/Usage: tfjs-angular-margin-mnist[\s\S]*--preset NAME[\s\S]*quick-cnn:/);
  });
});
