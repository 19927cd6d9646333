// Opcode field values of the BPF instruction set (RFC 9669, plus the Linux additions
// `may_goto` and `addr_space_cast`).
//
//   opcode byte, arithmetic and jump classes:   opcode byte, load and store classes:
//   +--------+--------+-------------------+    +--------+--------+-------------------+
//   | 4 bits | 1 bit  |      3 bits       |    | 3 bits | 2 bits |      3 bits       |
//   |  code  | source |   instruction     |    |  mode  |  size  |   instruction     |
//   |        |        |      class        |    |        |        |      class        |
//   +--------+--------+-------------------+    +--------+--------+-------------------+

export const CLASS_LD = 0x00;
export const CLASS_LDX = 0x01;
export const CLASS_ST = 0x02;
export const CLASS_STX = 0x03;
export const CLASS_ALU = 0x04;
export const CLASS_JMP = 0x05;
export const CLASS_JMP32 = 0x06;
export const CLASS_ALU64 = 0x07;

export const SOURCE_K = 0x00;
export const SOURCE_X = 0x08;

export const SIZE_W = 0x00;
export const SIZE_H = 0x08;
export const SIZE_B = 0x10;
export const SIZE_DW = 0x18;

export const MODE_IMM = 0x00;
export const MODE_ABS = 0x20;
export const MODE_IND = 0x40;
export const MODE_MEM = 0x60;
export const MODE_MEMSX = 0x80;
export const MODE_ATOMIC = 0xc0;

/** Arithmetic operation codes (the high nibble of an ALU/ALU64 opcode). */
export const ALU_CODES = {
  add: 0x00,
  sub: 0x10,
  mul: 0x20,
  div: 0x30,
  or: 0x40,
  and: 0x50,
  lsh: 0x60,
  rsh: 0x70,
  neg: 0x80,
  mod: 0x90,
  xor: 0xa0,
  mov: 0xb0,
  arsh: 0xc0,
  end: 0xd0,
} as const;

/** Jump operation codes (the high nibble of a JMP/JMP32 opcode). */
export const JMP_CODES = {
  ja: 0x00,
  jeq: 0x10,
  jgt: 0x20,
  jge: 0x30,
  jset: 0x40,
  jne: 0x50,
  jsgt: 0x60,
  jsge: 0x70,
  call: 0x80,
  exit: 0x90,
  jlt: 0xa0,
  jle: 0xb0,
  jslt: 0xc0,
  jsle: 0xd0,
  jcond: 0xe0,
} as const;

/** Atomic operations, in the imm field of a `STX | ATOMIC` instruction. */
export const ATOMIC_FETCH = 0x01;
export const ATOMIC_CODES = {
  add: 0x00,
  or: 0x40,
  and: 0x50,
  xor: 0xa0,
  xchg: 0xe0 | ATOMIC_FETCH,
  cmpxchg: 0xf0 | ATOMIC_FETCH,
} as const;

/** `ld_imm64` pseudo sources (the src field of its first slot), from `include/uapi/linux/bpf.h`. */
export const PSEUDO = {
  /** a 64-bit constant */
  none: 0,
  /** imm = map fd (or, in an object file, a relocation to a map) */
  map_fd: 1,
  /** imm = map fd, next imm = offset into the map's value */
  map_value: 2,
  /** imm = BTF id of a kernel variable */
  btf_id: 3,
  /** imm = instruction offset of a BPF function (the address of a subprogram) */
  func: 4,
  /** imm = index into the fd_array given at load */
  map_idx: 5,
  /** imm = index into fd_array, next imm = offset into the map's value */
  map_idx_value: 6,
} as const;
export type PseudoSource = keyof typeof PSEUDO;

/** `call` targets (the src field of a `JMP | CALL` instruction). */
export const CALL_HELPER = 0;
export const CALL_LOCAL = 1;
export const CALL_KFUNC = 2;

export const SIZE_BYTES: Readonly<Record<number, 1 | 2 | 4 | 8>> = {
  [SIZE_W]: 4,
  [SIZE_H]: 2,
  [SIZE_B]: 1,
  [SIZE_DW]: 8,
};

export function sizeCode(bytes: 1 | 2 | 4 | 8): number {
  switch (bytes) {
    case 1:
      return SIZE_B;
    case 2:
      return SIZE_H;
    case 4:
      return SIZE_W;
    case 8:
      return SIZE_DW;
  }
}

/** The frame pointer register; read-only for programs. */
export const R10 = 10;
export const MAX_REGISTER = 10;
export const SLOT_BYTES = 8;
