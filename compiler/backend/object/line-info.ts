// BTF.ext line info for one generated function, as BTFDebug records it: an entry wherever the instruction's
// DILocation changes (line 0 skipped), and when the first instruction has no usable location, one at slot 0
// for the function's own line (column 0). File names join the DIFile's directory and filename (clang's
// `-ffile-prefix-map=$PWD=.` gives `./test/x.c`); each entry carries its source line's text when the source
// is at hand (the DIFile's embedded source, else `sources`), else ''.
import type { LineInfo } from '../../../bpf/index.ts';
import { intField, nodeField, scopeFile, stringField, type IrModule, type MetadataNode } from '../ir/index.ts';

/** Source text by file name (as line info names it, then the bare DIFile filename); undefined if unknown. */
export type SourceLookup = (file: string) => string | undefined;

export class LineInfoBuilder {
  readonly #mod: IrModule;
  readonly #sources: SourceLookup | undefined;
  readonly #lines = new Map<MetadataNode, { name: string; lines: readonly string[] }>();

  constructor(mod: IrModule, sources: SourceLookup | undefined) {
    this.#mod = mod;
    this.#sources = sources;
  }

  /** Line info of a function whose DISubprogram is `subprogram`, from codegen's `locations`. */
  lineInfo(subprogram: MetadataNode | undefined, locations: readonly { readonly slot: number; readonly dbg: number }[]): LineInfo[] {
    const out: LineInfo[] = [];
    let previous: number | undefined;
    for (const { slot, dbg } of [...locations].sort((a, b) => a.slot - b.slot)) {
      const loc = this.#mod.metadata.get(dbg);
      const line = intField(loc, 'line');
      if (loc === undefined || line === 0 || dbg === previous) continue;
      if (out.length === 0 && slot !== 0) this.#functionLine(subprogram, out);
      const file = scopeFile(this.#mod, nodeField(this.#mod, loc, 'scope'));
      out.push(this.#entry(file, slot, line, intField(loc, 'column')));
      previous = dbg;
    }
    if (out.length === 0) this.#functionLine(subprogram, out);
    return out;
  }

  #functionLine(subprogram: MetadataNode | undefined, out: LineInfo[]): void {
    if (subprogram === undefined) return;
    out.push(this.#entry(scopeFile(this.#mod, subprogram), 0, intField(subprogram, 'line'), 0));
  }

  #entry(file: MetadataNode | undefined, slot: number, line: number, column: number): LineInfo {
    const source = file === undefined ? undefined : this.#file(file);
    return { slot, file: source?.name ?? '', line, column, text: source?.lines[line] ?? '' };
  }

  #file(file: MetadataNode): { name: string; lines: readonly string[] } {
    const known = this.#lines.get(file);
    if (known !== undefined) return known;
    const filename = stringField(file, 'filename') ?? '';
    const directory = stringField(file, 'directory') ?? '';
    const name =
      filename.startsWith('/') || directory === '' ? filename : `${directory}${directory.endsWith('/') ? '' : '/'}${filename}`;
    const text = stringField(file, 'source') ?? this.#sources?.(name) ?? this.#sources?.(filename);
    // line 0 is the empty string, as in BTFDebug's table
    const entry = { name, lines: text === undefined ? [] : ['', ...text.split(/\r?\n/)] };
    this.#lines.set(file, entry);
    return entry;
  }
}
