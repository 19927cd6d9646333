// The simulator's test API: load an object, fill its maps, run its programs on packets, read the results.
//
//   const sim = await Simulator.load('test/fixtures/xdp_firewall.o');
//   sim.map('blocked_ports').set(Uint8Array.of(6, 0, 0, 22), 1);
//   const r = sim.run('xdp_firewall', packet().eth().ipv4().tcp({ dport: 22 }).build());
//   r.action // 'XDP_DROP'
import { readFile } from 'node:fs/promises';
import { linkProgram, progTypeById, readObject, type LineInfo, type ObjectSpec, type ProgTypeName } from '../bpf/index.ts';
import { SkbContext, XdpContext, type SkbContextOptions, type XdpContextOptions } from './context/index.ts';
import { kernelHelpers, type FibTable, type HelperCall, type RedirectTarget } from './helpers/index.ts';
import { ArrayMap, createMap, MapOfMaps, MapType, ProgArrayMap, SimMap, UnsupportedMap } from './maps/index.ts';
import { createRng } from './packet/index.ts';
import { CompiledProgram, compileProgram, Memory, type TraceEntry } from './vm/index.ts';
import { liveView, registerContext, runBatch, vmFor, type BatchOptions, type BatchResult, type Tier } from './wasm-tier/index.ts';
import { verifyPrograms } from './verify-programs.ts';
import type { VerifyReport } from '../verifier/index.ts';

export interface SimulatorOptions {
  /** CPUs of per-CPU maps (1 by default) */
  readonly cpus?: number;
  /** the CPU runs happen on (0 by default) */
  readonly cpu?: number;
  /** seed of bpf_get_prandom_u32 (1 by default) */
  readonly seed?: number;
  /** the clock bpf_ktime_get_ns reads, in ns (0 by default); advances by `clockStep` per read */
  readonly clock?: bigint;
  readonly clockStep?: bigint;
  /** instruction budget per run */
  readonly budget?: number;
  /** the execution tier: 'auto' (default) interprets a program's first runs, then compiles it to WebAssembly */
  readonly tier?: Tier;
  /** CONFIG_HZ for bpf_jiffies64 (jiffies = clock * hz / 1e9); 250 by default */
  readonly hz?: number;
  /** the routes bpf_fib_lookup consults (none by default: every lookup is BPF_FIB_LKUP_RET_NOT_FWDED or -ENODEV) */
  readonly fib?: FibTable;
  /**
   * Skip the verifier. By default every program of the object is verified (profile linux-6.18) when the
   * simulator is created, and a program the kernel would refuse throws a ProgramRejectedError.
   */
  readonly unverified?: boolean;
}

export interface SimRunOptions extends XdpContextOptions, SkbContextOptions {
  readonly cpu?: number;
  /** set the clock before the run */
  readonly now?: bigint;
  readonly trace?: boolean;
  /** the program type, when the section name does not tell it */
  readonly progType?: ProgTypeName;
  /** this run's execution tier (the simulator's by default) */
  readonly tier?: Tier;
}

export interface SimRunResult {
  /** r0 at exit (unsigned 64-bit) */
  readonly retval: bigint;
  /** r0 as the signed 32-bit value BPF_PROG_TEST_RUN reports */
  readonly retval32: number;
  /** `XDP_DROP`, `TC_ACT_SHOT`, …; for socket filters `accept N` or `drop` */
  readonly action: string;
  /** the packet afterwards (the whole frame, as BPF_PROG_TEST_RUN returns it; XDP: from data_meta) */
  readonly packet: Uint8Array;
  readonly helperCalls: readonly HelperCall[];
  readonly printk: readonly string[];
  /** skb programs: the context's fields afterwards (mark, priority, …) */
  readonly skb?: SkbContext;
  readonly instructionsExecuted: number;
  readonly trace?: readonly TraceEntry[];
  /** where bpf_redirect / bpf_redirect_map sent the packet (the last successful call) */
  readonly redirect?: RedirectTarget;
}

function sourceLineOf(lineInfo: readonly LineInfo[]): (slot: number) => string | undefined {
  const sorted = [...lineInfo].sort((a, b) => a.slot - b.slot);
  return (slot) => {
    let best: LineInfo | undefined;
    for (const l of sorted) {
      if (l.slot > slot) break;
      best = l;
    }
    return best === undefined ? undefined : `${best.file}:${best.line}: ${best.text.trim()}`;
  };
}

export class Simulator {
  readonly spec: ObjectSpec;
  readonly memory = new Memory();
  readonly maps = new Map<string, SimMap>();
  readonly cpus: number;
  cpu: number;
  clock: bigint;
  clockStep: bigint;
  readonly budget: number | undefined;
  readonly tier: Tier;
  readonly hz: bigint;
  /** bpf_fib_lookup's table (settable between runs) */
  fib: FibTable | undefined;
  readonly #rng: ReturnType<typeof createRng>;
  readonly #programs = new Map<string, CompiledProgram>();

  /** the verifier's reports, one per program (empty when created with `unverified`) */
  readonly verified: readonly VerifyReport[];

  /** Throws a ProgramRejectedError when a program fails verification (unless `options.unverified`). */
  constructor(spec: ObjectSpec, options: SimulatorOptions = {}) {
    this.spec = spec;
    this.verified = options.unverified === true ? [] : verifyPrograms(spec);
    this.cpus = options.cpus ?? 1;
    this.cpu = options.cpu ?? 0;
    this.clock = options.clock ?? 0n;
    this.clockStep = options.clockStep ?? 0n;
    this.budget = options.budget;
    this.tier = options.tier ?? 'auto';
    this.hz = BigInt(options.hz ?? 250);
    this.fib = options.fib;
    this.#rng = createRng(options.seed ?? 1);
    for (const d of spec.data) {
      const m = createMap(
        { name: d.name, type: MapType.ARRAY, keySize: 4, valueSize: Math.max(d.size, 1), maxEntries: 1 },
        this.memory,
        { writable: d.kind !== 'rodata', initial: d.data },
      );
      this.maps.set(d.name, m);
    }
    for (const def of spec.maps) {
      if (this.maps.has(def.name)) continue;
      let m: SimMap;
      try {
        m = createMap(def, this.memory, { cpus: this.cpus });
      } catch {
        m = new UnsupportedMap({ ...def, memory: this.memory });
      }
      this.maps.set(def.name, m);
    }
    for (const def of spec.maps) {
      const m = this.maps.get(def.name);
      for (const s of def.initialSlots ?? []) {
        if (m instanceof ProgArrayMap && spec.programs.some((p) => p.name === s.target)) m.setProgram(s.index, this.program(s.target));
        const inner = this.maps.get(s.target);
        if (m instanceof MapOfMaps && inner !== undefined) m.setMap(s.index, inner);
      }
    }
  }

  /** Load an object file (path), its bytes, or an ObjectSpec. */
  static async load(source: string | Uint8Array | ObjectSpec, options: SimulatorOptions = {}): Promise<Simulator> {
    const spec =
      typeof source === 'string' ? readObject(new Uint8Array(await readFile(source))) : source instanceof Uint8Array ? readObject(source) : source;
    return new Simulator(spec, options);
  }

  /** The next bpf_get_prandom_u32 value of this simulator's PRNG (for runners that build their own helper table). */
  nextRandom(): number {
    return this.#rng.next();
  }

  /** The program names of the object. */
  get programs(): string[] {
    return this.spec.programs.map((p) => p.name);
  }

  /** A map by name (global data sections are one-element array maps: `.data`, `.bss`, `.rodata`). */
  map(name: string): SimMap {
    const m = this.maps.get(name);
    if (m === undefined) throw new RangeError(`no map ${name} (maps: ${[...this.maps.keys()].join(', ') || 'none'})`);
    return m;
  }

  /**
   * The bytes of a global variable: a live view (writes change what programs read, and it shows what they
   * write) on either tier. The fast tier keeps map values in its linear memory, so unless this simulator only
   * interprets, the section moves there before the view is taken.
   */
  global(name: string): Uint8Array {
    for (const d of this.spec.data) {
      const v = d.variables.find((x) => x.name === name);
      if (v !== undefined) return liveView(this.memory, (this.maps.get(d.name) as ArrayMap).region(0), this.tier !== 'interp').subarray(v.offset, v.offset + v.size);
    }
    throw new RangeError(`no global variable ${name}`);
  }

  /** Set a global variable (bytes, or a number written little endian in its size); works for .rodata too. */
  setGlobal(name: string, value: Uint8Array | number | bigint): void {
    const g = this.global(name);
    if (value instanceof Uint8Array) {
      if (value.length !== g.length) throw new RangeError(`global ${name}: expected ${g.length} bytes, got ${value.length}`);
      g.set(value);
      return;
    }
    let v = BigInt.asUintN(g.length * 8, BigInt(value));
    for (let i = 0; i < g.length; i++, v >>= 8n) g[i] = Number(v & 0xffn);
  }

  /** Put program `program` in slot `index` of prog array `map` (undefined empties the slot). */
  setTailCall(map: string, index: number, program: string | undefined): void {
    const m = this.map(map);
    if (!(m instanceof ProgArrayMap)) throw new RangeError(`map ${map} is not a prog array`);
    m.setProgram(index, program === undefined ? undefined : this.program(program));
  }

  /** The compiled program `name` (linked against this simulator's maps). */
  program(name: string): CompiledProgram {
    let p = this.#programs.get(name);
    if (p !== undefined) return p;
    const linked = linkProgram(this.spec, name);
    const bySlot = new Map(linked.references.map((r) => [r.slot, r.ref]));
    p = compileProgram(linked.instructions, {
      name,
      sourceLine: sourceLineOf(linked.lineInfo),
      resolveImm64: (slot) => {
        const ref = bySlot.get(slot);
        if (ref === undefined) return undefined;
        if (ref.kind === 'map') return this.map(ref.map).handle.address();
        if (ref.kind === 'map_value') {
          const m = this.map(ref.map);
          if (!(m instanceof ArrayMap)) throw new RangeError(`program ${name}: map_value reference into ${m.name}, which is not an array`);
          return m.region(0).address(ref.offset);
        }
        throw new RangeError(`program ${name}: extern ${ref.name} is not supported by the simulator`);
      },
    });
    this.#programs.set(name, p);
    return p;
  }

  /** The program type of `name` (from its section). */
  progType(name: string): ProgTypeName {
    const p = this.spec.programs.find((x) => x.name === name);
    if (p === undefined) throw new RangeError(`no program ${name} (programs: ${this.programs.join(', ')})`);
    const t = p.type === undefined ? undefined : progTypeById(p.type);
    if (t === undefined) throw new RangeError(`program ${name}: unknown program type for section ${p.section}`);
    return t.name;
  }

  /** Run program `name` on every packet: verdict counts and packets per second (see wasm-tier/run-batch.ts). */
  runBatch(name: string, packets: Iterable<Uint8Array>, options: BatchOptions = {}): BatchResult {
    return runBatch(this, name, packets, options);
  }

  /** Run program `name` on a packet (the whole Ethernet frame), as BPF_PROG_TEST_RUN would. */
  run(name: string, packet: Uint8Array | { build(): Uint8Array }, options: SimRunOptions = {}): SimRunResult {
    const frame = packet instanceof Uint8Array ? packet : packet.build();
    const progType = options.progType ?? this.progType(name);
    const program = this.program(name);
    if (options.now !== undefined) this.clock = options.now;
    const runMemory = this.memory;
    let ctx: XdpContext | SkbContext;
    if (progType === 'xdp') ctx = new XdpContext(runMemory, frame, options);
    else if (progType === 'sched_cls' || progType === 'sched_act' || progType === 'socket_filter' || progType === 'cgroup_skb') {
      ctx = new SkbContext(runMemory, progType, frame, options);
    } else throw new RangeError(`program ${name}: program type ${progType} is not supported by the simulator yet`);
    registerContext(ctx); // the fast tier reads its packet pointers from linear memory
    const calls: HelperCall[] = [];
    const printk: string[] = [];
    let redirect: RedirectTarget | undefined;
    const helpers = kernelHelpers({
      jiffies: () => (this.clock * this.hz) / 1_000_000_000n,
      redirect: (t) => {
        redirect = t;
      },
      ...(this.fib !== undefined ? { fib: this.fib } : {}),
      ...(ctx instanceof SkbContext ? { skb: ctx } : {}),
      cpu: options.cpu ?? this.cpu,
      now: () => {
        const t = this.clock;
        this.clock += this.clockStep;
        return t;
      },
      random: () => this.#rng.next(),
      printk,
      calls,
      packet: ctx.packet,
      contextKind: ctx.kind,
    });
    const vm = vmFor(program, options.tier ?? this.tier, { helpers, ...(this.budget !== undefined ? { budget: this.budget } : {}) });
    try {
      const r = vm.run(program, { memory: runMemory, r1: ctx.region, packet: ctx.packet.region, ...(options.trace === true ? { trace: true } : {}) });
      const retval32 = Number(BigInt.asIntN(32, r.r0));
      let action: string;
      if (ctx instanceof XdpContext) action = XdpContext.action(BigInt(retval32 >>> 0));
      else if (progType === 'socket_filter') action = retval32 === 0 ? 'drop' : `accept ${retval32 >>> 0}`;
      else if (progType === 'cgroup_skb') action = (retval32 & 1) === 1 ? 'allow' : 'deny';
      else action = SkbContext.action(r.r0);
      return {
        retval: r.r0,
        retval32,
        action,
        packet: ctx.output(),
        helperCalls: calls,
        printk,
        ...(ctx instanceof SkbContext ? { skb: ctx } : {}),
        instructionsExecuted: r.instructionsExecuted,
        ...(r.trace !== undefined ? { trace: r.trace } : {}),
        ...(redirect !== undefined ? { redirect } : {}),
      };
    } finally {
      runMemory.remove(ctx.region);
      runMemory.remove(ctx.packet.region);
    }
  }
}
