// Socket filters through SO_ATTACH_BPF on a UDP socket bound to loopback: the program's verdict decides
// which datagrams the socket receives; update() swaps filters, close() removes the filter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { attachSocketFilter } from '../../loader/attach/index.ts';
import {
  AF_INET,
  MSG_DONTWAIT,
  SOCK_DGRAM,
  sockaddrIn,
  sockaddrInPort,
  sysBind,
  sysClose,
  sysGetsockname,
  sysRecv,
  sysSendto,
  sysSocket,
} from '../../loader/netlink/index.ts';
import { loadCollection, mapLookup, trackFds } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import { leftoversAfterCleanup, ProgramIds, perCpuSum } from '../support/netns.ts';
import { available, bpftool, kernelBpf } from '../support/require.ts';

const run = available('attach socket filter', kernelBpf, bpftool);
const ours = new ProgramIds();
const spec = run ? readObject(readFileSync(join(repoRoot, 'test/fixtures/traffic.o'))) : undefined;

/** A UDP socket on 127.0.0.1 and a sender aimed at it; datagrams are sent and read synchronously. */
function loopbackPair(): { rx: number; tx: number; send(size: number): void; drain(): number[]; [Symbol.dispose](): void } {
  const rx = sysSocket(AF_INET, SOCK_DGRAM, 0);
  const tx = sysSocket(AF_INET, SOCK_DGRAM, 0);
  sysBind(rx, sockaddrIn('127.0.0.1', 0));
  const to = sockaddrIn('127.0.0.1', sockaddrInPort(sysGetsockname(rx)));
  return {
    rx,
    tx,
    send: (size) => void sysSendto(tx, new Uint8Array(size).fill(0x5a), to),
    drain: () => {
      const sizes: number[] = [];
      const buf = new Uint8Array(2048);
      for (let n = sysRecv(rx, buf, MSG_DONTWAIT); n >= 0; n = sysRecv(rx, buf, MSG_DONTWAIT)) sizes.push(n);
      return sizes;
    },
    [Symbol.dispose]: () => {
      sysClose(rx);
      sysClose(tx);
    },
  };
}

describe.runIf(run)('socket filters', () => {
  afterAll(async () => {
    expect(await leftoversAfterCleanup(ours)).toEqual({ programs: [], links: [] });
  });

  it('attachSocketFilter() keeps the datagrams the program accepts and drops the others', () => {
    using fds = trackFds();
    using sock = loopbackPair();
    using coll = ours.add(loadCollection(spec!));
    const counts = coll.maps.get('counts')!;
    const count = (k: number): number => perCpuSum(mapLookup(counts, Uint8Array.of(k, 0, 0, 0)));
    const link = attachSocketFilter(coll.programs.get('socket_drop_big')!, sock.rx);
    expect(link).toMatchObject({ kind: 'socket_filter', via: 'setsockopt' });
    for (let i = 0; i < 40; i++) {
      sock.send(10);
      sock.send(200);
    }
    // loopback delivers within sendto(): everything is queued (or dropped) by now
    expect(sock.drain()).toEqual(new Array<number>(40).fill(10));
    expect([count(0), count(1)]).toEqual([40, 40]);

    link.close();
    for (let i = 0; i < 5; i++) sock.send(200);
    expect(sock.drain()).toEqual(new Array<number>(5).fill(200));
    expect([count(0), count(1)]).toEqual([40, 40]);
    coll.close();
    fds.assertAllClosed();
  });

  it('update() swaps the filter atomically and the new program decides', () => {
    using fds = trackFds();
    using sock = loopbackPair();
    using first = ours.add(loadCollection(spec!));
    using second = ours.add(loadCollection(spec!));
    const count = (c: typeof first, k: number): number => perCpuSum(mapLookup(c.maps.get('counts')!, Uint8Array.of(k, 0, 0, 0)));
    {
      using link = attachSocketFilter(first.programs.get('socket_drop_big')!, sock.rx);
      sock.send(200);
      link.update(second.programs.get('socket_drop_big')!);
      sock.send(200);
      sock.send(20);
      expect(sock.drain()).toEqual([20]);
    }
    expect([count(first, 0), count(second, 0), count(second, 1)]).toEqual([1, 1, 1]);
    first.close();
    second.close();
    fds.assertAllClosed();
  });

  it('attachSocketFilter() on something that is not a socket says so', () => {
    using coll = ours.add(loadCollection(spec!));
    expect(() => attachSocketFilter(coll.programs.get('socket_drop_big')!, 0x7ffff)).toThrow(/socket fd 524287: bad file descriptor/);
  });
});
