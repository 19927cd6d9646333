// `tsbpf load FILE.o [--program NAME] [--type T] [--pin DIR] [--json]`: the kernel's verdict on each program.
//
// Each program is loaded alone, with the maps it uses: accepted (with the instructions the verifier
// processed), rejected (the verifier's reason, the instruction, its C source line, and the log's tail) or not
// loadable (why). With --pin and every program accepted, the whole object is loaded once more and its maps
// and programs pinned under DIR (DIR/maps/NAME, DIR/programs/NAME). Exit 0 when all were accepted, 1 when one
// was not, 2 for unreadable input or bad arguments.
import pc from 'picocolors';
import { attachTypeById, progTypeById, type ObjectSpec, type ProgramSpec } from '../bpf/index.ts';
import {
  loadCollection,
  parseProgramType,
  pinCollection,
  ProgramLoadError,
  progGetInfo,
  type ProgramTypeInput,
} from '../loader/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from './cli-error.ts';
import { readObjectFile } from './read-input.ts';
import { table } from './table.ts';

export interface LoadCommandOptions {
  readonly program?: string;
  readonly type?: string;
  readonly pin?: string;
  readonly json: boolean;
}

export interface ProgramVerdict {
  readonly program: string;
  readonly section: string;
  readonly type: string;
  readonly attachType: string;
  readonly verdict: 'accepted' | 'rejected' | 'not loadable';
  readonly reason?: string;
  readonly insn?: number;
  readonly source?: string;
  readonly processedInsns?: number;
  /** rejected: the last lines of the verifier log */
  readonly logTail?: readonly string[];
}

export interface LoadReport {
  readonly file: string;
  readonly programs: ProgramVerdict[];
  readonly pinned?: { readonly maps: Record<string, string>; readonly programs: Record<string, string> };
}

const LOG_TAIL = 20;

function typeNames(type: number | undefined, attach: number | undefined): { type: string; attachType: string } {
  return {
    type: type === undefined ? '' : (progTypeById(type)?.name ?? String(type)),
    attachType: attach === undefined ? '' : (attachTypeById(attach)?.name ?? String(attach)),
  };
}

/** Load `program` alone and say what the kernel made of it. */
export function programVerdict(spec: ObjectSpec, program: ProgramSpec, type: ProgramTypeInput | undefined): ProgramVerdict {
  const base = { program: program.name, section: program.section };
  try {
    using coll = loadCollection(spec, { programs: [program.name], ...(type !== undefined ? { programTypes: { [program.name]: type } } : {}) });
    const info = coll.info.get(program.name)!;
    const processed = progGetInfo(coll.programs.get(program.name)!).verifiedInsns;
    return { ...base, ...typeNames(info.type, info.expectedAttachType), verdict: 'accepted', processedInsns: processed };
  } catch (e) {
    const guess = type !== undefined ? typeNames(parseProgramType(type).type, parseProgramType(type).expectedAttachType) : typeNames(program.type, program.expectedAttachType);
    if (e instanceof ProgramLoadError && e.verdict === 'rejected') {
      return {
        ...base,
        ...guess,
        verdict: 'rejected',
        reason: e.reason,
        ...(e.insn !== undefined ? { insn: e.insn } : {}),
        ...(e.source ? { source: `${e.source.file}:${e.source.line}: ${e.source.text.trim()}` } : {}),
        logTail: e.logTail(LOG_TAIL),
      };
    }
    const reason = e instanceof ProgramLoadError ? e.reason : (e as Error).message;
    return { ...base, ...guess, verdict: 'not loadable', reason: reason.split('\n')[0]! };
  }
}

export function loadObject(file: string, spec: ObjectSpec, options: Omit<LoadCommandOptions, 'json'>): LoadReport {
  let type: ProgramTypeInput | undefined;
  if (options.type !== undefined) {
    try {
      parseProgramType(options.type);
    } catch (e) {
      throw new CliError((e as Error).message, EXIT_USAGE, { cause: e });
    }
    type = options.type;
  }
  const programs = options.program === undefined ? spec.programs : spec.programs.filter((p) => p.name === options.program);
  if (programs.length === 0) {
    const known = spec.programs.map((p) => p.name).join(', ') || 'none';
    throw new CliError(options.program === undefined ? `${file}: no programs` : `${file}: no program ${options.program} (programs: ${known})`, EXIT_USAGE);
  }
  const verdicts = programs.map((p) => programVerdict(spec, p, type));
  const report: LoadReport = { file, programs: verdicts };
  if (options.pin !== undefined && verdicts.every((v) => v.verdict === 'accepted')) {
    const names = programs.map((p) => p.name);
    using coll = loadCollection(spec, {
      programs: names,
      ...(type !== undefined ? { programTypes: Object.fromEntries(names.map((n) => [n, type])) } : {}),
    });
    const pinned = pinCollection(coll, options.pin);
    return { ...report, pinned: { maps: Object.fromEntries(pinned.maps), programs: Object.fromEntries(pinned.programs) } };
  }
  return report;
}

export function loadCommand(file: string, options: LoadCommandOptions): void {
  const spec = readObjectFile(file);
  const report = loadObject(file, spec, options);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const paint = (v: ProgramVerdict['verdict']): string =>
      v === 'accepted' ? pc.green(v) : v === 'rejected' ? pc.red(v) : pc.yellow(v);
    const rows = report.programs.map((p) => [
      p.program,
      p.section,
      p.type || '-',
      paint(p.verdict),
      p.verdict === 'accepted' ? `${p.processedInsns} insns processed` : `${p.insn !== undefined ? `insn ${p.insn}: ` : ''}${p.reason ?? ''}`,
    ]);
    const out = [`${pc.bold(file)}`, ...table(['program', 'section', 'type', 'verdict', 'detail'], rows)];
    for (const p of report.programs.filter((x) => x.verdict === 'rejected')) {
      out.push('', `${pc.red('rejected')} ${pc.bold(p.program)} (section ${p.section}): ${p.insn !== undefined ? `instruction ${p.insn}: ` : ''}${p.reason}`);
      if (p.source !== undefined) out.push(`  at ${p.source}`);
      out.push(pc.dim(`  verifier log (last ${p.logTail?.length ?? 0} lines):`), ...(p.logTail ?? []).map((l) => pc.dim(`    ${l}`)));
    }
    for (const p of report.programs.filter((x) => x.verdict === 'not loadable')) {
      if (p.reason?.startsWith('unknown program type') === true) out.push('', pc.dim(`  ${p.program}: give the program type with --type (xdp, sched_cls, socket_filter, …)`));
    }
    if (report.pinned) out.push('', `pinned under ${options.pin}: ${Object.keys(report.pinned.programs).length} programs, ${Object.keys(report.pinned.maps).length} maps`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
  if (report.programs.some((p) => p.verdict !== 'accepted')) throw new CliError(`${file}: ${report.programs.filter((p) => p.verdict !== 'accepted').length} of ${report.programs.length} programs not loaded`, EXIT_FAILED);
}
