/**
 * Checks that this library and the rest of the program share one copy of tfjs.
 *
 * npm can install two copies of @tensorflow/tfjs-core and -layers side by side (say 4.10.0 under
 * @tensorflow/tfjs and 4.22.0 at the top of node_modules). The copies then share tfjs-core's
 * global engine, so tensors mostly pass between them, but a layer of one copy does not recognise
 * the SymbolicTensor of the other and fails deep inside tfjs-layers ("Argument 'a' passed to
 * 'matMul' must be a Tensor or TensorLike, but got 'SymbolicTensor'"). These checks say instead
 * which copies are loaded and how to get one.
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

type CachedRequire = { cache: Record<string, unknown>; (id: string): unknown };
type NodeProcess = { getBuiltinModule?: (id: string) => { createRequire(path: string): CachedRequire } | undefined; cwd(): string };

/**
 * The copies of `pkg` that Node has loaded, as "version (folder)", read from Node's module cache;
 * empty where that cache cannot be read (browsers, bundles, Node < 20.16).
 */
export function loadedCopies(pkg: string): string[] {
  const proc = (globalThis as { process?: NodeProcess }).process;
  let req: CachedRequire;
  try {
    const moduleApi = proc?.getBuiltinModule?.('node:module');
    if (proc == null || moduleApi == null) return [];
    req = moduleApi.createRequire(`${proc.cwd()}/`);
  } catch {
    return [];
  }
  const marker = `/node_modules/${pkg}/`;
  const folders = new Set<string>();
  for (const file of Object.keys(req.cache ?? {})) {
    const path = file.replace(/\\/g, '/');
    const at = path.lastIndexOf(marker);
    if (at >= 0) folders.add(path.slice(0, at + marker.length));
  }
  return [...folders].sort().map((folder) => {
    let version = 'version unknown';
    try {
      version = (req(`${folder}package.json`) as { version?: string }).version ?? version;
    } catch {
      // A folder without a readable package.json: name it without its version.
    }
    return `${version} (${folder.slice(0, -1)})`;
  });
}

/** The error for two copies of `pkg`: which are loaded, which one this library uses, the fix. */
export function twoCopiesMessage(pkg: string, ours: string, copies: readonly string[], symptom: string): string {
  const loaded =
    copies.length >= 2
      ? `two copies of ${pkg} are loaded: ${copies.join(' and ')}`
      : `two copies of ${pkg} are loaded (their folders are not visible from here: \`npm ls ${pkg}\` lists them)`;
  return (
    `tfjs-angular-margin: ${loaded}. This library uses ${ours}; ${symptom}. ` +
    'A model cannot mix layers and tensors of two copies. Install matching versions of the tfjs packages — ' +
    'e.g. `npm install @tensorflow/tfjs@X`, or `npm install @tensorflow/tfjs-core@X @tensorflow/tfjs-layers@X` with X the version ' +
    'of your @tensorflow/tfjs — then `npm dedupe`; with a bundler, make sure both resolve to the same files.'
  );
}

/**
 * Throws when another copy of @tensorflow/tfjs-core was loaded before this library's: the engine
 * that both share (on `globalThis`) then belongs to the other copy, and so do its environment,
 * tensors and backends. Creates no tensor and initializes no backend.
 */
export function assertOneTfjsCore(): void {
  if (tf.env() instanceof tf.Environment) return;
  throw new Error(
    twoCopiesMessage(
      '@tensorflow/tfjs-core',
      `@tensorflow/tfjs-core ${tf.version_core}`,
      loadedCopies('@tensorflow/tfjs-core'),
      'the tensors, backends and engine of this program belong to the other copy, which was loaded first',
    ),
  );
}

/**
 * Throws when a symbolic input comes from another copy of @tensorflow/tfjs-layers (a model built
 * with `tf.input` and `tf.layers` of the other copy): this library's layers could not connect to it.
 */
export function assertOwnSymbolicTensors(owner: string, inputs: unknown): void {
  for (const input of Array.isArray(inputs) ? inputs : [inputs]) {
    if (input instanceof tfl.SymbolicTensor || input == null || typeof input !== 'object') continue;
    // Duck-typed: a SymbolicTensor of any copy has these fields, a tensor has neither.
    if (!('sourceLayer' in input) || !('outputTensorIndex' in input)) continue;
    throw new Error(
      twoCopiesMessage(
        '@tensorflow/tfjs-layers',
        `@tensorflow/tfjs-layers ${tfl.version_layers}`,
        loadedCopies('@tensorflow/tfjs-layers'),
        `${owner} was applied to a SymbolicTensor of the other copy`,
      ),
    );
  }
}
