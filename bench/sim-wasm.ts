// The simulator's two tiers against the kernel on XDP fixtures, one method for all three: a fixed set of 16
// packets per program. The kernel runs each with BPF_PROG_TEST_RUN (repeat 1,000,000, the JIT) and we take
// the mean of the 16 per-packet averages; each tier runs the 16 packets in turn, repeated to at least
// 100,000 runs, total time over runs. Map state persists across repeats on every side.
//
// The tiers are measured at the VM (a context and helper table prepared once per packet, as the kernel's
// test run does), and also through Simulator.run (everything a test pays per packet) for the wasm tier.
// The fast tier's compile time (translate + V8's baseline compile) is printed per program: 'auto' switches
// after AUTO_THRESHOLD runs, which that time justifies.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readObject, type ObjectSpec } from '../bpf/index.ts';
import { XdpContext } from '../simulator/context/index.ts';
import { kernelHelpers, type HelperCall } from '../simulator/helpers/index.ts';
import { packet } from '../simulator/packet/index.ts';
import { Simulator } from '../simulator/index.ts';
import { Vm } from '../simulator/vm/index.ts';
import { WasmVm, wasmProgram } from '../simulator/wasm-tier/index.ts';
import type { Benchmark } from './benchmark.ts';

const root = join(fileURLToPath(import.meta.url), '../..');
const PROGRAMS = [
  ['xdp_firewall.o', 'xdp_firewall'],
  ['xdp_pass.o', 'xdp_pass'],
  ['count_v1.o', 'xdp_count_v1'],
  ['traffic.o', 'xdp_count_drop'],
  ['subprogs.o', 'xdp_calls'],
] as const;
const RUNS = 100_000;
const KERNEL_REPEAT = 1_000_000;

/** 16 packets: TCP and UDP over IPv4 and IPv6 to a few ports (22 and 53 blocked), ICMP, ARP, two malformed. */
function packets(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const dport of [22, 80, 443, 8080]) {
    out.push(packet.eth().ipv4({ src: '10.0.0.1', dst: '10.0.0.2' }).tcp({ sport: 40000 + dport, dport }).build());
    out.push(packet.eth().ipv6().tcp({ dport }).payload(new Uint8Array(32)).build());
  }
  for (const dport of [53, 123, 5353]) out.push(packet.eth().ipv4().udp({ dport }).payload(new Uint8Array(16)).build());
  out.push(packet.eth().ipv6().udp({ dport: 53 }).build());
  out.push(packet.eth().ipv4().icmp().build());
  out.push(packet.eth().arp().build());
  const runt = new Uint8Array(14);
  runt[12] = 0x08; // IPv4 without its header
  out.push(runt);
  out.push(packet.eth().ipv4().build().subarray(0, 20)); // a truncated IPv4 header
  return out;
}

/**
 * CPU time of this process in ns: on a shared machine wall time counts the time other processes had the CPU,
 * which the kernel's in-kernel test-run timing does not see either.
 */
function cpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

const blocked = [Uint8Array.of(6, 0, 0, 22), Uint8Array.of(17, 0, 0, 53)];

function blockPorts(sim: Simulator): void {
  if (sim.maps.has('blocked_ports')) for (const k of blocked) sim.map('blocked_ports').set(k, 1);
}

/** ns per run of one tier at the VM level: the 16 packets in turn until RUNS runs. */
function tierNs(spec: ObjectSpec, name: string, frames: readonly Uint8Array[], tier: 'interp' | 'wasm'): { ns: number; actions: bigint[] } {
  const sim = new Simulator(spec, { unverified: true, tier });
  blockPorts(sim);
  const program = sim.program(name);
  const memory = sim.memory;
  const calls: HelperCall[] = [];
  const printk: string[] = [];
  const prepared = frames.map((frame) => {
    const ctx = new XdpContext(memory, frame);
    const helpers = kernelHelpers({ cpu: 0, now: () => 0n, random: () => 4, printk, calls, packet: ctx.packet, contextKind: 'xdp' });
    return { ctx, options: { memory, r1: ctx.region, packet: ctx.packet.region, helpers } };
  });
  const vm = tier === 'wasm' ? new WasmVm() : new Vm();
  const actions = prepared.map((p) => vm.run(program, p.options).r0);
  const round = (): void => {
    for (const p of prepared) vm.run(program, p.options);
    calls.length = 0;
    printk.length = 0;
  };
  const rounds = Math.ceil(RUNS / frames.length);
  for (let i = 0; i < Math.min(rounds, 2000); i++) round(); // warm up (V8's optimising tiers)
  const t0 = cpuNs();
  for (let i = 0; i < rounds; i++) round();
  return { ns: (cpuNs() - t0) / (rounds * frames.length), actions };
}

/** ns per packet through Simulator.run (contexts, helpers and results made per packet). */
function simulatorNs(spec: ObjectSpec, name: string, frames: readonly Uint8Array[], tier: 'interp' | 'wasm'): number {
  const sim = new Simulator(spec, { unverified: true, tier });
  blockPorts(sim);
  const rounds = Math.ceil(20_000 / frames.length);
  for (let i = 0; i < 200; i++) for (const f of frames) sim.run(name, f);
  const t0 = cpuNs();
  for (let i = 0; i < rounds; i++) for (const f of frames) sim.run(name, f);
  return (cpuNs() - t0) / (rounds * frames.length);
}

async function kernelNs(spec: ObjectSpec, name: string, frames: readonly Uint8Array[]): Promise<{ ns: number; actions: bigint[] }> {
  if (process.geteuid?.() !== 0) throw new Error('not running as root');
  const { loadCollection, progTestRun, mapUpdate } = await import('../loader/index.ts');
  const coll = loadCollection(spec, { programs: [name] });
  try {
    const map = coll.maps.get('blocked_ports');
    if (map !== undefined) for (const k of blocked) mapUpdate(map, k, Uint8Array.of(1, 0, 0, 0));
    const fd = coll.programs.get(name)!;
    let sum = 0;
    const actions: bigint[] = [];
    for (const data of frames) {
      const r = progTestRun(fd, { data, repeat: KERNEL_REPEAT });
      sum += r.duration;
      actions.push(BigInt(r.retval >>> 0));
    }
    return { ns: sum / frames.length, actions };
  } finally {
    coll.close();
  }
}

const bench: Benchmark = {
  title: `simulator tiers: interpreter vs WebAssembly vs BPF_PROG_TEST_RUN (JIT), 16 packets per program, ns per packet`,
  async run(progress) {
    const frames = packets();
    const rows: Record<string, string | number>[] = [];
    const notes: string[] = [];
    for (const [file, name] of PROGRAMS) {
      const spec = readObject(new Uint8Array(readFileSync(join(root, 'test/fixtures', file))));
      progress(`${name}: interpreter`);
      const interp = tierNs(spec, name, frames, 'interp');
      progress(`${name}: wasm tier`);
      const compile = wasmProgram(new Simulator(spec, { unverified: true }).program(name));
      const wasm = tierNs(spec, name, frames, 'wasm');
      if (wasm.actions.join() !== interp.actions.join()) notes.push(`MISMATCH ${name}: interpreter ${interp.actions.join()} vs wasm ${wasm.actions.join()}`);
      progress(`${name}: Simulator.run`);
      const simInterp = simulatorNs(spec, name, frames, 'interp');
      const simWasm = simulatorNs(spec, name, frames, 'wasm');
      let kernel: number | undefined;
      try {
        progress(`${name}: kernel, repeat ${KERNEL_REPEAT}`);
        const k = await kernelNs(spec, name, frames);
        kernel = k.ns;
        if (k.actions.join() !== interp.actions.join()) notes.push(`MISMATCH ${name}: kernel ${k.actions.join()} vs simulator ${interp.actions.join()}`);
      } catch (e) {
        progress(`kernel left out: ${(e as Error).message}`);
      }
      const ratio = (a: number): string => (kernel === undefined ? '-' : (a / kernel).toFixed(1));
      rows.push({
        program: name,
        interpNs: Math.round(interp.ns),
        wasmNs: Math.round(wasm.ns),
        kernelNs: kernel === undefined ? '-' : Number(kernel.toFixed(1)),
        'interp/kernel': ratio(interp.ns),
        'wasm/kernel': ratio(wasm.ns),
        'interp/wasm': (interp.ns / wasm.ns).toFixed(1),
        'sim.run interp ns': Math.round(simInterp),
        'sim.run wasm ns': Math.round(simWasm),
        'compile ms': Number((compile.translateMs + compile.compileMs).toFixed(2)),
        'wasm bytes': compile.bytes,
      });
    }
    notes.push(
      `interpNs, wasmNs: CPU time of VM runs, ${RUNS} per program (the 16 packets in turn); kernelNs: mean of 16 BPF_PROG_TEST_RUN averages (repeat ${KERNEL_REPEAT})`,
      'sim.run: the same packets through Simulator.run, which builds a context, a helper table and a result per packet',
      'compile ms: translation to wasm plus V8 baseline compilation (once per program)',
    );
    // --json also carries the shape: {"results": [{"program", "interpNs", "wasmNs", "kernelNs"}]}
    const results = rows.map((r) => ({ program: r.program, interpNs: r.interpNs, wasmNs: r.wasmNs, kernelNs: r.kernelNs === '-' ? null : r.kernelNs }));
    const result = {
      columns: ['program', 'interpNs', 'wasmNs', 'kernelNs', 'interp/kernel', 'wasm/kernel', 'interp/wasm', 'sim.run interp ns', 'sim.run wasm ns', 'compile ms', 'wasm bytes'],
      rows,
      notes,
      results,
    };
    return result;
  },
};
export default bench;
