// Minimal bpf(2) access for checking the tables against the running kernel's verifier: load a raw program
// (BPF_PROG_LOAD) and read the verifier log back, create a map (BPF_MAP_CREATE). Test-only: the project's
// loader lives in loader/; this exists so the tables can be checked without depending on it.
//
// union bpf_attr for BPF_PROG_LOAD (the part used here):
//   0 prog_type u32 | 4 insn_cnt u32 | 8 insns u64 | 16 license u64 | 24 log_level u32 | 28 log_size u32
//   32 log_buf u64 | 40 kern_version u32 | 44 prog_flags u32 | 48 prog_name[16] | 64 prog_ifindex u32
//   68 expected_attach_type u32
// for BPF_MAP_CREATE:
//   0 map_type u32 | 4 key_size u32 | 8 value_size u32 | 12 max_entries u32 | 16 map_flags u32
import koffi from 'koffi';

const SYS_BPF = 321; // x86-64
const BPF_MAP_CREATE = 0;
const BPF_PROG_LOAD = 5;

interface Libc {
  readonly syscall: (nr: number, cmd: number, attr: Buffer, size: number) => number;
  readonly close: (fd: number) => number;
}

let libc: Libc | undefined;

function lib(): Libc {
  if (libc === undefined) {
    const l = koffi.load('libc.so.6');
    libc = {
      syscall: l.func('long syscall(long nr, int cmd, _Inout_ uint8_t *attr, unsigned int size)') as Libc['syscall'],
      close: l.func('int close(int fd)') as Libc['close'],
    };
  }
  return libc;
}

/** One 8-byte instruction slot. */
export function insn(code: number, dst = 0, src = 0, off = 0, imm = 0): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(code, 0);
  b.writeUInt8(((src & 0xf) << 4) | (dst & 0xf), 1);
  b.writeInt16LE(off, 2);
  b.writeInt32LE(imm, 4);
  return b;
}

/** `rD = imm` (64-bit mov). */
export const movImm = (dst: number, imm: number): Buffer => insn(0xb7, dst, 0, 0, imm);
/** `rD = rS` (64-bit mov). */
export const movReg = (dst: number, src: number): Buffer => insn(0xbf, dst, src);
/** `rD += imm`. */
export const addImm = (dst: number, imm: number): Buffer => insn(0x07, dst, 0, 0, imm);
export const call = (id: number): Buffer => insn(0x85, 0, 0, 0, id);
export const exit = (): Buffer => insn(0x95);
/** `rD = map_fd` (ld_imm64 with BPF_PSEUDO_MAP_FD): two slots. */
export const ldMapFd = (dst: number, fd: number): Buffer => Buffer.concat([insn(0x18, dst, 1, 0, fd), insn(0)]);

export interface LoadResult {
  readonly ok: boolean;
  readonly log: string;
}

export interface LoadOptions {
  readonly expectedAttachType?: number;
  readonly license?: string;
  readonly flags?: number;
}

/** Load a program, return whether the verifier accepted it and its log; the program is closed at once. */
export function loadProgram(progType: number, insns: readonly Buffer[], opts: LoadOptions = {}): LoadResult {
  const code = Buffer.concat([...insns]);
  const license = Buffer.from(`${opts.license ?? 'GPL'}\0`);
  const log = Buffer.alloc(64 * 1024);
  const attr = Buffer.alloc(144);
  attr.writeUInt32LE(progType, 0);
  attr.writeUInt32LE(code.length / 8, 4);
  attr.writeBigUInt64LE(BigInt(koffi.address(code)), 8);
  attr.writeBigUInt64LE(BigInt(koffi.address(license)), 16);
  attr.writeUInt32LE(1, 24);
  attr.writeUInt32LE(log.length, 28);
  attr.writeBigUInt64LE(BigInt(koffi.address(log)), 32);
  attr.writeUInt32LE(opts.flags ?? 0, 44);
  attr.writeUInt32LE(opts.expectedAttachType ?? 0, 68);
  const fd = lib().syscall(SYS_BPF, BPF_PROG_LOAD, attr, attr.length);
  if (fd >= 0) lib().close(fd);
  const end = log.indexOf(0);
  return { ok: fd >= 0, log: log.toString('utf8', 0, end < 0 ? log.length : end) };
}

/** Create a map; returns its fd (close it with closeFd) or a negative number. */
export function createMap(type: number, keySize: number, valueSize: number, maxEntries: number, flags = 0): number {
  const attr = Buffer.alloc(128);
  attr.writeUInt32LE(type, 0);
  attr.writeUInt32LE(keySize, 4);
  attr.writeUInt32LE(valueSize, 8);
  attr.writeUInt32LE(maxEntries, 12);
  attr.writeUInt32LE(flags, 16);
  return lib().syscall(SYS_BPF, BPF_MAP_CREATE, attr, attr.length);
}

export function closeFd(fd: number): void {
  if (fd >= 0) lib().close(fd);
}

/** The verifier's complaint: the last log line that is not a statistics or instruction line. */
export function verifierError(log: string): string {
  const lines = log.split('\n').filter((l) => l !== '' && !l.startsWith('processed ') && !/^\d+:/.test(l) && !l.startsWith(';'));
  return lines.at(-1) ?? '';
}

/** Expected attach types (and flags) some program types need to load at all; what the tables were measured with. */
const PROBE_ATTACH: Readonly<Record<string, LoadOptions>> = {
  xdp: { expectedAttachType: 37 }, // BPF_XDP
  cgroup_sock: { expectedAttachType: 2 }, // BPF_CGROUP_INET_SOCK_CREATE
  cgroup_device: { expectedAttachType: 6 }, // BPF_CGROUP_DEVICE
  cgroup_sock_addr: { expectedAttachType: 10 }, // BPF_CGROUP_INET4_CONNECT
  flow_dissector: { expectedAttachType: 17 }, // BPF_FLOW_DISSECTOR
  cgroup_sysctl: { expectedAttachType: 18 }, // BPF_CGROUP_SYSCTL
  cgroup_sockopt: { expectedAttachType: 21 }, // BPF_CGROUP_GETSOCKOPT
  sk_lookup: { expectedAttachType: 36 }, // BPF_SK_LOOKUP
  netfilter: { expectedAttachType: 45 }, // BPF_NETFILTER
  syscall: { flags: 1 << 4 }, // BPF_F_SLEEPABLE: syscall programs must be sleepable
};

export function loadOptions(progType: string): LoadOptions {
  return PROBE_ATTACH[progType] ?? {};
}
