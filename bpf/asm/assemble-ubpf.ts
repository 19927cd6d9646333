// uBPF / bpf_conformance assembly text → instructions: the `mnemonic operand, operand` syntax of the `-- asm`
// sections of the `.data` test cases (see parse-test-case.ts).
//
//   mov32 %r0, 0x10          alu: add sub mul div sdiv or and lsh rsh mod smod xor mov arsh, with 32 (ALU) or
//   add %r0, %r1                  no suffix / 64 (ALU64); second operand a register or an immediate
//   neg %r0, neg32 %r0       movsx864 %r0, %r1 (movsx{8,16}32, movsx{8,16,32}64: sign extend 8 → 64 …)
//   le16 %r0, be64 %r0       swap16 / bswap16 … bswap64: unconditional byte swap
//   ldxw %r0, [%r1+4]        ldx{b,h,w,dw}, sign-extending ldxs{b,h,w}; memory operand [%rN], [%rN+off], [%rN-off]
//   stw [%r1+2], 5           st{b,h,w,dw} store an immediate; stx{b,h,w,dw} [%r10-8], %r1 store a register
//   lddw %r0, 0x123456789    64-bit immediate (two slots)
//   ldabsw 4, ldindh %r1, 4  legacy packet loads, size b/h/w
//   ja +2, ja label          jump (16-bit offset); ja32 +2 / ja32 label is gotol (32-bit offset)
//   jeq %r1, 5, +2           j{eq,gt,ge,set,ne,sgt,sge,lt,le,slt,sle}, 32 suffix for JMP32; target ±offset or label
//   call 1, call helper 1    helper call; call local func1, call func1, call local +3: local call;
//                            call runtime 7: kfunc;
//   call %r2                 callx (the register in dst, as LLVM and the kernel encode it)
//   exit
//   lock add [%r10-8], %r1   atomics: lock [fetch] {add,or,and,xor}[32], lock xchg[32], lock cmpxchg[32]
//   name:                    label
// Numbers are decimal or `0x` hex. As in the bpf_conformance assembler, a hex literal may give a field's bits
// (`0xffffffff` for an imm of -1, `0xffff` for an offset of -1); decimal must fit the signed range. A jump to the
// undefined label `exit` goes to the first `exit` instruction. Comments start with `#`, `//` or `;`.
import type { AccessSize, AluOp, AtomicOp, Instruction, JumpOp, Width } from '../isa/index.ts';
import { cursorFor, Cursor, type Token } from './lexer.ts';
import {
  INT16_MAX,
  INT16_MIN,
  INT32_MAX,
  INT32_MIN,
  INT64_MIN,
  UINT16_MAX,
  UINT32_MAX,
  UINT64_MAX,
  checkInteger,
  oneOf,
  readInteger,
  toInt16,
  toInt32,
  type IntegerRule,
} from './numbers.ts';
import { ProgramBuilder } from './program-builder.ts';
import type { AssembleOptions } from './assemble.ts';

/**
 * Assemble uBPF / bpf_conformance assembly into instructions. Throws an `AsmSyntaxError` (a SyntaxError) naming
 * the line and column of the first problem.
 *
 * @example
 * assembleUbpf('mov32 %r0, 1\njeq %r1, 5, done\nadd %r0, %r1\ndone:\nexit')
 */
export function assembleUbpf(text: string, options: AssembleOptions = {}): Instruction[] {
  const b = new ProgramBuilder();
  const first = options.firstLine ?? 1;
  text.split('\n').forEach((source, i) => {
    const c = cursorFor(source, first + i);
    if (c === undefined) return;
    while (c.peek()?.kind === 'word' && c.is(':', 1)) {
      const t = c.next()!;
      c.next();
      b.define(t.text, { line: c.line, column: t.column });
    }
    if (!c.atEnd()) statement(c, b);
  });
  return b.finish({ implicitExit: true });
}

const IMM32: IntegerRule = { what: 'immediate', min: INT32_MIN, max: INT32_MAX, hexMax: UINT32_MAX };
const IMM64: IntegerRule = { what: '64-bit immediate', min: INT64_MIN, max: UINT64_MAX };
const OFF16: IntegerRule = { what: 'offset', min: INT16_MIN, max: INT16_MAX, hexMax: UINT16_MAX };
const SIZES: Readonly<Record<string, AccessSize>> = { b: 1, h: 2, w: 4, dw: 8 };

interface Context {
  readonly b: ProgramBuilder;
  readonly mnemonic: Token;
  /** one cursor per comma-separated operand */
  readonly ops: readonly Cursor[];
}

interface Form {
  readonly count: number;
  /** e.g. `%rD, [%rS+off]`, for operand count errors */
  readonly usage: string;
  readonly build: (ctx: Context) => void;
}

const ALU = /^(add|sub|mul|div|sdiv|or|and|lsh|rsh|mod|smod|xor|mov|arsh)(32|64)?$/;
const JUMP = /^j(eq|gt|ge|set|ne|sgt|sge|lt|le|slt|sle)(32)?$/;
const ATOMIC = /^(add|or|and|xor|xchg|cmpxchg)(32|64)?$/;

/** The form of `mnemonic`, or undefined when there is no such mnemonic. */
function formOf(mnemonic: string): Form | undefined {
  let m: RegExpExecArray | null;
  if ((m = ALU.exec(mnemonic)) !== null) {
    const op = m[1] as AluOp;
    const width: Width = m[2] === '32' ? 32 : 64;
    return {
      count: 2, usage: '%rD, %rS or %rD, imm',
      build: ({ b, ops: [d, s] }) => {
        const dst = register(d!);
        if (isRegister(s!)) b.add({ kind: 'alu', width, op, source: 'reg', dst, src: register(s!), imm: 0 });
        else b.add({ kind: 'alu', width, op, source: 'imm', dst, src: 0, imm: imm32(s!) });
      },
    };
  }
  if ((m = /^neg(32|64)?$/.exec(mnemonic)) !== null) {
    const width: Width = m[1] === '32' ? 32 : 64;
    return {
      count: 1,
      usage: '%rD',
      build: ({ b, ops: [d] }) => b.add({ kind: 'alu', width, op: 'neg', source: 'imm', dst: register(d!), src: 0, imm: 0 }),
    };
  }
  if ((m = /^movsx(8|16|32)(32|64)$/.exec(mnemonic)) !== null && mnemonic !== 'movsx3232') {
    const op = `movsx${m[1]}` as AluOp;
    const width: Width = m[2] === '32' ? 32 : 64;
    return {
      count: 2,
      usage: '%rD, %rS',
      build: ({ b, ops: [d, s] }) => {
        const dst = register(d!);
        b.add({ kind: 'alu', width, op, source: 'reg', dst, src: register(s!), imm: 0 });
      },
    };
  }
  if ((m = /^(le|be|swap|bswap)(16|32|64)$/.exec(mnemonic)) !== null) {
    const order = m[1] === 'le' || m[1] === 'be' ? m[1] : 'swap';
    const bits = Number(m[2]) as 16 | 32 | 64;
    return { count: 1, usage: '%rD', build: ({ b, ops: [d] }) => b.add({ kind: 'endian', order, bits, dst: register(d!) }) };
  }
  if ((m = /^ldx(s?)(b|h|w|dw)$/.exec(mnemonic)) !== null && mnemonic !== 'ldxsdw') {
    const signed = m[1] === 's';
    const size = SIZES[m[2]!]!;
    return {
      count: 2,
      usage: '%rD, [%rS+off]',
      build: ({ b, ops: [d, s] }) => {
        const dst = register(d!);
        const { base, off } = memory(s!);
        b.add({ kind: 'ldx', size, signed, dst, src: base, off });
      },
    };
  }
  if ((m = /^st(x?)(b|h|w|dw)$/.exec(mnemonic)) !== null) {
    const size = SIZES[m[2]!]!;
    if (m[1] === 'x') {
      return {
        count: 2,
        usage: '[%rD+off], %rS',
        build: ({ b, ops: [d, s] }) => {
          const { base, off } = memory(d!);
          b.add({ kind: 'stx', size, dst: base, src: register(s!), off });
        },
      };
    }
    return {
      count: 2,
      usage: '[%rD+off], imm',
      build: ({ b, ops: [d, s] }) => {
        const { base, off } = memory(d!);
        b.add({ kind: 'st', size, dst: base, off, imm: imm32(s!) });
      },
    };
  }
  if (mnemonic === 'lddw') {
    return {
      count: 2,
      usage: '%rD, imm64',
      build: ({ b, ops: [d, s] }) => {
        const dst = register(d!);
        const { value } = readInteger(s!, IMM64);
        s!.expectEnd();
        b.add({ kind: 'lddw', dst, pseudo: 'none', value: BigInt.asUintN(64, value) });
      },
    };
  }
  if ((m = /^ld(abs|ind)(b|h|w)$/.exec(mnemonic)) !== null) {
    const size = SIZES[m[2]!] as 1 | 2 | 4;
    if (m[1] === 'abs') {
      return { count: 1, usage: 'imm', build: ({ b, ops: [i] }) => b.add({ kind: 'ld_abs', size, imm: imm32(i!) }) };
    }
    return {
      count: 2,
      usage: '%rS, imm',
      build: ({ b, ops: [s, i] }) => b.add({ kind: 'ld_ind', size, src: register(s!), imm: imm32(i!) }),
    };
  }
  if (mnemonic === 'ja' || mnemonic === 'ja32') {
    const long = mnemonic === 'ja32';
    return {
      count: 1,
      usage: '+off or label',
      build: ({ b, ops: [t] }) => jump(b, t!, long, (off) => ({ kind: 'ja', long, off })),
    };
  }
  if ((m = JUMP.exec(mnemonic)) !== null) {
    const op = `j${m[1]}` as JumpOp;
    const width: Width = m[2] === '32' ? 32 : 64;
    return {
      count: 3,
      usage: '%rD, %rS or imm, +off or label',
      build: ({ b, ops: [d, s, t] }) => {
        const dst = register(d!);
        if (isRegister(s!)) {
          const src = register(s!);
          jump(b, t!, false, (off) => ({ kind: 'jump', width, op, source: 'reg', dst, src, imm: 0, off }));
        } else {
          const imm = imm32(s!);
          jump(b, t!, false, (off) => ({ kind: 'jump', width, op, source: 'imm', dst, src: 0, imm, off }));
        }
      },
    };
  }
  if (mnemonic === 'call') return { count: 1, usage: 'imm, local label, runtime imm or %rN', build: call };
  if (mnemonic === 'exit') return { count: 0, usage: '', build: ({ b }) => b.add({ kind: 'exit' }) };
  return undefined;
}

function statement(c: Cursor, b: ProgramBuilder): void {
  const mnemonic = c.next()!;
  if (mnemonic.kind !== 'word') c.fail('a mnemonic', mnemonic);
  const name = mnemonic.text.toLowerCase();
  if (name === 'lock') return lock(c, b, mnemonic);
  const form = formOf(name);
  if (form === undefined) throw c.error(`unknown mnemonic '${mnemonic.text}'`, mnemonic);
  run(c, b, mnemonic, mnemonic.text, form);
}

/** Split the rest of the line into operands, check their count, and build. */
function run(c: Cursor, b: ProgramBuilder, mnemonic: Token, name: string, form: Form): void {
  const ops = operands(c);
  const expected = form.count;
  if (ops.length !== expected) {
    const usage = expected === 0 ? 'no operands' : `${expected} operand${expected === 1 ? '' : 's'} (${name} ${form.usage})`;
    throw c.error(`${name} takes ${usage}, found ${ops.length}`, ops[expected]?.peek() ?? mnemonic);
  }
  form.build({ b, mnemonic, ops });
}

/** The remaining tokens as comma-separated operand cursors (none when the line ends). */
function operands(c: Cursor): Cursor[] {
  const out: Cursor[] = [];
  if (c.atEnd()) return out;
  let group: Token[] = [];
  const close = (end: number, at: Token | undefined): void => {
    if (group.length === 0) c.fail('an operand', at);
    out.push(new Cursor(group, c.line, end));
    group = [];
  };
  for (let t = c.next(); t !== undefined; t = c.next()) {
    if (t.kind === 'punct' && t.text === ',') close(t.column, t);
    else group.push(t);
  }
  close(c.endColumn, undefined);
  return out;
}

const REGISTER = /^%r(\d+)$/i;

const isRegister = (op: Cursor): boolean => op.peek()?.kind === 'word' && op.peek()!.text.startsWith('%');

/** `%r0`..`%r10`, as the whole operand. */
function register(op: Cursor): number {
  const t = op.peek();
  const m = t?.kind === 'word' ? REGISTER.exec(t.text) : null;
  if (m === null || Number(m[1]) > 10 || /^0\d/.test(m[1]!)) op.fail('a register (%r0..%r10)');
  op.next();
  op.expectEnd();
  return Number(m[1]);
}

function imm32(op: Cursor): number {
  const { value } = readInteger(op, IMM32);
  op.expectEnd();
  return toInt32(value);
}

/** `[%r1]`, `[%r1+4]`, `[%r10-8]` */
function memory(op: Cursor): { base: number; off: number } {
  if (!op.is('[')) op.fail('a memory operand such as [%r1+8]');
  op.next();
  const t = op.peek();
  const m = t?.kind === 'word' ? REGISTER.exec(t.text) : null;
  if (m === null || Number(m[1]) > 10) op.fail('a register (%r0..%r10)');
  op.next();
  let off = 0;
  if (op.is('+') || op.is('-')) {
    const sign = op.next()!;
    const n = op.peek();
    if (n?.kind !== 'number') op.fail('an offset');
    op.next();
    off = toInt16(checkInteger(op, n, sign.text === '-', OFF16, sign));
  }
  op.expect(']', "']'");
  op.expectEnd();
  return { base: Number(m[1]), off };
}

/** A jump target: `+2`, `-1`, `2` (slots after the next instruction) or a label. */
function jump(b: ProgramBuilder, op: Cursor, long: boolean, make: (off: number) => Instruction): void {
  const t = op.peek();
  if (t?.kind === 'word') {
    op.next();
    op.expectEnd();
    b.addWithLabel(make(0), t.text, { line: op.line, column: t.column });
    return;
  }
  const rule: IntegerRule = long
    ? { ...IMM32, what: 'jump offset', expected: 'a jump offset or label', max: INT32_MAX, hexMax: INT32_MAX }
    : { ...OFF16, what: 'jump offset', expected: 'a jump offset or label', hexMax: INT16_MAX };
  const { value } = readInteger(op, rule);
  op.expectEnd();
  b.add(make(Number(value)));
}

function call({ b, ops: [op] }: Context): void {
  const c = op!;
  if (isRegister(c)) {
    b.add({ kind: 'callx', dst: register(c) });
    return;
  }
  // `call name` alone is a local call too: helpers are numbers
  const mode = c.peek()?.kind !== 'word' ? 'helper' : c.peek(1) === undefined ? 'local' : c.next()!.text.toLowerCase();
  switch (mode) {
    case 'helper':
      b.add({ kind: 'call', target: 'helper', imm: imm32(c), off: 0 });
      return;
    case 'runtime':
      b.add({ kind: 'call', target: 'kfunc', imm: imm32(c), off: 0 });
      return;
    case 'local':
      jump(b, c, true, (imm) => ({ kind: 'call', target: 'local', imm, off: 0 }));
      return;
    default:
      throw c.error(`expected a call mode (helper, local or runtime), found '${c.tokens[0]!.text}'`, c.tokens[0]);
  }
}

const ATOMIC_USAGE = '[%rD+off], %rS';

/** `lock [fetch] op[32] [%rD+off], %rS` */
function lock(c: Cursor, b: ProgramBuilder, mnemonic: Token): void {
  const fetch = c.accept('fetch');
  const opTok = c.peek();
  const m = opTok?.kind === 'word' ? ATOMIC.exec(opTok.text.toLowerCase()) : null;
  if (m === null) c.fail(`an atomic operation (${oneOf(['add', 'or', 'and', 'xor', 'xchg', 'cmpxchg'])})`);
  c.next();
  const op = m[1] as AtomicOp;
  const size = m[2] === '32' ? 4 : 8;
  const name = `${mnemonic.text} ${fetch ? 'fetch ' : ''}${opTok!.text}`;
  run(c, b, mnemonic, name, {
    count: 2,
    usage: ATOMIC_USAGE,
    build: ({ ops: [d, s] }) => {
      const { base, off } = memory(d!);
      const src = register(s!);
      const always = op === 'xchg' || op === 'cmpxchg';
      b.add({ kind: 'atomic', size, op, fetch: fetch || always, dst: base, src, off });
    },
  });
}

