// Run by prime-execute.test.ts in a child process under --trace-deopt: fixtures of every context kind (XDP's
// packet pointers, skb fields behind hooks, a socket filter), map helpers with and without the register
// fast path, tail calls, atomics and subprograms, each in the interpreter for long enough that V8 has
// compiled execute() and runs it. Prints `probed N programs` at the end.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readObject } from '../../../bpf/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { packet } from '../../../simulator/packet/index.ts';
import { repoRoot } from '../../corpora.ts';

const FIXTURES = ['traffic.o', 'xdp_firewall.o', 'sim_cgroup_skb.o', 'maps.o', 'atomics.o', 'subprogs.o', 'socket_filter.o', 'tc_mark.o'];
const frames = [
  packet.eth().ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }).tcp({ dport: 22 }).build(),
  packet.eth().ipv4({ src: '192.0.2.1', dst: '192.0.2.2' }).udp({ sport: 47000, dport: 47001 }).payload(new Uint8Array(16)).build(),
  packet.eth().ipv6().tcp({ dport: 443 }).payload(new Uint8Array(32)).build(),
  packet.eth().arp().build(),
];
const dir = join(repoRoot, 'test/fixtures');
const present = new Set(readdirSync(dir));
let probed = 0;
const until = Date.now() + Number(process.argv[2] ?? 1500);
for (let round = 0; round === 0 || Date.now() < until; round++) {
  for (const file of FIXTURES) {
    if (!present.has(file)) throw new Error(`fixture ${file} is missing`);
    const spec = readObject(new Uint8Array(readFileSync(join(dir, file))));
    const sim = new Simulator(spec, { unverified: true, tier: 'interp' });
    for (const p of spec.programs) {
      try {
        sim.runBatch(p.name, frames, { repeat: 500 });
        if (round === 0) probed++;
      } catch {
        // a program type the simulator does not run
      }
    }
  }
}
console.log(`probed ${probed} programs`);
