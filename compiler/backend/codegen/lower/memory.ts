// alloca, getelementptr, load and store. Constant offsets stay symbolic (`addr`/`global` forms) and fold into
// the access, so a context field is read as `ldx [r1 + off]` and packet accesses keep the checked base register.
import { BTF_CORE_RELO_KINDS } from '../../../../bpf/index.ts';
import type { Instruction as IrInstruction } from '../../ir/index.ts';
import { FP, type Reg } from '../mir.ts';
import type { AccessSize } from '../../../../bpf/index.ts';
import { fitsImm32, type Form } from './form.ts';
import { gepOffset } from './gep.ts';
import type { IrInst } from './ir-inst.ts';
import type { Lowering } from './lowering.ts';

type Of<K extends string> = IrInst<K>;

export function lowerAlloca(L: Lowering, i: Of<'alloca'>): void {
  if (i.count !== undefined && L.typed(i.count).k !== 'imm') L.fail('a variable-size alloca');
  const off = L.frame.offsets.get(i.result!);
  if (off === undefined) return L.fail('an alloca outside the frame layout');
  L.define(i.result, { k: 'addr', base: FP, off });
}

export function lowerGep(L: Lowering, i: Of<'getelementptr'>): void {
  const base = L.typed(i.base);
  const { constant, variable } = gepOffset(L, i.sourceType, i.indices);
  if (variable.length === 0) return L.define(i.result, offsetForm(L, base, constant));
  const d = L.vreg();
  L.into(d, base);
  for (const term of variable) {
    let idx: Reg;
    if (term.bits < 64) idx = L.sext(term.index, term.bits, 64);
    else idx = L.reg(term.index);
    if (term.scale !== 1) {
      const t = L.vreg();
      L.into(t, { k: 'reg', reg: idx, clean: true });
      const log = Math.log2(term.scale);
      if (Number.isInteger(log)) L.emit({ kind: 'alu', width: 64, op: 'lsh', dst: t, src: { imm: log } });
      else L.emit({ kind: 'alu', width: 64, op: 'mul', dst: t, src: { imm: term.scale } });
      idx = t;
    }
    L.emit({ kind: 'alu', width: 64, op: 'add', dst: d, src: { reg: idx } });
  }
  L.define(i.result, { k: 'addr', base: d, off: constant });
}

/** `base + off` without materialising it. */
export function offsetForm(L: Lowering, base: Form, off: number): Form {
  if (off === 0) return base;
  switch (base.k) {
    case 'addr':
      return { k: 'addr', base: base.base, off: base.off + off };
    case 'global':
      return { k: 'global', name: base.name, off: base.off + off };
    case 'imm':
      return { k: 'imm', value: base.value + BigInt(off) };
    default:
      return { k: 'addr', base: L.reg(base), off };
  }
}

export function lowerLoad(L: Lowering, i: Of<'load'>): void {
  const p = L.typed(i.pointer);
  if (p.k === 'global' && p.off === 0) {
    const core = coreGlobal(L, p.name);
    if (core !== undefined) return L.define(i.result, { k: 'reg', reg: L.reg(core), clean: true });
  }
  const bits = L.bits(i.type);
  const size = accessSize(L, bits);
  const { base, off } = L.address(p);
  const d = L.vreg();
  if (base === FP && off % size !== 0) loadBytes(L, d, off, size);
  else L.emit({ kind: 'ldx', size, dst: d, base, off });
  L.define(i.result, { k: 'reg', reg: d, clean: true, ...(size === 4 && base === L.ctx ? { ptrish: true } : {}) });
}

export function lowerStore(L: Lowering, i: Of<'store'>): void {
  const v = L.typed(i.value);
  const bits = L.bits(i.value.type);
  const size = accessSize(L, bits);
  const { base, off } = L.address(L.typed(i.pointer));
  store(L, base, off, size, v);
}

export function store(L: Lowering, base: Reg, off: number, size: AccessSize, v: Form): void {
  if (base === FP && off % size !== 0) {
    const r = L.reg(v);
    for (let b = 0; b < size; b++) {
      const t = L.vreg();
      L.into(t, { k: 'reg', reg: r, clean: true });
      if (b > 0) L.emit({ kind: 'alu', width: 64, op: 'rsh', dst: t, src: { imm: 8 * b } });
      L.emit({ kind: 'stx', size: 1, base, off: off + b, src: t });
    }
    return;
  }
  if (v.k === 'imm' && base === FP) {
    const value = size === 8 ? BigInt.asIntN(64, v.value) : BigInt.asIntN(32, BigInt.asUintN(size * 8, v.value));
    if (fitsImm32(value)) {
      L.emit({ kind: 'st', size, base, off, imm: Number(value) });
      return;
    }
  }
  L.emit({ kind: 'stx', size, base, off, src: L.reg(v) });
}

function loadBytes(L: Lowering, d: Reg, off: number, size: AccessSize): void {
  L.emit({ kind: 'ldx', size: 1, dst: d, base: FP, off });
  for (let b = 1; b < size; b++) {
    const t = L.vreg();
    L.emit({ kind: 'ldx', size: 1, dst: t, base: FP, off: off + b });
    L.emit({ kind: 'alu', width: 64, op: 'lsh', dst: t, src: { imm: 8 * b } });
    L.emit({ kind: 'alu', width: 64, op: 'or', dst: d, src: { reg: t } });
  }
}

export function accessSize(L: Lowering, bits: number): AccessSize {
  if (bits <= 8) return 1;
  if (bits <= 16) return 2;
  if (bits <= 32) return 4;
  if (bits <= 64) return 8;
  return L.fail(`a ${bits}-bit memory access`);
}

/**
 * clang-19's own BPF IR passes leave CO-RE relocations as loads of `@"llvm.<type>:<kind>:<value>$<access>"`
 * globals carrying `!llvm.preserve.access.index`: the load is the relocated constant.
 */
function coreGlobal(L: Lowering, name: string): Form | undefined {
  if (!name.startsWith('llvm.')) return undefined;
  const g = L.mod.globals.find((x) => x.name === name);
  const md = g?.attachments['llvm.preserve.access.index'];
  if (g === undefined || md === undefined || md.kind !== 'ref') return undefined;
  const m = /^llvm\.(.*):(\d+):(\d+)\$(.*)$/.exec(name);
  if (m === null) return L.fail(`CO-RE global @${name}`);
  const kindNo = Number(m[2]);
  const kind = BTF_CORE_RELO_KINDS[kindNo];
  if (kind === undefined) return L.fail(`CO-RE relocation kind ${kindNo}`);
  const value = BigInt(m[3]!);
  const wide = kind === 'enumval_value' || kind === 'enumval_exists' || !fitsImm32(value);
  return { k: 'core', value, wide, reloc: { diType: md.id, accessString: m[4]!, kind } };
}
