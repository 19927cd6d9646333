// The virtual file tree clang (as WebAssembly) sees, and where the BPF C headers come from. No Node imports:
// the browser passes a tree it fetched or bundled; Node loads `bpf/include` with `loadBpfHeaders()`
// (node-headers.ts).

/** Directories are objects, files are text or bytes: `{ 'policy.c': '...', inc: { 'x.h': bytes } }`. */
export interface FileTree {
  readonly [name: string]: FileTree | string | Uint8Array;
}

/** The BPF C headers (the contents of `bpf/include`): a tree, or a function giving one (called once). */
export type HeaderSource = FileTree | (() => FileTree | Promise<FileTree>);

/**
 * A copy of `tree` with `contents` at `path` ('/'-separated; a leading '/' is the root). `..` and empty
 * components are refused.
 *
 *   mountFile({}, 'src/policy.c', 'int x;') // { src: { 'policy.c': 'int x;' } }
 */
export function mountFile(tree: FileTree, path: string, contents: FileTree | string | Uint8Array): FileTree {
  const parts = path.split('/').filter((p, i) => !(i === 0 && p === ''));
  if (parts.length === 0 || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new RangeError(`virtual path ${JSON.stringify(path)}: must be a plain path without '.', '..' or empty parts`);
  }
  const [head, ...rest] = parts as [string, ...string[]];
  if (rest.length === 0) return { ...tree, [head]: contents };
  const sub = tree[head];
  if (sub !== undefined && (typeof sub === 'string' || sub instanceof Uint8Array)) {
    throw new RangeError(`virtual path ${JSON.stringify(path)}: ${head} is a file`);
  }
  return { ...tree, [head]: mountFile(sub ?? {}, rest.join('/'), contents) };
}
