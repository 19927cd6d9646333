// Feature probes: ask the running kernel, with the smallest object that shows the feature, as cilium/ebpf's
// `features` package does.
//
//   program type  load `r0 = 0; exit` of that type (with the attach type / target it needs): loaded, or
//                 judged by the verifier (a log) → supported; EINVAL/E2BIG/ENOTSUPP without a log → not
//   map type      create a one-entry map of that type with sizes it accepts → supported; EINVAL/… → not
//   helper        load `call helper; r0 = 0; exit` in a program type: the verifier complaining about the
//                 arguments → supported; "invalid func" / "unknown func" / "cannot use helper" → not
//   link type     the kernel's BTF `enum bpf_link_type` has BPF_LINK_TYPE_<NAME>
//
// A missing feature is an UnsupportedFeatureError with its minimum version (features.ts). Other failures
// (EPERM: missing privileges or a security module) are thrown as they are: they say nothing about support.
import { Btf, encodeBtf, helperByName, mapTypeByName, progTypeByName, SECTION_DEFS, attachTypeByName } from '../../bpf/index.ts';
import { vmlinuxBtf } from '../core/vmlinux.ts';
import { linuxKernelVersion } from '../object/kconfig.ts';
import { BpfSyscallError, btfLoad, Errno, mapCreate, progLoad, VerifierError, type Fd, type MapCreateOptions } from '../sys/index.ts';
import { HELPER_VERSIONS, LINK_TYPE_VERSIONS, MAP_TYPE_VERSIONS, PROGRAM_TYPE_VERSIONS, type FeatureVersion } from './features.ts';
import { UnsupportedFeatureError } from './unsupported-feature-error.ts';

const RETURN_ZERO = Uint8Array.of(0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);
const NOT_SUPPORTED = new Set<number>([Errno.EINVAL, Errno.E2BIG, Errno.EOPNOTSUPP, Errno.ENOTSUPP]);
const BPF_F_NO_PREALLOC = 1;
const BPF_F_SLEEPABLE = 1 << 4;
const BPF_F_MMAPABLE = 1 << 10;

/** Program and map types these probes cannot show without more context (a target program, a struct_ops value). */
export const NOT_PROBED = new Set(['program type ext', 'program type struct_ops', 'map type struct_ops']);

function version(table: readonly FeatureVersion[], name: string, what: string): FeatureVersion {
  const v = table.find((f) => f.name === name);
  if (v === undefined) throw new TypeError(`${what} ${name}: unknown (known: ${table.map((f) => f.name).join(', ')})`);
  return v;
}

function unsupported(feature: string, v: FeatureVersion, cause: unknown): UnsupportedFeatureError {
  return new UnsupportedFeatureError(feature, v.minVersion, { ...(v.config !== undefined ? { config: v.config } : {}), cause });
}

const cache = new Map<string, Error | true>();

function cached(key: string, probe: () => void): void {
  let r = cache.get(key);
  if (r === undefined) {
    try {
      probe();
      r = true;
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      r = e;
    }
    cache.set(key, r);
  }
  if (r !== true) throw r;
}

/** What BPF_PROG_LOAD needs for a bare program of `type` (attach type, attach target, flags). */
function loadOptionsFor(type: string): { expectedAttachType?: number; attachBtfId?: number; flags?: number } {
  if (type === 'tracing') {
    return { expectedAttachType: attachTypeByName('BPF_TRACE_RAW_TP')!.id, attachBtfId: vmlinuxTarget('btf_trace_sched_switch', 'typedef') };
  }
  if (type === 'lsm') return { expectedAttachType: attachTypeByName('BPF_LSM_MAC')!.id, attachBtfId: vmlinuxTarget('bpf_lsm_file_open', 'func') };
  if (type === 'syscall') return { flags: BPF_F_SLEEPABLE };
  const defs = SECTION_DEFS.filter((d) => d.progType === type);
  // a type some section loads without an attach type needs none; netfilter has one that libbpf calls optional
  if (defs.length === 0 || defs.some((d) => d.attachType === null || d.attach === 'optional')) return {};
  const ids = defs.map((d) => attachTypeByName(d.attachType!)!.id).sort((a, b) => a - b);
  return { expectedAttachType: ids[0]! };
}

function vmlinuxTarget(name: string, kind: 'func' | 'typedef'): number {
  const id = vmlinuxBtf().find(name, kind)[0];
  if (id === undefined) throw new TypeError(`kernel btf has no ${kind} ${name}`);
  return id;
}

/**
 * Throws UnsupportedFeatureError when this kernel has no program type `name` (`xdp`, `sched_cls`, …).
 *
 * @example
 * try { probeProgramType('netfilter'); } catch (e) { if (e instanceof UnsupportedFeatureError) console.log(e.minVersion); }
 */
export function probeProgramType(name: string): void {
  const feature = `program type ${name}`;
  const v = version(PROGRAM_TYPE_VERSIONS, name, 'program type');
  if (NOT_PROBED.has(feature)) throw new TypeError(`${feature}: cannot be probed without a target`);
  const spec = progTypeByName(name);
  cached(feature, () => {
    if (spec === undefined) throw unsupported(feature, v, undefined);
    try {
      progLoad({ type: spec.id, insns: RETURN_ZERO, license: 'GPL', name: 'probe', kernVersion: linuxKernelVersion(), ...loadOptionsFor(name) }).fd.close();
    } catch (e) {
      if (e instanceof VerifierError) return;
      if (e instanceof BpfSyscallError && NOT_SUPPORTED.has(e.errno)) throw unsupported(feature, v, e);
      throw e;
    }
  });
}

let intBtf: Fd | undefined;

/** A BTF object with one type, `int` (id 1), for storage maps that need key/value BTF. */
function intTypeBtf(): Fd {
  intBtf ??= btfLoad(encodeBtf(new Btf([{ kind: 'int', name: 'int', size: 4, encoding: 'signed', bitOffset: 0, bits: 32 }])));
  return intBtf;
}

function mapOptionsFor(name: string, id: number): MapCreateOptions {
  const base = { type: id, keySize: 4, valueSize: 4, maxEntries: 1, name: 'probe' };
  switch (name) {
    case 'stack_trace':
      return { ...base, valueSize: 8 };
    case 'lpm_trie':
      return { ...base, keySize: 8, flags: BPF_F_NO_PREALLOC };
    case 'cgroup_storage':
    case 'percpu_cgroup_storage':
      return { ...base, keySize: 16, maxEntries: 0 };
    case 'queue':
    case 'stack':
      return { ...base, keySize: 0 };
    case 'bloom_filter':
      return { ...base, keySize: 0 };
    case 'ringbuf':
    case 'user_ringbuf':
      return { ...base, keySize: 0, valueSize: 0, maxEntries: 4096 };
    case 'arena':
      return { ...base, keySize: 0, valueSize: 0, maxEntries: 1, flags: BPF_F_MMAPABLE };
    case 'sk_storage':
    case 'inode_storage':
    case 'task_storage':
    case 'cgrp_storage':
      return { ...base, maxEntries: 0, flags: BPF_F_NO_PREALLOC, btfFd: intTypeBtf(), btfKeyTypeId: 1, btfValueTypeId: 1 };
    default:
      return base;
  }
}

/** Throws UnsupportedFeatureError when this kernel has no map type `name` (`ringbuf`, `lpm_trie`, …). */
export function probeMapType(name: string): void {
  const feature = `map type ${name}`;
  const v = version(MAP_TYPE_VERSIONS, name, 'map type');
  if (NOT_PROBED.has(feature)) throw new TypeError(`${feature}: cannot be probed without a struct_ops value type`);
  const spec = mapTypeByName(name);
  cached(feature, () => {
    if (spec === undefined) throw unsupported(feature, v, undefined);
    let inner: Fd | undefined;
    try {
      if (name === 'array_of_maps' || name === 'hash_of_maps') inner = mapCreate({ type: 2, keySize: 4, valueSize: 4, maxEntries: 1, name: 'probe_inner' });
      mapCreate({ ...mapOptionsFor(name, spec.id), ...(inner ? { innerMapFd: inner } : {}) }).close();
    } catch (e) {
      if (e instanceof BpfSyscallError && NOT_SUPPORTED.has(e.errno)) throw unsupported(feature, v, e);
      throw e;
    } finally {
      inner?.close();
    }
  });
}

const HELPER_MISSING = [/invalid func /, /unknown func /, /cannot use helper/, /helper call is not allowed/];

/** Throws UnsupportedFeatureError when program type `progType` cannot call helper `helper` (`bpf_loop` or `loop`). */
export function probeHelper(progType: string, helper: string): void {
  const short = helper.startsWith('bpf_') ? helper.slice(4) : helper;
  const feature = `helper bpf_${short} for ${progType}`;
  const known = HELPER_VERSIONS.find((f) => f.name === short);
  const v: FeatureVersion = known ?? { name: short, minVersion: 'unknown' };
  const h = helperByName(short) ?? helperByName(`bpf_${short}`);
  if (h === undefined) throw new TypeError(`helper ${helper}: unknown`);
  probeProgramType(progType);
  const type = progTypeByName(progType)!;
  cached(feature, () => {
    // r1..r5 = 0; call helper; r0 = 0; exit
    const insns: number[] = [];
    for (let r = 1; r <= 5; r++) insns.push(0xb7, r, 0, 0, 0, 0, 0, 0);
    insns.push(0x85, 0, 0, 0, h.id & 0xff, (h.id >> 8) & 0xff, 0, 0);
    insns.push(...RETURN_ZERO);
    try {
      progLoad({ type: type.id, insns: Uint8Array.from(insns), license: 'GPL', name: 'probe', kernVersion: linuxKernelVersion(), ...loadOptionsFor(progType) }).fd.close();
    } catch (e) {
      if (e instanceof VerifierError) {
        if (e.log.some((l) => HELPER_MISSING.some((re) => re.test(l)))) throw unsupported(feature, v, e);
        return;
      }
      if (e instanceof BpfSyscallError && NOT_SUPPORTED.has(e.errno)) throw unsupported(feature, v, e);
      throw e;
    }
  });
}

/** Throws UnsupportedFeatureError when the kernel's `enum bpf_link_type` has no BPF_LINK_TYPE_<NAME>. */
export function probeLinkType(name: string): void {
  const feature = `link type ${name}`;
  const v = version(LINK_TYPE_VERSIONS, name, 'link type');
  cached(feature, () => {
    const k = vmlinuxBtf();
    const id = k.find('bpf_link_type', 'enum')[0];
    if (id === undefined) throw unsupported(feature, v, undefined);
    const t = k.btf.typeById(id);
    const want = `BPF_LINK_TYPE_${name.toUpperCase()}`;
    if (t.kind !== 'enum' || !t.values.some((x) => x.name === want)) throw unsupported(feature, v, undefined);
  });
}

export type FeatureKind = 'program type' | 'map type' | 'helper' | 'link type';

export interface FeatureRow {
  readonly kind: FeatureKind;
  readonly name: string;
  /** helpers: the program type asked about */
  readonly programType?: string;
  readonly minVersion: string;
  readonly config?: string;
  readonly status: 'supported' | 'unsupported' | 'not probed' | 'error';
  /** why not, for 'error' and 'not probed' */
  readonly detail?: string;
}

function row(kind: FeatureKind, v: FeatureVersion, probe: () => void, extra: { programType?: string } = {}): FeatureRow {
  const base = { kind, name: v.name, ...extra, minVersion: v.minVersion, ...(v.config !== undefined ? { config: v.config } : {}) };
  try {
    probe();
    return { ...base, status: 'supported' };
  } catch (e) {
    if (e instanceof UnsupportedFeatureError) return { ...base, status: 'unsupported' };
    if (e instanceof TypeError && /cannot be probed/.test(e.message)) return { ...base, status: 'not probed', detail: e.message };
    return { ...base, status: 'error', detail: (e as Error).message };
  }
}

/** Every feature in the tables, probed. `helpersFor` lists the program types whose helpers are probed. */
export function featureTable(options: { readonly helpersFor?: readonly string[] } = {}): FeatureRow[] {
  const rows: FeatureRow[] = [];
  for (const v of PROGRAM_TYPE_VERSIONS) rows.push(row('program type', v, () => probeProgramType(v.name)));
  for (const v of MAP_TYPE_VERSIONS) rows.push(row('map type', v, () => probeMapType(v.name)));
  for (const v of LINK_TYPE_VERSIONS) rows.push(row('link type', v, () => probeLinkType(v.name)));
  for (const pt of options.helpersFor ?? []) {
    for (const v of HELPER_VERSIONS) rows.push(row('helper', v, () => probeHelper(pt, v.name), { programType: pt }));
  }
  return rows;
}

/** Closes the probes' shared objects and forgets results (for tests that track file descriptors). */
export function resetProbes(): void {
  intBtf?.close();
  intBtf = undefined;
  cache.clear();
}
