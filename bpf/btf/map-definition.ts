// BTF-defined maps: decoding libbpf's `.maps` convention (tools/lib/bpf/libbpf.c, parse_btf_map_def).
//
// A map is a VAR in the `.maps` DATASEC whose type is a struct; its members encode the definition in their
// types, not in data:
//
//   struct {                                           member type in BTF
//     __uint(type, BPF_MAP_TYPE_HASH);      int (*type)[1]         PTR -> ARRAY nelems=1      number = nelems
//     __uint(max_entries, 1024);            int (*max_entries)[1024]
//     __type(key, __u32);                   __u32 *key             PTR -> key type           size = sizeOf
//     __type(value, struct v);              struct v *value        PTR -> value type
//     __ulong(map_extra, 1ULL << 40);       enum { x = 1ULL<<40 } map_extra   ENUM/ENUM64 with one value
//     __array(values, struct inner);        struct inner *values[] ARRAY nelems=0 -> PTR -> STRUCT (inner map)
//   } name SEC(".maps");                                               or -> FUNC_PROTO (prog array)
//
// Numeric members: type, key_size, value_size, max_entries, map_flags, numa_node, pinning (and map_extra,
// which may also be a pointer to an array).
import type { Btf } from './btf.ts';
import type { BtfType } from './btf-type.ts';

/** A map definition as libbpf reads it from BTF. Fields are present only when the struct has the member. */
export interface BtfMapDefinition {
  /** enum bpf_map_type */
  type?: number;
  keySize?: number;
  valueSize?: number;
  /** The key type (the pointee of `key`), when given by type rather than by key_size. */
  keyTypeId?: number;
  valueTypeId?: number;
  maxEntries?: number;
  /** map_flags */
  flags?: number;
  /** LIBBPF_PIN_NONE 0, LIBBPF_PIN_BY_NAME 1 */
  pinning?: number;
  numaNode?: number;
  mapExtra?: bigint;
  /** The inner map template of an array/hash of maps (from `values`); prog arrays have none. */
  inner?: BtfMapDefinition;
}

const BPF_MAP_TYPE_PROG_ARRAY = 3;
const BPF_MAP_TYPE_ARRAY_OF_MAPS = 12;
const BPF_MAP_TYPE_HASH_OF_MAPS = 13;

const NUMERIC: Readonly<Record<string, 'type' | 'keySize' | 'valueSize' | 'maxEntries' | 'flags' | 'numaNode' | 'pinning'>> = {
  type: 'type',
  key_size: 'keySize',
  value_size: 'valueSize',
  max_entries: 'maxEntries',
  map_flags: 'flags',
  numa_node: 'numaNode',
  pinning: 'pinning',
};

/**
 * Decodes the map definition of the `.maps` variable `varTypeId` (a VAR; a STRUCT id is accepted too).
 * TypeError, naming the map and member, for unknown members, members of the wrong shape and conflicting
 * sizes; RangeError for bad type ids.
 */
export function decodeBtfMapDefinition(btf: Btf, varTypeId: number): BtfMapDefinition {
  const v = btf.typeById(varTypeId);
  const mapName = v.name === '' ? `(type ${varTypeId})` : v.name;
  const structId = btf.resolve(v.kind === 'var' ? v.type : varTypeId);
  return decodeStruct(btf, structId, `map ${mapName}`, false);
}

/** Every map in the `.maps` DATASEC, in section order, with its VAR's name and id. */
export function decodeBtfMaps(btf: Btf): { name: string; varTypeId: number; definition: BtfMapDefinition }[] {
  const id = btf.findByName('datasec', '.maps');
  if (id === undefined) return [];
  const sec = btf.typeById(id);
  if (sec.kind !== 'datasec') return [];
  return sec.vars.map((entry) => ({
    name: btf.typeName(entry.type),
    varTypeId: entry.type,
    definition: decodeBtfMapDefinition(btf, entry.type),
  }));
}

function kindOf(btf: Btf, id: number): string {
  return id === 0 ? 'VOID' : btf.typeById(id).kind.toUpperCase();
}

function decodeStruct(btf: Btf, structId: number, where: string, isInner: boolean): BtfMapDefinition {
  const s: BtfType | undefined = structId === 0 ? undefined : btf.typeById(structId);
  if (s === undefined || s.kind !== 'struct') {
    throw new TypeError(`${where}: definition must be a STRUCT, got ${kindOf(btf, structId)} (type ${structId})`);
  }
  const def: BtfMapDefinition = {};
  s.members.forEach((m, i) => {
    const at = `${where}: member ${m.name === '' ? `#${i}` : m.name}`;
    const numeric = NUMERIC[m.name];
    if (numeric !== undefined) {
      def[numeric] = pointerToArrayCount(btf, m.type, at);
      return;
    }
    switch (m.name) {
      case 'map_extra':
        def.mapExtra = longValue(btf, m.type, at);
        return;
      case 'key':
      case 'value': {
        const p = btf.typeById(btf.resolve(m.type) || fail(`${at}: expected PTR, got VOID`));
        if (p.kind !== 'ptr') throw new TypeError(`${at}: expected PTR, got ${p.kind.toUpperCase()}`);
        let size: number;
        try {
          size = btf.sizeOf(p.type);
        } catch (e) {
          throw new TypeError(`${at}: cannot size type ${p.type}`, { cause: e });
        }
        const sizeKey = m.name === 'key' ? 'keySize' : 'valueSize';
        const prior = def[sizeKey];
        if (prior !== undefined && prior !== size) {
          throw new TypeError(`${at}: conflicting size ${size}, ${m.name}_size says ${prior}`);
        }
        def[sizeKey] = size;
        if (m.name === 'key') def.keyTypeId = p.type;
        else def.valueTypeId = p.type;
        return;
      }
      case 'values': {
        if (isInner) throw new TypeError(`${at}: multi-level inner maps are not supported`);
        if (i !== s.members.length - 1) throw new TypeError(`${at}: must be the last member`);
        const mapInMap = def.type === BPF_MAP_TYPE_ARRAY_OF_MAPS || def.type === BPF_MAP_TYPE_HASH_OF_MAPS;
        const progArray = def.type === BPF_MAP_TYPE_PROG_ARRAY;
        if (!mapInMap && !progArray) {
          throw new TypeError(`${at}: needs a map-in-map or prog-array type, map type is ${def.type ?? 'unset'}`);
        }
        if (def.valueSize !== undefined && def.valueSize !== 4) {
          throw new TypeError(`${at}: conflicting value size ${def.valueSize}, must be 4`);
        }
        def.valueSize = 4;
        const arr = m.type === 0 ? undefined : btf.typeById(m.type);
        if (arr === undefined || arr.kind !== 'array' || arr.nelems !== 0) {
          throw new TypeError(`${at}: expected a zero-length ARRAY, got ${kindOf(btf, m.type)}`);
        }
        const ptrId = btf.resolve(arr.type);
        const ptr = ptrId === 0 ? undefined : btf.typeById(ptrId);
        if (ptr === undefined || ptr.kind !== 'ptr') {
          throw new TypeError(`${at}: array element must be a PTR, got ${kindOf(btf, ptrId)}`);
        }
        const targetId = btf.resolve(ptr.type);
        if (progArray) {
          if (kindOf(btf, targetId) !== 'FUNC_PROTO') {
            throw new TypeError(`${at}: prog-array values must point to a FUNC_PROTO, got ${kindOf(btf, targetId)}`);
          }
          return;
        }
        def.inner = decodeStruct(btf, targetId, `${where}: inner map`, true);
        return;
      }
      default:
        throw new TypeError(`${at}: unknown map definition member`);
    }
  });
  return def;
}

function fail(message: string): never {
  throw new TypeError(message);
}

/** `int (*name)[N]` -> N (libbpf get_map_field_int). */
function pointerToArrayCount(btf: Btf, memberType: number, at: string): number {
  const ptrId = btf.resolve(memberType);
  const ptr = ptrId === 0 ? undefined : btf.typeById(ptrId);
  if (ptr === undefined || ptr.kind !== 'ptr') throw new TypeError(`${at}: expected PTR, got ${kindOf(btf, ptrId)}`);
  const arr = ptr.type === 0 ? undefined : btf.typeById(ptr.type);
  if (arr === undefined || arr.kind !== 'array') {
    throw new TypeError(`${at}: expected PTR to ARRAY, got PTR to ${kindOf(btf, ptr.type)}`);
  }
  return arr.nelems;
}

/** map_extra: `int (*)[N]`, or a single-value ENUM/ENUM64 (libbpf get_map_field_long). */
function longValue(btf: Btf, memberType: number, at: string): bigint {
  const id = btf.resolve(memberType);
  const t = id === 0 ? undefined : btf.typeById(id);
  if (t?.kind === 'ptr') return BigInt(pointerToArrayCount(btf, memberType, at));
  if (t === undefined || (t.kind !== 'enum' && t.kind !== 'enum64')) {
    throw new TypeError(`${at}: expected PTR, ENUM or ENUM64, got ${kindOf(btf, id)}`);
  }
  const only = t.values.length === 1 ? t.values[0] : undefined;
  if (only === undefined) throw new TypeError(`${at}: expected exactly one enumerator, got ${t.values.length}`);
  // As a __u64: signed values are sign-extended, unsigned ones zero-extended.
  return BigInt.asUintN(64, BigInt(only.value));
}
