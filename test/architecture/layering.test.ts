// The layering of src/ that ARCHITECTURE.md states, checked on every import: a folder imports its
// own files and folders below it only. The order is read from ARCHITECTURE.md's "layers:" line,
// so that it is written once.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = process.cwd();

/** Every .ts file under `dir`, relative to the repository. */
function tsFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The repository paths that `file` imports by a relative specifier (static, dynamic or type-only). */
function relativeImports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.map((s) => normalize(join(dirname(file), s)));
}

/** The layers of src/, bottom to top, as ARCHITECTURE.md writes them. */
function layerOrder(): string[] {
  const line = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('layers: '));
  if (line == null) throw new Error('ARCHITECTURE.md has no "layers: " line');
  return [...line.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
}

/** The layer of a file under src/: its first folder, or the entry points' (top) for src/*.ts. */
function layerOf(file: string, order: string[]): number {
  const parts = relative('src', file).split(sep);
  if (parts.length === 1) return order.length; // an entry point
  const rank = order.indexOf(parts[0]!);
  if (rank < 0) throw new Error(`src/${parts[0]} is not in ARCHITECTURE.md's layers line: place it there`);
  return rank;
}

describe('layering (ARCHITECTURE.md)', () => {
  const order = layerOrder();

  it('names every folder of src/ once', () => {
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...order].sort()).toEqual(folders);
  });

  it('has no import from a lower folder of src/ to a higher one', () => {
    const violations = tsFiles('src').flatMap((file) => {
      const from = layerOf(file, order);
      return relativeImports(file)
        .filter((target) => target.startsWith(`src${sep}`) && layerOf(target, order) > from)
        .map((target) => `${file} imports ${target}`);
    });
    expect(violations).toEqual([]);
  });

  it('keeps the library out of tests, tools, examples and benchmarks, and examples out of tools and bench', () => {
    const outside = (dirs: string[], forbidden: string[]) =>
      dirs.flatMap(tsFiles).flatMap((file) =>
        relativeImports(file)
          .filter((t) => forbidden.some((f) => t.startsWith(`${f}${sep}`)))
          .map((t) => `${file} imports ${t}`),
      );
    expect(outside(['src'], ['test', 'tools', 'examples', 'bench'])).toEqual([]);
    expect(outside(['tools', 'bench'], ['examples'])).toEqual([]);
  });
});
