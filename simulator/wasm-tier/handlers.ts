// What the translator's analyses need to know of CompiledProgram's handler numbers (compiled-program.ts:
// the opcode byte, HANDLER's numbers for the variants): which ones load, store and jump.

/** Handlers whose low three bits are BPF_JMP or BPF_JMP32 and that jump within their function. */
export function isJump(h: number): boolean {
  const cls = h & 7;
  return (cls === 5 || cls === 6) && h !== 0x85 && h !== 0x8d && h !== 0x95;
}

/** LDX (mem and memsx) handlers: the value goes to dst, the address is src + off. */
export function isLoad(h: number): boolean {
  return h === 0x61 || h === 0x69 || h === 0x71 || h === 0x79 || h === 0x81 || h === 0x89 || h === 0x91;
}

/** ST and STX (mem) handlers: the address is dst + off. */
export function isStore(h: number): boolean {
  return (h & 0xe7) === 0x62 || (h & 0xe7) === 0x63;
}

/** Access size of a load or store handler (BPF_SIZE: W 0x00, H 0x08, B 0x10, DW 0x18). */
export function accessSize(h: number): number {
  return [4, 2, 1, 8][(h >> 3) & 3]!;
}

/** Calls: helpers (and bpf_loop), callx, local calls, kfuncs. */
export function isCall(h: number): boolean {
  return h === 0x85 || h === 0x8d || h === 0xe1 || h === 0xe9;
}

/** ALU and ALU32 operations (BPF_OP, the high nibble) the translator runs: all but BPF_END (its own handlers). */
const ALU_OPS = new Set([0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xa0, 0xb0, 0xc0]);
/** HANDLER's register-only variants: sdiv/smod, movsx, byte order, addr_space_cast; and ld_imm64 */
const REGISTER_HANDLERS = new Set([
  0x01, 0x09, 0x11, 0x19, 0x21, 0x29, 0x31, 0x39, 0x41, 0x49, 0x51, 0x59, 0x99, 0xa1, 0xa9, 0xb1, 0xb9, 0xc1, 0xc9, 0xd1, 0x18,
]);

/**
 * Handlers that change nothing but registers and cannot fault (a division by zero is none in BPF): what a
 * budget segment of the translator may hold before its last instruction.
 */
export function registersOnly(h: number): boolean {
  const cls = h & 7;
  if (cls === 4 || cls === 7) return ALU_OPS.has(h & 0xf0);
  return REGISTER_HANDLERS.has(h);
}
