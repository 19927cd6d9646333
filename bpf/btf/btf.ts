// The in-memory BTF of one object: its types (ids from 1; 0 is void), its string table, and the helpers the
// rest of the toolchain needs to read it (resolve, sizeOf, describeType, ...).
//
// Plain data plus methods; no caches, so `types` may be edited freely between calls.
import type { BtfKind, BtfType } from './btf-type.ts';
import { BtfStringTable } from './string-table.ts';

export type ByteOrder = 'little' | 'big';

/** Size of a PTR, as libbpf assumes for BPF targets. */
export const BTF_PTR_SIZE = 8;

/** Upper bounds on the work and nesting `describeType` may do, so adversarial type graphs cannot blow up. */
const DESCRIBE_BUDGET = 100_000;
const DESCRIBE_DEPTH = 256;

/** Kinds `resolve` skips: libbpf's skip_mods_and_typedefs. */
const MODIFIERS: ReadonlySet<BtfKind> = new Set(['typedef', 'const', 'volatile', 'restrict', 'type_tag']);

export class Btf {
  /** `types[id - 1]` is type `id`. */
  types: BtfType[];
  /**
   * The string table: names of parsed types point into it. `encodeBtf` writes it first, verbatim, then
   * appends any names missing from it; .BTF.ext strings are looked up in it too.
   */
  strings: BtfStringTable;
  byteOrder: ByteOrder;

  constructor(types: BtfType[] = [], strings: BtfStringTable = new BtfStringTable(), byteOrder: ByteOrder = 'little') {
    this.types = types;
    this.strings = strings;
    this.byteOrder = byteOrder;
  }

  /** The highest valid type id (= number of types). */
  get maxTypeId(): number {
    return this.types.length;
  }

  /** Type `id`; RangeError for 0 (void) and for ids past the last type. */
  typeById(id: number): BtfType {
    if (id === 0) throw new RangeError('type id 0 is void and has no type record');
    const t = Number.isInteger(id) && id > 0 ? this.types[id - 1] : undefined;
    if (t === undefined) throw new RangeError(`type id ${id} is out of range (1..${this.types.length})`);
    return t;
  }

  /** The name of type `id`: 'void' for 0, '' for anonymous types. */
  typeName(id: number): string {
    return id === 0 ? 'void' : this.typeById(id).name;
  }

  /** The first type id of `kind` named `name`, or undefined. */
  findByName(kind: BtfKind, name: string): number | undefined {
    const i = this.types.findIndex((t) => t.kind === kind && t.name === name);
    return i < 0 ? undefined : i + 1;
  }

  /** Follows typedef/const/volatile/restrict/type_tag from `id`; returns the first other id (0 for void). */
  resolve(id: number): number {
    let cur = id;
    for (let steps = 0; steps <= this.types.length; steps++) {
      if (cur === 0) return 0;
      const t = this.typeById(cur);
      if (!MODIFIERS.has(t.kind)) return cur;
      cur = (t as { type: number }).type;
    }
    throw new RangeError(`type ${id}: cycle of typedefs/modifiers while resolving`);
  }

  /**
   * The size in bytes of type `id`, by the kernel's and libbpf's rules (btf__resolve_size): INT, FLOAT, STRUCT,
   * UNION, ENUM, ENUM64, DATASEC: their size; PTR: 8; ARRAY: nelems * element size; typedefs, modifiers,
   * VAR, DECL_TAG, TYPE_TAG: the referenced type's size. RangeError for void, FWD, FUNC, FUNC_PROTO, cycles
   * and sizes past 2^32 - 1.
   */
  sizeOf(id: number): number {
    let nelems = 1;
    let cur = id;
    for (let steps = 0; steps <= this.types.length; steps++) {
      if (cur === 0) throw new RangeError(`type ${id}: void has no size`);
      const t = this.typeById(cur);
      let size: number;
      switch (t.kind) {
        case 'int':
        case 'float':
        case 'struct':
        case 'union':
        case 'enum':
        case 'enum64':
        case 'datasec':
          size = t.size;
          break;
        case 'ptr':
          size = BTF_PTR_SIZE;
          break;
        case 'typedef':
        case 'const':
        case 'volatile':
        case 'restrict':
        case 'type_tag':
        case 'var':
        case 'decl_tag':
          cur = t.type;
          continue;
        case 'array':
          nelems *= t.nelems;
          if (nelems > 0xffffffff) throw new RangeError(`type ${id}: array size overflows 32 bits`);
          cur = t.type;
          continue;
        default:
          throw new RangeError(
            cur === id
              ? `type ${id}: ${t.kind.toUpperCase()} has no size`
              : `type ${id}: resolves to ${t.kind.toUpperCase()} ${cur}, which has no size`,
          );
      }
      const total = nelems * size;
      if (total > 0xffffffff) throw new RangeError(`type ${id}: size overflows 32 bits`);
      return total;
    }
    throw new RangeError(`type ${id}: cycle while computing size`);
  }

  /**
   * A C-like rendering of type `id` for humans: `struct iphdr`, `__u32 *`, `int (*)[2]`,
   * `const char *const`, `int (*)(int, char *)`. Anonymous aggregates print as `struct (anon)`; a FUNC prints
   * as its declaration, a VAR as `type name`, a DATASEC as `datasec .maps`. RangeError on cycles and on
   * declarators nested more than 256 deep.
   */
  describeType(id: number): string {
    const budget = { left: DESCRIBE_BUDGET };
    return this.#describe(id, '', budget, 0).trim();
  }

  #describe(id: number, inner: string, budget: { left: number }, depth: number): string {
    if (--budget.left < 0 || depth > Math.min(this.types.length + 1, DESCRIBE_DEPTH)) {
      throw new RangeError(`type ${id}: type graph too deep or cyclic to describe`);
    }
    const withInner = (base: string) => (inner === '' ? base : `${base} ${inner}`);
    if (id === 0) return withInner('void');
    const t = this.typeById(id);
    const named = (prefix: string) => withInner(`${prefix} ${t.name === '' ? '(anon)' : t.name}`);
    switch (t.kind) {
      case 'int':
      case 'float':
      case 'typedef':
        return withInner(t.name === '' ? '(anon)' : t.name);
      case 'struct':
      case 'union':
      case 'enum':
        return named(t.kind);
      case 'enum64':
        return named('enum');
      case 'fwd':
        return named(t.fwdKind);
      case 'ptr':
        return this.#describe(t.type, inner === '' ? '*' : `*${inner}`, budget, depth + 1);
      case 'array': {
        const around = inner.startsWith('*') ? `(${inner})` : inner;
        return this.#describe(t.type, `${around}[${t.nelems}]`, budget, depth + 1);
      }
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'type_tag': {
        const word = t.kind === 'type_tag' ? `__attribute__((btf_type_tag("${t.name}")))` : t.kind;
        // A qualifier on a pointer goes after the `*` (`char *const`), otherwise before the base type; type
        // tags always follow what they tag, as libbpf's btf_dump prints them.
        if (t.kind === 'type_tag' || this.#isPointer(t.type, budget)) {
          return this.#describe(t.type, inner === '' ? word : `${word} ${inner}`, budget, depth + 1);
        }
        return `${word} ${this.#describe(t.type, inner, budget, depth + 1)}`;
      }
      case 'func_proto': {
        const params = t.params.map((p) =>
          p.type === 0 && p.name === '' ? '...' : this.#describe(p.type, '', budget, depth + 1),
        );
        const list = params.length === 0 ? 'void' : params.join(', ');
        const around = inner.startsWith('*') ? `(${inner})` : inner;
        return this.#describe(t.returnType, `${around}(${list})`, budget, depth + 1);
      }
      case 'func':
        return this.#describe(t.type, inner === '' ? t.name : `${t.name} ${inner}`, budget, depth + 1);
      case 'var':
        return this.#describe(t.type, inner === '' ? t.name : `${t.name} ${inner}`, budget, depth + 1);
      case 'datasec':
        return withInner(`datasec ${t.name}`);
      case 'decl_tag':
        return withInner(`decl_tag ${t.name}`);
    }
  }

  /** Whether `id`, after qualifiers, is a PTR (qualifier placement in describeType). */
  #isPointer(id: number, budget: { left: number }): boolean {
    let cur = id;
    for (let steps = 0; steps <= this.types.length; steps++) {
      if (--budget.left < 0) break;
      if (cur === 0) return false;
      const t = this.typeById(cur);
      if (t.kind === 'ptr') return true;
      if (t.kind !== 'const' && t.kind !== 'volatile' && t.kind !== 'restrict' && t.kind !== 'type_tag') return false;
      cur = t.type;
    }
    throw new RangeError(`type ${id}: type graph too deep or cyclic to describe`);
  }
}
