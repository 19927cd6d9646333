// LLVM BPF assembly text → instructions: reads what `formatInstruction`/`disassemble` print (and what
// `llvm-mc -triple bpfel` accepts for the same instructions), plus labels.
//
// A line is `[slot:] [label:]... [instruction] [comment]`:
//   - a leading `123:` is a slot index as disassemble() prints it, and is ignored;
//   - `name:` defines a label at the next instruction; `goto name`, `if ... goto name`, `gotol name`,
//     `may_goto name` and `call name` (a local call) refer to it;
//   - `#`, `//` and `;` start comments (`;` lines are the source lines of an annotated listing);
//   - a trailing `<...>` after a jump target (llvm-objdump's annotation) is ignored.
// Numbers are decimal or `0x` hex, with an optional sign. A 32-bit imm may be written signed or as its unsigned
// bits (-0x80000000..0xffffffff); offsets are signed 16-bit; an `ll` value is any 64-bit value, signed or not.
// See format-instruction.ts for the instruction syntax.
import {
  PSEUDO,
  type AccessSize,
  type AluOp,
  type AtomicOp,
  type Instruction,
  type JumpOp,
  type PseudoSource,
  type Width,
} from '../isa/index.ts';
import { cursorFor, type Cursor, type Token } from './lexer.ts';
import { ALU_OPERATORS, ATOMIC_OPERATORS, JUMP_OPERATORS } from './format-instruction.ts';
import {
  INT16_MAX,
  INT16_MIN,
  INT32_MAX,
  INT32_MIN,
  INT64_MIN,
  UINT32_MAX,
  UINT64_MAX,
  checkInteger,
  oneOf,
  readInteger,
  toInt32,
  type IntegerRule,
} from './numbers.ts';
import { ProgramBuilder } from './program-builder.ts';

export interface AssembleOptions {
  /** The line number of the first line of `text`, for error messages (default 1). */
  readonly firstLine?: number;
}

/**
 * Assemble LLVM BPF assembly (the syntax llvm-objdump prints) into instructions. Throws an `AsmSyntaxError`
 * (a SyntaxError) naming the line and column of the first problem.
 *
 * @example
 * assemble('r0 = 0x0\nif r1 > 3 goto out\nr0 = 1\nout:\nexit')
 * // [{ kind: 'alu', op: 'mov', ... }, { kind: 'jump', op: 'jgt', off: 1, ... }, ..., { kind: 'exit' }]
 */
export function assemble(text: string, options: AssembleOptions = {}): Instruction[] {
  const b = new ProgramBuilder();
  const first = options.firstLine ?? 1;
  text.split('\n').forEach((source, i) => {
    const c = cursorFor(source, first + i);
    if (c === undefined) return;
    if (c.peek()?.kind === 'number' && c.is(':', 1)) c.position = 2;
    while (c.peek()?.kind === 'word' && c.is(':', 1)) {
      const t = c.next()!;
      c.next();
      if (REGISTER.test(t.text)) throw c.error(`a register name cannot be a label: '${t.text}'`, t);
      b.define(t.text, { line: c.line, column: t.column });
    }
    if (!c.atEnd()) statement(c, b);
  });
  return b.finish();
}

const REGISTER = /^([rw])(\d+)$/i;
const IMM32: IntegerRule = { what: 'immediate', min: INT32_MIN, max: UINT32_MAX, refuseLeadingZero: true };
const OFF16: IntegerRule = { what: 'offset', min: INT16_MIN, max: INT16_MAX, refuseLeadingZero: true };
const IMM64: IntegerRule = { what: '64-bit immediate', min: INT64_MIN, max: UINT64_MAX, refuseLeadingZero: true };

const ALU_BY_OPERATOR = new Map<string, AluOp>(Object.entries(ALU_OPERATORS).map(([op, s]) => [s, op as AluOp]));
const JUMP_BY_OPERATOR = new Map<string, JumpOp>(Object.entries(JUMP_OPERATORS).map(([op, s]) => [s, op as JumpOp]));
const ATOMIC_BY_OPERATOR = new Map<string, AtomicOp>(Object.entries(ATOMIC_OPERATORS).map(([op, s]) => [s, op as AtomicOp]));
const PSEUDO_BY_NUMBER = new Map(Object.entries(PSEUDO).map(([name, n]) => [n as number, name as PseudoSource]));

interface Reg {
  readonly width: Width;
  readonly n: number;
  readonly token: Token;
}

const isRegister = (c: Cursor, ahead = 0): boolean => {
  const t = c.peek(ahead);
  return t?.kind === 'word' && REGISTER.test(t.text);
};

function readRegister(c: Cursor, what = 'a register'): Reg {
  const t = c.peek();
  const m = t?.kind === 'word' ? REGISTER.exec(t.text) : null;
  if (m === null || Number(m[2]) > 10 || /^0\d/.test(m[2]!)) c.fail(what);
  c.next();
  return { width: m[1]!.toLowerCase() === 'r' ? 64 : 32, n: Number(m[2]), token: t! };
}

/** A register of the given width: `r` for 64, `w` for 32. */
function readRegisterOf(c: Cursor, width: Width): Reg {
  const what = width === 64 ? 'a 64-bit register (r0..r10)' : 'a 32-bit register (w0..w10)';
  const r = readRegister(c, what);
  if (r.width !== width) c.fail(what, r.token);
  return r;
}

/** The value register of a memory access of `size` bytes: `r` for 8 bytes, `w` (or, as llvm-mc allows, `r`) below. */
function readValueRegister(c: Cursor, size: AccessSize): Reg {
  return size === 8 ? readRegisterOf(c, 64) : readRegister(c, 'a register');
}

/** The register `expected` again (neg, endian conversions and atomics name their register twice). */
function readSameRegister(c: Cursor, expected: Reg, why: string): void {
  const name = `${expected.width === 64 ? 'r' : 'w'}${expected.n}`;
  const r = readRegister(c, `${name} (${why})`);
  if (r.n !== expected.n || r.width !== expected.width) c.fail(`${name} (${why})`, r.token);
}

const imm32 = (c: Cursor): number => toInt32(readInteger(c, IMM32).value);

/** `(u32 *)`: the size and signedness of a memory access. */
function readType(c: Cursor, allowed: readonly string[]): { size: AccessSize; signed: boolean } {
  c.expect('(');
  const t = c.peek();
  const name = t?.kind === 'word' ? t.text.toLowerCase() : '';
  if (!allowed.includes(name)) c.fail(oneOf(allowed));
  c.next();
  c.expect('*');
  c.expect(')');
  return { size: (Number(name.slice(1)) / 8) as AccessSize, signed: name.startsWith('s') };
}

/** `r10 - 0x8` (inside parentheses that the caller reads) */
function readAddress(c: Cursor): { base: number; off: number } {
  const base = readRegisterOf(c, 64).n;
  if (!c.is('+') && !c.is('-')) return { base, off: 0 };
  const sign = c.next()!;
  const t = c.peek();
  if (t?.kind !== 'number') c.fail('an offset');
  c.next();
  return { base, off: Number(checkInteger(c, t, sign.text === '-', OFF16, sign)) };
}

function readParenAddress(c: Cursor): { base: number; off: number } {
  c.expect('(');
  const a = readAddress(c);
  c.expect(')', "')'");
  return a;
}

/** llvm-objdump's `<.text+0x28>` or `<L5>` after a jump target. */
function skipAnnotation(c: Cursor): void {
  if (c.is('<') && c.tokens[c.tokens.length - 1]!.text === '>') c.position = c.tokens.length;
}

/** A jump target: a label, or a signed offset in slots (`+0x2`, `-3`, `2`). */
function addJump(c: Cursor, b: ProgramBuilder, make: (off: number) => Instruction, wide: boolean): void {
  const t = c.peek();
  if (t?.kind === 'word') {
    c.next();
    skipAnnotation(c);
    c.expectEnd();
    b.addWithLabel(make(0), t.text, { line: c.line, column: t.column });
    return;
  }
  const rule: IntegerRule = wide
    ? { what: 'jump offset', expected: 'a jump offset or label', min: INT32_MIN, max: 0x7fff_ffffn, refuseLeadingZero: true }
    : { ...OFF16, what: 'jump offset', expected: 'a jump offset or label' };
  const off = Number(readInteger(c, rule).value);
  skipAnnotation(c);
  c.expectEnd();
  b.add(make(off));
}

function statement(c: Cursor, b: ProgramBuilder): void {
  const t = c.peek()!;
  if (t.kind === 'punct' && t.text === '*') return store(c, b);
  if (t.kind !== 'word') c.fail('an instruction');
  if (REGISTER.test(t.text)) return registerStatement(c, b);
  c.next();
  switch (t.text.toLowerCase()) {
    case 'exit':
      c.expectEnd();
      return b.add({ kind: 'exit' });
    case 'goto':
      return addJump(c, b, (off) => ({ kind: 'ja', long: false, off }), false);
    case 'gotol':
      return addJump(c, b, (off) => ({ kind: 'ja', long: true, off }), true);
    case 'may_goto':
      return addJump(c, b, (off) => ({ kind: 'may_goto', off }), false);
    case 'call':
      return call(c, b);
    case 'callx': {
      const r = readRegisterOf(c, 64);
      c.expectEnd();
      return b.add({ kind: 'callx', dst: r.n });
    }
    case 'if':
      return conditionalJump(c, b);
    case 'lock':
      return lock(c, b);
    case 'ld_pseudo':
      return ldPseudo(c, b);
    default:
      throw c.error(`unknown instruction '${t.text}'`, t);
  }
}

function call(c: Cursor, b: ProgramBuilder): void {
  if (c.is('pc') && (c.is('+', 1) || c.is('-', 1))) {
    c.next();
    const imm = Number(readInteger(c, { ...IMM32, what: 'call offset', max: 0x7fff_ffffn }).value);
    skipAnnotation(c);
    c.expectEnd();
    return b.add({ kind: 'call', target: 'local', imm, off: 0 });
  }
  if (c.is('kfunc') && (c.peek(1)?.kind === 'number' || ((c.is('-', 1) || c.is('+', 1)) && c.peek(2)?.kind === 'number'))) {
    c.next();
    const imm = imm32(c);
    const off = c.accept(',') ? Number(readInteger(c, { ...OFF16, what: 'module BTF index' }).value) : 0;
    c.expectEnd();
    return b.add({ kind: 'call', target: 'kfunc', imm, off });
  }
  const t = c.peek();
  if (t?.kind === 'word') {
    c.next();
    skipAnnotation(c);
    c.expectEnd();
    return b.addWithLabel({ kind: 'call', target: 'local', imm: 0, off: 0 }, t.text, { line: c.line, column: t.column });
  }
  const imm = toInt32(readInteger(c, { ...IMM32, what: 'helper number', expected: 'a helper number or label' }).value);
  skipAnnotation(c);
  c.expectEnd();
  b.add({ kind: 'call', target: 'helper', imm, off: 0 });
}

function conditionalJump(c: Cursor, b: ProgramBuilder): void {
  const d = readRegister(c);
  const opTok = c.next();
  const op = opTok === undefined ? undefined : JUMP_BY_OPERATOR.get(opTok.text);
  if (op === undefined) c.fail('a comparison (==, !=, >, >=, <, <=, s>, s>=, s<, s<=, &)', opTok);
  if (isRegister(c)) {
    const s = readRegisterOf(c, d.width);
    c.expect('goto');
    const { width, n: dst } = d;
    return addJump(c, b, (off) => ({ kind: 'jump', width, op, source: 'reg', dst, src: s.n, imm: 0, off }), false);
  }
  const imm = imm32(c);
  c.expect('goto');
  addJump(c, b, (off) => ({ kind: 'jump', width: d.width, op, source: 'imm', dst: d.n, src: 0, imm, off }), false);
}

function store(c: Cursor, b: ProgramBuilder): void {
  c.expect('*');
  const { size } = readType(c, ['u8', 'u16', 'u32', 'u64']);
  const { base, off } = readParenAddress(c);
  c.expect('=');
  if (isRegister(c)) {
    const s = readValueRegister(c, size);
    c.expectEnd();
    return b.add({ kind: 'stx', size, dst: base, src: s.n, off });
  }
  const imm = imm32(c);
  c.expectEnd();
  b.add({ kind: 'st', size, dst: base, off, imm });
}

function lock(c: Cursor, b: ProgramBuilder): void {
  c.expect('*');
  const { size } = readType(c, ['u32', 'u64']);
  const { base, off } = readParenAddress(c);
  const opTok = c.next();
  const op = opTok === undefined ? undefined : ATOMIC_BY_OPERATOR.get(opTok.text);
  if (op === undefined) c.fail('an atomic operator (+=, |=, &=, ^=)', opTok);
  const s = readValueRegister(c, size);
  c.expectEnd();
  b.add({ kind: 'atomic', size: size as 4 | 8, op, fetch: false, dst: base, src: s.n, off });
}

function ldPseudo(c: Cursor, b: ProgramBuilder): void {
  const d = readRegisterOf(c, 64);
  c.expect(',');
  const t = c.peek();
  const { value } = readInteger(c, { what: 'pseudo source', min: 0n, max: 6n, refuseLeadingZero: true });
  const pseudo = PSEUDO_BY_NUMBER.get(Number(value));
  if (pseudo === undefined) throw c.error(`unknown pseudo source ${value}`, t);
  c.expect(',');
  const lo = imm32(c);
  const hi = c.accept(',') ? imm32(c) : 0;
  c.expectEnd();
  b.add({ kind: 'lddw', dst: d.n, pseudo, value: (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) });
}

const ENDIAN = /^(le|be|bswap)(16|32|64)$/i;
const ATOMIC_FETCH = /^atomic_fetch_(add|or|and|xor)$/i;

function registerStatement(c: Cursor, b: ProgramBuilder): void {
  const d = readRegister(c);
  const opTok = c.next();
  if (opTok === undefined || !ALU_BY_OPERATOR.has(opTok.text)) c.fail('an assignment (=, +=, -=, ...)', opTok);
  const op = ALU_BY_OPERATOR.get(opTok.text)!;
  if (op !== 'mov') {
    if (isRegister(c)) {
      const s = readRegisterOf(c, d.width);
      c.expectEnd();
      return b.add({ kind: 'alu', width: d.width, op, source: 'reg', dst: d.n, src: s.n, imm: 0 });
    }
    const imm = imm32(c);
    c.expectEnd();
    return b.add({ kind: 'alu', width: d.width, op, source: 'imm', dst: d.n, src: 0, imm });
  }
  b.add(assignment(c, d));
  c.expectEnd();
}

/** Everything of the form `dst = ...`. */
function assignment(c: Cursor, d: Reg): Instruction {
  const t = c.peek();
  if (t === undefined) c.fail('a register, a number or an expression');
  if (c.is('-') && isRegister(c, 1)) {
    c.next();
    readSameRegister(c, d, 'neg negates its destination register');
    return { kind: 'alu', width: d.width, op: 'neg', source: 'imm', dst: d.n, src: 0, imm: 0 };
  }
  if (c.is('(')) {
    c.next();
    const allowed = d.width === 64 ? ['s8', 's16', 's32'] : ['s8', 's16'];
    const ty = c.peek();
    if (ty?.kind !== 'word' || !allowed.includes(ty.text.toLowerCase())) c.fail(oneOf(allowed));
    c.next();
    c.expect(')');
    const s = readRegisterOf(c, d.width);
    const op = `movsx${ty.text.slice(1)}` as AluOp;
    return { kind: 'alu', width: d.width, op, source: 'reg', dst: d.n, src: s.n, imm: 0 };
  }
  if (c.is('*')) return load(c, d);
  if (isRegister(c)) {
    const s = readRegisterOf(c, d.width);
    return { kind: 'alu', width: d.width, op: 'mov', source: 'reg', dst: d.n, src: s.n, imm: 0 };
  }
  if (t.kind === 'word') {
    c.next();
    const name = t.text.toLowerCase();
    const endian = ENDIAN.exec(name);
    if (endian !== null) {
      if (d.width !== 64) c.fail('a 64-bit register (r0..r10)', d.token);
      readSameRegister(c, d, 'a byte swap converts its destination register');
      const order = endian[1] === 'bswap' ? 'swap' : (endian[1] as 'le' | 'be');
      return { kind: 'endian', order, bits: Number(endian[2]) as 16 | 32 | 64, dst: d.n };
    }
    if (name === 'addr_space_cast') {
      if (d.width !== 64) c.fail('a 64-bit register (r0..r10)', d.token);
      c.expect('(');
      const s = readRegisterOf(c, 64);
      const space = { what: 'address space', min: 0n, max: 0xffffn, refuseLeadingZero: true };
      c.expect(',');
      const dstAddressSpace = Number(readInteger(c, space).value);
      c.expect(',');
      const srcAddressSpace = Number(readInteger(c, space).value);
      c.expect(')');
      return { kind: 'addr_space_cast', dst: d.n, src: s.n, dstAddressSpace, srcAddressSpace };
    }
    const fetch = ATOMIC_FETCH.exec(name);
    if (fetch !== null) {
      c.expect('(');
      const { size } = readType(c, d.width === 64 ? ['u64'] : ['u32']);
      const { base, off } = readParenAddress(c);
      c.expect(',');
      readSameRegister(c, d, 'the fetched value replaces the operand');
      c.expect(')');
      const op = fetch[1]!.toLowerCase() as AtomicOp;
      return { kind: 'atomic', size: size as 4 | 8, op, fetch: true, dst: base, src: d.n, off };
    }
    if (name === 'xchg_64' || name === 'xchg32_32' || name === 'cmpxchg_64' || name === 'cmpxchg32_32') {
      const width: Width = name.endsWith('_64') ? 64 : 32;
      if (d.width !== width) c.fail(width === 64 ? 'a 64-bit register (r0..r10)' : 'a 32-bit register (w0..w10)', d.token);
      c.expect('(');
      const { base, off } = readAddress(c);
      c.expect(',');
      const size = width === 64 ? 8 : 4;
      if (name.startsWith('cmpxchg')) {
        const r0 = `${width === 64 ? 'r' : 'w'}0`;
        if (d.n !== 0) c.fail(`${r0} (cmpxchg returns the old value in ${r0})`, d.token);
        readSameRegister(c, d, `cmpxchg compares with ${r0}`);
        c.expect(',');
        const s = readRegisterOf(c, width);
        c.expect(')');
        return { kind: 'atomic', size, op: 'cmpxchg', fetch: true, dst: base, src: s.n, off };
      }
      readSameRegister(c, d, 'xchg returns the old value in its operand');
      c.expect(')');
      return { kind: 'atomic', size, op: 'xchg', fetch: true, dst: base, src: d.n, off };
    }
    throw c.error(`expected a register, a number or an expression, found '${t.text}'`, t);
  }
  // a number: `r1 = 0x5`, or `r1 = 0x123456789 ll`
  const start = c.position;
  const { value } = readInteger(c, IMM64);
  if (c.accept('ll')) {
    if (d.width !== 64) c.fail('a 64-bit register (r0..r10)', d.token);
    return { kind: 'lddw', dst: d.n, pseudo: 'none', value: BigInt.asUintN(64, value) };
  }
  c.position = start;
  const imm = imm32(c);
  return { kind: 'alu', width: d.width, op: 'mov', source: 'imm', dst: d.n, src: 0, imm };
}

/** `= *(u32 *)(r1 + 0x4)`, or a legacy packet load `= *(u8 *)skb[0x5]` / `skb[r1]` */
function load(c: Cursor, d: Reg): Instruction {
  c.expect('*');
  const { size, signed } = readType(c, ['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32']);
  if (c.is('skb')) {
    c.next();
    if (d.n !== 0 || d.width !== 64) c.fail('r0 (packet loads always write r0)', d.token);
    if (signed || size === 8) c.fail('u8, u16 or u32 (the size of a packet load)', d.token);
    const legacySize = size as 1 | 2 | 4;
    c.expect('[');
    let insn: Instruction;
    if (isRegister(c)) {
      const s = readRegisterOf(c, 64);
      let imm = 0;
      if (c.is('+') || c.is('-')) {
        const sign = c.next()!;
        const t = c.peek();
        if (t?.kind !== 'number') c.fail('an offset');
        c.next();
        imm = Number(checkInteger(c, t, sign.text === '-', { ...IMM32, max: INT32_MAX }, sign));
      }
      insn = { kind: 'ld_ind', size: legacySize, src: s.n, imm };
    } else {
      insn = { kind: 'ld_abs', size: legacySize, imm: imm32(c) };
    }
    c.expect(']');
    return insn;
  }
  if ((signed || size === 8) && d.width !== 64) c.fail('a 64-bit register (r0..r10)', d.token);
  const { base, off } = readParenAddress(c);
  return { kind: 'ldx', size, signed, dst: d.n, src: base, off };
}
