// Internal: collects assembled instructions and labels, then resolves label references to slot offsets.
import { slotCount, type Instruction } from '../isa/index.ts';
import { AsmSyntaxError } from './asm-syntax-error.ts';
import { INT16_MAX, INT16_MIN, INT32_MAX, INT32_MIN } from './numbers.ts';

interface Place {
  readonly line: number;
  readonly column: number;
}

interface Fixup extends Place {
  readonly index: number;
  readonly slot: number;
  readonly label: string;
}

export class ProgramBuilder {
  readonly #insns: Instruction[] = [];
  readonly #labels = new Map<string, Place & { slot: number }>();
  readonly #fixups: Fixup[] = [];
  #slot = 0;
  #firstExit: number | undefined;

  /** The slot the next instruction will occupy. */
  get slot(): number {
    return this.#slot;
  }

  add(insn: Instruction): void {
    if (insn.kind === 'exit' && this.#firstExit === undefined) this.#firstExit = this.#slot;
    this.#insns.push(insn);
    this.#slot += slotCount(insn);
  }

  /** Add a jump or local call whose offset (or imm) will be set from `label` by `finish`. */
  addWithLabel(insn: Instruction, label: string, at: Place): void {
    this.#fixups.push({ index: this.#insns.length, slot: this.#slot, label, ...at });
    this.add(insn);
  }

  define(name: string, at: Place): void {
    const previous = this.#labels.get(name);
    if (previous !== undefined) {
      throw new AsmSyntaxError(at.line, at.column, `label '${name}' is already defined on line ${previous.line}`);
    }
    this.#labels.set(name, { slot: this.#slot, ...at });
  }

  /**
   * The instructions with every label reference resolved.
   * `implicitExit`: an undefined label `exit` means the first `exit` instruction (the bpf_conformance assembler's rule).
   */
  finish(options: { implicitExit?: boolean } = {}): Instruction[] {
    for (const f of this.#fixups) {
      let targetSlot = this.#labels.get(f.label)?.slot;
      if (targetSlot === undefined && f.label === 'exit' && options.implicitExit === true) targetSlot = this.#firstExit;
      if (targetSlot === undefined) throw new AsmSyntaxError(f.line, f.column, `undefined label '${f.label}'`);
      const delta = targetSlot - (f.slot + 1);
      const insn = this.#insns[f.index]!;
      const wide = insn.kind === 'call' || (insn.kind === 'ja' && insn.long);
      const [min, max] = wide ? [INT32_MIN, INT32_MAX] : [INT16_MIN, INT16_MAX];
      if (delta < min || delta > max) {
        const reason = `label '${f.label}' is ${delta} slots away, out of range (${min}..${max})`;
        throw new AsmSyntaxError(f.line, f.column, reason);
      }
      this.#insns[f.index] = insn.kind === 'call' ? { ...insn, imm: delta } : ({ ...insn, off: delta } as Instruction);
    }
    return this.#insns;
  }
}
