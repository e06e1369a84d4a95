// Evaluation benchmark: retrievalMetrics, verificationMetrics, clusteringMetrics and an
// EmbeddingIndex search of 1,000 queries, on random unit embeddings of 10 classes, for each row
// count, on each backend asked for: the time of one call and the process's peak resident memory
// growth during it (sampled every 50 ms).
// Usage: npm run bench -- evaluation [--rows 10000,60000] [--dim 128] [--backends cpu,wasm] [--name F] [--out DIR]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { clusteringMetrics, EmbeddingIndex, retrievalMetrics, verificationMetrics } from 'tfjs-angular-margin';
import { withPeakMemory } from '../tools/peak_memory.js';
import { machine, RESULTS_DIR, useBackend, writeResults } from './common.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000,60000' },
    dim: { type: 'string', default: '128' },
    backends: { type: 'string', default: 'cpu,wasm' },
    name: { type: 'string', default: 'evaluation' },
    out: { type: 'string', default: RESULTS_DIR },
  },
});
const dim = Number(values.dim);

/** Runs `f`, returning seconds and the peak growth of resident memory in MiB while it ran (sampled every 50 ms). */
async function measure(f: () => Promise<unknown>): Promise<{ seconds: number; peakMiB: number }> {
  const { seconds, rssGrowth } = await withPeakMemory(f, 50);
  return { seconds, peakMiB: rssGrowth / 2 ** 20 };
}

const results: Array<Record<string, unknown>> = [];
let markdown = `# Evaluation (\`npm run bench -- evaluation --rows ${values.rows} --dim ${dim} --backends ${values.backends}\`)\n\n${JSON.stringify(machine())}\n\nRandom embeddings of 10 classes; seconds of one call and the peak growth of the process's resident memory during it.\n\n| backend | rows | function | seconds | peak MiB |\n| --- | ---: | --- | ---: | ---: |\n`;
for (const backend of values.backends.split(',')) {
  await useBackend(backend, false);
  for (const n of values.rows.split(',').map(Number)) {
    const embeddings = tf.randomNormal([n, dim], 0, 1, 'float32', 1) as tf.Tensor2D;
    const labels = Array.from({ length: n }, (_, i) => i % 10);
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['retrievalMetrics', () => retrievalMetrics(embeddings, labels)],
      [
        'EmbeddingIndex.search (1,000 queries, k 10)',
        async () => {
          const index = new EmbeddingIndex();
          await index.add(embeddings, labels);
          await index.search(tf.slice(embeddings, [0, 0], [Math.min(1000, n), dim]), { k: 10 });
        },
      ],
      ...(n <= 10_000 ? [['verificationMetrics (all pairs)', () => verificationMetrics(embeddings, labels)] as [string, () => Promise<unknown>]] : []),
      ['clusteringMetrics', () => clusteringMetrics(embeddings, labels, { maxIterations: 20 })],
    ];
    for (const [name, f] of cases) {
      const m = await measure(f);
      results.push({ backend, rows: n, dim, function: name, ...m });
      markdown += `| ${backend} | ${n} | ${name} | ${m.seconds.toFixed(1)} | ${m.peakMiB.toFixed(0)} |\n`;
      console.log(`${backend} ${n} ${name}: ${m.seconds.toFixed(1)} s, peak +${m.peakMiB.toFixed(0)} MiB`);
    }
    embeddings.dispose();
  }
}
await writeResults(values.name, { machine: machine(), dim, results }, markdown, values.out);
console.log(`written: ${values.out}${values.name}.md`);
