// `__kconfig` externs: LINUX_KERNEL_VERSION and CONFIG_* values of the running kernel, as libbpf provides
// them (tools/lib/bpf/libbpf.c, bpf_object__read_kconfig_file / set_kcfg_value_*).
//
//   CONFIG_FOO=y  → bool/tristate/char: 1 ('y'), 2 ('m' as tristate), integers: 1
//   CONFIG_FOO=m  → 2 (tristate)
//   CONFIG_FOO=42 → the number, written at the extern's size
//   CONFIG_FOO="s"→ the string, NUL-padded, into a char array
//   "# CONFIG_FOO is not set" or absent → 0 for `__weak` externs; a TypeError otherwise
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';

/** LINUX_KERNEL_VERSION as libbpf computes it: KERNEL_VERSION(a, b, min(c, 255)). */
export function linuxKernelVersion(rel = release()): number {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(rel);
  if (m === null) throw new TypeError(`kernel release ${rel}: cannot parse a version`);
  return (Number(m[1]) << 16) + (Number(m[2]) << 8) + Math.min(Number(m[3] ?? 0), 255);
}

let cached: ReadonlyMap<string, string> | undefined;

/** The running kernel's config (CONFIG_* → raw value), from /proc/config.gz or /boot/config-$(uname -r). */
export function kernelConfig(): ReadonlyMap<string, string> {
  if (cached) return cached;
  let text: string | undefined;
  const tried: string[] = [];
  try {
    text = gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
  } catch {
    tried.push('/proc/config.gz');
  }
  if (text === undefined) {
    const path = `/boot/config-${release()}`;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      tried.push(path);
    }
  }
  if (text === undefined) throw new TypeError(`kconfig: the kernel config is not readable (tried ${tried.join(', ')})`);
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
    if (unset) out.set(unset[1]!, 'n');
  }
  cached = out;
  return out;
}

/**
 * The bytes of `__kconfig` extern `name` of `size` bytes, or undefined when the kernel does not define it
 * (the caller decides whether that is an error: it is not for `__weak` externs).
 */
export function kconfigValue(
  name: string,
  size: number,
  options: { readonly overrides?: Readonly<Record<string, string | number | bigint | boolean>> } = {},
): Uint8Array | undefined {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const put = (v: bigint): Uint8Array => {
    for (let i = 0; i < size; i++) view.setUint8(i, Number((v >> BigInt(i * 8)) & 0xffn));
    return out;
  };
  const override = options.overrides?.[name];
  if (override !== undefined) {
    if (typeof override === 'boolean') return put(override ? 1n : 0n);
    if (typeof override === 'number' || typeof override === 'bigint') return put(BigInt(override));
    return fromRaw(override);
  }
  if (name === 'LINUX_KERNEL_VERSION') return put(BigInt(linuxKernelVersion()));
  if (name === 'LINUX_HAS_BPF_COOKIE' || name === 'LINUX_HAS_SYSCALL_WRAPPER') return put(1n);
  if (!name.startsWith('CONFIG_')) return undefined;
  const raw = kernelConfig().get(name);
  if (raw === undefined) return undefined;
  return fromRaw(raw);

  function fromRaw(raw: string): Uint8Array {
    if (raw === 'y') return put(1n);
    if (raw === 'n') return put(0n);
    if (raw === 'm') return put(2n);
    if (raw.startsWith('"')) {
      const s = new TextEncoder().encode(raw.slice(1, raw.endsWith('"') ? -1 : undefined));
      out.set(s.subarray(0, Math.max(0, size - 1)));
      return out;
    }
    try {
      return put(BigInt.asUintN(size * 8, BigInt(raw)));
    } catch {
      throw new TypeError(`kconfig ${name}: cannot use value ${raw}`);
    }
  }
}
