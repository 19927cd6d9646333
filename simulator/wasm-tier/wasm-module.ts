// A minimal WebAssembly binary writer: what the BPF translator needs and nothing more (function types with
// multiple results, imported functions and memory, one funcref table, exports, code). The layout is the
// binary format of the WebAssembly core specification 2.0:
//
//   \0asm 01 00 00 00 | section id (u8) | size (u32 LEB128) | contents | …
//   sections in order: type (1), import (2), function (3), table (4), export (7), element (9), code (10)

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export type ValType = typeof I32 | typeof I64;

/** Opcodes used by the translator (single byte; the table is the specification's). */
export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, brTable: 0x0e,
  return: 0x0f, call: 0x10, callIndirect: 0x11, drop: 0x1a, select: 0x1b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i64Load: 0x29, i32Load8U: 0x2d, i32Load16U: 0x2f, i64Load8S: 0x30, i64Load8U: 0x31, i64Load16S: 0x32, i64Load16U: 0x33, i64Load32S: 0x34, i64Load32U: 0x35,
  i32Store: 0x36, i64Store: 0x37, i64Store8: 0x3c, i64Store16: 0x3d, i64Store32: 0x3e,
  i32Const: 0x41, i64Const: 0x42,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32GtU: 0x4b, i32LeS: 0x4c, i32LeU: 0x4d, i32GeS: 0x4e, i32GeU: 0x4f,
  i64Eqz: 0x50, i64Eq: 0x51, i64Ne: 0x52, i64LtS: 0x53, i64LtU: 0x54, i64GtS: 0x55, i64GtU: 0x56, i64LeS: 0x57, i64LeU: 0x58, i64GeS: 0x59, i64GeU: 0x5a,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32DivS: 0x6d, i32DivU: 0x6e, i32RemS: 0x6f, i32RemU: 0x70, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73,
  i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76, i32Rotl: 0x77, i32Rotr: 0x78,
  i64Add: 0x7c, i64Sub: 0x7d, i64Mul: 0x7e, i64DivS: 0x7f, i64DivU: 0x80, i64RemS: 0x81, i64RemU: 0x82, i64And: 0x83, i64Or: 0x84, i64Xor: 0x85,
  i64Shl: 0x86, i64ShrS: 0x87, i64ShrU: 0x88,
  i32WrapI64: 0xa7, i64ExtendI32S: 0xac, i64ExtendI32U: 0xad,
  i32Extend8S: 0xc0, i32Extend16S: 0xc1, i64Extend8S: 0xc2, i64Extend16S: 0xc3, i64Extend32S: 0xc4,
} as const;

/** The empty block type. */
export const VOID = 0x40;

/** A growable byte buffer with the two LEB128 encodings. */
export class ByteWriter {
  #bytes = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.#bytes.length) this.#grow(1);
    this.#bytes[this.length++] = b;
    return this;
  }

  bytes(bs: ArrayLike<number>): this {
    if (this.length + bs.length > this.#bytes.length) this.#grow(bs.length);
    this.#bytes.set(bs, this.length);
    this.length += bs.length;
    return this;
  }

  #grow(n: number): void {
    const grown = new Uint8Array(Math.max(this.#bytes.length * 2, this.length + n));
    grown.set(this.#bytes);
    this.#bytes = grown;
  }

  u32(n: number): this {
    let v = n >>> 0;
    do {
      const b = v & 0x7f;
      v >>>= 7;
      this.byte(v === 0 ? b : b | 0x80);
    } while (v !== 0);
    return this;
  }

  /** signed LEB128 of a 64-bit value (i32.const takes the same encoding of a 32-bit one) */
  s64(n: bigint | number): this {
    let v = BigInt.asIntN(64, BigInt(n));
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  /** signed LEB128 of a 32-bit value, without BigInt (the hot case of the translator) */
  s32(n: number): this {
    let v = n | 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return this;
    }
  }

  name(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.u32(b.length).bytes(b);
  }

  /** the length-prefixed contents of `w` (sections, function bodies) */
  sized(w: ByteWriter): this {
    this.u32(w.length);
    return this.bytes(w.finish());
  }

  finish(): Uint8Array {
    return this.#bytes.slice(0, this.length);
  }
}

/** An instruction stream: the forms every function body of ours uses (locals, constants, opcodes). */
export class CodeWriter extends ByteWriter {
  op(o: number): this {
    return this.byte(o);
  }
  get(l: number): this {
    return this.byte(OP.localGet).u32(l);
  }
  set(l: number): this {
    return this.byte(OP.localSet).u32(l);
  }
  tee(l: number): this {
    return this.byte(OP.localTee).u32(l);
  }
  i32(v: number): this {
    return this.byte(OP.i32Const).s32(v);
  }
  /**
   * A load or store `o` at the address on the stack plus `offset`. Its alignment immediate is 0, valid for
   * every access size. Wasm treats the alignment as a hint, and V8's code does not depend on it.
   */
  mem(o: number, offset: number): this {
    return this.byte(o).u32(0).u32(offset);
  }
}

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface ImportedFunc {
  readonly module: string;
  readonly name: string;
  readonly type: number;
}

export interface FunctionBody {
  readonly type: number;
  /** locals after the parameters, in runs of one type */
  readonly locals: readonly (readonly [count: number, type: ValType])[];
  /** the instructions, ending with `end` */
  readonly code: ByteWriter;
}

export interface ModuleParts {
  readonly types: readonly FuncType[];
  readonly imports: readonly ImportedFunc[];
  /** an imported memory `env.memory` of this many 64 KiB pages (minimum and maximum) */
  readonly memoryPages: number;
  readonly functions: readonly FunctionBody[];
  /** function index (imports first) → export name */
  readonly exports: readonly (readonly [name: string, index: number])[];
  /** function indices placed in table 0 from element 0 (for call_indirect) */
  readonly table: readonly number[];
}

/** Encode a module. */
export function encodeModule(m: ModuleParts): Uint8Array {
  const out = new ByteWriter().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const section = (id: number, fill: (w: ByteWriter) => void): void => {
    const w = new ByteWriter();
    fill(w);
    out.byte(id).sized(w);
  };
  section(1, (w) => {
    w.u32(m.types.length);
    for (const t of m.types) w.byte(0x60).u32(t.params.length).bytes(t.params).u32(t.results.length).bytes(t.results);
  });
  section(2, (w) => {
    w.u32(m.imports.length + 1);
    w.name('env').name('memory').byte(0x02).byte(0x01).u32(m.memoryPages).u32(m.memoryPages);
    for (const i of m.imports) w.name(i.module).name(i.name).byte(0x00).u32(i.type);
  });
  section(3, (w) => {
    w.u32(m.functions.length);
    for (const f of m.functions) w.u32(f.type);
  });
  if (m.table.length > 0) {
    section(4, (w) => w.u32(1).byte(0x70).byte(0x01).u32(m.table.length).u32(m.table.length));
  }
  section(7, (w) => {
    w.u32(m.exports.length);
    for (const [name, index] of m.exports) w.name(name).byte(0x00).u32(index);
  });
  if (m.table.length > 0) {
    section(9, (w) => {
      w.u32(1).u32(0).byte(OP.i32Const).s32(0).byte(OP.end).u32(m.table.length);
      for (const f of m.table) w.u32(f);
    });
  }
  section(10, (w) => {
    w.u32(m.functions.length);
    for (const f of m.functions) {
      const body = new ByteWriter().u32(f.locals.length);
      for (const [count, type] of f.locals) body.u32(count).byte(type);
      body.bytes(f.code.finish());
      w.sized(body);
    }
  });
  return out.finish();
}
