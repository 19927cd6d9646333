// The running kernel's BTF (/sys/kernel/btf/vmlinux), read through `bpftool btf dump ... format raw`: the
// ground truth the tables are checked against (enum values, struct member offsets).
//
// Raw dump lines look like
//   [1935] ENUM 'bpf_func_id' encoding=UNSIGNED size=4 vlen=213
//   	'BPF_FUNC_unspec' val=0
//   [5012] STRUCT '__sk_buff' size=192 vlen=34
//   	'len' type_id=36 bits_offset=0
//   	'ihl' type_id=33 bits_offset=0 bitfield_size=4
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bpftool } from '../../support/require.ts';
import type { Facility } from '../../support/require.ts';

export const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

/** bpftool and a kernel that exposes its BTF. */
export const kernelBtf: Facility = (() => {
  if (!bpftool.ok) return bpftool;
  if (!existsSync(VMLINUX_BTF)) return { ok: false, reason: `${VMLINUX_BTF} does not exist` };
  return { ok: true, reason: '' };
})();

interface RawMember {
  readonly name: string;
  readonly typeId: number;
  readonly bitsOffset: number;
  readonly bitfieldSize: number;
}

interface RawType {
  readonly id: number;
  readonly kind: string;
  readonly name: string;
  readonly attrs: string;
  readonly members: RawMember[];
  readonly values: [string, bigint][];
}

export interface BtfMember {
  /** Dotted path through anonymous members is flattened: the member's own name. */
  readonly name: string;
  /** Byte offset from the start of the outer structure. */
  readonly offset: number;
  /** Size in bytes of the member's type (0 when it is a bitfield). */
  readonly size: number;
  readonly bitfieldSize: number;
  readonly bitsOffset: number;
}

export interface BtfStruct {
  readonly name: string;
  readonly size: number;
  readonly members: readonly BtfMember[];
}

export class KernelBtf {
  readonly #types = new Map<number, RawType>();
  readonly #named = new Map<string, RawType[]>();

  constructor(dump: string) {
    let cur: RawType | undefined;
    for (const line of dump.split('\n')) {
      const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
      if (head !== null) {
        cur = {
          id: Number(head[1]),
          kind: head[2] ?? '',
          name: head[3] ?? '',
          attrs: head[4] ?? '',
          members: [],
          values: [],
        };
        this.#types.set(cur.id, cur);
        const list = this.#named.get(cur.name) ?? [];
        list.push(cur);
        this.#named.set(cur.name, list);
        continue;
      }
      if (cur === undefined || !line.startsWith('\t')) continue;
      const val = /^\t'([^']*)' val=(-?\d+)/.exec(line);
      if (val !== null) {
        cur.values.push([val[1] ?? '', BigInt(val[2] ?? '0')]);
        continue;
      }
      const mem = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?/.exec(line);
      if (mem !== null) {
        cur.members.push({
          name: mem[1] ?? '',
          typeId: Number(mem[2]),
          bitsOffset: Number(mem[3]),
          bitfieldSize: Number(mem[4] ?? '0'),
        });
      }
    }
  }

  /** Members of a named enum (ENUM or ENUM64), name -> value. */
  enumValues(name: string): Map<string, bigint> | undefined {
    const t = this.#named.get(name)?.find((x) => x.kind === 'ENUM' || x.kind === 'ENUM64');
    return t === undefined ? undefined : new Map(t.values);
  }

  /** The value of an enumerator of any enum, named or anonymous (first found). */
  enumerator(name: string): bigint | undefined {
    for (const t of this.#types.values()) {
      if (t.kind !== 'ENUM' && t.kind !== 'ENUM64') continue;
      for (const [n, v] of t.values) if (n === name) return v;
    }
    return undefined;
  }

  sizeOf(typeId: number): number {
    const t = this.#types.get(typeId);
    if (t === undefined) return 0;
    const size = /size=(\d+)/.exec(t.attrs);
    switch (t.kind) {
      case 'INT':
      case 'STRUCT':
      case 'UNION':
      case 'ENUM':
      case 'ENUM64':
        return Number(size?.[1] ?? '0');
      case 'PTR':
        return 8;
      case 'ARRAY': {
        const m = /type_id=(\d+) index_type_id=\d+ nr_elems=(\d+)/.exec(t.attrs);
        return m === null ? 0 : this.sizeOf(Number(m[1])) * Number(m[2]);
      }
      case 'TYPEDEF':
      case 'CONST':
      case 'VOLATILE':
      case 'RESTRICT':
      case 'TYPE_TAG': {
        const m = /type_id=(\d+)/.exec(t.attrs);
        return m === null ? 0 : this.sizeOf(Number(m[1]));
      }
      default:
        return 0;
    }
  }

  /** A named STRUCT with anonymous struct/union members flattened into it. */
  struct(name: string): BtfStruct | undefined {
    const t = this.#named.get(name)?.find((x) => x.kind === 'STRUCT');
    if (t === undefined) return undefined;
    const members: BtfMember[] = [];
    const walk = (raw: RawType, baseBits: number): void => {
      for (const m of raw.members) {
        const bits = baseBits + m.bitsOffset;
        const inner = this.#types.get(m.typeId);
        if ((m.name === '' || m.name === '(anon)') && inner !== undefined && (inner.kind === 'STRUCT' || inner.kind === 'UNION')) {
          walk(inner, bits);
          continue;
        }
        members.push({
          name: m.name,
          offset: Math.floor(bits / 8),
          size: m.bitfieldSize === 0 ? this.sizeOf(m.typeId) : 0,
          bitfieldSize: m.bitfieldSize,
          bitsOffset: bits,
        });
      }
    };
    walk(t, 0);
    return { name, size: Number(/size=(\d+)/.exec(t.attrs)?.[1] ?? '0'), members };
  }
}

let cached: KernelBtf | undefined;

/** The running kernel's BTF; call only when `kernelBtf.ok`. */
export function loadKernelBtf(): KernelBtf {
  if (cached === undefined) {
    const dump = execFileSync('bpftool', ['btf', 'dump', 'file', VMLINUX_BTF, 'format', 'raw'], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    cached = new KernelBtf(dump);
  }
  return cached;
}
