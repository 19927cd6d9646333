// Load an ObjectSpec into the kernel: maps (BTF-defined, legacy and global data), then every program,
// linked with its subprograms and with map references turned into file descriptors.
//
// This is the minimal path the kernel-oracle tests need; pinning, BTF upload, CO-RE and attach live in the
// loader proper.
import {
  encode,
  linkProgram,
  type Instruction,
  type MapSpec,
  type ObjectSpec,
  type DataSectionSpec,
  type RuntimeReference,
} from '../bpf/index.ts';
import { funcInfoRecords, kernelBtf, lineInfoRecords } from './kernel-btf.ts';
import { btfLoad, Fd, mapCreate, mapFreeze, mapUpdate, progLoad } from './sys/index.ts';

const BPF_MAP_TYPE_ARRAY = 2;
const BPF_MAP_TYPE_PROG_ARRAY = 3;
const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
const BPF_MAP_TYPE_HASH_OF_MAPS = 13;
const BPF_F_RDONLY_PROG = 1 << 7;

export interface LoadCollectionOptions {
  /** program type for programs whose section name implies none (`enum bpf_prog_type`) */
  readonly defaultProgramType?: number;
  /** verifier log level for every program (the log is kept on `Collection.logs`) */
  readonly logLevel?: number;
}

/** Kernel objects created from one ObjectSpec; close() releases them all. */
export class Collection implements Disposable {
  readonly maps = new Map<string, Fd>();
  readonly programs = new Map<string, Fd>();
  readonly logs = new Map<string, readonly string[]>();

  close(): void {
    for (const fd of this.programs.values()) fd.close();
    for (const fd of this.maps.values()) fd.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Create the maps and load the programs of `spec`. On failure, everything created so far is closed. */
export function loadCollection(spec: ObjectSpec, options: LoadCollectionOptions = {}): Collection {
  const coll = new Collection();
  let btfFd: Fd | undefined;
  try {
    const btfBytes = kernelBtf(spec);
    if (btfBytes) btfFd = btfLoad(btfBytes);
    for (const map of spec.maps) coll.maps.set(map.name, createMap(map));
    for (const data of spec.data) {
      const fd = createDataMap(data);
      if (fd) coll.maps.set(data.name, fd);
    }
    for (const map of spec.maps) {
      if (map.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || map.type === BPF_MAP_TYPE_HASH_OF_MAPS) fillSlots(coll, map, coll.maps);
    }
    for (const program of spec.programs) {
      const linked = linkProgram(spec, program.name);
      const type = program.type ?? options.defaultProgramType;
      if (type === undefined) {
        throw new TypeError(`program ${program.name}: section ${program.section} implies no program type; give defaultProgramType`);
      }
      const insns = [...linked.instructions];
      const slots = new Map<number, number>();
      let slot = 0;
      insns.forEach((insn, i) => {
        slots.set(slot, i);
        slot += insn.kind === 'lddw' ? 2 : 1;
      });
      for (const { slot: at, ref } of linked.references) {
        const i = slots.get(at)!;
        insns[i] = resolveReference(insns[i]!, ref, coll, program.name, at);
      }
      const funcInfo = btfFd ? funcInfoRecords(linked) : undefined;
      const lineInfo = btfFd && funcInfo && spec.btf ? lineInfoRecords(linked, spec.btf) : undefined;
      const loaded = progLoad({
        type,
        insns: encode(insns),
        license: spec.license,
        name: program.name,
        ...(program.expectedAttachType !== undefined ? { expectedAttachType: program.expectedAttachType } : {}),
        ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
        ...(spec.kernelVersion !== undefined ? { kernVersion: spec.kernelVersion } : {}),
        ...(btfFd && funcInfo ? { btfFd, funcInfo: { recSize: 8, data: funcInfo } } : {}),
        ...(btfFd && funcInfo && lineInfo ? { lineInfo: { recSize: 16, data: lineInfo } } : {}),
      });
      coll.programs.set(program.name, loaded.fd);
      if (loaded.log.length > 0) coll.logs.set(program.name, loaded.log);
    }
    for (const map of spec.maps) if (map.type === BPF_MAP_TYPE_PROG_ARRAY) fillSlots(coll, map, coll.programs);
  } catch (e) {
    coll.close();
    throw e;
  } finally {
    // programs and maps hold their own references to the BTF object
    btfFd?.close();
  }
  return coll;
}

function createMap(map: MapSpec): Fd {
  let inner: Fd | undefined;
  if (map.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || map.type === BPF_MAP_TYPE_HASH_OF_MAPS) {
    if (map.inner === undefined) throw new TypeError(`map ${map.name}: a map of maps needs an inner map definition`);
    inner = createMap({ ...map.inner, name: `${map.name}.inner` });
  }
  try {
    return mapCreate({
      type: map.type,
      keySize: map.keySize,
      valueSize: map.valueSize,
      maxEntries: map.maxEntries,
      flags: map.flags,
      name: map.name,
      ...(inner ? { innerMapFd: inner } : {}),
      ...(map.numaNode !== undefined ? { numaNode: map.numaNode } : {}),
      ...(map.mapExtra !== undefined ? { mapExtra: map.mapExtra } : {}),
    });
  } finally {
    inner?.close();
  }
}

/** A global data section becomes a one-element array map; `.rodata` is frozen so the verifier trusts it. */
function createDataMap(data: DataSectionSpec): Fd | undefined {
  if (data.size === 0) return undefined;
  const fd = mapCreate({
    type: BPF_MAP_TYPE_ARRAY,
    keySize: 4,
    valueSize: data.size,
    maxEntries: 1,
    flags: data.kind === 'rodata' ? BPF_F_RDONLY_PROG : 0,
    name: data.name,
  });
  try {
    mapUpdate(fd, new Uint8Array(4), data.data);
    if (data.kind === 'rodata') mapFreeze(fd);
  } catch (e) {
    fd.close();
    throw e;
  }
  return fd;
}

function fillSlots(coll: Collection, map: MapSpec, from: Map<string, Fd>): void {
  const fd = coll.maps.get(map.name)!;
  for (const { index, target } of map.initialSlots ?? []) {
    const value = from.get(target);
    if (value === undefined) throw new TypeError(`map ${map.name}: values[${index}] names unknown ${target}`);
    const key = new Uint8Array(4);
    new DataView(key.buffer).setUint32(0, index, true);
    const v = new Uint8Array(4);
    new DataView(v.buffer).setUint32(0, value.value, true);
    mapUpdate(fd, key, v);
  }
}

function resolveReference(
  insn: Instruction,
  ref: RuntimeReference,
  coll: Collection,
  program: string,
  slot: number,
): Instruction {
  const where = `program ${program}: instruction ${slot}`;
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
    case 'extern':
      throw new TypeError(`${where}: extern ${ref.name} (${ref.type}) is not supported yet`);
  }
}
