// npm run bench [-- heads|networks [options]]: runs one benchmark, or both in turn.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [which, ...rest] = process.argv.slice(2);
const names = which === 'heads' || which === 'networks' ? [which] : ['heads', 'networks'];
const args = which === 'heads' || which === 'networks' ? rest : process.argv.slice(2);
for (const name of names) {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...args], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
