// Node only: finds the repository's `bpf/include` and reads it into a FileTree for the wasm clang, once per
// directory. Kept apart from wasm.ts so the wasm path has no `node:` import.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileTree } from './file-tree.ts';

/**
 * The `bpf/include` directory next to this code: searched upwards from this module, so it is found both from
 * the sources (compiler/clang/) and from the CLI bundle (dist/).
 */
export function findBpfInclude(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'bpf', 'include');
    if (existsSync(join(candidate, 'bpf', 'bpf_helpers.h'))) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error(`cannot find bpf/include (the BPF C headers) above ${from}`);
}

/** Every file below `dir`, as bytes. */
export function readDirectoryTree(dir: string): FileTree {
  const tree: Record<string, FileTree | Uint8Array> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    tree[name] = statSync(path).isDirectory() ? readDirectoryTree(path) : readFileSync(path);
  }
  return tree;
}

const cache = new Map<string, FileTree>();

/** The BPF headers as a tree (read once per process). */
export function loadBpfHeaders(dir: string = findBpfInclude()): FileTree {
  const key = resolve(dir);
  let tree = cache.get(key);
  if (tree === undefined) {
    tree = readDirectoryTree(key);
    cache.set(key, tree);
  }
  return tree;
}
