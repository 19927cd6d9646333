// The verification log, like the kernel's BPF_LOG_LEVEL2 output: the explorer calls an ExploreTrace only when a
// log was asked for (`verify(spec, { log: true })`), so exploring without one costs an `undefined` check per hook.
//
//   0: R1=ctx() R10=fp0                          the entry state (print_verifier_state)
//   0: (b7) r0 = 0x0                      ; R0=0      instruction, then what it changed in the state
//   from 7 to 9: R0=0 R1=ctx() R10=fp0      a pushed branch resumed (prev_insn_idx to insn_idx)
//   from 7 to 9: safe  /  12: safe          a state pruned by is_state_visited
//   processed 14 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
//
// States are the current frame's registers, then its stack slots as `fp-8=mmmmmmmm` (bytes: m misc, 0 zero,
// ? invalid) or `fp-8=<spilled register>`. After an instruction the kernel prints the registers it touched; we
// print the registers and slots whose value changed (the whole frame after a call or a return).
import { formatInstruction } from '../../bpf/asm/index.ts';
import { encode, type Instruction } from '../../bpf/index.ts';
import { formatReg, type SlotByte, type VerifierState } from '../state/index.ts';

/** What the explorer reports while it works (do_check's log points). */
export interface ExploreTrace {
  /** a function's verification starts at `insn` */
  entry(insn: number, state: VerifierState): void;
  /** a pushed path is resumed: it branched at `from` and continues at `to` */
  resume(from: number, to: number, state: VerifierState): void;
  /** instruction `i` is about to be checked */
  insn(i: number, insn: Instruction): void;
  /** the instruction just checked left `state`, and its path goes on */
  after(state: VerifierState): void;
  /** the path is pruned at `i` by a stored state */
  pruned(i: number): void;
  /** is_state_visited found no covering state among the `stored` ones (env->max_states_per_insn) */
  visit(stored: number): void;
  /** a state was stored (`+1`) or evicted (`-1`) */
  states(delta: 1 | -1): void;
}

/** The kernel's default cap on a log buffer is 16 MiB (BPF_LOG_MAX since 6.4 is UINT_MAX >> 2); lines cap too. */
export const LOG_MAX_LINES = 1_000_000;
export const LOG_MAX_CHARS = 16 * 1024 * 1024;

const SLOT_CHAR: Record<SlotByte, string> = { invalid: '?', misc: 'm', zero: '0', spill: 'r' };
/** print_insn_state pads the instruction to this column before `; state` */
const STATE_COLUMN = 38;

/** The registers and stack of the current frame in the kernel's notation: `R1=ctx() R10=fp0 fp-8=mmmmmmmm`. */
export function formatFrame(state: VerifierState): string {
  const prefix = state.frames.length > 1 ? `frame${state.frames.length - 1}: ` : '';
  return prefix + frameParts(state).join(' ');
}

/** The current frame's initialised registers and used stack slots, one `name=value` each. */
function frameParts(state: VerifierState): string[] {
  const frame = state.cur;
  const parts: string[] = [];
  frame.regs.forEach((r, i) => {
    if (r.kind !== 'not_init') parts.push(`R${i}=${formatReg(r)}`);
  });
  frame.stack.slots.forEach((slot, spi) => {
    if (slot === undefined || slot.types.every((t) => t === 'invalid')) return;
    const at = `fp-${(spi + 1) * 8}`;
    // the kernel prints slot_type[0..7], from the slot's highest byte down (ours are stored lowest first); for a
    // spill, the bytes above it, then the register: `fp-8=????scalar(...)`
    const bytes = [...slot.types].reverse().map((t) => SLOT_CHAR[t]).join('');
    if (slot.spilled !== undefined) {
      parts.push(`${at}=${bytes.slice(0, bytes.indexOf('r'))}${formatReg(slot.spilled)}`);
      return;
    }
    parts.push(`${at}=${bytes}`);
  });
  return parts;
}

/** The kernel's `(op) ` prefix: the instruction's opcode byte in hex. */
function opcode(insn: Instruction): string {
  return (encode([insn])[0] ?? 0).toString(16).padStart(2, '0');
}

/** Collects the log lines, capped at LOG_MAX_LINES lines and LOG_MAX_CHARS characters. */
export class VerifierLog implements ExploreTrace {
  readonly lines: string[] = [];
  #chars = 0;
  #truncated = false;
  /** a resumed path's `from X to Y` line, printed with its first instruction (or as `from X to Y: safe`) */
  #from: string | undefined;
  /** the parts of the last state printed, and its frame depth: after an instruction only what changed is shown */
  #shown = new Set<string>();
  #depth = 0;
  #maxStatesPerInsn = 0;
  #live = 0;
  #peak = 0;
  readonly #maxLines: number;
  readonly #maxChars: number;

  constructor(limits: { readonly lines?: number; readonly chars?: number } = {}) {
    this.#maxLines = limits.lines ?? LOG_MAX_LINES;
    this.#maxChars = limits.chars ?? LOG_MAX_CHARS;
  }

  #push(line: string): void {
    if (this.#truncated) return;
    if (this.lines.length >= this.#maxLines || this.#chars + line.length > this.#maxChars) {
      this.#truncated = true;
      this.lines.push(`log truncated after ${this.lines.length} lines (${this.#chars} characters): verification went on`);
      return;
    }
    this.#chars += line.length + 1;
    this.lines.push(line);
  }

  #flushFrom(): void {
    if (this.#from !== undefined) this.#push(this.#from);
    this.#from = undefined;
  }

  #remember(state: VerifierState, parts: readonly string[]): void {
    this.#shown = new Set(parts);
    this.#depth = state.frames.length;
  }

  entry(insn: number, state: VerifierState): void {
    this.#from = undefined;
    this.#remember(state, frameParts(state));
    this.#push(`${insn}: ${formatFrame(state)}`);
  }

  resume(from: number, to: number, state: VerifierState): void {
    // the state is formatted now: the path changes it before its first instruction is logged
    this.#remember(state, frameParts(state));
    this.#from = `from ${from} to ${to}${state.speculative ? ' (speculative execution)' : ''}: ${formatFrame(state)}`;
  }

  insn(i: number, insn: Instruction): void {
    this.#flushFrom();
    this.#push(`${i}: (${opcode(insn)}) ${formatInstruction(insn)}`);
  }

  after(state: VerifierState): void {
    if (this.#truncated) return;
    const k = this.lines.length - 1;
    const line = this.lines[k];
    if (line === undefined) return;
    // like the kernel's print_insn_state, only what the instruction changed (the whole frame after a call or return)
    const parts = frameParts(state);
    const changed = state.frames.length === this.#depth ? parts.filter((p) => !this.#shown.has(p)) : parts;
    this.#remember(state, parts);
    if (changed.length === 0) return;
    const prefix = state.frames.length > 1 ? `frame${state.frames.length - 1}: ` : '';
    const more = ` ; ${prefix}${changed.join(' ')}`;
    this.lines[k] = `${line.padEnd(STATE_COLUMN)}${more}`;
    this.#chars += Math.max(0, STATE_COLUMN - line.length) + more.length;
  }

  pruned(i: number): void {
    if (this.#from !== undefined) {
      this.#push(`${this.#from.slice(0, this.#from.indexOf(':'))}: safe`);
      this.#from = undefined;
    } else {
      this.#push(`${i}: safe`);
    }
  }

  visit(stored: number): void {
    if (stored > this.#maxStatesPerInsn) this.#maxStatesPerInsn = stored;
  }

  states(delta: 1 | -1): void {
    this.#live += delta;
    if (this.#live > this.#peak) this.#peak = this.#live;
  }

  /** The errors that ended verification, in the kernel's wording, after the instruction that met them. */
  error(lines: readonly string[]): void {
    this.#from = undefined;
    for (const l of lines) this.#push(l);
  }

  /** The kernel's closing statistics line (mark_read is always 0 in 6.18). */
  finish(stats: { readonly processed: number; readonly states: number }, limit: number): string[] {
    // the statistics line is written even into a truncated log
    this.lines.push(
      `processed ${stats.processed} insns (limit ${limit}) max_states_per_insn ${this.#maxStatesPerInsn} ` +
        `total_states ${stats.states} peak_states ${this.#peak} mark_read 0`,
    );
    return this.lines;
  }
}
