// One WasmClang per test process (the compiled WebAssembly is shared anyway; this also shares the headers),
// and helpers to count what a .ll text holds with crude regular expressions, to check the parser against.
import { loadBpfHeaders } from '../../../compiler/clang/node-headers.ts';
import { WasmClang } from '../../../compiler/clang/wasm.ts';

export const wasmClang = new WasmClang({ headers: () => loadBpfHeaders() });

/** Compiles a C snippet (with the BPF headers available) to IR text. */
export async function irOf(source: string, file = 'snippet.c'): Promise<string> {
  return (await wasmClang.compileToIr({ file, source })).ir;
}

export interface TextCounts {
  readonly functions: number;
  readonly blocks: number;
  readonly instructions: number;
  readonly opcodes: ReadonlySet<string>;
}

/** Functions, blocks and instructions counted over the text, line by line, without parsing. */
export function countText(ll: string): TextCounts {
  const lines = ll.split('\n');
  let functions = 0;
  let blocks = 0;
  let instructions = 0;
  const opcodes = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('define ')) {
      functions++;
      // an unlabelled entry block
      if (!/^[^\s;][^\s]*:/.test(lines[i + 1] ?? '')) blocks++;
    } else if (/^[^\s;!@%#][^\s]*:(\s|$)/.test(l)) {
      blocks++;
    } else if (/^ {2}[^ \]#]/.test(l)) {
      instructions++;
      const m = /^ {2}(?:%\S+ = )?(?:(?:tail|musttail|notail) )?([a-z_]+)/.exec(l);
      if (m !== null) opcodes.add(m[1]!);
    }
  }
  return { functions, blocks, instructions, opcodes };
}
