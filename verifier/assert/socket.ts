// Socket pointers (the kernel's PTR_TO_SOCK_COMMON, PTR_TO_SOCKET, PTR_TO_TCP_SOCK and their _OR_NULL forms):
// what the socket helpers return, which pointer kinds their socket arguments accept (compatible_reg_types),
// and which fields of `struct bpf_sock` / `struct bpf_tcp_sock` a load may read (check_sock_access with
// bpf_sock_common_is_valid_access, bpf_sock_is_valid_access, bpf_tcp_sock_is_valid_access). Sockets are
// read-only; pointer arithmetic on them is refused by pointer-arith.ts.
import type { HelperArgKind } from '../../bpf/index.ts';
import { tnumIsConst, tnumStrn } from '../domains/index.ts';
import { typeStr, type PtrReg, type PtrType, type RegState } from '../state/index.ts';
import { Reject } from './failure.ts';
import type { AccessType } from './memory.ts';

export const SOCKET_TYPES: ReadonlySet<PtrType> = new Set(['sock_common', 'sock', 'tcp_sock']);

/** The pointer kind a socket helper returns (RET_PTR_TO_SOCK_COMMON_OR_NULL ...), or undefined for others. */
export function socketReturnType(retText: string): PtrType | undefined {
  switch (retText) {
    case 'RET_PTR_TO_SOCK_COMMON_OR_NULL':
      return 'sock_common_or_null';
    case 'RET_PTR_TO_SOCKET_OR_NULL':
      return 'sock_or_null';
    case 'RET_PTR_TO_TCP_SOCK_OR_NULL':
      return 'tcp_sock_or_null';
    default:
      return undefined;
  }
}

/** is_acquire_function: helpers whose result holds a reference that must be released (bpf_sk_release). */
export const SOCKET_ACQUIRE_HELPERS: ReadonlySet<string> = new Set(['sk_lookup_tcp', 'sk_lookup_udp', 'skc_lookup_tcp']);
/** is_ptr_cast_function: the result shares the argument's reference (released together). */
export const SOCKET_CAST_HELPERS: ReadonlySet<string> = new Set(['sk_fullsock', 'tcp_sock']);

/**
 * The pointer kinds a socket argument accepts, as the kernel lists them in "R1 type=... expected=..."
 * (sock_types, btf_id_sock_common_types, fullsock_types); kinds not modelled here (xdp_sock, BTF pointers)
 * are listed but never produced.
 */
const ACCEPTED: Readonly<Record<string, { readonly types: readonly string[]; readonly expected: string }>> = {
  ARG_PTR_TO_SOCK_COMMON: { types: ['sock_common', 'sock', 'tcp_sock'], expected: 'sock_common, sock, tcp_sock, xdp_sock' },
  ARG_PTR_TO_BTF_ID_SOCK_COMMON: {
    types: ['sock_common', 'sock', 'tcp_sock'],
    expected: 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_',
  },
  ARG_PTR_TO_SOCKET: { types: ['sock'], expected: 'sock' },
};

export function isSocketArg(kind: HelperArgKind): boolean {
  return ACCEPTED[kind.base] !== undefined;
}

const isNull = (r: RegState): boolean => r.kind === 'scalar' && tnumIsConst(r.s.varOff) && r.s.varOff.value === 0n;

/**
 * check_func_arg for a socket argument: a null constant where the prototype allows one, else one of the
 * accepted kinds (never maybe-null); a release argument must hold a reference. Returns the reference the
 * argument carries (ref_obj_id), 0 for none.
 */
export function assertSocketArg(regno: number, reg: RegState, kind: HelperArgKind): number {
  const accepted = ACCEPTED[kind.base]!;
  const release = kind.flags.includes('OBJ_RELEASE');
  if (kind.flags.includes('PTR_MAYBE_NULL') && isNull(reg)) return 0;
  if (reg.kind !== 'ptr' || !accepted.types.includes(reg.type)) {
    throw new Reject(`R${regno} type=${typeStr(reg)} expected=${accepted.expected}`);
  }
  if (release && reg.refObj === 0) throw new Reject(`R${regno} must be referenced when passed to release function`);
  return reg.refObj;
}

/*
 * struct bpf_sock (include/uapi/linux/bpf.h), 80 bytes:
 *
 *    0 bound_dev_if   4 family   8 type   12 protocol   16 mark   20 priority   24 src_ip4
 *   28 src_ip6[4]    44 src_port   48 dst_port (__be16)  50 (padding)   52 dst_ip4   56 dst_ip6[4]
 *   72 state         76 rx_queue_mapping
 *
 * Loads of 4 bytes at field offsets; the fields below also allow 1- and 2-byte loads (bpf_ctx_narrow_access_ok)
 * at any offset inside them that is a multiple of the size; dst_port is 2 bytes wide (a 4-byte load at 48 too).
 */
const SOCK_SIZE = 80;
/** [first byte, last byte] of fields that allow narrow loads at any aligned offset inside (bpf_ctx_range) */
const NARROW_RANGES: readonly (readonly [number, number])[] = [[24, 27], [28, 43], [52, 55], [56, 71]];
/** fields that allow narrow loads at their first byte only (a case on offsetof) */
const NARROW_AT: ReadonlySet<number> = new Set([4, 8, 12, 44, 72, 76]);

function sockFieldOk(off: number, size: number): boolean {
  if (off < 0 || off >= SOCK_SIZE || off % size !== 0) return false;
  if (NARROW_AT.has(off) || NARROW_RANGES.some(([a, b]) => off >= a && off <= b)) return size <= 4;
  if (off === 48 || off === 49) return size <= (size === 4 ? 4 : 2);
  if (off === 50 || off === 51) return false;
  return size === 4;
}

/** bpf_sock_common_is_valid_access: type, protocol, mark and priority are not in struct sock_common. */
function sockCommonFieldOk(off: number, size: number): boolean {
  if (off >= 8 && off <= 23) return false;
  return sockFieldOk(off, size);
}

/*
 * struct bpf_tcp_sock, 112 bytes of __u32 fields, except bytes_received (80) and bytes_acked (88), __u64.
 */
function tcpSockFieldOk(off: number, size: number): boolean {
  if (off < 0 || off >= 112 || off % size !== 0) return false;
  if (off === 80 || off === 88) return size === 8;
  return size === 4;
}

/** check_ptr_alignment (strict for sockets) and check_sock_access for a load through a socket pointer. */
export function assertSocketAccess(reg: PtrReg, regno: number, insnOff: number, size: number, t: AccessType): void {
  if (t === 'write') throw new Reject(`R${regno} cannot write into ${typeStr(reg)}`);
  const off = reg.off + insnOff;
  const v = reg.v.varOff;
  if (size > 1 && (!tnumIsConst(v) || (v.value + BigInt(off)) % BigInt(size) !== 0n)) {
    const tn = tnumIsConst(v) ? `${BigInt.asIntN(64, v.value)}` : tnumStrn(v);
    throw new Reject(`misaligned ${typeStr(reg)} access off ${tn}+${reg.off}+${insnOff} size ${size}`);
  }
  if (reg.v.smin < 0n) throw new Reject(`R${regno} min value is negative, either use unsigned index or do a if (index >=0) check.`);
  const ok = reg.type === 'sock_common' ? sockCommonFieldOk(off, size) : reg.type === 'sock' ? sockFieldOk(off, size) : tcpSockFieldOk(off, size);
  if (!ok) throw new Reject(`R${regno} invalid ${typeStr(reg)} access off=${off} size=${size}`);
}
