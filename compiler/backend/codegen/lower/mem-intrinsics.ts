// llvm.memcpy / llvm.memmove / llvm.memset of a constant size, unrolled into the widest accesses the known
// alignment allows (stack offsets are known exactly; elsewhere the `align` attributes decide).
import type { AccessSize } from '../../../../bpf/index.ts';
import type { CallArgument, Instruction as IrInstruction } from '../../ir/index.ts';
import { FP, type Reg } from '../mir.ts';
import type { Lowering } from './lowering.ts';
import { store } from './memory.ts';

type CallInst = Extract<IrInstruction, { op: 'call' }>;

/** Largest access at `(base, off + at)`: exact for the stack, else what the declared alignment allows. */
function alignAt(base: Reg, off: number, declared: number, at: number): number {
  return base === FP ? gcdAlign(8, off + at) : gcdAlign(declared, at);
}

function gcdAlign(a: number, off: number): number {
  let al = Math.min(8, Math.max(1, a));
  while (al > 1 && off % al !== 0) al /= 2;
  return al;
}

function declaredAlign(a: CallArgument): number {
  const attr = a.attrs.find((x) => x.startsWith('align'));
  const m = attr !== undefined ? /align\s*\(?\s*(\d+)/.exec(attr) : null;
  return m !== null ? Number(m[1]) : 1;
}

function widest(remaining: number, ...aligns: number[]): AccessSize {
  for (const w of [8, 4, 2, 1] as const) if (w <= remaining && aligns.every((a) => a >= w)) return w;
  return 1;
}

export function memoryIntrinsic(L: Lowering, i: CallInst, name: string): boolean {
  const isCopy = name.startsWith('llvm.memcpy.') || name.startsWith('llvm.memmove.');
  const isSet = name.startsWith('llvm.memset.');
  if (!isCopy && !isSet) return false;
  const [dArg, sArg, nArg] = i.args;
  if (dArg === undefined || sArg === undefined || nArg === undefined) return L.fail(`${name} with too few arguments`);
  const n = L.typed(nArg);
  if (n.k !== 'imm') return L.fail(`${name} of a variable size`);
  const size = Number(n.value);
  const dst = L.address(L.typed(dArg));
  const dAlign = declaredAlign(dArg);
  if (isCopy) {
    const src = L.address(L.typed(sArg));
    const sAlign = declaredAlign(sArg);
    // memmove: load everything before storing when the chunks are few, so overlapping copies stay correct
    const chunks: { off: number; w: AccessSize }[] = [];
    for (let done = 0; done < size; ) {
      const w = widest(size - done, alignAt(dst.base, dst.off, dAlign, done), alignAt(src.base, src.off, sAlign, done));
      chunks.push({ off: done, w });
      done += w;
    }
    const batch = name.startsWith('llvm.memmove.') ? chunks.length : 1;
    for (let c = 0; c < chunks.length; c += batch) {
      const group = chunks.slice(c, c + batch);
      const regs = group.map((g) => {
        const t = L.vreg();
        L.emit({ kind: 'ldx', size: g.w, dst: t, base: src.base, off: src.off + g.off });
        return t;
      });
      group.forEach((g, k) => L.emit({ kind: 'stx', size: g.w, base: dst.base, off: dst.off + g.off, src: regs[k]! }));
    }
    return true;
  }
  const v = L.typed(sArg);
  if (v.k !== 'imm') return L.fail(`${name} with a variable byte`);
  const byte = BigInt.asUintN(8, v.value);
  let pattern = 0n;
  for (let k = 0; k < 8; k++) pattern = (pattern << 8n) | byte;
  let wideReg: Reg | undefined;
  for (let done = 0; done < size; ) {
    const w = widest(size - done, alignAt(dst.base, dst.off, dAlign, done));
    const value = BigInt.asUintN(w * 8, pattern);
    if (dst.base === FP && (byte === 0n || byte === 0xffn || w < 8)) {
      store(L, dst.base, dst.off + done, w, { k: 'imm', value });
    } else {
      wideReg ??= L.reg({ k: 'imm', value: pattern });
      L.emit({ kind: 'stx', size: w, base: dst.base, off: dst.off + done, src: wideReg });
    }
    done += w;
  }
  return true;
}
