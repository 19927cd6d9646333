// `tsbpf run FILE.o --program P --pcap FILE --summary [--tier T] [--json]`: replay a capture through a program
// in the simulator and report how many packets ended with each verdict, how many faulted (the first fault in
// full) and the rate in packets per second. Exit 1 when a packet faulted.
import pc from 'picocolors';
import { readCapture } from '../simulator/packet/index.ts';
import { ProgramRejectedError, Simulator } from '../simulator/index.ts';
import { TIERS, wasmProgram, type Tier } from '../simulator/wasm-tier/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './cli-error.ts';
import { readInputBytes, readObjectFile } from './read-input.ts';

export interface RunSummaryOptions {
  readonly program?: string;
  readonly pcap?: string;
  readonly tier: string;
  readonly json: boolean;
  readonly unverified: boolean;
}

export function parseTier(tier: string): Tier {
  if (!(TIERS as readonly string[]).includes(tier)) throw new CliError(`--tier: expected ${TIERS.join(', ')}, found ${tier}`, EXIT_USAGE);
  return tier as Tier;
}

export function runSummaryCommand(file: string, options: RunSummaryOptions): void {
  const tier = parseTier(options.tier);
  if (options.pcap === undefined) throw new CliError('--summary needs --pcap FILE', EXIT_USAGE);
  const spec = readObjectFile(file);
  const names = spec.programs.map((p) => p.name);
  const program = options.program ?? (names.length === 1 ? names[0] : undefined);
  if (program === undefined || !names.includes(program)) {
    const why = options.program === undefined ? `${file} has ${names.length} programs: give --program` : `no program ${options.program}`;
    throw new CliError(`${why} (programs: ${names.join(', ') || 'none'})`, EXIT_USAGE);
  }
  let packets: Uint8Array[];
  try {
    packets = readCapture(readInputBytes(options.pcap)).packets.map((p) => p.data);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${options.pcap}: ${(e as Error).message}`, EXIT_USAGE, { cause: e });
  }
  let sim: Simulator;
  try {
    sim = new Simulator(spec, { unverified: options.unverified, tier });
  } catch (e) {
    if (e instanceof ProgramRejectedError) throw new CliError(`${file}: ${e.message}`, EXIT_FAILED, { cause: e });
    throw e;
  }
  // compile up front for the fast tier, so the rate is the run's and the compile time is shown apart
  const compileMs = tier === 'wasm' ? ((w) => w.translateMs + w.compileMs)(wasmProgram(sim.program(program))) : undefined;
  let r;
  try {
    r = sim.runBatch(program, packets);
  } catch (e) {
    throw new CliError(`program ${program}: ${(e as Error).message}`, EXIT_USAGE, { cause: e });
  }
  const verdicts = Object.entries(r.verdicts).sort((a, b) => b[1] - a[1]);
  if (options.json) {
    const fault = r.firstFault === undefined ? null : { packet: r.firstFault.index, message: r.firstFault.fault.message, kind: r.firstFault.fault.kind, instruction: r.firstFault.fault.slot };
    process.stdout.write(
      `${JSON.stringify({ program, tier, packets: r.packets, verdicts: Object.fromEntries(verdicts), faults: r.faults, firstFault: fault, elapsedMs: r.elapsedMs, packetsPerSecond: Math.round(r.packetsPerSecond), ...(compileMs !== undefined ? { compileMs } : {}) }, null, 2)}\n`,
    );
  } else {
    const width = Math.max(...verdicts.map(([v]) => v.length), 7);
    process.stdout.write(`${pc.bold(program)}: ${r.packets} packets (${tier} tier)\n`);
    for (const [v, n] of verdicts) {
      const pct = r.packets === 0 ? 0 : (100 * n) / r.packets;
      process.stdout.write(`  ${(v === 'fault' ? pc.red(v) : v).padEnd(width + (v === 'fault' ? pc.red('').length : 0))}  ${String(n).padStart(9)}  ${pct.toFixed(1).padStart(5)}%\n`);
    }
    if (r.firstFault !== undefined) process.stdout.write(`  first fault, packet ${r.firstFault.index}: ${r.firstFault.fault.message}\n`);
    const rate = r.packetsPerSecond >= 1e6 ? `${(r.packetsPerSecond / 1e6).toFixed(2)} M` : `${Math.round(r.packetsPerSecond).toLocaleString('en-US')}`;
    process.stdout.write(`  ${rate} packets/s (${r.elapsedMs.toFixed(1)} ms${compileMs !== undefined ? `, compiled in ${compileMs.toFixed(1)} ms` : ''})\n`);
  }
  if (r.faults > 0) process.exitCode = EXIT_FAILED;
}
