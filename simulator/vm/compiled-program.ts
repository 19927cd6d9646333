// Decode once, run many times: a program checked and flattened into an Int32Array the interpreter walks.
//
//   code: 4 int32 per 8-byte slot (the slot index is the kernel's instruction index)
//   +-----------+-------------------+----------------------------+-------------------------------+
//   |  handler  | dst | src << 4    | off: jump/call target slot | imm (sign-extended by users)   |
//   |           |                   | (absolute), memory offset, |                               |
//   |           |                   | or ld_imm64's high half    | or ld_imm64's low half        |
//   +-----------+-------------------+----------------------------+-------------------------------+
//
// The handler is the raw opcode byte where that is unambiguous (0x07 = add64 imm, 0x61 = ldxw, …) and a
// number above 0xff for the variants the opcode byte alone does not tell apart (sdiv/smod, movsx, endian
// sizes, atomics, local calls, …); see HANDLER below. Checks at load are the kernel's structural ones
// (check_subprogs, check_cfg): jumps in range, not into an ld_imm64, not out of their subprogram, each
// subprogram ending in exit or a jump, r10 never written, helper ids known when a dispatch is given.
import { decode, jumpTarget, slotOffsets, type Instruction, type LdImm64Insn, type LineInfo } from '../../bpf/index.ts';
import { fuse, stepped } from './fuse.ts';
import type { HelperDispatch } from './helpers.ts';

/** The high half of a function's address (`ld_imm64` with BPF_PSEUDO_FUNC); the low half is its slot. */
export const CODE_TAG = 0x7fff_c0de;

/** The kernel's limit on program size for privileged loaders (BPF_COMPLEXITY_LIMIT_INSNS). */
export const MAX_PROGRAM_SLOTS = 1_000_000;

/**
 * Handlers that are not the raw opcode byte, placed on opcode bytes no instruction uses (so every handler
 * fits in 0..0xff and the interpreter's switch stays one dense jump table).
 */
export const HANDLER = {
  sdiv32K: 0x01, sdiv32X: 0x09, sdiv64K: 0x11, sdiv64X: 0x19,
  smod32K: 0x21, smod32X: 0x29, smod64K: 0x31, smod64X: 0x39,
  movsx8to32: 0x41, movsx16to32: 0x49, movsx8to64: 0x51, movsx16to64: 0x59, movsx32to64: 0x99,
  le16: 0xa1, le32: 0xa9, le64: 0xb1, swap16: 0xb9, swap32: 0xc1, swap64: 0xc9,
  addrSpaceCast: 0xd1,
  mayGoto: 0xd9,
  callLocal: 0xe1,
  callKfunc: 0xe9,
  /** atomics keep their opcode (0xc3, 0xdb); the imm column holds op (add 0, or 1, and 2, xor 3, xchg 4, cmpxchg 5) + (fetch ? 8 : 0) */
  /** the second slot of an ld_imm64: never executed (jumps into it are refused at load) */
  lddwHigh: 0xf9,
} as const;

const SIGNED: Readonly<Record<string, { div: number; mod: number }>> = {
  '32imm': { div: HANDLER.sdiv32K, mod: HANDLER.smod32K },
  '32reg': { div: HANDLER.sdiv32X, mod: HANDLER.smod32X },
  '64imm': { div: HANDLER.sdiv64K, mod: HANDLER.smod64K },
  '64reg': { div: HANDLER.sdiv64X, mod: HANDLER.smod64X },
};
const ATOMIC_OPS = { add: 0, or: 1, and: 2, xor: 3, xchg: 4, cmpxchg: 5 } as const;
const ALU_OPS = { add: 0x00, sub: 0x10, mul: 0x20, div: 0x30, or: 0x40, and: 0x50, lsh: 0x60, rsh: 0x70, neg: 0x80, mod: 0x90, xor: 0xa0, mov: 0xb0, arsh: 0xc0 } as const;
const JMP_OPS = { jeq: 0x10, jgt: 0x20, jge: 0x30, jset: 0x40, jne: 0x50, jsgt: 0x60, jsge: 0x70, jlt: 0xa0, jle: 0xb0, jslt: 0xc0, jsle: 0xd0 } as const;
const SIZE_CODE = { 4: 0x00, 2: 0x08, 1: 0x10, 8: 0x18 } as const;

/** A program the checks refused; `slot` is the offending instruction's. */
export class ProgramCheckError extends RangeError {
  readonly slot: number | undefined;
  constructor(message: string, slot?: number, options?: ErrorOptions) {
    super(slot === undefined ? message : `instruction ${slot}: ${message}`, options);
    this.name = 'ProgramCheckError';
    this.slot = slot;
  }
}

export interface CompileOptions {
  /** for messages and traces */
  readonly name?: string;
  /**
   * The value of an `ld_imm64` (all but function addresses): the simulator returns the address of its map
   * handle or value region for the slots LinkedProgram.references names (an object file's map loads are
   * plain `r1 = 0 ll` plus a reference), undefined to keep the instruction's own value. An ld_imm64 whose
   * pseudo source is a map (map_fd, map_value, map_idx, …) must be resolved, or the program is refused.
   */
  readonly resolveImm64?: (slot: number, insn: LdImm64Insn) => bigint | undefined;
  /** When given, a call of a helper id it does not have is refused at load (as the kernel does). */
  readonly helpers?: HelperDispatch;
  /** slot → source line (`file.c:12: text`), for fault messages */
  readonly sourceLine?: (slot: number) => string | undefined;
  /** refuse larger programs; MAX_PROGRAM_SLOTS by default */
  readonly maxSlots?: number;
}

/** A checked, pre-decoded program. Reusable across runs and VMs; immutable. */
export class CompiledProgram {
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
  /** number of 8-byte slots */
  readonly slots: number;
  /** see the layout above */
  readonly code: Int32Array;
  /** `code` with superinstructions, in the interpreter's layout (fuse.ts): what it runs when it does not trace */
  readonly fused: Int32Array;
  #stepped: Int32Array | undefined;
  /** first slot of each function (the entry is 0), ascending */
  readonly functions: readonly number[];
  readonly sourceLine: ((slot: number) => string | undefined) | undefined;

  /** @internal use compileProgram() */
  constructor(fields: {
    name: string | undefined;
    instructions: readonly Instruction[];
    slots: number;
    code: Int32Array;
    functions: readonly number[];
    sourceLine: ((slot: number) => string | undefined) | undefined;
  }) {
    this.name = fields.name;
    this.instructions = fields.instructions;
    this.slots = fields.slots;
    this.code = fields.code;
    this.fused = fuse(fields.code);
    this.functions = fields.functions;
    this.sourceLine = fields.sourceLine;
  }

  /** `code` in the interpreter's layout without superinstructions (fuse.ts stepped()): what a traced run runs */
  get stepped(): Int32Array {
    return (this.#stepped ??= stepped(this.code));
  }

  /** The 64-bit address of the function starting at `slot` (what callx and BPF_PSEUDO_FUNC use). */
  static functionAddress(slot: number): bigint {
    return (BigInt(CODE_TAG) << 32n) | BigInt(slot);
  }
}

/**
 * Check and pre-decode a program (instructions, or raw bytes: 8 per slot, little endian). Throws a
 * ProgramCheckError (or the decoder's InstructionDecodeError), both RangeErrors naming the instruction.
 *
 * @example
 * const prog = compileProgram(assembleUbpf('mov %r0, 1\nexit'));
 * new Vm().run(prog).r0 // 1n
 */
export function compileProgram(input: readonly Instruction[] | Uint8Array, options: CompileOptions = {}): CompiledProgram {
  const instructions = input instanceof Uint8Array ? decode(input) : input;
  const offsets = slotOffsets(instructions);
  const slots = offsets[instructions.length]!;
  if (instructions.length === 0) throw new ProgramCheckError('empty program: no instructions');
  const maxSlots = options.maxSlots ?? MAX_PROGRAM_SLOTS;
  if (slots > maxSlots) throw new ProgramCheckError(`program of ${slots} instructions is too large (limit ${maxSlots})`);

  // Which slot starts an instruction, and where functions start.
  const starts = new Uint8Array(slots);
  for (let i = 0; i < instructions.length; i++) starts[offsets[i]!] = 1;
  const fnStarts = new Set<number>([0]);
  const target = (slot: number, t: number): number => {
    if (t < 0 || t >= slots) throw new ProgramCheckError(`jump out of range from insn ${slot} to ${t}`, slot);
    if (starts[t] !== 1) throw new ProgramCheckError(`jump to the middle of ld_imm64 at insn ${t}`, slot);
    return t;
  };
  instructions.forEach((insn, i) => {
    const slot = offsets[i]!;
    if (insn.kind === 'call' && insn.target === 'local') fnStarts.add(target(slot, slot + 1 + insn.imm));
    if (insn.kind === 'lddw' && insn.pseudo === 'func') {
      fnStarts.add(target(slot, slot + 1 + Number(BigInt.asIntN(32, insn.value))));
    }
  });
  const functions = [...fnStarts].sort((a, b) => a - b);
  const functionOf = new Int32Array(slots);
  for (let f = 0, k = 0; f < slots; f++) {
    while (k + 1 < functions.length && functions[k + 1]! <= f) k++;
    functionOf[f] = k;
  }

  const code = new Int32Array(slots * 4);
  instructions.forEach((insn, i) => {
    const slot = offsets[i]!;
    const at = slot * 4;
    const writesDst = insn.kind === 'alu' || insn.kind === 'endian' || insn.kind === 'ldx' || insn.kind === 'lddw' || insn.kind === 'addr_space_cast';
    if (writesDst && insn.dst === 10) throw new ProgramCheckError('frame pointer r10 is read only', slot);
    if (insn.kind === 'atomic' && insn.fetch && (insn.op === 'cmpxchg' ? false : insn.src === 10)) {
      throw new ProgramCheckError('frame pointer r10 is read only', slot);
    }
    const jt = jumpTarget(insn, slot);
    if (jt !== undefined && insn.kind !== 'call') {
      target(slot, jt);
      if (functionOf[jt] !== functionOf[slot]) throw new ProgramCheckError(`jump out of range from insn ${slot} to ${jt}`, slot);
    }
    const [handler, dst, src, off, imm] = encodeHandler(insn, slot, options);
    code[at] = handler;
    code[at + 1] = dst | (src << 4);
    code[at + 2] = off;
    code[at + 3] = imm;
    if (insn.kind === 'lddw') code[at + 4] = HANDLER.lddwHigh;
  });
  // Every function ends in exit or an unconditional jump (no falling into the next one).
  for (let k = 0; k < functions.length; k++) {
    const end = (functions[k + 1] ?? slots) - 1;
    let last = end;
    if (code[last * 4] === HANDLER.lddwHigh) last--;
    const h = code[last * 4]!;
    if (h !== 0x95 && h !== 0x05) {
      throw new ProgramCheckError(
        k === 0 && functions.length === 1 ? 'last insn is not an exit or jmp' : `last insn of the function at ${functions[k]} is not an exit or jmp`,
        last,
      );
    }
  }
  return new CompiledProgram({ name: options.name, instructions, slots, code, functions, sourceLine: options.sourceLine });
}

/** [handler, dst, src, off, imm] of one instruction. */
function encodeHandler(insn: Instruction, slot: number, options: CompileOptions): [number, number, number, number, number] {
  switch (insn.kind) {
    case 'alu': {
      const cls = insn.width === 64 ? 0x07 : 0x04;
      const x = insn.source === 'reg' ? 0x08 : 0;
      switch (insn.op) {
        case 'sdiv':
          return [SIGNED[`${insn.width}${insn.source}`]!.div, insn.dst, insn.src, 0, insn.imm];
        case 'smod':
          return [SIGNED[`${insn.width}${insn.source}`]!.mod, insn.dst, insn.src, 0, insn.imm];
        case 'movsx8':
          return [insn.width === 64 ? HANDLER.movsx8to64 : HANDLER.movsx8to32, insn.dst, insn.src, 0, 0];
        case 'movsx16':
          return [insn.width === 64 ? HANDLER.movsx16to64 : HANDLER.movsx16to32, insn.dst, insn.src, 0, 0];
        case 'movsx32':
          return [HANDLER.movsx32to64, insn.dst, insn.src, 0, 0];
        default:
          return [cls | ALU_OPS[insn.op] | x, insn.dst, insn.src, 0, insn.imm];
      }
    }
    case 'endian': {
      const le = insn.order === 'le';
      const h = insn.bits === 16 ? (le ? HANDLER.le16 : HANDLER.swap16) : insn.bits === 32 ? (le ? HANDLER.le32 : HANDLER.swap32) : le ? HANDLER.le64 : HANDLER.swap64;
      return [h, insn.dst, 0, 0, 0];
    }
    case 'addr_space_cast':
      if (!((insn.dstAddressSpace === 0 && insn.srcAddressSpace === 1) || (insn.dstAddressSpace === 1 && insn.srcAddressSpace === 0))) {
        throw new ProgramCheckError('addr_space_cast insn can only convert between address space 1 and 0', slot);
      }
      return [HANDLER.addrSpaceCast, insn.dst, insn.src, 0, 0];
    case 'jump': {
      const cls = insn.width === 64 ? 0x05 : 0x06;
      const x = insn.source === 'reg' ? 0x08 : 0;
      return [cls | JMP_OPS[insn.op] | x, insn.dst, insn.src, slot + 1 + insn.off, insn.imm];
    }
    case 'ja':
      return [0x05, 0, 0, slot + 1 + insn.off, 0];
    case 'may_goto':
      return [HANDLER.mayGoto, 0, 0, slot + 1 + insn.off, 0];
    case 'call':
      if (insn.target === 'local') return [HANDLER.callLocal, 0, 0, slot + 1 + insn.imm, 0];
      if (insn.target === 'kfunc') return [HANDLER.callKfunc, 0, 0, insn.off, insn.imm];
      if (options.helpers !== undefined && !options.helpers.has(insn.imm)) {
        throw new ProgramCheckError(`invalid func unknown#${insn.imm} (no helper with id ${insn.imm})`, slot);
      }
      return [0x85, 0, 0, 0, insn.imm];
    case 'callx':
      return [0x8d, insn.dst, 0, 0, 0];
    case 'exit':
      return [0x95, 0, 0, 0, 0];
    case 'ldx':
      return [(insn.signed ? 0x81 : 0x61) | SIZE_CODE[insn.size], insn.dst, insn.src, insn.off, 0];
    case 'st':
      return [0x62 | SIZE_CODE[insn.size], insn.dst, 0, insn.off, insn.imm];
    case 'stx':
      return [0x63 | SIZE_CODE[insn.size], insn.dst, insn.src, insn.off, 0];
    case 'atomic':
      return [insn.size === 8 ? 0xdb : 0xc3, insn.dst, insn.src, insn.off, ATOMIC_OPS[insn.op] + (insn.fetch ? 8 : 0)];
    case 'lddw': {
      let value: bigint;
      if (insn.pseudo === 'func') {
        value = CompiledProgram.functionAddress(slot + 1 + Number(BigInt.asIntN(32, insn.value)));
      } else {
        const resolved = options.resolveImm64?.(slot, insn);
        if (resolved !== undefined) value = BigInt.asUintN(64, resolved);
        else if (insn.pseudo === 'none') value = insn.value;
        else throw new ProgramCheckError(`ld_imm64 with a ${insn.pseudo} reference needs the simulator to resolve it`, slot);
      }
      return [0x18, insn.dst, 0, Number(BigInt.asIntN(32, value >> 32n)), Number(BigInt.asIntN(32, value))];
    }
    case 'ld_abs':
      return [0x20 | SIZE_CODE[insn.size], 0, 0, 0, insn.imm];
    case 'ld_ind':
      return [0x40 | SIZE_CODE[insn.size], 0, insn.src, 0, insn.imm];
  }
}

/**
 * A slot → source line function from BTF line info (LinkedProgram.lineInfo): the nearest entry at or before
 * the slot, as `file:line: text`, the way the kernel's verifier log attributes instructions.
 */
export function sourceLinesFrom(lineInfo: readonly LineInfo[]): (slot: number) => string | undefined {
  const sorted = [...lineInfo].sort((a, b) => a.slot - b.slot);
  return (slot) => {
    let lo = 0;
    let hi = sorted.length - 1;
    let found: LineInfo | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid]!.slot <= slot) {
        found = sorted[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found === undefined ? undefined : `${found.file}:${found.line}: ${found.text.trim()}`;
  };
}
