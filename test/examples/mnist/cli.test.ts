import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../../examples/mnist/cli.js';
import { PROGRAM_HEADS } from '../../../tools/networks.js';

describe('MNIST command line', () => {
  it('defaults to the quick preset, all heads, 2-D embeddings and auto backend', () => {
    const o = parseOptions([])!;
    expect(o.heads).toEqual(['original', 'modifiedSoftmax', 'angularSoftmax']);
    expect([o.preset, o.network, o.dim, o.backend, o.margin]).toEqual(['quick', 'quick', 2, 'auto', 4]);
    // The quick preset lets the margin act within its run: λ = 1000·(1 + 0.12·step)^−2, no floor.
    expect([o.lambdaBase, o.lambdaGamma, o.lambdaPower, o.lambdaMin]).toEqual([1000, 0.12, 2, 0]);
    expect([o.epochs, o.stepsPerEpoch, o.batchSize, o.lrSchedule, o.shift]).toEqual([10, 469, 128, 'cosine', 1]);
    expect(o.convGradient).toBe('auto');
    expect(o.optimizer).toBe('auto');
    expect(parseOptions(['--optimizer', 'flat-adam'])!.optimizer).toBe('flat-adam');
    expect(parseOptions(['--conv-gradient', 'taps'])!.convGradient).toBe('taps');
  });

  it('takes a list of heads, the cosine-margin heads among them', () => {
    const o = parseOptions(['--head', 'angularSoftmax, cosFace,arcFace,combinedMargin', '--scale', '20', '--arc-margin', '0.3'])!;
    expect(o.heads).toEqual(['angularSoftmax', 'cosFace', 'arcFace', 'combinedMargin']);
    expect([o.scale, o.cosMargin, o.arcMargin, o.combinedMargins]).toEqual([20, 0.1, 0.3, [1, 0.05, 0.05]]);
    expect(parseOptions([])!.scale).toBe(8);
    // The papers' margins from 3 dimensions on; in 2-D, margins that ten classes 36° apart can meet.
    const d3 = parseOptions(['--dim', '3'])!;
    expect([d3.scale, d3.cosMargin, d3.arcMargin, d3.combinedMargins]).toEqual([64, 0.35, 0.5, [1, 0.3, 0.2]]);
    expect(parseOptions(['--combined-margins', '1,0.2,0.1'])!.combinedMargins).toEqual([1, 0.2, 0.1]);
    expect(parseOptions([])!.marginWarmupSteps).toBe(0);
    expect(parseOptions(['--margin-warmup', '500'])!.marginWarmupSteps).toBe(500);
    expect(() => parseOptions(['--margin-warmup', '2.5'])).toThrow(/--margin-warmup must be an integer >= 0, but got "2.5"/);
    expect(() => parseOptions(['--combined-margins', '1,0.2'])).toThrow(/--combined-margins must be three numbers M1,M2,M3, but got "1,0.2"/);
  });

  it('takes the paper preset and overrides', () => {
    const o = parseOptions(['--preset', 'paper', '--head', 'angularSoftmax', '--dim', '3', '--lambda-base', '0', '--lambda-min', '0', '--epochs', '2'])!;
    expect([o.network, o.stepsPerEpoch, o.batchSize, o.lr, o.epochs, o.dim]).toEqual(['paper', 40, 256, 0.001, 2, 3]);
    expect(o.heads).toEqual(['angularSoftmax']);
    expect([o.lambdaBase, o.lambdaMin]).toEqual([0, 0]);
    // Presets that set no λ schedule keep SphereFace's, and the reference's learning-rate decay.
    const paper = parseOptions(['--preset', 'paper'])!;
    expect([paper.lambdaBase, paper.lambdaGamma, paper.lambdaPower, paper.lambdaMin, paper.lrSchedule, paper.shift]).toEqual([
      1000,
      0.12,
      1,
      5,
      'exponential',
      0,
    ]);
    expect(parseOptions(['--help'])).toBeNull();
  });

  it('takes seeds, workers, the open set and any dimension from 2', () => {
    const o = parseOptions(['--seeds', '3,1,2', '--workers', '2', '--open-set', '--dim', '16'])!;
    expect([o.seeds, o.workers, o.openSet, o.dim]).toEqual([[3, 1, 2], 2, true, 16]);
    const d = parseOptions([])!;
    expect([d.seeds, d.workers, d.openSet]).toEqual([[1], null, false]);
    expect(parseOptions(['--seed', '7'])!.seeds).toEqual([7]);
  });

  it('takes the reproduce preset: the wider CNN, shifted images, a cosine learning rate and λ down to 0', () => {
    const o = parseOptions(['--preset', 'reproduce'])!;
    expect([o.network, o.epochs, o.stepsPerEpoch, o.batchSize, o.lr, o.lrSchedule, o.shift]).toEqual(['cnn-wide', 12, 469, 128, 0.003, 'cosine', 1]);
    expect([o.lambdaBase, o.lambdaGamma, o.lambdaPower, o.lambdaMin]).toEqual([1000, 0.12, 2, 0]);
    expect(parseOptions(['--preset', 'reproduce', '--lambda-min', '1', '--shift', '0'])!.lambdaMin).toBe(1);
  });

  it('says what is wrong with a flag', () => {
    expect(() => parseOptions(['--head', 'cosine'])).toThrow(`--head must be one of ${PROGRAM_HEADS.join(', ')} (in any letter case), but got "cosine"`);
    expect(parseOptions(['--head', 'cosface,ARCFACE,sphereFace2'])?.heads).toEqual(['cosFace', 'arcFace', 'sphereFace2']);
    expect(() => parseOptions(['--head', 'angularSoftmax,angularSoftmax'])).toThrow(/--head lists a head twice/);
    expect(() => parseOptions(['--scale', '0'])).toThrow(/--scale must be a number > 0, but got "0"/);
    expect(() => parseOptions(['--dim', '1'])).toThrow(/--dim must be an integer >= 2, but got "1"/);
    expect(() => parseOptions(['--seeds', '1,x'])).toThrow(/--seeds must be an integer >= 0, but got "x"/);
    expect(() => parseOptions(['--seeds', '1,2,1'])).toThrow(/--seeds lists a seed twice: "1,2,1"/);
    // Two distinct seeds above 2^53 − 1 that JavaScript reads as one number.
    expect(() => parseOptions(['--seeds', '9007199254740993,9007199254740992'])).toThrow(
      '--seeds must be an integer no larger than 2^53 - 1 (9007199254740991), but got "9007199254740993".',
    );
    expect(() => parseOptions(['--seed', '1', '--seeds', '2,3'])).toThrow(/give --seed or --seeds, not both/);
    expect(() => parseOptions(['--workers', '0'])).toThrow(/--workers must be an integer >= 1, but got "0"/);
    expect(() => parseOptions(['--lr-schedule', 'step'])).toThrow(/--lr-schedule must be one of exponential, cosine, but got "step"/);
    expect(() => parseOptions(['--shift=-1'])).toThrow(/--shift must be an integer >= 0, but got "-1"/);
    expect(() => parseOptions(['--margin', '2.5'])).toThrow(/--margin must be an integer >= 1, but got "2.5"/);
    expect(() => parseOptions(['--lr', '0'])).toThrow(/--lr must be a number > 0, but got "0"/);
    expect(() => parseOptions(['--lambda-gamma=-1'])).toThrow(/--lambda-gamma must be a number >= 0/);
    expect(() => parseOptions(['--backend', 'cuda'])).toThrow(/--backend must be one of auto, cpu, wasm, webgpu, tensorflow/);
    expect(() => parseOptions(['--conv-gradient', 'im2col'])).toThrow(/--conv-gradient must be one of auto, stock, transposed, taps, but got "im2col"/);
    expect(() => parseOptions(['--optimizer', 'sgd'])).toThrow(/--optimizer must be one of auto, adam, flat-adam, but got "sgd"/);
    expect(() => parseOptions(['--bogus'])).toThrow(/Unknown option '--bogus'[\s\S]*--help/);
  });
});
