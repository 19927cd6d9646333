// The running kernel's BTF (/sys/kernel/btf/vmlinux), parsed once per process, with a name index.
//
// CO-RE relocations, fentry/fexit/tp_btf/lsm attach targets and `__ksym` externs all resolve against it.
import { readFileSync } from 'node:fs';
import { parseBtf, type Btf, type BtfKind } from '../../bpf/index.ts';

export const VMLINUX_BTF_PATH = '/sys/kernel/btf/vmlinux';

/** Kernel BTF with lookups by name (and by essential name, `foo___v2` → `foo`, for CO-RE candidates). */
export class KernelBtf {
  readonly btf: Btf;
  readonly #byName = new Map<string, number[]>();
  readonly #byEssential = new Map<string, number[]>();

  constructor(btf: Btf) {
    this.btf = btf;
    btf.types.forEach((t, i) => {
      if (t.name === '') return;
      push(this.#byName, t.name, i + 1);
      push(this.#byEssential, essentialName(t.name), i + 1);
    });
  }

  /** Type ids named exactly `name`, optionally of one kind. */
  find(name: string, kind?: BtfKind): number[] {
    const ids = this.#byName.get(name) ?? [];
    return kind === undefined ? ids : ids.filter((id) => this.btf.typeById(id).kind === kind);
  }

  /** Type ids whose essential name is `name` (CO-RE candidates). */
  findEssential(name: string): readonly number[] {
    return this.#byEssential.get(name) ?? [];
  }
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** libbpf's "essential name": everything before a `___` flavour suffix. */
export function essentialName(name: string): string {
  const i = name.indexOf('___');
  return i < 0 ? name : name.slice(0, i);
}

let cached: KernelBtf | undefined;

/** The running kernel's BTF; a TypeError naming the path when it is missing (CONFIG_DEBUG_INFO_BTF off). */
export function vmlinuxBtf(path = VMLINUX_BTF_PATH): KernelBtf {
  if (cached !== undefined && path === VMLINUX_BTF_PATH) return cached;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new TypeError(`kernel btf: cannot read ${path} (kernel built without CONFIG_DEBUG_INFO_BTF?)`, { cause: e });
  }
  const k = new KernelBtf(parseBtf(bytes));
  if (path === VMLINUX_BTF_PATH) cached = k;
  return k;
}
