// The equivalence harness: does one BPF object behave like another? Each object is loaded by the kernel
// (its verdict), then every packet is run under BPF_PROG_TEST_RUN and in the simulator; return values,
// output packets, and at the end map contents and global variables are recorded. compareObjects() lists
// every difference between a reference object (clang-19's) and a candidate (ours); compareSides() lists the
// differences between the kernel and the simulator for one object.
//
//   const diffs = compareObjects(clangObject, wasmObject, 'xdp_eth_count', packets, { progType: 'xdp', testRun: true });
//   diffs // [] when they agree
//
// What is not compared: ring buffer and perf event contents (the kernel's need mmap), prog arrays, maps of
// maps and device maps (their values are kernel ids), queue/stack contents; skb fields written by TC programs
// other than through the packet. Masked outputs (time, randomness, CPU) are left out wherever a kernel run
// is on one side; two simulator runs are deterministic and compared whole.
import { encode, readObject, type ObjectSpec } from '../../bpf/index.ts';
import { loadCollection, mapGetNextKey, mapLookup, mapUpdate, possibleCpus, progTestRun, type Collection, type Fd } from '../../loader/index.ts';
import { hexKey, Simulator, type SimMap } from '../../simulator/index.ts';
import type { CorpusProgType, Mask, Preload } from '../fixtures/corpus/corpus.ts';

/** What one packet gave. */
export type PacketOutcome =
  | { readonly kind: 'ran'; readonly retval: number; readonly packet: string }
  /** the kernel's test run refused the frame (EINVAL: e.g. an skb whose IP header is cut short) */
  | { readonly kind: 'refused' }
  | { readonly kind: 'fault'; readonly message: string };

/** One side's run: outcomes per packet, then map contents (hex key -> hex value, per-CPU maps summed lane-wise). */
export interface SideRun {
  readonly outcomes: readonly PacketOutcome[];
  readonly maps: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly globals: Readonly<Record<string, string>>;
}

export type KernelVerdict = { readonly accepted: true } | { readonly accepted: false; readonly error: string } | { readonly skipped: string };

export interface Observation {
  readonly entry: string;
  /** instruction slots of every function in the object (ld_imm64 counts two) */
  readonly instructions: number;
  readonly verdict: KernelVerdict;
  readonly kernel?: SideRun;
  /** the simulator's run, or why it could not run the program */
  readonly simulator?: SideRun | { readonly pending: string };
}

export interface ObserveOptions {
  readonly progType: CorpusProgType;
  /** false: load only, no packets */
  readonly testRun: boolean;
  readonly preload?: Preload;
  /** run in the kernel (default true; needs root and bpf(2)) */
  readonly kernel?: boolean;
  /** run in the simulator (default true) */
  readonly simulator?: boolean;
  /** packet indices to skip when this object does not run in the kernel (the frames it refused for the other object) */
  readonly skip?: ReadonlySet<number>;
}

export interface CompareOptions extends ObserveOptions {
  readonly mask?: Mask;
}

export type DifferenceKind = 'verdict' | 'retval' | 'packet' | 'refusal' | 'fault' | 'map' | 'global' | 'simulator';

export interface Difference {
  readonly kind: DifferenceKind;
  /** where the two disagree: 'kernel' (two kernel runs), 'simulator' (two simulator runs), 'kernel/simulator' */
  readonly where: 'kernel' | 'simulator' | 'kernel/simulator';
  readonly packet?: number;
  readonly detail: string;
}

/** Map types whose contents both sides can read and compare. */
const COMPARABLE_MAPS = new Set([1, 2, 5, 6, 9, 10, 11]);
const PER_CPU_MAPS = new Set([5, 6, 10]);
const PENDING = /not implemented by the simulator|not supported by the simulator|is not implemented|unsupported map|not supported yet/i;

/** Instruction slots over all functions of an object. */
export function instructionSlots(spec: ObjectSpec): number {
  return spec.functions.reduce((n, f) => n + encode(f.instructions).length / 8, 0);
}

/**
 * Per-CPU values summed in 8-byte little-endian lanes (mod 2^64): counters add up whatever CPU the kernel
 * ran on; a tail shorter than 8 bytes is summed at its own width.
 */
export function sumLanes(values: readonly Uint8Array[], size: number): string {
  const out = new Uint8Array(size);
  for (let off = 0; off < size; off += 8) {
    const width = Math.min(8, size - off);
    let sum = 0n;
    for (const v of values) {
      let lane = 0n;
      for (let i = width - 1; i >= 0; i--) lane = (lane << 8n) | BigInt(v[off + i] ?? 0);
      sum += lane;
    }
    sum = BigInt.asUintN(width * 8, sum);
    for (let i = 0; i < width; i++, sum >>= 8n) out[off + i] = Number(sum & 0xffn);
  }
  return hexKey(out);
}

function kernelMapContents(fd: Fd, type: number, valueSize: number): Record<string, string> {
  const out: Record<string, string> = {};
  const cpus = possibleCpus();
  const stride = Math.ceil(valueSize / 8) * 8;
  for (let k = mapGetNextKey(fd, undefined); k !== undefined; k = mapGetNextKey(fd, k)) {
    const v = mapLookup(fd, k);
    if (v === undefined) continue;
    out[hexKey(k)] = PER_CPU_MAPS.has(type)
      ? sumLanes(Array.from({ length: cpus }, (_, c) => v.subarray(c * stride, c * stride + valueSize)), valueSize)
      : hexKey(v);
  }
  return out;
}

function simMapContents(m: SimMap): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, vs] of m.entriesPerCpu()) out[hexKey(k)] = PER_CPU_MAPS.has(m.type) ? sumLanes(vs, m.valueSize) : hexKey(vs[0]!);
  return out;
}

/** Global variables by name, from a data section's bytes. */
function globalsOf(spec: ObjectSpec, bytesOf: (section: string) => Uint8Array | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of spec.data) {
    if (d.kind === 'rodata') continue;
    const bytes = bytesOf(d.name);
    if (bytes === undefined) continue;
    for (const v of d.variables) out[v.name] = hexKey(bytes.subarray(v.offset, v.offset + v.size));
  }
  return out;
}

function errnoOf(e: unknown): number | undefined {
  return (e as { errno?: number }).errno;
}

function runKernel(spec: ObjectSpec, coll: Collection, entry: string, packets: readonly Uint8Array[], preload: Preload): SideRun {
  for (const [map, entries] of Object.entries(preload)) {
    const fd = coll.maps.get(map);
    if (fd === undefined) throw new RangeError(`preload: the kernel has no map ${map}`);
    for (const [k, v] of entries) mapUpdate(fd, k, v);
  }
  const prog = coll.programs.get(entry);
  if (prog === undefined) throw new RangeError(`no program ${entry} in the loaded collection`);
  const outcomes: PacketOutcome[] = [];
  for (const data of packets) {
    try {
      const r = progTestRun(prog, { data });
      outcomes.push({ kind: 'ran', retval: r.retval >>> 0, packet: hexKey(r.data) });
    } catch (e) {
      if (errnoOf(e) === 22 || /invalid argument/i.test(String((e as Error).message))) outcomes.push({ kind: 'refused' });
      else throw e;
    }
  }
  const maps: Record<string, Record<string, string>> = {};
  for (const m of spec.maps) {
    const fd = coll.maps.get(m.name);
    if (fd !== undefined && COMPARABLE_MAPS.has(m.type)) maps[m.name] = kernelMapContents(fd, m.type, m.valueSize);
  }
  const globals = globalsOf(spec, (section) => {
    const fd = coll.maps.get(section);
    return fd === undefined ? undefined : mapLookup(fd, new Uint8Array(4));
  });
  return { outcomes, maps, globals };
}

function runSimulator(spec: ObjectSpec, entry: string, packets: readonly Uint8Array[], preload: Preload, skip: ReadonlySet<number>, progType: CorpusProgType): SideRun | { pending: string } {
  let sim: Simulator;
  try {
    // unverified: the kernel's verdict is the one that counts here, and it is recorded separately
    sim = new Simulator(spec, { unverified: true });
    for (const [map, entries] of Object.entries(preload)) for (const [k, v] of entries) sim.map(map).set(k, v);
    sim.program(entry);
  } catch (e) {
    const message = (e as Error).message;
    if (PENDING.test(message)) return { pending: message };
    throw e;
  }
  const outcomes: PacketOutcome[] = [];
  for (let i = 0; i < packets.length; i++) {
    if (skip.has(i)) {
      outcomes.push({ kind: 'refused' });
      continue;
    }
    try {
      const r = sim.run(entry, packets[i]!, { progType });
      outcomes.push({ kind: 'ran', retval: r.retval32 >>> 0, packet: hexKey(r.packet) });
    } catch (e) {
      const message = (e as Error).message;
      if (PENDING.test(message)) return { pending: message.split('\n')[0]! };
      outcomes.push({ kind: 'fault', message: message.split('\n')[0]! });
    }
  }
  const maps: Record<string, Record<string, string>> = {};
  for (const m of spec.maps) if (COMPARABLE_MAPS.has(m.type)) maps[m.name] = simMapContents(sim.map(m.name));
  const globals = globalsOf(spec, (section) => sim.map(section).get(0));
  return { outcomes, maps, globals };
}

/** Load `object` in the kernel and run `entry` on `packets` there and in the simulator. */
export function observe(object: Uint8Array | ObjectSpec, entry: string, packets: readonly Uint8Array[], options: ObserveOptions): Observation {
  const spec = object instanceof Uint8Array ? readObject(object) : object;
  const instructions = instructionSlots(spec);
  const preload = options.preload ?? {};
  let verdict: KernelVerdict = { skipped: 'kernel runs not asked for' };
  let kernel: SideRun | undefined;
  if (options.kernel !== false) {
    let coll: Collection | undefined;
    try {
      coll = loadCollection(spec);
      verdict = { accepted: true };
    } catch (e) {
      verdict = { accepted: false, error: (e as Error).message.split('\n')[0]! };
    }
    if (coll !== undefined) {
      try {
        if (options.testRun) kernel = runKernel(spec, coll, entry, packets, preload);
      } finally {
        coll.close();
      }
    }
  }
  let simulator: Observation['simulator'];
  if (options.testRun && options.simulator !== false) {
    const skip = kernel !== undefined ? new Set(kernel.outcomes.flatMap((o, i) => (o.kind === 'refused' ? [i] : []))) : (options.skip ?? new Set<number>());
    simulator = runSimulator(spec, entry, packets, preload, skip, options.progType);
  }
  return { entry, instructions, verdict, ...(kernel !== undefined ? { kernel } : {}), ...(simulator !== undefined ? { simulator } : {}) };
}

function describe(o: PacketOutcome): string {
  return o.kind === 'ran' ? `retval ${o.retval}` : o.kind === 'refused' ? 'refused' : `fault (${o.message})`;
}

/** Differences between two runs of the same packets. `masked`: leave out what the mask names. */
function compareRuns(a: SideRun, b: SideRun, where: Difference['where'], mask: Mask | undefined): Difference[] {
  const out: Difference[] = [];
  const n = Math.max(a.outcomes.length, b.outcomes.length);
  for (let i = 0; i < n; i++) {
    const x = a.outcomes[i];
    const y = b.outcomes[i];
    if (x === undefined || y === undefined) {
      out.push({ kind: 'packet', where, packet: i, detail: 'one side has no outcome' });
      continue;
    }
    if (x.kind === 'refused' || y.kind === 'refused') {
      if (x.kind !== y.kind) out.push({ kind: 'refusal', where, packet: i, detail: `${describe(x)} vs ${describe(y)}` });
      continue;
    }
    if (x.kind === 'fault' || y.kind === 'fault') {
      if (describe(x) !== describe(y)) out.push({ kind: 'fault', where, packet: i, detail: `${describe(x)} vs ${describe(y)}` });
      continue;
    }
    if (x.retval !== y.retval && mask?.retval !== true) out.push({ kind: 'retval', where, packet: i, detail: `${x.retval} vs ${y.retval}` });
    else if (x.packet !== y.packet) {
      out.push({ kind: 'packet', where, packet: i, detail: `output packets differ (${x.packet.length / 2} vs ${y.packet.length / 2} bytes; first difference at byte ${firstDifference(x.packet, y.packet)})` });
    }
  }
  const maskedMaps = new Set(mask?.maps ?? []);
  for (const name of new Set([...Object.keys(a.maps), ...Object.keys(b.maps)])) {
    if (maskedMaps.has(name)) continue;
    const ma = a.maps[name] ?? {};
    const mb = b.maps[name] ?? {};
    const keys = [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort();
    const bad = keys.filter((k) => ma[k] !== mb[k]);
    if (bad.length > 0) {
      const k = bad[0]!;
      out.push({ kind: 'map', where, detail: `map ${name}: ${bad.length} of ${keys.length} entries differ (key ${k}: ${ma[k] ?? 'absent'} vs ${mb[k] ?? 'absent'})` });
    }
  }
  const maskedGlobals = new Set(mask?.globals ?? []);
  for (const name of new Set([...Object.keys(a.globals), ...Object.keys(b.globals)])) {
    if (maskedGlobals.has(name)) continue;
    if (a.globals[name] !== b.globals[name]) out.push({ kind: 'global', where, detail: `global ${name}: ${a.globals[name] ?? 'absent'} vs ${b.globals[name] ?? 'absent'}` });
  }
  return out;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return Math.floor(i / 2);
}

/** Differences between the kernel and the simulator for one object (nothing when either did not run). */
export function compareSides(o: Observation, mask?: Mask): Difference[] {
  if (o.kernel === undefined || o.simulator === undefined || 'pending' in o.simulator) return [];
  return compareRuns(o.kernel, o.simulator, 'kernel/simulator', mask);
}

/** Differences between two observations of different objects on the same packets. */
export function compareObservations(reference: Observation, candidate: Observation, mask?: Mask): Difference[] {
  const out: Difference[] = [];
  const va = reference.verdict;
  const vb = candidate.verdict;
  if ('accepted' in va && 'accepted' in vb && va.accepted !== vb.accepted) {
    out.push({
      kind: 'verdict',
      where: 'kernel',
      detail: va.accepted ? `the kernel refused the candidate: ${(vb as { error: string }).error}` : `the kernel refused the reference but accepted the candidate: ${(va as { error: string }).error}`,
    });
  }
  if (reference.kernel !== undefined && candidate.kernel !== undefined) out.push(...compareRuns(reference.kernel, candidate.kernel, 'kernel', mask));
  const sa = reference.simulator;
  const sb = candidate.simulator;
  if (sa !== undefined && sb !== undefined) {
    if ('pending' in sa || 'pending' in sb) {
      if ('pending' in sa !== 'pending' in sb) out.push({ kind: 'simulator', where: 'simulator', detail: `the simulator runs only one of them: ${'pending' in sa ? sa.pending : (sb as { pending: string }).pending}` });
    } else {
      out.push(...compareRuns(sa, sb, 'simulator', undefined));
    }
  }
  return out;
}

/**
 * Everything that differs between `reference` and `candidate` running `entry` on `packets`: kernel verdict,
 * then (when both run) return values, output packets, maps and globals under BPF_PROG_TEST_RUN and in the
 * simulator. The two objects may lay out their sections differently: maps are matched by name, globals by
 * variable name.
 */
export function compareObjects(reference: Uint8Array, candidate: Uint8Array, entry: string, packets: readonly Uint8Array[], options: CompareOptions): Difference[] {
  const a = observe(reference, entry, packets, options);
  const refused = new Set(a.kernel?.outcomes.flatMap((o, i) => (o.kind === 'refused' ? [i] : [])) ?? []);
  const b = observe(candidate, entry, packets, { ...options, skip: refused });
  return compareObservations(a, b, options.mask);
}
