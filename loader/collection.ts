// Load an ObjectSpec into the kernel, as libbpf's bpf_object__load does:
//
//   1. link the programs asked for (all by default) and collect what they reference
//   2. BTF: the object's, fixed up (DATASEC sizes, externs) and loaded; if the kernel refuses it, loading
//      goes on without BTF (no func/line info), as libbpf does, with a warning on the Collection
//   3. maps: reused (options.reuse, or pinned under options.pinDir for LIBBPF_PIN_BY_NAME maps, checked
//      for compatibility) or created (inner map templates for maps of maps); global data maps with the
//      caller's values (options.globals), `.rodata` frozen; `.kconfig` from the running kernel
//   4. each program: type from its section or the caller, CO-RE relocations against the kernel's BTF,
//      map/global/extern references, attach_btf_id for fentry/fexit/tp_btf/lsm/iter, func and line info;
//      a failure is a ProgramLoadError (verifier rejection, or not loadable)
//   5. prog arrays and maps of maps filled from the object's `.values`
//
// On any failure every object created so far is closed.
import {
  encode,
  innerMapTemplate,
  linkProgram,
  sectionInfo,
  slotIndex,
  type DataSectionSpec,
  type Instruction,
  type LinkedProgram,
  type MapSpec,
  type ObjectSpec,
  type ProgramSpec,
  type RuntimeReference,
} from '../bpf/index.ts';
import { relocateCore, type CoreRelocationAt, type CoreRelocationResult } from './core/relocate.ts';
import { vmlinuxBtf, type KernelBtf } from './core/vmlinux.ts';
import { funcInfoRecords, kernelBtf, lineInfoRecords } from './kernel-btf.ts';
import { kconfigValue } from './object/kconfig.ts';
import { MapCompatibilityError, ProgramLoadError, type SourcePosition } from './object/program-load-error.ts';
import { programType, type ProgramTypeInput, type ProgramTypeOverride } from './object/program-type.ts';
import {
  btfLoad,
  BpfSyscallError,
  Errno,
  Fd,
  mapCreate,
  mapFreeze,
  mapGetInfo,
  mapUpdate,
  objGet,
  objGetFdById,
  objPin,
  possibleCpus,
  progLoad,
  VerifierError,
} from './sys/index.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const BPF_MAP_TYPE_ARRAY = 2;
const BPF_MAP_TYPE_PROG_ARRAY = 3;
const BPF_MAP_TYPE_PERF_EVENT_ARRAY = 4;
const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
const BPF_MAP_TYPE_HASH_OF_MAPS = 13;
const BPF_MAP_TYPE_RINGBUF = 27;
const BPF_MAP_TYPE_USER_RINGBUF = 31;
const BPF_F_RDONLY_PROG = 1 << 7;
const BPF_F_SLEEPABLE = 1 << 4;
const BPF_F_XDP_HAS_FRAGS = 1 << 5;
const KCONFIG = '.kconfig';

export interface LoadCollectionOptions {
  /** program type for programs whose section name implies none (a number, `xdp`, or a section name) */
  readonly defaultProgramType?: ProgramTypeInput;
  /** per program (by name): its type, and optionally its expected attach type, overriding the section's */
  readonly programTypes?: Readonly<Record<string, ProgramTypeInput | ProgramTypeOverride>>;
  /** load only these programs (and only the maps they use); all by default */
  readonly programs?: readonly string[];
  /** verifier log level for every program (1, 2, |4 for statistics); logs are kept on `Collection.logs` */
  readonly logLevel?: number;
  /** use an existing map instead of creating one: an Fd, a raw fd number, or a bpffs pin path */
  readonly reuse?: Readonly<Record<string, Fd | number | string>>;
  /** bpffs directory for LIBBPF_PIN_BY_NAME maps: reused when pinned there, else created and pinned */
  readonly pinDir?: string;
  /** values of global variables (`.data`, `.rodata`, `.bss`) before load: bytes, or a number written LE */
  readonly globals?: Readonly<Record<string, Uint8Array | number | bigint>>;
  /** CONFIG_* values for `__kconfig` externs, overriding the running kernel's */
  readonly kconfig?: Readonly<Record<string, string | number | bigint | boolean>>;
  /** kernel BTF for CO-RE, attach targets and `__ksym` (the running kernel's by default) */
  readonly kernelBtf?: KernelBtf;
}

/** How one program was loaded. */
export interface LoadedProgramInfo {
  readonly type: number;
  readonly expectedAttachType: number | undefined;
  readonly attachBtfId: number | undefined;
  readonly coreRelocations: readonly CoreRelocationResult[];
}

/** Kernel objects created from one ObjectSpec; close() releases them all. */
export class Collection implements Disposable {
  readonly maps = new Map<string, Fd>();
  readonly programs = new Map<string, Fd>();
  readonly logs = new Map<string, readonly string[]>();
  readonly info = new Map<string, LoadedProgramInfo>();
  /** maps pinned by this load (LIBBPF_PIN_BY_NAME under pinDir) */
  readonly pinned = new Map<string, string>();
  /** maps that were reused rather than created */
  readonly reused = new Set<string>();
  /** things that did not stop the load: BTF refused by the kernel, … */
  readonly warnings: string[] = [];

  close(): void {
    for (const fd of this.programs.values()) fd.close();
    for (const fd of this.maps.values()) fd.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Create the maps and load the programs of `spec`. On failure, everything created so far is closed.
 *
 * @example
 * using coll = loadCollection(readObject(bytes), { programTypes: { handle: 'sched_cls' }, globals: { limit: 10 } });
 * progTestRun(coll.programs.get('handle')!, { data: packet });
 */
export function loadCollection(spec: ObjectSpec, options: LoadCollectionOptions = {}): Collection {
  const coll = new Collection();
  let btfFd: Fd | undefined;
  try {
    checkGlobals(spec, options.globals);
    const selected = selectPrograms(spec, options.programs);
    const linked = new Map<string, LinkedProgram>();
    for (const p of selected) {
      try {
        linked.set(p.name, linkProgram(spec, p.name));
      } catch (e) {
        throw notLoadable(p, `cannot link: ${(e as Error).message}`, e);
      }
    }
    const kconfig = kconfigSection(spec, [...linked.values()], options);
    if (kconfig) kconfigOffsets.set(coll, new Map(kconfig.variables.map((v) => [v.name, v.offset])));
    const data = kconfig ? [...spec.data, kconfig] : spec.data;
    const fullSpec: ObjectSpec = { ...spec, data };

    const btfBytes = kernelBtf(fullSpec);
    if (btfBytes) {
      try {
        btfFd = btfLoad(btfBytes);
      } catch (e) {
        if (!(e instanceof BpfSyscallError) || e.errno === Errno.EPERM) throw e;
        coll.warnings.push(`btf: the kernel refused the object's BTF, loading without it: ${e.message}`);
      }
    }

    const needed = options.programs === undefined ? undefined : neededMaps(spec, [...linked.values()]);
    for (const map of spec.maps) {
      if (needed && !needed.has(map.name)) continue;
      coll.maps.set(map.name, obtainMap(coll, spec, map, options, btfFd));
    }
    for (const section of data) {
      if (needed && !needed.has(section.name) && section !== kconfig) continue;
      const fd = obtainDataMap(coll, section, options);
      if (fd) coll.maps.set(section.name, fd);
    }
    for (const map of spec.maps) {
      if (!coll.maps.has(map.name) || coll.reused.has(map.name)) continue;
      if (map.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || map.type === BPF_MAP_TYPE_HASH_OF_MAPS) fillSlots(coll, map, coll.maps, false);
    }

    for (const program of selected) loadOne(coll, fullSpec, program, linked.get(program.name)!, btfFd, options);

    for (const map of spec.maps) {
      if (map.type === BPF_MAP_TYPE_PROG_ARRAY && coll.maps.has(map.name) && !coll.reused.has(map.name)) {
        fillSlots(coll, map, coll.programs, options.programs !== undefined);
      }
    }
  } catch (e) {
    coll.close();
    throw e;
  } finally {
    // programs and maps hold their own references to the BTF object
    btfFd?.close();
  }
  return coll;
}

function selectPrograms(spec: ObjectSpec, names: readonly string[] | undefined): ProgramSpec[] {
  if (names === undefined) return [...spec.programs];
  return names.map((n) => {
    const p = spec.programs.find((x) => x.name === n);
    if (p === undefined) {
      throw new TypeError(`no program ${n} (programs: ${spec.programs.map((x) => x.name).join(', ') || 'none'})`);
    }
    return p;
  });
}

/** Maps the linked programs reference, with the maps those maps' `.values` name (maps of maps). */
function neededMaps(spec: ObjectSpec, linked: readonly LinkedProgram[]): Set<string> {
  const out = new Set<string>();
  for (const l of linked) for (const { ref } of l.references) if (ref.kind === 'map' || ref.kind === 'map_value') out.add(ref.map);
  for (const m of spec.maps) {
    if (!out.has(m.name)) continue;
    if (m.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || m.type === BPF_MAP_TYPE_HASH_OF_MAPS) {
      for (const s of m.initialSlots ?? []) out.add(s.target);
    }
  }
  return out;
}

function notLoadable(program: ProgramSpec, reason: string, cause?: unknown): ProgramLoadError {
  return new ProgramLoadError({ program: program.name, section: program.section, verdict: 'not-loadable', reason, cause });
}

// ---------------------------------------------------------------------------------------------------------------
// Maps
// ---------------------------------------------------------------------------------------------------------------

function obtainMap(coll: Collection, spec: ObjectSpec, map: MapSpec, options: LoadCollectionOptions, btfFd: Fd | undefined): Fd {
  const reuse = options.reuse?.[map.name];
  if (reuse !== undefined) return reuseMap(coll, map.name, expectedShape(map), reuse);
  const pinPath = map.pinning === 'by_name' && options.pinDir !== undefined ? join(options.pinDir, map.name) : undefined;
  if (pinPath !== undefined && existsSync(pinPath)) return reuseMap(coll, map.name, expectedShape(map), pinPath);
  const fd = createMap(spec, map, btfFd);
  if (pinPath !== undefined) {
    try {
      objPin(fd, pinPath);
    } catch (e) {
      fd.close();
      throw e;
    }
    coll.pinned.set(map.name, pinPath);
  }
  return fd;
}

interface Shape {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
}

/**
 * The shape the kernel is asked for, with the fix-ups libbpf and cilium/ebpf make to definitions the kernel
 * would refuse: a perf event array has 4-byte keys and values and, without max_entries, one slot per possible
 * CPU; ring buffers have no key or value (a `__type(value, …)` only documents the record); maps of maps hold
 * 4-byte map fds.
 */
function expectedShape(map: MapSpec): Shape {
  let { keySize, valueSize, maxEntries } = map;
  switch (map.type) {
    case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
      keySize = 4;
      valueSize = 4;
      if (maxEntries === 0) maxEntries = possibleCpus();
      break;
    case BPF_MAP_TYPE_RINGBUF:
    case BPF_MAP_TYPE_USER_RINGBUF:
      keySize = 0;
      valueSize = 0;
      break;
    case BPF_MAP_TYPE_ARRAY_OF_MAPS:
    case BPF_MAP_TYPE_HASH_OF_MAPS:
      valueSize = 4;
      break;
  }
  return { type: map.type, keySize, valueSize, maxEntries, flags: map.flags };
}

/** Map types whose BTF key/value types the kernel refuses or ignores (libbpf leaves them out too). */
const NO_BTF_TYPES = new Set([4, 7, 8, 12, 13, 14, 15, 16, 17, 18, 22, 23, 25, 27, 31, 33]);

/** Opens our own descriptor for `source` and checks it matches `want`. */
function reuseMap(coll: Collection, name: string, want: Shape, source: Fd | number | string): Fd {
  let fd: Fd;
  let label: string;
  if (typeof source === 'string') {
    fd = objGet(source);
    label = source;
  } else {
    const info = mapGetInfo(source);
    fd = objGetFdById('map', info.id);
    label = `map id ${info.id}`;
  }
  try {
    const info = mapGetInfo(fd);
    const diff: string[] = [];
    const cmp = (what: string, theirs: number, ours: number): void => {
      if (theirs !== ours) diff.push(`${what} ${theirs} (the object wants ${ours})`);
    };
    cmp('type', info.type, want.type);
    cmp('key size', info.keySize, want.keySize);
    cmp('value size', info.valueSize, want.valueSize);
    cmp('max entries', info.maxEntries, want.maxEntries);
    cmp('flags', info.mapFlags, want.flags);
    if (diff.length > 0) throw new MapCompatibilityError(name, label, diff);
  } catch (e) {
    fd.close();
    throw e;
  }
  coll.reused.add(name);
  return fd;
}

function createMap(spec: ObjectSpec, map: MapSpec, btfFd: Fd | undefined): Fd {
  let inner: Fd | undefined;
  if (map.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || map.type === BPF_MAP_TYPE_HASH_OF_MAPS) {
    const template = innerMapTemplate(spec, map);
    if (template === undefined) throw new TypeError(`map ${map.name}: a map of maps needs an inner map definition`);
    inner = createMap(spec, { ...template, name: `${map.name}.inner` }, undefined);
  }
  const base = {
    ...expectedShape(map),
    name: map.name,
    ...(inner ? { innerMapFd: inner } : {}),
    ...(map.numaNode !== undefined ? { numaNode: map.numaNode } : {}),
    ...(map.mapExtra !== undefined ? { mapExtra: map.mapExtra } : {}),
  };
  try {
    // BTF key/value types (needed for spin locks, timers, kptrs); libbpf retries without them if refused
    if (btfFd !== undefined && map.valueTypeId !== undefined && map.source === 'btf' && !NO_BTF_TYPES.has(map.type)) {
      try {
        return mapCreate({
          ...base,
          btfFd,
          btfKeyTypeId: map.keyTypeId ?? 0,
          btfValueTypeId: map.valueTypeId,
        });
      } catch (e) {
        if (!(e instanceof BpfSyscallError)) throw e;
      }
    }
    try {
      return mapCreate(base);
    } catch (e) {
      if (!(e instanceof BpfSyscallError)) throw e;
      const shape = `type ${map.type}, key ${base.keySize}, value ${base.valueSize}, max entries ${base.maxEntries}, flags 0x${map.flags.toString(16)}`;
      throw new BpfSyscallError({ command: e.command, errno: e.errno, context: `map create ${map.name} (${shape})` }, `map create ${map.name} (${shape}): ${e.message.replace(/^[^:]*: /, '')}`);
    }
  } finally {
    inner?.close();
  }
}

/** A global data section becomes a one-element array map; `.rodata` and `.kconfig` are frozen. */
function obtainDataMap(coll: Collection, data: DataSectionSpec, options: LoadCollectionOptions): Fd | undefined {
  if (data.size === 0) return undefined;
  const readonly = data.kind === 'rodata';
  const shape: Shape = { type: BPF_MAP_TYPE_ARRAY, keySize: 4, valueSize: data.size, maxEntries: 1, flags: readonly ? BPF_F_RDONLY_PROG : 0 };
  const reuse = options.reuse?.[data.name];
  if (reuse !== undefined) return reuseMap(coll, data.name, shape, reuse);
  const fd = mapCreate({ ...shape, name: data.name });
  try {
    mapUpdate(fd, new Uint8Array(4), withGlobals(data, options.globals));
    if (readonly) mapFreeze(fd);
  } catch (e) {
    fd.close();
    throw e;
  }
  return fd;
}

/** The section's initial bytes with the caller's values for its variables written in. */
function withGlobals(data: DataSectionSpec, globals: LoadCollectionOptions['globals']): Uint8Array {
  const bytes = new Uint8Array(data.size);
  bytes.set(data.data.subarray(0, data.size));
  if (globals === undefined) return bytes;
  for (const v of data.variables) {
    const value = globals[v.name];
    if (value === undefined) continue;
    bytes.set(encodeGlobal(`${data.name} ${v.name}`, value, v.size), v.offset);
  }
  return bytes;
}

function encodeGlobal(what: string, value: Uint8Array | number | bigint, size: number): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.byteLength !== size) throw new RangeError(`global ${what}: ${value.byteLength} bytes given, the variable has ${size}`);
    return value;
  }
  if (size > 8) throw new RangeError(`global ${what}: a ${size}-byte variable takes bytes, not a number`);
  const n = BigInt.asUintN(size * 8, BigInt(value));
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Check every `globals` name exists somewhere, so a typo is an error rather than silently ignored. */
function checkGlobals(spec: ObjectSpec, globals: LoadCollectionOptions['globals']): void {
  if (globals === undefined) return;
  const known = new Set(spec.data.flatMap((d) => d.variables.map((v) => v.name)));
  for (const name of Object.keys(globals)) {
    if (!known.has(name)) throw new TypeError(`global ${name}: no such variable in .data, .rodata or .bss (known: ${[...known].join(', ') || 'none'})`);
  }
}

function fillSlots(coll: Collection, map: MapSpec, from: Map<string, Fd>, skipMissing: boolean): void {
  const fd = coll.maps.get(map.name)!;
  for (const { index, target } of map.initialSlots ?? []) {
    const value = from.get(target);
    if (value === undefined) {
      if (skipMissing) continue;
      throw new TypeError(`map ${map.name}: values[${index}] names unknown ${target}`);
    }
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, index, true);
    const v = new Uint8Array(4);
    new DataView(v.buffer).setUint32(0, value.value, true);
    mapUpdate(fd, key, v);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Externs: `.kconfig`
// ---------------------------------------------------------------------------------------------------------------

/** A synthetic `.kconfig` data section holding every `__kconfig` extern the programs use, filled in. */
function kconfigSection(spec: ObjectSpec, linked: readonly LinkedProgram[], options: LoadCollectionOptions): DataSectionSpec | undefined {
  const names = new Set<string>();
  for (const l of linked) for (const { ref } of l.references) if (ref.kind === 'extern' && ref.type === 'kconfig') names.add(ref.name);
  if (names.size === 0) return undefined;
  // lay out in the order of the object's .kconfig DATASEC (as kernelBtf does), else by name
  const btf = spec.btf;
  const order: { name: string; size: number }[] = [];
  const sec = btf?.types.find((t) => t.kind === 'datasec' && t.name === KCONFIG);
  if (btf && sec && sec.kind === 'datasec') {
    for (const v of sec.vars) {
      const t = btf.typeById(v.type);
      if (t.kind !== 'var') continue;
      order.push({ name: t.name, size: v.size || btf.sizeOf(t.type) });
    }
  }
  for (const n of [...names].sort()) if (!order.some((o) => o.name === n)) order.push({ name: n, size: 8 });
  let end = 0;
  const variables = order.map((o) => {
    const offset = Math.ceil(end / 8) * 8;
    end = offset + o.size;
    return { name: o.name, offset, size: o.size, global: true };
  });
  const size = Math.max(8, Math.ceil(end / 8) * 8);
  const bytes = new Uint8Array(size);
  for (const v of variables) {
    const value = kconfigValue(v.name, v.size, options.kconfig ? { overrides: options.kconfig } : {});
    if (value === undefined) {
      if (!names.has(v.name)) continue;
      throw new TypeError(`extern ${v.name} (__kconfig): the running kernel does not define it; pass it in options.kconfig`);
    }
    bytes.set(value, v.offset);
  }
  return { name: KCONFIG, kind: 'rodata', size, data: bytes, variables };
}

// ---------------------------------------------------------------------------------------------------------------
// Programs
// ---------------------------------------------------------------------------------------------------------------

function loadOne(
  coll: Collection,
  spec: ObjectSpec,
  program: ProgramSpec,
  linked: LinkedProgram,
  btfFd: Fd | undefined,
  options: LoadCollectionOptions,
): void {
  let resolved;
  try {
    resolved = programType(program, options.programTypes?.[program.name], options.defaultProgramType);
  } catch (e) {
    throw notLoadable(program, (e as Error).message, e);
  }
  if (resolved === undefined) {
    throw notLoadable(program, `unknown program type: section ${program.section} implies none; give programTypes or defaultProgramType`);
  }
  const fromSection = options.programTypes?.[program.name] === undefined && program.type !== undefined;
  const sec = sectionInfo(program.section);
  let flags = 0;
  if (fromSection && sec?.def.sleepable === true) flags |= BPF_F_SLEEPABLE;
  if (fromSection && sec?.def.xdpFrags === true) flags |= BPF_F_XDP_HAS_FRAGS;

  let kernel: KernelBtf | undefined;
  const kernelTypes = (): KernelBtf => {
    try {
      kernel ??= options.kernelBtf ?? vmlinuxBtf();
    } catch (e) {
      throw notLoadable(program, (e as Error).message, e);
    }
    return kernel;
  };

  let attachBtfId: number | undefined;
  if (fromSection && sec?.def.attachBtf === true) attachBtfId = attachTarget(program, sec.def.sec, sec.target, kernelTypes);

  let insns = [...linked.instructions];
  const slots = slotIndex(insns);

  // CO-RE: linkProgram lays out functions in `linked.functions` order; relocations follow their function
  const relos: CoreRelocationAt[] = [];
  for (const f of linked.functions) {
    const fn = spec.functions.find((x) => x.name === f.name);
    for (const r of fn?.coreRelocations ?? []) relos.push({ slot: f.slot + r.slot, typeId: r.typeId, accessString: r.accessString, kind: r.kind });
  }
  let coreResults: CoreRelocationResult[] = [];
  if (relos.length > 0) {
    if (spec.btf === undefined) throw notLoadable(program, 'unsupported relocation: co-re relocations without BTF');
    try {
      const r = relocateCore(insns, slots, relos, spec.btf, kernelTypes(), `program ${program.name}`);
      insns = r.instructions;
      coreResults = r.results;
    } catch (e) {
      if (e instanceof ProgramLoadError) throw e;
      throw notLoadable(program, `unsupported relocation: ${(e as Error).message}`, e);
    }
  }

  for (const { slot: at, ref } of linked.references) {
    const i = slots.get(at)!;
    try {
      insns[i] = resolveReference(insns[i]!, ref, coll, at, kernelTypes);
    } catch (e) {
      if (e instanceof ProgramLoadError) throw e;
      throw notLoadable(program, (e as Error).message, e);
    }
  }

  const funcInfo = btfFd ? funcInfoRecords(linked) : undefined;
  const lineInfo = btfFd && funcInfo && spec.btf ? lineInfoRecords(linked, spec.btf) : undefined;
  let loaded;
  try {
    loaded = progLoad({
      type: resolved.type,
      insns: encode(insns),
      license: spec.license,
      name: program.name,
      ...(resolved.expectedAttachType !== undefined ? { expectedAttachType: resolved.expectedAttachType } : {}),
      ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
      ...(spec.kernelVersion !== undefined ? { kernVersion: spec.kernelVersion } : {}),
      ...(btfFd && funcInfo ? { btfFd, funcInfo: { recSize: 8, data: funcInfo } } : {}),
      ...(btfFd && funcInfo && lineInfo ? { lineInfo: { recSize: 16, data: lineInfo } } : {}),
      ...(attachBtfId !== undefined ? { attachBtfId } : {}),
      ...(flags !== 0 ? { flags } : {}),
    });
  } catch (e) {
    if (e instanceof VerifierError) {
      throw new ProgramLoadError({
        program: program.name,
        section: program.section,
        verdict: 'rejected',
        reason: cleanReason(e.reason ?? e.message),
        insn: e.insn,
        source: e.insn === undefined ? undefined : sourceAt(linked, e.insn),
        cause: e,
      });
    }
    // the syscall error's own context repeats "load program NAME"
    const message = e instanceof BpfSyscallError && e.message.startsWith(`${e.context}: `) ? e.message.slice(e.context.length + 2) : (e as Error).message;
    throw notLoadable(program, message, e);
  }
  coll.programs.set(program.name, loaded.fd);
  coll.info.set(program.name, {
    type: resolved.type,
    expectedAttachType: resolved.expectedAttachType,
    attachBtfId,
    coreRelocations: coreResults,
  });
  if (loaded.log.length > 0) coll.logs.set(program.name, loaded.log);
}

/** The kernel sometimes glues the statistics line onto its last message (no newline in between). */
function cleanReason(reason: string): string {
  return reason.replace(/processed \d+ insns \(limit .*$/, '').trim();
}

/** The source line of instruction `slot`: the last line info at or before it. */
export function sourceAt(linked: LinkedProgram, slot: number): SourcePosition | undefined {
  let best: SourcePosition | undefined;
  let bestSlot = -1;
  for (const l of linked.lineInfo) {
    if (l.slot <= slot && l.slot >= bestSlot) {
      best = { file: l.file, line: l.line, column: l.column, text: l.text };
      bestSlot = l.slot;
    }
  }
  return best;
}

/** attach_btf_id for fentry/fexit/fmod_ret/tp_btf/lsm/iter programs, from the kernel's BTF. */
function attachTarget(program: ProgramSpec, sec: string, target: string, kernelTypes: () => KernelBtf): number {
  if (sec === 'freplace' || sec.startsWith('freplace')) {
    throw notLoadable(program, 'missing attach target: freplace needs the program to replace (attach_prog_fd)');
  }
  if (target === '') throw notLoadable(program, `missing attach target: section ${program.section} names no function`);
  const k = kernelTypes();
  let name: string;
  let kind: 'func' | 'typedef' = 'func';
  if (sec.startsWith('tp_btf')) {
    name = `btf_trace_${target}`;
    kind = 'typedef';
  } else if (sec.startsWith('lsm')) name = `bpf_lsm_${target}`;
  else if (sec.startsWith('iter')) name = `bpf_iter_${target}`;
  else name = target;
  const ids = k.find(name, kind);
  if (ids.length === 0) throw notLoadable(program, `missing attach target: the kernel's BTF has no ${kind} ${name}`);
  return ids[0]!;
}

function resolveReference(
  insn: Instruction,
  ref: RuntimeReference,
  coll: Collection,
  slot: number,
  kernelTypes: () => KernelBtf,
): Instruction {
  const where = `instruction ${slot}`;
  if (ref.kind === 'extern' && ref.type === 'kfunc') {
    if (insn.kind !== 'call') throw new TypeError(`${where}: kfunc ${ref.name} on a ${insn.kind} instruction`);
    const ids = kernelTypes().find(ref.name, 'func');
    if (ids.length === 0) throw new TypeError(`${where}: unsupported relocation: kfunc ${ref.name} is not in the kernel's BTF`);
    return { kind: 'call', target: 'kfunc', imm: ids[0]!, off: 0 };
  }
  if (insn.kind !== 'lddw') throw new TypeError(`${where}: ${ref.kind} reference on a ${insn.kind} instruction`);
  switch (ref.kind) {
    case 'map': {
      const fd = coll.maps.get(ref.map);
      if (fd === undefined) throw new TypeError(`${where}: unknown map ${ref.map}`);
      return { ...insn, pseudo: 'map_fd', value: BigInt(fd.value) };
    }
    case 'map_value': {
      const fd = coll.maps.get(ref.map);
      if (fd === undefined) throw new TypeError(`${where}: global data ${ref.map} was not created`);
      return { ...insn, pseudo: 'map_value', value: (BigInt(ref.offset) << 32n) | BigInt(fd.value) };
    }
    case 'extern': {
      if (ref.type === 'kconfig') {
        const fd = coll.maps.get(KCONFIG);
        const v = fd === undefined ? undefined : kconfigOffsets.get(coll)?.get(ref.name);
        if (fd === undefined || v === undefined) throw new TypeError(`${where}: extern ${ref.name} (__kconfig) was not laid out`);
        return { ...insn, pseudo: 'map_value', value: (BigInt(v) << 32n) | BigInt(fd.value) };
      }
      // __ksym variable: BPF_PSEUDO_BTF_ID with the VAR's id in vmlinux BTF (imm2 = 0: vmlinux)
      const ids = kernelTypes().find(ref.name, 'var');
      if (ids.length === 0) throw new TypeError(`${where}: unsupported relocation: ksym ${ref.name} is not in the kernel's BTF`);
      return { ...insn, pseudo: 'btf_id', value: BigInt(ids[0]!) };
    }
  }
}

/** `.kconfig` variable offsets per collection (set when the section is created). */
const kconfigOffsets = new WeakMap<Collection, Map<string, number>>();
