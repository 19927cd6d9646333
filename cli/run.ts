// `tsbpf run FILE.o [--program NAME] (--packet HEX | --pcap FILE) [--json] [--trace]`: run a program on
// packets in the simulator, no kernel needed. Programs are verified first (--unverified skips it); a program
// the verifier refuses exits 1 with its report. A fault in the program exits 1 with the instruction and source line.
import { readFileSync } from 'node:fs';
import pc from 'picocolors';
import { readCapture } from '../simulator/packet/index.ts';
import { ProgramRejectedError, SimFault, Simulator, type RedirectTarget, type SimRunResult } from '../simulator/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './cli-error.ts';
import { readInputBytes, readObjectFile } from './read-input.ts';
import { parseTier } from './run-summary.ts';

export interface RunCommandOptions {
  readonly program?: string;
  readonly packet?: string;
  readonly pcap?: string;
  readonly json: boolean;
  readonly trace: boolean;
  /** skip the verifier (programs are verified by default, as the kernel would) */
  readonly unverified?: boolean;
  /** the execution tier: auto (default), interp or wasm */
  readonly tier?: string;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** The redirect target with its flags as a number (JSON has no bigint). */
function redirectJson(t: RedirectTarget): Record<string, unknown> {
  return { ...t, flags: Number(t.flags) };
}

/** `devmap devs[0] -> ifindex 7`, `ifindex 5 (ingress)`, `cpumap cpus[1] -> cpu 1`, … */
function describeRedirect(t: RedirectTarget): string {
  if (t.map === undefined) return `ifindex ${t.ifindex}${t.ingress === true ? ' (ingress)' : ''}`;
  const to = t.broadcast === true ? 'every device' : t.ifindex !== undefined ? `ifindex ${t.ifindex}` : t.cpu !== undefined ? `cpu ${t.cpu}` : `queue ${t.queue}`;
  return `${t.mapType} ${t.map}[${t.key}] -> ${to}`;
}

function packetsFrom(options: RunCommandOptions): Uint8Array[] {
  if ((options.packet === undefined) === (options.pcap === undefined)) {
    throw new CliError('give exactly one of --packet HEX or --pcap FILE', EXIT_USAGE);
  }
  if (options.packet !== undefined) {
    const text = options.packet.replace(/\s+/g, '').replace(/^0x/i, '');
    if (text.length === 0 || text.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(text)) {
      throw new CliError('--packet: expected an even number of hex digits', EXIT_USAGE);
    }
    return [Uint8Array.from(Buffer.from(text, 'hex'))];
  }
  try {
    return readCapture(readInputBytes(options.pcap!)).packets.map((p) => p.data);
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${options.pcap}: ${(e as Error).message}`, EXIT_USAGE, { cause: e });
  }
}

export function runCommand(file: string, options: RunCommandOptions): void {
  const spec = readObjectFile(file);
  const packets = packetsFrom(options);
  const names = spec.programs.map((p) => p.name);
  const program = options.program ?? (names.length === 1 ? names[0] : undefined);
  if (program === undefined || !names.includes(program)) {
    const why = options.program === undefined ? `${file} has ${names.length} programs: give --program` : `no program ${options.program}`;
    throw new CliError(`${why} (programs: ${names.join(', ') || 'none'})`, EXIT_USAGE);
  }
  let sim: Simulator;
  try {
    sim = new Simulator(spec, { unverified: options.unverified === true, tier: parseTier(options.tier ?? 'auto') });
  } catch (e) {
    if (e instanceof ProgramRejectedError) throw new CliError(`${file}: ${e.message}`, EXIT_FAILED, { cause: e });
    throw e;
  }
  const results: { packet: number; result?: SimRunResult; fault?: SimFault }[] = [];
  for (const [i, packet] of packets.entries()) {
    try {
      results.push({ packet: i, result: sim.run(program, packet, { trace: options.trace }) });
    } catch (e) {
      if (!(e instanceof SimFault)) throw new CliError(`program ${program}: ${(e as Error).message}`, EXIT_USAGE, { cause: e });
      results.push({ packet: i, fault: e });
    }
  }
  if (options.json) {
    const out = results.map(({ packet, result, fault }) =>
      fault
        ? { packet, fault: { message: fault.message, kind: fault.kind, instruction: fault.slot, source: fault.sourceLine ?? null } }
        : {
            packet,
            action: result!.action,
            retval: result!.retval32,
            output: hex(result!.packet),
            changed: hex(result!.packet) !== hex(packets[packet]!),
            printk: result!.printk,
            ...(result!.redirect !== undefined ? { redirect: redirectJson(result!.redirect) } : {}),
            instructions: result!.instructionsExecuted,
            ...(options.trace ? { trace: result!.trace?.map((t) => ({ slot: t.slot, frame: t.frame, registers: t.registers.map(String) })) } : {}),
          },
    );
    process.stdout.write(`${JSON.stringify({ program, results: out }, null, 2)}\n`);
  } else {
    for (const { packet, result, fault } of results) {
      if (fault) {
        process.stdout.write(`packet ${packet}: ${pc.red('fault')}: ${fault.message}\n`);
        continue;
      }
      const r = result!;
      const changed = hex(r.packet) !== hex(packets[packet]!);
      process.stdout.write(`packet ${packet}: ${pc.bold(r.action)} (r0 ${r.retval32}, ${r.instructionsExecuted} instructions)${changed ? ', packet rewritten' : ''}\n`);
      if (changed) process.stdout.write(`  out ${hex(r.packet)}\n`);
      if (r.redirect !== undefined) process.stdout.write(`  redirect: ${describeRedirect(r.redirect)}\n`);
      for (const line of r.printk) process.stdout.write(`  printk: ${line}\n`);
      for (const t of r.trace ?? []) {
        const regs = t.registers.slice(0, 6).map((v, n) => `r${n}=0x${v.toString(16)}`).join(' ');
        process.stdout.write(pc.dim(`  ${String(t.slot).padStart(5)} [${t.frame}] ${regs}\n`));
      }
    }
  }
  if (results.some((r) => r.fault)) process.exitCode = EXIT_FAILED;
}
