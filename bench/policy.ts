// Policy scale (issue 7): the 1,000-rule policy of bench/policy-scale-input.ts against a 10-rule policy of the
// same shape — build time (model, C, compile with the wasm default and with clang-19), map entries, map memory
// (keys and values written), program size, and the simulator's time per packet on the same packets.
import { readObject } from '../bpf/index.ts';
import { compilePolicy, PolicySimulation, type CompiledPolicy, type PolicyDriver } from '../compiler/cgen/index.ts';
import { buildModel, packetFrame, parseVectorPacket, type PolicyModel } from '../compiler/dsl/index.ts';
import { findNativeClang } from '../compiler/clang/native.ts';
import { ISSUE_SCALE, scalePolicy, type ScaleShape } from './policy-scale-input.ts';
import { type Benchmark } from './benchmark.ts';

const SHAPES: readonly { name: string; shape: ScaleShape }[] = [
  { name: '10 rules', shape: { cidrRules: 9, labelRules: 1, endpoints: 50 } },
  { name: '1,100 rules', shape: ISSUE_SCALE },
];
const PACKETS = 2000;

/** The same packets for every policy: ingress TCP/UDP frames from addresses spread over the address space. */
function packets(): Uint8Array[] {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  return Array.from({ length: PACKETS }, () =>
    parseVectorPacket({
      direction: 'ingress',
      src: `${1 + rnd(222)}.${rnd(256)}.${rnd(256)}.${rnd(256)}`,
      dst: '192.168.0.1',
      protocol: rnd(2) === 0 ? 'tcp' : 'udp',
      sport: 1024 + rnd(60000),
      dport: 1 + rnd(65535),
      expect: 'allow',
    }, 'bench packet'),
  ).map((p) => packetFrame(p));
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

function mapFigures(c: CompiledPolicy): { entries: number; bytes: number } {
  let entries = 0;
  let bytes = 0;
  for (const m of Object.values(c.maps.maps)) {
    entries += m.entries.length;
    bytes += m.entries.length * (m.keySize + m.valueSize);
  }
  return { entries, bytes };
}

const bench: Benchmark = {
  title: 'policy: build time, map entries and memory, simulator time per packet; 1,100 rules against 10',
  async run(progress) {
    const drivers: PolicyDriver[] = findNativeClang() !== undefined ? ['wasm', 'native'] : ['wasm'];
    const input = packets();
    const rows: Record<string, string | number>[] = [];
    for (const { name, shape } of SHAPES) {
      progress(`${name}: model`);
      const [model, modelMs] = await timed((): PolicyModel => {
        const { policy, inventory } = scalePolicy(shape);
        return buildModel([policy], inventory);
      });
      const builds = new Map<PolicyDriver, [CompiledPolicy, number]>();
      for (const driver of drivers) {
        progress(`${name}: compile (${driver})`);
        builds.set(driver, await timed(() => compilePolicy(model, { driver })));
      }
      const [compiled] = builds.get('wasm')!;
      const spec = readObject(compiled.object);
      progress(`${name}: simulator`);
      const policy = await PolicySimulation.create(spec, compiled.programs, compiled.maps);
      const ingress = compiled.programs.find((p) => p.direction === 'ingress')!.name;
      // the program alone (Simulator.run), not PolicySimulation.run, which also reads every counter back
      const run = (frame: Uint8Array, i: number) => policy.sim.run(ingress, frame, { now: BigInt(i) * 1_000_000n });
      input.slice(0, 50).forEach(run); // warm-up
      policy.reset();
      const [, runMs] = await timed(() => input.forEach(run));
      const { entries, bytes } = mapFigures(compiled);
      const insns = compiled.programs.map((p) => spec.functions.find((f) => f.name === p.name)?.instructions.length ?? 0);
      rows.push({
        policy: name,
        rules: model.rules.length,
        modelMs: Math.round(modelMs),
        wasmBuildMs: Math.round(builds.get('wasm')![1]),
        nativeBuildMs: builds.has('native') ? Math.round(builds.get('native')![1]) : '-',
        mapEntries: entries,
        mapKiB: Math.round(bytes / 1024),
        insns: Math.max(...insns),
        simUsPerPacket: Number(((runMs * 1000) / PACKETS).toFixed(1)),
      });
    }
    const [small, large] = rows;
    return {
      columns: ['policy', 'rules', 'modelMs', 'wasmBuildMs', 'nativeBuildMs', 'mapEntries', 'mapKiB', 'insns', 'simUsPerPacket'],
      rows,
      notes: [
        `per-packet simulator time, 1,100 rules / 10 rules: ${(Number(large!.simUsPerPacket) / Number(small!.simUsPerPacket)).toFixed(2)}× (the rules are in maps: the program is the same)`,
        `${PACKETS} packets through the ingress program (Simulator.run, automatic tier); build = C generation + compile`,
      ],
    };
  },
};
export default bench;
