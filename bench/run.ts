// npm run bench [-- heads|networks|conv|setup|evaluation [options]]: runs one benchmark, or heads and networks in turn.
// conv (bench/conv_gradients.ts) compares filter gradients layer by layer, setup (bench/setup.ts)
// the CPU set-ups of useFastCpu, evaluation (bench/evaluation.ts) the metrics and the index; they
// run only when named.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FILES: Record<string, string> = { heads: 'heads.ts', networks: 'networks.ts', conv: 'conv_gradients.ts', setup: 'setup.ts', evaluation: 'evaluation.ts' };
const [which, ...rest] = process.argv.slice(2);
const named = which != null && which in FILES;
const names = named ? [which] : ['heads', 'networks'];
const args = named ? rest : process.argv.slice(2);
for (const name of names) {
  const file = fileURLToPath(new URL(`./${FILES[name]}`, import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
