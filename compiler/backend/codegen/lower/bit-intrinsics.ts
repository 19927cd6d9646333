// llvm.bswap (the `be16/32/64` endian instructions on a little-endian target), llvm.abs, llvm.fshl/fshr with
// a constant shift (rotates), llvm.ctpop (the classic SWAR population count).
import type { Instruction as IrInstruction } from '../../ir/index.ts';
import type { Reg } from '../mir.ts';
import type { Form } from './form.ts';
import type { Lowering } from './lowering.ts';

type CallInst = Extract<IrInstruction, { op: 'call' }>;

export function bitIntrinsic(L: Lowering, i: CallInst, name: string): boolean {
  const args = i.args.map((a) => L.typed(a));
  const bits = i.args[0] !== undefined ? L.bits(i.args[0].type) : 64;
  const width: 32 | 64 = bits > 32 ? 64 : 32;
  const copy = (f: Form): Reg => {
    const d = L.vreg();
    L.into(d, f);
    return d;
  };
  if (name.startsWith('llvm.bswap.')) {
    if (bits !== 16 && bits !== 32 && bits !== 64) L.fail(`${name} of ${bits} bits`);
    const d = copy(args[0]!);
    L.emit({ kind: 'endian', order: 'be', bits: bits as 16 | 32 | 64, dst: d });
    L.define(i.result, { k: 'reg', reg: d, clean: true });
    return true;
  }
  if (name.startsWith('llvm.abs.')) {
    const d = bits < 32 ? L.sext(args[0]!, bits, 32) : copy(args[0]!);
    const neg = L.newBlock();
    const join = L.newBlock();
    L.emit({ kind: 'jcc', width, op: 'jsge', a: d, b: { imm: 0 }, target: join.id });
    L.emit({ kind: 'ja', target: neg.id });
    L.cur = neg;
    L.emit({ kind: 'alu', width, op: 'neg', dst: d, src: { imm: 0 } });
    L.emit({ kind: 'ja', target: join.id });
    L.cur = join;
    L.define(i.result, { k: 'reg', reg: d, clean: bits >= 32 });
    return true;
  }
  if (name.startsWith('llvm.fshl.') || name.startsWith('llvm.fshr.')) {
    const amount = args[2]!;
    if (amount.k !== 'imm') {
      L.define(i.result, funnelShift(L, name.startsWith('llvm.fshl.'), args[0]!, args[1]!, amount, bits));
      return true;
    }
    let c = Number(BigInt.asUintN(32, amount.value)) % bits;
    if (name.startsWith('llvm.fshr.')) c = (bits - c) % bits;
    if (c === 0) {
      L.define(i.result, args[name.startsWith('llvm.fshl.') ? 0 : 1]!);
      return true;
    }
    // fshl(a, b, c) = (a << c) | (b >> (bits - c))
    const hi = copy(args[0]!);
    L.emit({ kind: 'alu', width, op: 'lsh', dst: hi, src: { imm: c } });
    const lo = copy({ k: 'reg', reg: L.zext(args[1]!, bits), clean: true });
    L.emit({ kind: 'alu', width, op: 'rsh', dst: lo, src: { imm: bits - c } });
    L.emit({ kind: 'alu', width, op: 'or', dst: hi, src: { reg: lo } });
    L.define(i.result, { k: 'reg', reg: hi, clean: bits >= 32 });
    return true;
  }
  if (name.startsWith('llvm.ctpop.')) {
    const x = L.zext(args[0]!, bits);
    L.define(i.result, { k: 'reg', reg: popcount(L, x, width), clean: true });
    return true;
  }
  return false;
}

function popcount(L: Lowering, src: Reg, width: 32 | 64): Reg {
  const k = (byte: bigint): bigint => {
    let v = 0n;
    for (let n = 0; n < width / 8; n++) v = (v << 8n) | byte;
    return v;
  };
  const imm = (v: bigint): { reg: Reg } | { imm: number } => (width === 32 ? { imm: Number(BigInt.asIntN(32, v)) } : { reg: L.reg({ k: 'imm', value: v }) });
  const alu = (op: 'add' | 'sub' | 'and' | 'rsh' | 'mul' | 'mov', dst: Reg, s: { reg: Reg } | { imm: number }): void =>
    L.emit({ kind: 'alu', width, op, dst, src: s });
  const x = L.vreg();
  alu('mov', x, { reg: src });
  const t = L.vreg();
  // x -= (x >> 1) & 0x55..
  alu('mov', t, { reg: x });
  alu('rsh', t, { imm: 1 });
  alu('and', t, imm(k(0x55n)));
  alu('sub', x, { reg: t });
  // x = (x & 0x33..) + ((x >> 2) & 0x33..)
  const u = L.vreg();
  alu('mov', u, { reg: x });
  alu('rsh', u, { imm: 2 });
  alu('and', u, imm(k(0x33n)));
  alu('and', x, imm(k(0x33n)));
  alu('add', x, { reg: u });
  // x = (x + (x >> 4)) & 0x0f..
  const v = L.vreg();
  alu('mov', v, { reg: x });
  alu('rsh', v, { imm: 4 });
  alu('add', x, { reg: v });
  alu('and', x, imm(k(0x0fn)));
  // x = (x * 0x01..) >> (width - 8)
  alu('mul', x, imm(k(0x01n)));
  alu('rsh', x, { imm: width - 8 });
  return x;
}

/**
 * A funnel shift by a variable amount s = c mod bits, without ever shifting by `bits` (which BPF masks):
 *   fshl(a, b, c) = (a << s) | ((b >> 1) >> (bits - 1 - s))
 *   fshr(a, b, c) = (b >> s) | ((a << 1) << (bits - 1 - s))
 */
function funnelShift(L: Lowering, left: boolean, a: Form, b: Form, c: Form, bits: number): Form {
  if ((bits & (bits - 1)) !== 0) L.fail(`a funnel shift of ${bits} bits`);
  const width: 32 | 64 = bits > 32 ? 64 : 32;
  const s = L.vreg();
  L.into(s, c);
  L.emit({ kind: 'alu', width, op: 'and', dst: s, src: { imm: bits - 1 } });
  const inv = L.vreg();
  L.into(inv, { k: 'reg', reg: s, clean: true });
  L.emit({ kind: 'alu', width, op: 'xor', dst: inv, src: { imm: bits - 1 } });
  const direct = L.vreg();
  const spill = L.vreg();
  if (left) {
    L.into(direct, a);
    L.emit({ kind: 'alu', width, op: 'lsh', dst: direct, src: { reg: s } });
    L.into(spill, { k: 'reg', reg: L.zext(b, bits), clean: true });
    L.emit({ kind: 'alu', width, op: 'rsh', dst: spill, src: { imm: 1 } });
    L.emit({ kind: 'alu', width, op: 'rsh', dst: spill, src: { reg: inv } });
  } else {
    L.into(direct, { k: 'reg', reg: L.zext(b, bits), clean: true });
    L.emit({ kind: 'alu', width, op: 'rsh', dst: direct, src: { reg: s } });
    L.into(spill, a);
    L.emit({ kind: 'alu', width, op: 'lsh', dst: spill, src: { imm: 1 } });
    L.emit({ kind: 'alu', width, op: 'lsh', dst: spill, src: { reg: inv } });
  }
  L.emit({ kind: 'alu', width, op: 'or', dst: direct, src: { reg: spill } });
  return { k: 'reg', reg: direct, clean: bits >= 32 };
}
