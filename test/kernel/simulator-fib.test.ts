// bpf_fib_lookup, simulator against kernel: a network namespace holds a veth device with an address,
// routes (connected, via a gateway, with a locked MTU, blackhole, unreachable, prohibit) and permanent neighbours;
// the simulator gets the same table. sim_fib (XDP) runs under BPF_PROG_TEST_RUN inside the namespace (the
// lookup uses the namespace of the calling thread) and in the simulator on the same random frames, whose
// bytes choose destination, flags, ingress device and packet length: return codes and the fields the lookup
// writes must agree.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { inNetns, loadCollection, mapLookup, progTestRun } from '../../loader/index.ts';
import { hexKey, Simulator, type FibTable } from '../../simulator/index.ts';
import { createRng, randomPacket } from '../../simulator/packet/index.ts';
import { available, kernelBpf } from '../support/require.ts';

const root = join(import.meta.dirname, '../..');
const NS = `tsbpf-simfib-${process.pid.toString(36)}`;
const PACKETS = 1000;
const D1_MAC = '02:00:00:00:00:02';

const SETUP = [
  'link set lo up',
  'link add d1x type veth peer name d1', // the peer is created first: d1 gets ifindex 2
  `link set d1 address ${D1_MAC} up`,
  'link set d1x up',
  'addr add 10.0.0.1/24 dev d1',
  'route add 10.1.0.0/16 via 10.0.0.254',
  'route add 10.2.0.0/16 via 10.0.0.254 mtu lock 1400',
  'route add blackhole 10.9.0.0/16',
  'route add unreachable 10.8.0.0/16',
  'route add prohibit 10.7.0.0/16',
  'neigh add 10.0.0.254 lladdr 02:00:00:00:00:fe dev d1 nud permanent',
  'neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev d1 nud permanent',
];

/** The same network, for the simulator (d1 is ifindex 2, d1x 3; only d1 carries routes). */
const TABLE: FibTable = {
  routes: [
    { prefix: '10.0.0.0/24', ifindex: 2, source: '10.0.0.1' },
    { prefix: '10.0.0.1/32', ifindex: 2, type: 'local' },
    { prefix: '10.0.0.255/32', ifindex: 2, type: 'local' },
    { prefix: '10.1.0.0/16', ifindex: 2, gateway: '10.0.0.254', source: '10.0.0.1' },
    { prefix: '10.2.0.0/16', ifindex: 2, gateway: '10.0.0.254', source: '10.0.0.1', mtu: 1400 },
    { prefix: '10.9.0.0/16', ifindex: 0, type: 'blackhole' },
    { prefix: '10.8.0.0/16', ifindex: 0, type: 'unreachable' },
    { prefix: '10.7.0.0/16', ifindex: 0, type: 'prohibit' },
    { prefix: '127.0.0.0/8', ifindex: 1, type: 'local' },
  ],
  neighbours: { '10.0.0.254': '02:00:00:00:00:fe', '10.0.0.5': '02:00:00:00:00:05' },
  devices: { 1: { mac: '00:00:00:00:00:00', mtu: 65536 }, 2: { mac: D1_MAC, mtu: 1500 }, 3: { mac: '02:00:00:00:00:03', mtu: 1500 } },
};

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' });

const run = available('simulator fib_lookup differential', kernelBpf);

describe.runIf(run)('bpf_fib_lookup: simulator vs the kernel in a network namespace', () => {
  afterAll(() => {
    try {
      ip('netns', 'del', NS);
    } catch {
      // never created
    }
  });

  it('gives the kernel\'s return codes and output fields for 1,000 random lookups', () => {
    ip('netns', 'add', NS);
    for (const cmd of SETUP) ip('-n', NS, ...cmd.split(' '));
    execFileSync('ip', ['netns', 'exec', NS, 'sysctl', '-qw', 'net.ipv4.conf.all.forwarding=1']);
    expect(ip('-n', NS, '-o', 'link', 'show', 'd1')).toMatch(/^2: d1@/);

    const spec = readObject(readFileSync(join(root, 'test/fixtures/sim_fib.o')));
    const coll = loadCollection(spec, { programs: ['sim_fib'] });
    try {
      const prog = coll.programs.get('sim_fib')!;
      const sim = new Simulator(spec, { fib: TABLE });
      const rng = createRng(0xf1b);
      const mismatches: string[] = [];
      const codes = new Map<number, number>();
      inNetns(`/run/netns/${NS}`, () => {
        for (let i = 0; i < PACKETS; i++) {
          const { data } = randomPacket(rng, { minSize: 14, maxSize: 200 });
          const k = progTestRun(prog, { data });
          const s = sim.run('sim_fib', data);
          const code = s.retval32;
          codes.set(code, (codes.get(code) ?? 0) + 1);
          if ((s.retval32 >>> 0) !== k.retval) {
            mismatches.push(`packet ${i} (sel 0x${data[3]?.toString(16)} arg 0x${data[4]?.toString(16)}): sim ${s.retval32} kernel ${k.retval | 0}`);
          }
        }
      });
      const fd = coll.maps.get('results')!;
      for (let key = 0; key < 6; key++) {
        const kb = Uint8Array.of(key, 0, 0, 0);
        const kv = hexKey(mapLookup(fd, kb)!);
        const sv = hexKey(sim.map('results').get(kb)!);
        if (kv !== sv) mismatches.push(`results[${key}]: sim ${sv} kernel ${kv}`);
      }
      console.log(`fib_lookup differential: ${PACKETS} lookups, return codes ${JSON.stringify([...codes].sort((a, b) => a[0] - b[0]))}, ${mismatches.length} mismatches`);
      expect(mismatches.slice(0, 10)).toEqual([]);
      expect(codes.size).toBeGreaterThanOrEqual(8); // success and most failure kinds were exercised
    } finally {
      coll.close();
    }
  });
});
