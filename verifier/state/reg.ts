// Register state: the kernel's `struct bpf_reg_state` (include/linux/bpf_verifier.h) split by what it holds.
//
//   NOT_INIT                 -> { kind: 'not_init' }
//   SCALAR_VALUE             -> { kind: 'scalar', s }              s: the scalar domains' ScalarState
//   PTR_TO_* / CONST_PTR_*   -> { kind: 'ptr', type, off, v, ... } off: fixed offset (reg->off),
//                                                                  v: variable offset (var_off and bounds)
import { cloneScalar, formatScalar, knownScalar, tnumIsConst, type ScalarState } from '../domains/index.ts';

/** The pointer kinds modelled, named as the kernel's log prints them (reg_type_str). */
export type PtrType =
  | 'ctx'
  | 'pkt'
  | 'pkt_meta'
  | 'pkt_end'
  | 'map_value'
  | 'map_value_or_null'
  | 'map_ptr'
  | 'map_ptr_or_null'
  | 'fp'
  | 'ringbuf_mem_or_null'
  | 'ringbuf_mem'
  | 'mem'
  // a global function's pointer argument before its null check (PTR_TO_MEM | PTR_MAYBE_NULL)
  | 'mem_or_null'
  | 'func'
  // sockets (verifier/assert/socket.ts): from the socket-lookup helpers and the context's `sk` field
  | 'sock_common_or_null'
  | 'sock_common'
  | 'sock_or_null'
  | 'sock'
  | 'tcp_sock_or_null'
  | 'tcp_sock'
  // a bpf_for_each_map_elem callback's key argument (PTR_TO_MAP_KEY, read-only, key_size bytes)
  | 'map_key';

/** A map as the verifier sees it: the runtime object behind a `map` or `map_value` reference. */
export interface MapRef {
  readonly name: string;
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  /** BPF_F_RDONLY_PROG (frozen `.rodata`): the program may only read */
  readonly readOnly: boolean;
  /** a global data section (.data, .rodata, .bss) rather than a map */
  readonly global: boolean;
  /** the value holds fields the verifier treats specially (spin locks, timers, kptrs, graph roots) */
  readonly specialFields?: boolean;
  /** offset of the value's `struct bpf_spin_lock` (the only special field modelled) */
  readonly spinLockOff?: number;
  /** the inner map of a map-in-map */
  readonly inner?: MapRef;
  /** initial contents of a global data section (`.rodata` reads are constants, as bpf_map_direct_read gives) */
  readonly data?: Uint8Array;
}

export interface NotInitReg {
  readonly kind: 'not_init';
}

export interface ScalarReg {
  readonly kind: 'scalar';
  readonly s: ScalarState;
}

export interface PtrReg {
  readonly kind: 'ptr';
  readonly type: PtrType;
  /** fixed offset (reg->off) */
  off: number;
  /** variable offset: var_off and the bounds of the pointer's variable part */
  v: ScalarState;
  /** packet pointers: the group sharing a range; *_or_null: the null-check group; 0 for none */
  id: number;
  /** packet pointers: bytes known to be in the packet past the group's base (reg->range) */
  range: number;
  /** map_value, map_value_or_null, map_ptr */
  map?: MapRef;
  /** fp: the frame the stack belongs to */
  frame: number;
  /** mem, ringbuf_mem: its size */
  memSize: number;
  /** func: the first instruction of the function */
  subprog?: number;
  /** ringbuf_mem(_or_null): the reference that must be released (ref_obj_id), 0 for none */
  refObj: number;
}

export type RegState = NotInitReg | ScalarReg | PtrReg;

export const NOT_INIT: NotInitReg = Object.freeze({ kind: 'not_init' });

export function scalarReg(s: ScalarState): ScalarReg {
  return { kind: 'scalar', s };
}

export function constReg(v: bigint): ScalarReg {
  return { kind: 'scalar', s: knownScalar(v) };
}

export function ptrReg(type: PtrType, fields: Partial<Omit<PtrReg, 'kind' | 'type'>> = {}): PtrReg {
  return {
    kind: 'ptr',
    type,
    off: fields.off ?? 0,
    v: fields.v ?? knownScalar(0n),
    id: fields.id ?? 0,
    range: fields.range ?? 0,
    frame: fields.frame ?? 0,
    memSize: fields.memSize ?? 0,
    refObj: fields.refObj ?? 0,
    ...(fields.map !== undefined ? { map: fields.map } : {}),
    ...(fields.subprog !== undefined ? { subprog: fields.subprog } : {}),
  };
}

/** The kernel's name of a pointer kind (reg_type_str): a map-in-map lookup result prints as map_value_or_null. */
export function typeStr(r: RegState): string {
  if (r.kind === 'not_init') return 'not_init';
  if (r.kind === 'scalar') return 'scalar';
  return r.type === 'map_ptr_or_null' ? 'map_value_or_null' : r.type;
}

export function cloneReg(r: RegState): RegState {
  if (r.kind === 'not_init') return r;
  if (r.kind === 'scalar') return { kind: 'scalar', s: cloneScalar(r.s) };
  return { ...r, v: cloneScalar(r.v) };
}

/** Whether the pointer's variable offset is a known constant. */
export function ptrVarConst(r: PtrReg): boolean {
  return tnumIsConst(r.v.varOff);
}

/** A register as the kernel's log prints it: `ctx()`, `pkt(off=4,r=14)`, `map_value(map=m,ks=4,vs=8)`, `fp-8`. */
export function formatReg(r: RegState): string {
  if (r.kind === 'not_init') return 'not_init';
  if (r.kind === 'scalar') return formatScalar(r.s);
  if (r.type === 'fp' && ptrVarConst(r)) return `fp${r.off === 0 ? '0' : r.off}`;
  const parts: string[] = [];
  if (r.id !== 0) parts.push(`id=${r.id}`);
  if (r.off !== 0) parts.push(`off=${r.off}`);
  if (r.type === 'pkt' || r.type === 'pkt_meta') parts.push(`r=${r.range}`);
  if (r.map !== undefined) parts.push(`map=${r.map.name}`, `ks=${r.map.keySize}`, `vs=${r.map.valueSize}`);
  if (r.type === 'mem' || r.type === 'mem_or_null' || r.type === 'ringbuf_mem' || r.type === 'ringbuf_mem_or_null') parts.push(`sz=${r.memSize}`);
  if (!ptrVarConst(r)) parts.push(formatScalar(r.v).replace(/^P?scalar\((.*)\)$/, '$1'));
  return `${typeStr(r)}(${parts.join(',')})`;
}
