// `tsbpf disasm FILE.o [--program NAME] [--source]`: each function's instructions as llvm-objdump prints
// them (slot index within the section, then the instruction), with what each relocation refers to on the
// line below it, and with --source the C lines from BTF line info in between.
import pc from 'picocolors';
import { disassemble } from '../bpf/asm/index.ts';
import { decode, readElf, slotOffsets, type FunctionSpec, type ObjectSpec, type Reference } from '../bpf/index.ts';
import { CliError, EXIT_USAGE } from './cli-error.ts';
import { readInputBytes, readObjectFile } from './read-input.ts';

export interface DisasmOptions {
  readonly program?: string;
  readonly source: boolean;
}

/** The listing lines for `spec` (read from `bytes`). */
export function disassembleObject(bytes: Uint8Array, spec: ObjectSpec, options: DisasmOptions): string[] {
  const elf = readElf(bytes);
  const functions = selectFunctions(spec, options.program);
  // Functions tile their section in order: a function's first slot is the sum of those before it.
  const start = new Map<string, number>();
  const next = new Map<string, number>();
  for (const fn of spec.functions) {
    const at = next.get(fn.section) ?? 0;
    start.set(fn.name, at);
    next.set(fn.section, at + slotOffsets(fn.instructions).at(-1)!);
  }
  const out: string[] = [];
  let section: string | undefined;
  for (const fn of functions) {
    if (fn.section !== section) {
      section = fn.section;
      out.push('', pc.bold(`Disassembly of section ${section}:`));
    }
    const base = start.get(fn.name)!;
    const count = slotOffsets(fn.instructions).at(-1)!;
    // The file's own bytes, not the spec's canonical forms, so the text matches llvm-objdump's.
    const data = elf.sectionByName(fn.section)!.data.subarray(base * 8, (base + count) * 8);
    const insns = decode(data);
    const refs = new Map(fn.references.map((r) => [r.slot, r.ref]));
    const lines = new Map(fn.lineInfo.map((l) => [l.slot, l]));
    let lastLine = '';
    out.push('', `${pc.cyan(`<${fn.name}>`)}:`);
    const listing = disassemble(insns, {
      source: (slot) => {
        if (!options.source) return undefined;
        const l = lines.get(slot);
        if (l === undefined) return undefined;
        const key = `${l.file}:${l.line}`;
        if (key === lastLine) return undefined;
        lastLine = key;
        return `${l.file}:${l.line}: ${l.text.trim()}`;
      },
    });
    const offsets = slotOffsets(insns);
    let i = 0;
    for (const line of listing) {
      if (line.startsWith(';')) {
        out.push(pc.dim(line));
        continue;
      }
      const slot = offsets[i++]!;
      out.push(line.replace(/^\s*(\d+):/, (_m, n: string) => `${String(Number(n) + base).padStart(8)}:`));
      const ref = refs.get(slot);
      if (ref !== undefined) out.push(pc.dim(`\t\t${describeReference(ref)}`));
    }
  }
  return out;
}

function describeReference(ref: Reference): string {
  switch (ref.kind) {
    case 'map':
      return `map ${ref.map}`;
    case 'map_value':
      return `${ref.map}+${ref.offset}`;
    case 'call':
      return `call ${ref.function}`;
    case 'func_addr':
      return `function ${ref.function}`;
    case 'extern':
      return `extern ${ref.type} ${ref.name}`;
  }
}

/** All functions, or a program's function and everything it reaches. */
function selectFunctions(spec: ObjectSpec, program: string | undefined): FunctionSpec[] {
  if (program === undefined) return [...spec.functions];
  const entry = spec.programs.find((p) => p.name === program)?.function ?? spec.functions.find((f) => f.name === program)?.name;
  if (entry === undefined) {
    const names = spec.programs.map((p) => p.name).join(', ') || 'none';
    throw new CliError(`no program or function ${program} (programs: ${names})`, EXIT_USAGE);
  }
  const chosen: FunctionSpec[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const name = queue.shift()!;
    const fn = spec.functions.find((f) => f.name === name);
    if (fn === undefined || chosen.includes(fn)) continue;
    chosen.push(fn);
    for (const { ref } of fn.references) if (ref.kind === 'call' || ref.kind === 'func_addr') queue.push(ref.function);
  }
  return chosen;
}

export function disasmCommand(file: string, options: DisasmOptions): void {
  const bytes = readInputBytes(file);
  const spec = readObjectFile(file, bytes);
  process.stdout.write(`${disassembleObject(bytes, spec, options).join('\n')}\n`);
}
