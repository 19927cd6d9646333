// Instructions → listing lines in the layout of `llvm-objdump -d --no-show-raw-insn`, with optional jump-target
// labels and interleaved source lines (`; ` lines, as `llvm-objdump -S` prints them).
//
//          0:	r1 = 0x0                    <- `%8d:\t` slot index, then formatInstruction()
//          1:	if r2 == 0x0 goto +0x1 <L3> <- targets: 'annotate'
//   L3:                                    <- targets: 'labels' (and `goto L3` in the jump)
//   ; return 0;                            <- source(3)
//          3:	exit
import { jumpTarget, slotOffsets, type Instruction } from '../isa/index.ts';
import { formatInstruction, type FormatOptions } from './format-instruction.ts';

export interface DisassembleOptions extends Omit<FormatOptions, 'target'> {
  /**
   * How jump and local call targets are shown:
   * - 'offset' (default): as llvm-objdump prints them, `goto +0x2`;
   * - 'annotate': `goto +0x2 <L5>`, naming the target slot;
   * - 'labels': a label line `L5:` before each target and `goto L5`, `call L5` in the instructions (llvm-mc reads
   *   this back to the same bytes, local calls included). A target outside the program stays an offset.
   */
  readonly targets?: 'offset' | 'annotate' | 'labels';
  /** The name of the label for a target slot; default `L${slot}`. */
  readonly label?: (slot: number) => string;
  /** Prefix each instruction with its slot index as llvm-objdump does (`%8d:\t`); default true. */
  readonly slots?: boolean;
  /**
   * Source text for the instruction at `slot`, printed before it as `; ` lines (each line of a multi-line string).
   * Return undefined to print nothing, e.g. when the source line has not changed since the previous slot.
   */
  readonly source?: (slot: number) => string | undefined;
}

/**
 * A listing of `insns`, one string per line.
 *
 * @example
 * disassemble(decode(bytes))
 * // ['       0:\tr0 = 0x0', '       1:\texit']
 * disassemble(insns, { targets: 'labels', slots: false }).join('\n') // text that assemble() reads back
 */
export function disassemble(insns: readonly Instruction[], options: DisassembleOptions = {}): string[] {
  const mode = options.targets ?? 'offset';
  const labelOf = options.label ?? ((slot: number) => `L${slot}`);
  const withSlots = options.slots ?? true;
  const offsets = slotOffsets(insns);
  const total = offsets[insns.length]!;

  // A label can only sit at the start of an instruction (or just past the last one).
  const boundaries = new Set(offsets);
  const labelled = new Set<number>();
  if (mode === 'labels') {
    insns.forEach((insn, i) => {
      const t = jumpTarget(insn, offsets[i]!);
      if (t !== undefined && boundaries.has(t)) labelled.add(t);
    });
  }

  const lines: string[] = [];
  const formatOptions: FormatOptions = options.lossless === true ? { lossless: true } : {};
  insns.forEach((insn, i) => {
    const slot = offsets[i]!;
    if (labelled.has(slot)) lines.push(`${labelOf(slot)}:`);
    const source = options.source?.(slot);
    if (source !== undefined) for (const l of source.split('\n')) lines.push(`; ${l}`.trimEnd());
    const target = jumpTarget(insn, slot);
    let text: string;
    if (target !== undefined && labelled.has(target)) {
      text = formatInstruction(insn, { ...formatOptions, target: labelOf(target) });
    } else {
      text = formatInstruction(insn, formatOptions);
      if (target !== undefined && mode === 'annotate') text += ` <${labelOf(target)}>`;
    }
    lines.push(withSlots ? `${String(slot).padStart(8)}:\t${text}` : text);
  });
  if (labelled.has(total)) lines.push(`${labelOf(total)}:`);
  return lines;
}
