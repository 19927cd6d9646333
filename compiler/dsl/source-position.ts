// Where a builder was called from in the user's policy file. Policy files run as an esbuild bundle evaluated
// under a known file name; a builder captures the raw V8 call sites (not the formatted stack, which source-map
// support in the host may already have rewritten), keeps the first frame inside a registered bundle and maps
// it back through that bundle's source map to the `.ts` file and line, also inside the user's helper modules.
import { SourceMap } from 'node:module';

export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

interface Bundle {
  readonly map: SourceMap;
  /** absolute paths of the sources, resolved against the bundle's directory */
  readonly resolve: (source: string) => string;
}

const bundles = new Map<string, Bundle>();

/** Registers a bundle file (as V8 names it in call sites) and its source map. */
export function registerBundle(file: string, sourceMap: object, resolve: (source: string) => string): void {
  bundles.set(file, { map: new SourceMap(sourceMap as ConstructorParameters<typeof SourceMap>[0]), resolve });
}

export function unregisterBundle(file: string): void {
  bundles.delete(file);
}

function callSites(): NodeJS.CallSite[] {
  const saved = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 64;
  Error.prepareStackTrace = (_e, sites) => sites;
  try {
    const holder: { stack?: unknown } = {};
    Error.captureStackTrace(holder, callSites);
    return (holder.stack as NodeJS.CallSite[] | undefined) ?? [];
  } finally {
    Error.prepareStackTrace = saved;
    Error.stackTraceLimit = savedLimit;
  }
}

/** The user's position of the current builder call, or undefined outside a policy bundle (e.g. in unit tests). */
export function callerPosition(): SourcePosition | undefined {
  for (const site of callSites()) {
    const file = site.getFileName();
    if (file === null || file === undefined) continue;
    const bundle = bundles.get(file);
    if (bundle === undefined) continue;
    const line = site.getLineNumber() ?? 0;
    const column = site.getColumnNumber() ?? 0;
    const entry = bundle.map.findEntry(line - 1, column - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (entry.originalSource === undefined || entry.originalLine === undefined) continue;
    return { file: bundle.resolve(entry.originalSource), line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
  }
  return undefined;
}

/** `file:line` for messages. */
export function formatPosition(p: SourcePosition | undefined): string {
  return p === undefined ? '<unknown>' : `${p.file}:${p.line}`;
}
