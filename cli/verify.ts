// `tsbpf verify FILE.o [--program NAME] [--type T] [--profile P] [--json] [--log]`: our verifier's verdict on each
// program, the kernel's wording for the first error with its instruction, source line and registers; with --log
// the full verification log first (like the kernel's log level 2; in --json as each report's `log`).
// Exit 0 when every program is accepted, 1 when any is rejected or unsupported, 2 on unreadable input.
import pc from 'picocolors';
import { progTypeByName, sectionInfo } from '../bpf/index.ts';
import { PROFILES, verify, type VerifyReport } from '../verifier/index.ts';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './cli-error.ts';
import { readObjectFile } from './read-input.ts';

export interface VerifyCommandOptions {
  readonly program?: string;
  readonly type?: string;
  readonly profile?: string;
  readonly json: boolean;
  /** print the full verification log of each program before its verdict */
  readonly log?: boolean;
}

function formatReport(r: VerifyReport): string[] {
  const head = `${r.program} (${r.progType}, ${r.profile}): `;
  const stats = `${r.stats.processed} insns processed, ${r.stats.states} states, stack ${r.stats.peakStack} bytes`;
  if (r.verdict === 'accept') return [`${head}${pc.green('accept')}  ${pc.dim(stats)}`];
  if (r.verdict === 'unsupported') return [`${head}${pc.yellow('unsupported')}: ${r.unsupported ?? ''}`];
  const e = r.error!;
  const out = [`${head}${pc.red('reject')}  ${pc.dim(stats)}`];
  const at = e.insn === undefined ? '' : `insn ${e.insn}${e.section !== undefined ? ` (${e.section}+0x${(e.offset ?? 0).toString(16)})` : ''}: `;
  out.push(`  ${at}${e.lines.join('\n  ')}`);
  if (e.disassembly !== undefined) out.push(`  ${pc.dim(`${e.insn}: ${e.disassembly}`)}`);
  if (e.source !== undefined) out.push(`  ${pc.dim(`${e.source.file}:${e.source.line}:${e.source.column}: ${e.source.text.trim()}`)}`);
  if (e.registers !== undefined) out.push(`  ${pc.dim(e.registers)}`);
  return out;
}

export function verifyCommand(file: string, options: VerifyCommandOptions): void {
  if (options.profile !== undefined && PROFILES[options.profile] === undefined) {
    throw new CliError(`unknown profile ${options.profile} (profiles: ${Object.keys(PROFILES).join(', ')})`, EXIT_USAGE);
  }
  let type = options.type;
  if (type !== undefined && progTypeByName(type) === undefined) {
    const info = sectionInfo(type);
    if (info === undefined) throw new CliError(`unknown program type ${type}`, EXIT_USAGE);
    type = info.progType.name;
  }
  const spec = readObjectFile(file);
  const names = options.program !== undefined ? [options.program] : spec.programs.map((p) => p.name);
  if (options.program !== undefined && !spec.programs.some((p) => p.name === options.program)) {
    throw new CliError(`${file}: no program ${options.program} (programs: ${spec.programs.map((p) => p.name).join(', ')})`, EXIT_USAGE);
  }
  const reports = names.map((program) =>
    verify(spec, { program, ...(options.log === true ? { log: true } : {}), ...(options.profile !== undefined ? { profile: options.profile } : {}), ...(type !== undefined ? { type } : {}) }),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ file, programs: reports }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
  } else {
    for (const r of reports) {
      if (r.log !== undefined) process.stdout.write(`${pc.bold(`${r.program}:`)}\n${r.log.join('\n')}\n`);
      process.stdout.write(`${formatReport(r).join('\n')}\n`);
    }
  }
  process.exitCode = reports.every((r) => r.verdict === 'accept') ? EXIT_OK : EXIT_FAILED;
}
