// Calls: helpers (`call ptr inttoptr (i64 N to ptr)(...)`), BPF-to-BPF calls to defined functions, and the
// intrinsics (memory, bswap, min/max, abs, funnel shifts, ctpop; lifetime/assume/dbg ignored).
// Arguments go in r1..r5 and the result comes back in r0; the call clobbers r0..r5.
import type { Instruction as IrInstruction } from '../../ir/index.ts';
import type { Form } from './form.ts';
import type { Lowering } from './lowering.ts';
import { minMax } from './arithmetic.ts';
import { memoryIntrinsic } from './mem-intrinsics.ts';
import { bitIntrinsic } from './bit-intrinsics.ts';
import { coreIntrinsic } from './core.ts';

type CallInst = Extract<IrInstruction, { op: 'call' }>;

const IGNORED = ['llvm.lifetime.', 'llvm.assume', 'llvm.dbg.', 'llvm.experimental.noalias.scope.decl'];

export function lowerCall(L: Lowering, i: CallInst): void {
  const callee = i.callee;
  if (callee.kind === 'constexpr' && callee.expr.op === 'inttoptr') {
    const id = L.typed(callee.expr.value);
    if (id.k !== 'imm') L.fail('an indirect call');
    return emitCall(L, i, { target: 'helper', imm: Number(id.value) });
  }
  if (callee.kind !== 'global') return L.fail('an indirect call');
  const name = callee.name;
  if (name.startsWith('llvm.')) return intrinsic(L, i, name);
  const fn = L.mod.functions.find((f) => f.name === name);
  if (fn === undefined || !fn.defined) return L.fail(`a call to undefined function @${name}`);
  emitCall(L, i, { target: 'local', imm: -1, ref: { kind: 'call', function: name } });
}

function emitCall(L: Lowering, i: CallInst, how: { target: 'helper' | 'local'; imm: number; ref?: { kind: 'call'; function: string } }): void {
  if (i.args.length > 5) L.fail(`a call with ${i.args.length} arguments (BPF passes at most 5)`);
  // values already in registers move first; the rest (constants, addresses, globals) are materialised
  // straight into their argument register, so nothing has to stay live in r1..r5 while they are built
  const forms = i.args.map((a) => L.sized(L.typed(a), a.type.kind === 'int' ? a.type.bits : 64));
  forms.forEach((f, n) => {
    if (f.k === 'reg') L.into(n + 1, f);
  });
  forms.forEach((f, n) => {
    if (f.k !== 'reg') L.into(n + 1, f);
  });
  L.emit({ kind: 'call', target: how.target, imm: how.imm, args: i.args.length, ...(how.ref !== undefined ? { ref: how.ref } : {}) });
  L.forgetGlobals();
  if (i.result !== undefined) {
    const d = L.vreg();
    L.into(d, { k: 'reg', reg: 0, clean: true });
    const bits = i.type.kind === 'int' ? i.type.bits : 64;
    L.define(i.result, { k: 'reg', reg: d, clean: bits >= 64 });
  }
}

function intrinsic(L: Lowering, i: CallInst, name: string): void {
  if (IGNORED.some((p) => name.startsWith(p))) return;
  const arg = (n: number): Form => {
    const a = i.args[n];
    if (a === undefined) return L.fail(`${name} without argument ${n}`);
    return L.typed(a);
  };
  const bits = (): number => L.bits(i.args[0]!.type);
  if (name.startsWith('llvm.expect.') || name.startsWith('llvm.bpf.passthrough.')) {
    return L.define(i.result, arg(name.startsWith('llvm.expect.') ? 0 : 1));
  }
  for (const w of ['umin', 'umax', 'smin', 'smax'] as const) {
    if (name.startsWith(`llvm.${w}.`)) return L.define(i.result, minMax(L, w, arg(0), arg(1), bits()));
  }
  const legacy = /^llvm\.bpf\.load\.(byte|half|word)$/.exec(name);
  if (legacy !== null) {
    // r0 = ntoh(*(size *)(skb->data + off)), with the skb in r6
    const size = legacy[1] === 'byte' ? 1 : legacy[1] === 'half' ? 2 : 4;
    const off = arg(1);
    L.into(6, arg(0));
    if (off.k === 'imm' && off.value >= 0n && off.value < 2n ** 31n) L.emit({ kind: 'ld_abs', size, imm: Number(off.value) });
    else L.emit({ kind: 'ld_ind', size, src: L.reg(off), imm: 0 });
    L.forgetGlobals();
    const d = L.vreg();
    L.into(d, { k: 'reg', reg: 0, clean: true });
    L.define(i.result, { k: 'reg', reg: d, clean: true });
    return;
  }
  const sat = /^llvm\.u(add|sub)\.sat\./.exec(name);
  if (sat !== null) return L.define(i.result, saturating(L, sat[1] as 'add' | 'sub', arg(0), arg(1), bits()));
  if (memoryIntrinsic(L, i, name)) return;
  if (bitIntrinsic(L, i, name)) return;
  if (coreIntrinsic(L, i, name)) return;
  L.fail(`intrinsic ${name}`);
}

/** usub.sat(a, b) = umax(a, b) - b; uadd.sat(a, b) = umin(a, ~b) + b (a + b overflows exactly when a > ~b). */
function saturating(L: Lowering, op: 'add' | 'sub', a: Form, b: Form, bits: number): Form {
  const width: 32 | 64 = bits > 32 ? 64 : 32;
  const mask = bits >= 64 ? -1n : (1n << BigInt(bits)) - 1n;
  let other: Form = b;
  if (op === 'add') {
    if (b.k === 'imm') other = { k: 'imm', value: BigInt.asUintN(bits, ~b.value) };
    else {
      const nb = L.vreg();
      L.into(nb, b);
      L.emit({ kind: 'alu', width, op: 'xor', dst: nb, src: L.operand({ k: 'imm', value: mask }, width) });
      other = { k: 'reg', reg: nb, clean: false };
    }
  }
  const m = minMax(L, op === 'add' ? 'umin' : 'umax', a, other, bits);
  const d = L.vreg();
  L.into(d, m);
  L.emit({ kind: 'alu', width, op, dst: d, src: L.operand(b, width) });
  return { k: 'reg', reg: d, clean: bits >= 32 };
}
