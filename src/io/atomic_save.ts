import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The weights file a model file was given before saves named them uniquely: model.json → weights.bin, a.json → a.weights.bin. */
export function legacyWeightsNameOf(jsonName: string): string {
  return jsonName === 'model.json' ? 'weights.bin' : `${jsonName.slice(0, -'.json'.length)}.weights.bin`;
}

/** A save's unique tag: the process id (so that a later save can tell whether its writer still runs) and 64 random bits. */
function newTag(): string {
  return `${process.pid}-${randomBytes(8).toString('hex')}`;
}

/** The unique weights file of one save: model.json → weights.<tag>.bin, a.json → a.weights.<tag>.bin. */
function weightsNameOf(jsonName: string, tag: string): string {
  return legacyWeightsNameOf(jsonName).replace(/\.bin$/, `.${tag}.bin`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The files that saves of `jsonName` write beside it, with the writer's process id where the name
 * holds one: this library's weights and temporary files, and the names earlier versions used.
 * Nothing else in the folder matches, so that clean-up never touches another model's or the
 * user's files.
 */
function ownFilePattern(jsonName: string): RegExp {
  const legacy = escapeRegExp(legacyWeightsNameOf(jsonName));
  const stem = escapeRegExp(legacyWeightsNameOf(jsonName).slice(0, -'.bin'.length));
  const json = escapeRegExp(jsonName);
  return new RegExp(`^(?:${stem}\\.(\\d+)-[0-9a-f]+\\.bin|(?:${json}|${legacy})\\.tmp-(\\d+)-[0-9a-z]+(?:\\.previous)?|${legacy})$`);
}

/** Whether the process `pid` runs (on this machine). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs a file operation; a failure names the operation and the path. */
async function io<T>(what: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new Error(`fileSystem: cannot ${what} ${path}: ${(e as Error).message}`);
  }
}

/** Writes a new file and flushes it to the disk, so that a rename that names it never points at a file the disk lost. */
async function writeDurably(path: string, data: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The weights files that the model file at `jsonPath` names now, or null where it cannot be read. */
async function namedFiles(jsonPath: string): Promise<Set<string> | null> {
  try {
    const json = JSON.parse(await readFile(jsonPath, 'utf8')) as { weightsManifest?: Array<{ paths?: unknown }> };
    const paths: unknown[] = (json.weightsManifest ?? []).flatMap((g): unknown[] => (Array.isArray(g.paths) ? (g.paths as unknown[]) : []));
    return new Set(paths.filter((p): p is string => typeof p === 'string').map((p) => p.replace(/^\.\//, '')));
  } catch {
    return null;
  }
}

/** Saves of one model file in this process, chained so that they commit one after the other. */
const queues = new Map<string, Promise<void>>();
/** Files of saves in this process that have not ended. */
const inFlight = new Set<string>();

/**
 * Removes what earlier saves of `jsonName` left that the model file no longer names: the previous
 * weights, and the files of saves that were killed. A file whose name holds the id of another
 * process that still runs is left alone (its save may still commit), as is every file of a save
 * of this process that has not ended. Clean-up is best effort: the model is saved already.
 */
async function removeStale(folder: string, jsonName: string): Promise<void> {
  const pattern = ownFilePattern(jsonName);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return;
  }
  const candidates = names.filter((name) => {
    const match = pattern.exec(name);
    if (match == null || inFlight.has(join(folder, name))) return false;
    const pid = Number(match[1] ?? match[2] ?? Number.NaN);
    return Number.isNaN(pid) || pid === process.pid || !isRunning(pid);
  });
  // Read after choosing: a file chosen was written by a save that has ended, so no model file written
  // from now on names it; the one read now is the last that might.
  const named = await namedFiles(join(folder, jsonName));
  if (named == null) return;
  await Promise.all(candidates.filter((name) => !named.has(name)).map((name) => rm(join(folder, name), { force: true }).catch(() => undefined)));
}

async function commit(folder: string, jsonName: string, jsonFor: (weightsPath: string) => string, weights: Uint8Array): Promise<void> {
  const tag = newTag();
  const weightsName = weightsNameOf(jsonName, tag);
  const newWeights = join(folder, weightsName);
  const newJson = join(folder, `${jsonName}.tmp-${tag}`);
  const jsonPath = join(folder, jsonName);
  inFlight.add(newWeights).add(newJson);
  try {
    try {
      await io('write', newWeights, () => writeDurably(newWeights, weights));
      await io('write', newJson, () => writeDurably(newJson, jsonFor(`./${weightsName}`)));
      // The commit: one rename replaces the model file, which names its own weights file.
      await io('move into place', jsonPath, () => rename(newJson, jsonPath));
    } catch (e) {
      await Promise.all([newWeights, newJson].map((p) => rm(p, { force: true }).catch(() => undefined)));
      throw e;
    }
    await syncFolder(folder);
  } finally {
    inFlight.delete(newWeights);
    inFlight.delete(newJson);
  }
  await removeStale(folder, jsonName);
}

/** Flushes a folder's entries (the rename) to the disk, where the platform allows it. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Folders cannot be opened or flushed on every platform (Windows); the rename stands either way.
  }
}

/**
 * Saves a model file and its weights so that the folder loads, at every moment and after a crash at
 * any point, as the previous model or as the new one: the weights go to a file of their own (a new
 * name per save), the model file that names them to a temporary file, and one rename replaces the
 * model file. Only then are the previous weights removed, with whatever killed saves left behind.
 * Saves of one model file in one process commit one after the other, in the order they reach here.
 *
 * @param folder - the folder (created by the caller).
 * @param jsonName - the model file's name in it.
 * @param jsonFor - the model file's text, given the path of its weights file relative to it.
 * @param weights - the weights' bytes.
 */
export async function saveAtomically(folder: string, jsonName: string, jsonFor: (weightsPath: string) => string, weights: Uint8Array): Promise<void> {
  const real = await io('open the folder', folder, () => realpath(folder));
  const key = join(real, jsonName);
  const previous = queues.get(key) ?? Promise.resolve();
  const mine = previous.then(() => commit(real, jsonName, jsonFor, weights));
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return mine;
}
