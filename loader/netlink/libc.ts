// The libc calls netlink and the socket-level attach paths need, bound lazily through koffi (like
// loader/sys/syscall.ts binds bpf(2)): socket, bind, sendto, recv, setsockopt, close, fcntl, setns.
//
// Every function returns the call's result, or throws an OsError naming the call and errno. Buffers are
// Uint8Arrays passed as `void *`; koffi keeps them alive for the duration of the call.
import { createRequire } from 'node:module';
import { closeSync, openSync } from 'node:fs';
import type * as KoffiModule from 'koffi';
import { errnoCode, errnoMessage } from '../sys/index.ts';

type Koffi = typeof KoffiModule;

interface Libc {
  readonly koffi: Koffi;
  readonly socket: (domain: number, type: number, protocol: number) => number;
  readonly bind: (fd: number, addr: Uint8Array, len: number) => number;
  readonly sendto: (fd: number, buf: Uint8Array, len: number, flags: number, addr: Uint8Array | null, alen: number) => number | bigint;
  readonly recv: (fd: number, buf: Uint8Array, len: number, flags: number) => number | bigint;
  readonly setsockopt: (fd: number, level: number, name: number, value: Uint8Array, len: number) => number;
  readonly getsockname: (fd: number, addr: Uint8Array, len: Uint32Array) => number;
  readonly close: (fd: number) => number;
  readonly fcntl: (fd: number, cmd: number, ...rest: unknown[]) => number;
  readonly setns: (fd: number, nstype: number) => number;
}

let libc: Libc | undefined;

function get(): Libc {
  if (libc) return libc;
  const koffi = createRequire(import.meta.url)('koffi') as Koffi;
  const lib = koffi.load('libc.so.6');
  libc = {
    koffi,
    socket: lib.func('int socket(int, int, int)') as Libc['socket'],
    bind: lib.func('int bind(int, void *, uint32_t)') as Libc['bind'],
    sendto: lib.func('long sendto(int, void *, size_t, int, void *, uint32_t)') as Libc['sendto'],
    recv: lib.func('long recv(int, void *, size_t, int)') as Libc['recv'],
    setsockopt: lib.func('int setsockopt(int, int, int, void *, uint32_t)') as Libc['setsockopt'],
    getsockname: lib.func('int getsockname(int, void *, _Inout_ uint32_t *)') as Libc['getsockname'],
    close: lib.func('int close(int)') as Libc['close'],
    fcntl: lib.func('int fcntl(int, int, ...)') as Libc['fcntl'],
    setns: lib.func('int setns(int, int)') as Libc['setns'],
  };
  return libc;
}

/** A failed libc call: `netlink socket: operation not permitted (EPERM)`. */
export class OsError extends Error {
  readonly errno: number;
  readonly code: string;
  constructor(context: string, errno: number, options?: ErrorOptions) {
    super(`${context}: ${errnoMessage(errno)} (${errnoCode(errno)})`, options);
    this.name = 'OsError';
    this.errno = errno;
    this.code = errnoCode(errno);
  }
}

function check(ret: number | bigint, context: string): number {
  const n = Number(ret);
  if (n < 0) throw new OsError(context, get().koffi.errno());
  return n;
}

export const AF_INET = 2;
export const AF_NETLINK = 16;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const MSG_DONTWAIT = 0x40;

/** socket(2) with SOCK_CLOEXEC. */
export function sysSocket(domain: number, type: number, protocol: number, context = 'socket'): number {
  return check(get().socket(domain, type | SOCK_CLOEXEC, protocol), context);
}

export function sysBind(fd: number, addr: Uint8Array, context = 'bind'): void {
  check(get().bind(fd, addr, addr.byteLength), context);
}

/** sendto(2); `addr` null for a connected or netlink-default destination. Returns bytes sent. */
export function sysSendto(fd: number, buf: Uint8Array, addr: Uint8Array | null, flags = 0, context = 'sendto'): number {
  return check(get().sendto(fd, buf, buf.byteLength, flags, addr, addr?.byteLength ?? 0), context);
}

/** recv(2) into `buf`; returns bytes received, or -1 for EAGAIN with MSG_DONTWAIT. */
export function sysRecv(fd: number, buf: Uint8Array, flags = 0, context = 'recv'): number {
  const b = get();
  const n = Number(b.recv(fd, buf, buf.byteLength, flags));
  if (n >= 0) return n;
  const errno = b.koffi.errno();
  if (errno === 11 /* EAGAIN */) return -1;
  throw new OsError(context, errno);
}

export function sysSetsockopt(fd: number, level: number, name: number, value: Uint8Array, context = 'setsockopt'): void {
  check(get().setsockopt(fd, level, name, value, value.byteLength), context);
}

/** setsockopt with an int value. */
export function sysSetsockoptInt(fd: number, level: number, name: number, value: number, context = 'setsockopt'): void {
  const v = new Uint8Array(4);
  new DataView(v.buffer).setInt32(0, value, true);
  sysSetsockopt(fd, level, name, v, context);
}

/** getsockname(2): the socket's address bytes (struct sockaddr_*). */
export function sysGetsockname(fd: number, context = 'getsockname'): Uint8Array {
  const addr = new Uint8Array(128);
  const len = Uint32Array.of(addr.byteLength);
  check(get().getsockname(fd, addr, len), context);
  return addr.subarray(0, Math.min(len[0]!, addr.byteLength));
}

/**
 * struct sockaddr_in (16 B), what bind/sendto take for IPv4:
 *
 *   0        2        4                8                16
 *   +--------+--------+----------------+----------------+
 *   | family | port   | addr (4 bytes) | zero (8 bytes) |   port and addr in network byte order
 *   +--------+--------+----------------+----------------+
 */
export function sockaddrIn(addr: string, port: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  const parts = addr.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new RangeError(`${addr} is not an IPv4 address`);
  b.set(parts, 4);
  return b;
}

/** The port of a struct sockaddr_in. */
export function sockaddrInPort(sa: Uint8Array): number {
  return new DataView(sa.buffer, sa.byteOffset, sa.byteLength).getUint16(2, false);
}

export function sysClose(fd: number): void {
  check(get().close(fd), `close fd ${fd}`);
}

const F_DUPFD_CLOEXEC = 1030;

/** A close-on-exec duplicate of `fd` (numbered 3 or above). */
export function sysDup(fd: number, context = 'dup'): number {
  const b = get();
  return check(b.fcntl(fd, F_DUPFD_CLOEXEC, 'int', 3), context);
}

const CLONE_NEWNET = 0x40000000;

/**
 * Runs `fn` with the calling thread in the network namespace at `path` (`/run/netns/NAME`, as `ip netns`
 * makes them), then returns to the original namespace, even when `fn` throws. Interface names and
 * ifindexes, netlink sockets and BPF link targets all resolve in the namespace current when they are
 * used. Node runs JavaScript and these synchronous calls on one thread, so nothing else runs meanwhile.
 */
export function inNetns<T>(path: string | undefined, fn: () => T): T {
  if (path === undefined) return fn();
  const b = get();
  const back = openSync('/proc/thread-self/ns/net', 'r');
  try {
    let target: number;
    try {
      target = openSync(path, 'r');
    } catch (e) {
      const errno = -((e as NodeJS.ErrnoException).errno ?? -2);
      throw new OsError(`enter network namespace ${path}`, errno, { cause: e });
    }
    try {
      check(b.setns(target, CLONE_NEWNET), `enter network namespace ${path}`);
    } finally {
      closeSync(target);
    }
    try {
      return fn();
    } finally {
      check(b.setns(back, CLONE_NEWNET), 'return to the original network namespace');
    }
  } finally {
    closeSync(back);
  }
}
