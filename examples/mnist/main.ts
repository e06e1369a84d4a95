#!/usr/bin/env node
// tfjs-angular-margin-mnist: the SphereFace comparison on MNIST and Fashion-MNIST. `--help` lists the options.
import { isMainThread } from 'node:worker_threads';
import { DATASETS } from '../../tools/mnist/datasets.js';
import { UsageError } from '../../tools/usage_error.js';
import { HELP, parseOptions } from './cli.js';
import { runMnist } from './run.js';

const argv = process.argv.slice(2);
// In a worker thread (jobs.ts starts workers from this file when bundled) this is not the program.
if (isMainThread)
  try {
    const options = parseOptions(argv);
    if (options == null) {
      process.stdout.write(HELP);
    } else {
      const command = ['tfjs-angular-margin-mnist', ...argv].join(' ');
      await runMnist(options, command, { isTTY: process.stdout.isTTY, write: (t) => process.stdout.write(t) }, (line) => console.log(line));
    }
  } catch (e) {
    // Expected problems (flags, data, backends) are reported as a sentence, not a stack trace.
    const message = e instanceof Error ? e.message : String(e);
    console.error(`error: ${message}`);
    if (!(e instanceof UsageError) && !Object.values(DATASETS).some((d) => message.startsWith(`${d.title}:`)) && process.env.DEBUG) console.error(e);
    process.exitCode = 1;
  }
