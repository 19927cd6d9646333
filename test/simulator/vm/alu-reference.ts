// A BigInt model of the kernel's ALU and jump semantics (kernel/bpf/core.c, RFC 9669): the reference the
// interpreter's int32-pair arithmetic is checked against. Shared by the property and kernel tests.
import type { AluOp, JumpOp } from '../../../bpf/index.ts';

const U64 = (x: bigint): bigint => BigInt.asUintN(64, x);
const S64 = (x: bigint): bigint => BigInt.asIntN(64, x);
const U32 = (x: bigint): bigint => BigInt.asUintN(32, x);
const S32 = (x: bigint): bigint => BigInt.asIntN(32, x);

export type ModelAluOp = Exclude<AluOp, 'movsx8' | 'movsx16' | 'movsx32'>;
export const MODEL_ALU_OPS: readonly ModelAluOp[] = ['add', 'sub', 'mul', 'div', 'sdiv', 'or', 'and', 'lsh', 'rsh', 'neg', 'mod', 'smod', 'xor', 'mov', 'arsh'];
export const MODEL_JUMP_OPS: readonly JumpOp[] = ['jeq', 'jgt', 'jge', 'jset', 'jne', 'jsgt', 'jsge', 'jlt', 'jle', 'jslt', 'jsle'];

/** dst OP src for 64-bit operands (both unsigned 64-bit values); `b` is already sign-extended for imm forms. */
export function alu64(op: ModelAluOp, a: bigint, b: bigint): bigint {
  switch (op) {
    case 'add': return U64(a + b);
    case 'sub': return U64(a - b);
    case 'mul': return U64(a * b);
    case 'div': return b === 0n ? 0n : a / b;
    case 'sdiv': return b === 0n ? 0n : U64(S64(a) / S64(b));
    case 'mod': return b === 0n ? a : a % b;
    case 'smod': return b === 0n ? a : U64(S64(a) % S64(b));
    case 'or': return a | b;
    case 'and': return a & b;
    case 'xor': return a ^ b;
    case 'lsh': return U64(a << (b & 63n));
    case 'rsh': return a >> (b & 63n);
    case 'arsh': return U64(S64(a) >> (b & 63n));
    case 'neg': return U64(-a);
    case 'mov': return b;
  }
}

/** The 32-bit form: operands truncated, result zero-extended. */
export function alu32(op: ModelAluOp, a64: bigint, b64: bigint): bigint {
  const a = U32(a64);
  const b = U32(b64);
  switch (op) {
    case 'add': return U32(a + b);
    case 'sub': return U32(a - b);
    case 'mul': return U32(a * b);
    case 'div': return b === 0n ? 0n : a / b;
    case 'sdiv': return b === 0n ? 0n : U32(S32(a) / S32(b));
    case 'mod': return b === 0n ? a : a % b;
    case 'smod': return b === 0n ? a : U32(S32(a) % S32(b));
    case 'or': return a | b;
    case 'and': return a & b;
    case 'xor': return a ^ b;
    case 'lsh': return U32(a << (b & 31n));
    case 'rsh': return a >> (b & 31n);
    case 'arsh': return U32(S32(a) >> (b & 31n));
    case 'neg': return U32(-a);
    case 'mov': return b;
  }
}

export function jump(op: JumpOp, width: 32 | 64, a64: bigint, b64: bigint): boolean {
  const [a, b, sa, sb] =
    width === 64 ? [a64, b64, S64(a64), S64(b64)] : [U32(a64), U32(b64), S32(a64), S32(b64)];
  switch (op) {
    case 'jeq': return a === b;
    case 'jne': return a !== b;
    case 'jset': return (a & b) !== 0n;
    case 'jgt': return a > b;
    case 'jge': return a >= b;
    case 'jlt': return a < b;
    case 'jle': return a <= b;
    case 'jsgt': return sa > sb;
    case 'jsge': return sa >= sb;
    case 'jslt': return sa < sb;
    case 'jsle': return sa <= sb;
  }
}

export function bswap(bits: 16 | 32 | 64, v: bigint): bigint {
  let out = 0n;
  for (let i = 0; i < bits / 8; i++) out = (out << 8n) | ((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

export function movsx(bits: 8 | 16 | 32, width: 32 | 64, v: bigint): bigint {
  const x = BigInt.asIntN(bits, v);
  return width === 64 ? U64(x) : U32(x);
}
