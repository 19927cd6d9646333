// The state of lowering one IR function to machine IR: virtual registers, blocks, the form of each SSA value,
// and the primitives the per-concern lowerings share (materialising a form into a register, addresses,
// conditional branches).
import type { IrFunction, IrModule, IrType, Instruction as IrInstruction, TypedValue, Value } from '../../ir/index.ts';
import { CodegenError } from '../codegen-error.ts';
import type { GlobalPlacement } from '../contract.ts';
import { intBits } from '../ir-types.ts';
import { FP, type MBlock, type MFunction, type MInsn, type Operand, type Reg, FIRST_VREG } from '../mir.ts';
import { fitsImm32, type Form } from './form.ts';
import { constantExprForm } from './constants.ts';
import type { FrameLayout } from './frame-layout.ts';

type Pred = 'eq' | 'ne' | 'ugt' | 'uge' | 'ult' | 'ule' | 'sgt' | 'sge' | 'slt' | 'sle';
const JUMP: Record<Pred, 'jeq' | 'jne' | 'jgt' | 'jge' | 'jlt' | 'jle' | 'jsgt' | 'jsge' | 'jslt' | 'jsle'> = {
  eq: 'jeq', ne: 'jne', ugt: 'jgt', uge: 'jge', ult: 'jlt', ule: 'jle', sgt: 'jsgt', sge: 'jsge', slt: 'jslt', sle: 'jsle',
};
const SWAPPED: Record<Pred, Pred> = {
  eq: 'eq', ne: 'ne', ugt: 'ult', uge: 'ule', ult: 'ugt', ule: 'uge', sgt: 'slt', sge: 'sle', slt: 'sgt', sle: 'sge',
};
export const INVERTED: Record<Pred, Pred> = {
  eq: 'ne', ne: 'eq', ugt: 'ule', uge: 'ult', ult: 'uge', ule: 'ugt', sgt: 'sle', sge: 'slt', slt: 'sge', sle: 'sgt',
};

export class Lowering {
  readonly mod: IrModule;
  readonly fn: IrFunction;
  readonly placements: ReadonlyMap<string, GlobalPlacement>;
  readonly blocks: MBlock[] = [];
  readonly values = new Map<string, Form>();
  /** SSA name → the IR instruction defining it */
  readonly defs = new Map<string, IrInstruction>();
  /** SSA name → number of uses */
  readonly useCount = new Map<string, number>();
  frameSize = 0;
  /** the register holding a program's context argument (32-bit loads from it may be packet pointers) */
  ctx: Reg | undefined;
  frame: FrameLayout = { offsets: new Map(), size: 0 };
  cur!: MBlock;
  dbg: number | undefined;
  at: IrInstruction | undefined;
  #next = FIRST_VREG;
  readonly #globalCache = new Map<number, Map<string, Reg>>();

  constructor(mod: IrModule, fn: IrFunction, placements: ReadonlyMap<string, GlobalPlacement>) {
    this.mod = mod;
    this.fn = fn;
    this.placements = placements;
  }

  get nextVreg(): number {
    return this.#next;
  }

  result(): MFunction {
    return { name: this.fn.name, blocks: this.blocks, nextVreg: this.#next, frameSize: this.frameSize, params: this.fn.params.length };
  }

  fail(construct: string): never {
    const i = this.at;
    throw new CodegenError(construct, {
      mod: this.mod,
      fn: this.fn.name,
      ...(i !== undefined ? { pos: i.at } : { pos: this.fn.at }),
      ...(i?.dbg !== undefined ? { dbg: i.dbg } : {}),
    });
  }

  vreg(): Reg {
    return this.#next++;
  }

  newBlock(depth = this.cur?.depth ?? 0): MBlock {
    const b: MBlock = { id: this.blocks.length, insns: [], depth };
    this.blocks.push(b);
    return b;
  }

  emit(i: MInsn): void {
    if (this.dbg !== undefined) i.dbg = this.dbg;
    this.cur.insns.push(i);
  }

  bits(t: IrType): number {
    const b = intBits(this.mod, t);
    if (b === undefined || b > 64) this.fail(`values of type ${t.kind}`);
    return b;
  }

  define(name: string | undefined, form: Form): void {
    if (name !== undefined) this.values.set(name, form);
  }

  // ---- operands -------------------------------------------------------------------------------------------

  form(v: Value, type: IrType): Form {
    switch (v.kind) {
      case 'local': {
        const f = this.values.get(v.name);
        if (f === undefined) this.fail(`use of %${v.name} before its definition`);
        return f;
      }
      case 'int':
        return { k: 'imm', value: v.value };
      case 'null':
      case 'zeroinitializer':
      case 'undef':
      case 'poison':
        return { k: 'imm', value: 0n };
      case 'global': {
        if (this.placements.has(v.name)) return { k: 'global', name: v.name, off: 0 };
        if (this.mod.functions.some((f) => f.name === v.name)) return { k: 'func', name: v.name };
        return { k: 'global', name: v.name, off: 0 };
      }
      case 'constexpr':
        return constantExprForm(this, v.expr);
      default:
        return this.fail(`operand ${v.kind} of type ${type.kind}`);
    }
  }

  typed(tv: TypedValue): Form {
    return this.form(tv.value, tv.type);
  }

  /**
   * A constant of a `bits`-wide integer as clang materialises it: values of 32 bits or fewer by a 32-bit move
   * (sign-extended to 32 bits, then zero-extended), booleans as 0 or 1, wider ones as they are.
   */
  sized(f: Form, bits: number): Form {
    if (f.k !== 'imm' || bits > 32) return f;
    if (bits === 1) return { k: 'imm', value: f.value & 1n };
    return { k: 'imm', value: BigInt.asUintN(32, BigInt.asIntN(bits, f.value)) };
  }

  /** A register holding `f` (64-bit value; narrow values may carry garbage above their width unless `clean`). */
  reg(f: Form): Reg {
    if (f.k === 'reg') return f.reg;
    const r = this.vreg();
    this.into(r, f);
    return r;
  }

  /** Materialise `f` into register `dst`. */
  into(dst: Reg, f: Form): void {
    switch (f.k) {
      case 'reg':
        if (f.reg !== dst) this.emit({ kind: 'alu', width: 64, op: 'mov', dst, src: { reg: f.reg } });
        return;
      case 'imm': {
        const v = BigInt.asIntN(64, f.value);
        if (fitsImm32(v)) this.emit({ kind: 'alu', width: 64, op: 'mov', dst, src: { imm: Number(v) } });
        else if (v >= 0n && v < 2n ** 32n) this.emit({ kind: 'alu', width: 32, op: 'mov', dst, src: { imm: Number(BigInt.asIntN(32, v)) } });
        else this.emit({ kind: 'lddw', dst, value: BigInt.asUintN(64, v), pseudo: 'none' });
        return;
      }
      case 'addr':
        this.emit({ kind: 'alu', width: 64, op: 'mov', dst, src: { reg: f.base } });
        if (f.off !== 0) this.emit({ kind: 'alu', width: 64, op: 'add', dst, src: { imm: f.off } });
        return;
      case 'global':
        this.globalAddress(dst, f.name, f.off);
        return;
      case 'func':
        // as clang writes it (and readObject reads it): pseudo none; linking turns it into BPF_PSEUDO_FUNC
        this.emit({ kind: 'lddw', dst, value: 0n, pseudo: 'none', ref: { kind: 'func_addr', function: f.name } });
        return;
      case 'cmp':
      case 'logic': {
        // dst = 1; if (cond) goto join; dst = 0
        this.emit({ kind: 'alu', width: 64, op: 'mov', dst, src: { imm: 1 } });
        const start = this.cur;
        const zero = this.newBlock();
        const join = this.newBlock();
        this.branch(f, join.id, zero.id);
        this.cur = zero;
        this.emit({ kind: 'alu', width: 64, op: 'mov', dst, src: { imm: 0 } });
        this.emit({ kind: 'ja', target: join.id });
        this.joinAt(join, start);
        return;
      }
      case 'core':
        if (f.wide) this.emit({ kind: 'lddw', dst, value: BigInt.asUintN(64, f.value), pseudo: 'none', core: f.reloc });
        else this.emit({ kind: 'alu', width: 64, op: 'mov', dst, src: { imm: Number(BigInt.asIntN(32, f.value)) }, core: f.reloc });
        return;
      case 'coreaddr': {
        const t = this.vreg();
        this.emit({ kind: 'alu', width: 64, op: 'mov', dst: t, src: { imm: f.offset }, core: { diType: f.diType, accessString: f.access, kind: 'field_byte_offset' } });
        this.into(dst, f.base);
        this.emit({ kind: 'alu', width: 64, op: 'add', dst, src: { reg: t } });
        return;
      }
      case 'pair':
      case 'vec':
        return this.fail('an aggregate value');
    }
  }

  globalAddress(dst: Reg, name: string, off: number): void {
    const p = this.placements.get(name);
    if (p === undefined) this.fail(`global @${name} without a placement`);
    if (p.kind === 'map') {
      if (off !== 0) this.fail(`an offset into map @${name}`);
      this.emit({ kind: 'lddw', dst, value: 0n, pseudo: 'none', ref: { kind: 'map', map: p.map } });
    } else if (p.kind === 'data') {
      this.emit({ kind: 'lddw', dst, value: 0n, pseudo: 'none', ref: { kind: 'map_value', map: p.section, offset: p.offset + off } });
    } else {
      this.emit({ kind: 'lddw', dst, value: 0n, pseudo: 'none', ref: { kind: 'extern', name: p.name, type: p.type } });
      if (off !== 0) this.emit({ kind: 'alu', width: 64, op: 'add', dst, src: { imm: off } });
    }
  }

  /**
   * A register holding a data variable's address, shared by the accesses of one machine block until a call
   * (which would force it into a callee-saved register): clang keeps one `lddw` per block the same way.
   */
  globalBase(name: string): Reg {
    let cache = this.#globalCache.get(this.cur.id);
    if (cache === undefined) this.#globalCache.set(this.cur.id, (cache = new Map()));
    let r = cache.get(name);
    if (r === undefined) {
      r = this.vreg();
      this.globalAddress(r, name, 0);
      cache.set(name, r);
    }
    return r;
  }

  /**
   * A register holding a 64-bit constant that needs `lddw` (two instruction slots), shared like a global's
   * address: unrolled byte-parallel loops use the same masks many times in one block, and clang hoists them
   * the same way. Only for source operands (the register is never written again).
   */
  wideConstant(v: bigint): Reg {
    let cache = this.#globalCache.get(this.cur.id);
    if (cache === undefined) this.#globalCache.set(this.cur.id, (cache = new Map()));
    const key = `\u0000${BigInt.asUintN(64, v)}`;
    let r = cache.get(key);
    if (r === undefined) {
      r = this.vreg();
      this.emit({ kind: 'lddw', dst: r, value: BigInt.asUintN(64, v), pseudo: 'none' });
      cache.set(key, r);
    }
    return r;
  }

  /**
   * Make `join` the current block, keeping the global addresses cached in `from`: `join` is the end of a
   * diamond that `from` starts (a select or a materialised condition), so those registers still hold them.
   */
  joinAt(join: MBlock, from: MBlock): void {
    const cache = this.#globalCache.get(from.id);
    if (cache !== undefined) this.#globalCache.set(join.id, new Map(cache));
    this.cur = join;
  }

  /** Forget cached global addresses of the current block (after a call clobbers registers). */
  forgetGlobals(): void {
    this.#globalCache.delete(this.cur.id);
  }

  /** Whether the register of `f` holds it zero-extended from `bits`. */
  isClean(f: Form, bits: number): boolean {
    if (bits >= 64) return true;
    switch (f.k) {
      case 'reg':
        return f.clean;
      case 'imm':
        return BigInt.asUintN(bits, f.value) === f.value;
      case 'cmp':
      case 'logic':
        return true;
      default:
        return false;
    }
  }

  /** A register holding `f` zero-extended from `bits` (to 64 bits). */
  zext(f: Form, bits: number): Reg {
    if (f.k === 'imm') return this.reg({ k: 'imm', value: BigInt.asUintN(bits, f.value) });
    if (this.isClean(f, bits)) return this.reg(f);
    const r = this.vreg();
    if (bits === 32) {
      this.emit({ kind: 'alu', width: 32, op: 'mov', dst: r, src: { reg: this.reg(f) } });
    } else {
      this.into(r, f);
      this.emit({ kind: 'alu', width: bits < 32 ? 32 : 64, op: 'and', dst: r, src: { imm: Number((1n << BigInt(bits)) - 1n) } });
    }
    return r;
  }

  /** A register holding `f` sign-extended from `bits` to `to` (32 or 64) bits. */
  sext(f: Form, bits: number, to: 32 | 64): Reg {
    if (f.k === 'imm') return this.reg({ k: 'imm', value: BigInt.asIntN(bits, f.value) });
    const r = this.vreg();
    this.into(r, f);
    if (bits === 1) {
      this.emit({ kind: 'alu', width: to, op: 'neg', dst: r, src: { imm: 0 } });
      return r;
    }
    const shift = to - bits;
    this.emit({ kind: 'alu', width: to, op: 'lsh', dst: r, src: { imm: shift } });
    this.emit({ kind: 'alu', width: to, op: 'arsh', dst: r, src: { imm: shift } });
    return r;
  }

  /** An operand for a `width`-bit ALU op or compare: an immediate when it fits, else a register. */
  operand(f: Form, width: 32 | 64): Operand {
    if (f.k === 'imm') {
      const v = width === 32 ? BigInt.asIntN(32, f.value) : BigInt.asIntN(64, f.value);
      if (fitsImm32(v)) return { imm: Number(v) };
      if (width === 64 && !(v >= 0n && v < 2n ** 32n)) return { reg: this.wideConstant(v) };
    }
    return { reg: this.reg(f) };
  }

  /** Base register and offset for a memory access through pointer `f`. */
  address(f: Form): { base: Reg; off: number } {
    switch (f.k) {
      case 'addr':
        return { base: f.base, off: f.off };
      case 'global': {
        const p = this.placements.get(f.name);
        if (p?.kind === 'data') return { base: this.globalBase(f.name), off: f.off };
        return { base: this.reg(f), off: 0 };
      }
      default:
        return { base: this.reg(f), off: 0 };
    }
  }

  // ---- conditions -----------------------------------------------------------------------------------------

  /** Branch to `t` when the i1 `f` holds, else to `e`. Ends the current block. */
  branch(f: Form, t: number, e: number): void {
    if (f.k === 'imm') {
      this.emit({ kind: 'ja', target: (f.value & 1n) !== 0n ? t : e });
      return;
    }
    if (f.k === 'cmp') {
      this.compareJump(f.pred as Pred, f.a, f.b, f.bits, t);
      this.emit({ kind: 'ja', target: e });
      return;
    }
    if (f.k === 'logic') {
      const i = f.inst;
      const mid = (): number => this.newBlock().id;
      if (i.op === 'select') {
        const c = this.typed(i.condition);
        const a = this.typed(i.ifTrue);
        const b = this.typed(i.ifFalse);
        if (a.k === 'imm' && (a.value & 1n) === 1n) return this.#orBranch(c, b, t, e, mid());
        if (b.k === 'imm' && (b.value & 1n) === 0n) return this.#andBranch(c, a, t, e, mid());
        // general: if c then a else b
        const ta = mid();
        const tb = mid();
        this.branch(c, ta, tb);
        this.cur = this.blocks[ta]!;
        this.branch(a, t, e);
        this.cur = this.blocks[tb]!;
        this.branch(b, t, e);
        return;
      }
      if (i.op === 'or' || i.op === 'and' || i.op === 'xor') {
        const a = this.form(i.lhs, i.type);
        const b = this.form(i.rhs, i.type);
        if (i.op === 'or') return this.#orBranch(a, b, t, e, mid());
        if (i.op === 'and') return this.#andBranch(a, b, t, e, mid());
        if (b.k === 'imm') return this.branch(a, (b.value & 1n) !== 0n ? e : t, (b.value & 1n) !== 0n ? t : e);
        if (a.k === 'imm') return this.branch(b, (a.value & 1n) !== 0n ? e : t, (a.value & 1n) !== 0n ? t : e);
        // a != b
        this.compareJump('ne', a, b, 1, t);
        this.emit({ kind: 'ja', target: e });
        return;
      }
    }
    // a materialised i1 (0 or 1)
    this.emit({ kind: 'jcc', width: 64, op: 'jne', a: this.reg(f), b: { imm: 0 }, target: t });
    this.emit({ kind: 'ja', target: e });
  }

  #orBranch(a: Form, b: Form, t: number, e: number, mid: number): void {
    this.branch(a, t, mid);
    this.cur = this.blocks[mid]!;
    this.branch(b, t, e);
  }

  #andBranch(a: Form, b: Form, t: number, e: number, mid: number): void {
    this.branch(a, mid, e);
    this.cur = this.blocks[mid]!;
    this.branch(b, t, e);
  }

  /** `if (a PRED b) goto target` at `bits` width (narrow values extended as the predicate needs). */
  compareJump(pred: Pred, a: Form, b: Form, bits: number, target: number): void {
    if (a.k === 'imm' && b.k !== 'imm') {
      [a, b] = [b, a];
      pred = SWAPPED[pred];
    }
    const signed = pred.startsWith('s');
    const width: 32 | 64 = bits > 32 ? 64 : 32;
    let ra: Reg;
    let ob: Operand;
    if (bits === 32 || bits === 64) {
      ra = this.reg(a);
      ob = this.operand(b, width);
    } else if (signed) {
      ra = this.sext(a, bits, 32);
      ob = b.k === 'imm' ? { imm: Number(BigInt.asIntN(bits, b.value)) } : { reg: this.sext(b, bits, 32) };
    } else {
      ra = this.zext(a, bits);
      ob = b.k === 'imm' ? { imm: Number(BigInt.asUintN(bits, b.value)) } : { reg: this.zext(b, bits) };
    }
    this.emit({ kind: 'jcc', width, op: JUMP[pred], a: ra, b: ob, target });
  }

  frameAddress(off: number): Form {
    return { k: 'addr', base: FP, off };
  }
}

export type { Pred };
