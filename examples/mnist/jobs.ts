// The jobs of a run (one per seed and head): trained in this thread one after another, or in worker
// threads, each with its own tfjs backend, for the backends that compute on the CPU's cores.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { selectBackend, type BackendName, type ConvGradientChoice } from '../../tools/backend.js';
import type { MnistSplit } from '../../tools/mnist/idx.js';
import { isConvolutional, type ProgramHead } from '../../tools/networks.js';
import type { ProgressSink } from './progress.js';
import { trainHead, type Evaluation, type HeadResult, type TrainConfig } from './train.js';

/** One training run: a head with a seed. */
export interface Job {
  head: ProgramHead;
  seed: number;
}

/** The backends whose kernels run on this machine's CPU, one core each: the ones worth a worker per core. */
export const CPU_BACKENDS: readonly string[] = ['cpu', 'wasm'];

/** What every job of a run shares: data, settings, and the backend a worker activates. */
export interface JobContext {
  train: MnistSplit;
  evaluation: Evaluation;
  /** The run's settings; each job adds its seed. */
  config: Omit<TrainConfig, 'seed'>;
  backend: Exclude<BackendName, 'auto'>;
  convGradient: ConvGradientChoice;
}

/** The configuration of one job: the run's, with the job's seed. */
function jobConfig(context: JobContext, job: Job): TrainConfig {
  return { ...context.config, seed: job.seed };
}

type FromWorker = { kind: 'progress'; text: string } | { kind: 'result'; result: HeadResult } | { kind: 'error'; message: string };

/** Called with each job's result as soon as it finishes, and the job's index in `jobs`. */
export type OnResult = (result: HeadResult, index: number) => Promise<void> | void;

/**
 * Runs the jobs and returns their results in the order of `jobs`, handing each to `onResult` as soon
 * as it finishes (so that a run stopped later keeps what finished). With `workers` ≤ 1 they run here,
 * one after another (the backend must be active already); otherwise in up to `workers` worker
 * threads, each taking the next job when it is done. Every job builds its networks from its own seed,
 * so the results do not depend on where or in which order the jobs ran.
 */
export async function runJobs(
  jobs: readonly Job[],
  context: JobContext,
  workers: number,
  sink: ProgressSink,
  onResult: OnResult = () => {},
): Promise<HeadResult[]> {
  if (workers <= 1) {
    const results: HeadResult[] = [];
    for (const [index, job] of jobs.entries()) {
      results.push(await trainHead(job.head, context.train, context.evaluation, jobConfig(context, job), sink));
      await onResult(results[index]!, index);
    }
    return results;
  }
  // Progress of several workers at once: one line per epoch each, never a redrawn bar.
  const lines: ProgressSink = { isTTY: false, write: (t) => sink.write(t) };
  const results = new Array<HeadResult>(jobs.length);
  let next = 0;
  const pool = Array.from({ length: Math.min(workers, jobs.length) }, () => startWorker(context));
  try {
    await Promise.all(
      pool.map(async (worker) => {
        while (next < jobs.length) {
          const index = next++;
          results[index] = await runInWorker(worker, jobs[index]!, lines);
          await onResult(results[index], index);
        }
      }),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}

/** A worker thread running this module (bundled: the program's file, whose main part stays idle there). */
function startWorker(context: JobContext): Worker {
  const self = new URL(import.meta.url);
  if (!self.pathname.endsWith('.ts')) return new Worker(self, { workerData: context });
  // From the TypeScript sources (npm run mnist runs them through tsx), whose loader a worker does
  // not inherit: the worker registers it before importing this module.
  const tsx = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(self.href)}); });`;
  return new Worker(code, { eval: true, workerData: context });
}

function runInWorker(worker: Worker, job: Job, sink: ProgressSink): Promise<HeadResult> {
  return new Promise((resolve, reject) => {
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (m: FromWorker) => {
      if (m.kind === 'progress') {
        sink.write(m.text);
        return;
      }
      done();
      if (m.kind === 'result') resolve(m.result);
      else reject(new Error(m.message));
    };
    const onError = (e: Error) => {
      done();
      reject(e);
    };
    const onExit = (code: number) => {
      done();
      reject(new Error(`the worker training ${job.head} (seed ${job.seed}) stopped with exit code ${code} before it finished.`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
}

/** The worker thread's side: activate the backend once, then train each job it is sent. */
function serveJobs(): void {
  const context = workerData as JobContext;
  const port = parentPort!;
  const send = (m: FromWorker) => port.postMessage(m);
  const ready = selectBackend(context.backend, isConvolutional(context.config.network), context.convGradient);
  const run = async (job: Job) => {
    try {
      await ready;
      const sink: ProgressSink = { isTTY: false, write: (text) => send({ kind: 'progress', text }) };
      send({ kind: 'result', result: await trainHead(job.head, context.train, context.evaluation, jobConfig(context, job), sink) });
    } catch (e) {
      send({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  };
  port.on('message', (job: Job) => void run(job));
}

if (!isMainThread && (workerData as JobContext | undefined)?.train != null) serveJobs();
