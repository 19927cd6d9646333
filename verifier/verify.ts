// verify(): one program of an ObjectSpec through our verifier, with the kernel's wording, the instruction, its
// section offset, disassembly, source line and register state when it fails.
import { formatInstruction } from '../bpf/asm/index.ts';
import { attachTypeById, contextOf, linkProgram, progTypeById, progTypeByName, type ObjectSpec, type ProgTypeName } from '../bpf/index.ts';
import { explore, prepareProgram, VerifierLog, type ExploreStats } from './explore/index.ts';
import { DEFAULT_PROFILE, profileByName } from './profiles.ts';

export interface VerifyOptions {
  /** the program to verify (required when the object has more than one) */
  readonly program?: string;
  /** profile name: linux-6.18 (default), linux-6.18-bpf, seed */
  readonly profile?: string;
  /** program type overriding the section's (`xdp`, `sched_cls`, …) */
  readonly type?: string;
  /** expected attach type overriding the section's (`BPF_CGROUP_INET_EGRESS`, …) */
  readonly attachType?: string;
  /**
   * keep the full verification log (`report.log`), like the kernel's log level 2: every instruction checked with
   * what it changed, resumed branches, pruned states and the statistics line. Off by default: it costs time.
   */
  readonly log?: boolean;
}

export interface VerifyError {
  /** instruction (slot index after subprograms are appended), when the kernel names one */
  readonly insn?: number;
  /** the first line of the error, in the kernel's wording */
  readonly message: string;
  /** every line the kernel prints for this error (the last one is its `reason`) */
  readonly lines: readonly string[];
  readonly section?: string;
  readonly function?: string;
  /** byte offset of the instruction in its section */
  readonly offset?: number;
  readonly disassembly?: string;
  readonly source?: { readonly file: string; readonly line: number; readonly column: number; readonly text: string };
  /** the registers of the failing state, as the kernel's log prints them */
  readonly registers?: string;
}

export interface VerifyReport {
  readonly program: string;
  readonly verdict: 'accept' | 'reject' | 'unsupported';
  readonly profile: string;
  readonly progType: string;
  readonly error?: VerifyError;
  /** the feature not modelled, for 'unsupported' */
  readonly unsupported?: string;
  /** the profile models its kernel only in part (linux-5.4: limits and helpers): an indication, not a guarantee */
  readonly bestEffort?: true;
  readonly stats: ExploreStats;
  /** the verification log, when `log: true` was given (capped at LOG_MAX_LINES lines, with a note) */
  readonly log?: readonly string[];
}

const SUPPORTED_TYPES: readonly ProgTypeName[] = ['xdp', 'sched_cls', 'sched_act', 'socket_filter', 'cgroup_skb'];
const GPL_COMPATIBLE = ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'];

/**
 * Verify one program of `spec`.
 *
 * @example
 * const report = verify(readObject(bytes), { program: 'xdp_firewall' });
 * report.verdict // 'accept'
 */
export function verify(spec: ObjectSpec, options: VerifyOptions = {}): VerifyReport {
  if (options.log !== true) return verifyWith(spec, options, undefined);
  const log = new VerifierLog();
  const report = verifyWith(spec, options, log);
  if (report.error !== undefined) log.error(report.error.lines);
  else if (report.unsupported !== undefined) log.error([`unsupported: ${report.unsupported}`]);
  return { ...report, log: log.finish(report.stats, profileByName(report.profile).maxProcessed) };
}

function verifyWith(spec: ObjectSpec, options: VerifyOptions, log: VerifierLog | undefined): VerifyReport {
  const name = options.program ?? (spec.programs.length === 1 ? spec.programs[0]!.name : undefined);
  if (name === undefined) {
    throw new RangeError(`choose a program: ${spec.programs.map((p) => p.name).join(', ') || 'none'}`);
  }
  const profile = profileByName(options.profile ?? DEFAULT_PROFILE);
  const linked = linkProgram(spec, name);
  const progType =
    options.type !== undefined ? progTypeByName(options.type) : linked.program.type === undefined ? undefined : progTypeById(linked.program.type);
  if (options.type !== undefined && progType === undefined) throw new RangeError(`unknown program type ${options.type}`);
  const stats0: ExploreStats = { processed: 0, states: 0, peakStack: 0 };
  const base = { program: name, profile: profile.name, progType: progType?.name ?? 'unknown', ...(profile.bestEffort === true ? { bestEffort: true as const } : {}) };
  if (progType === undefined || !SUPPORTED_TYPES.includes(progType.name)) {
    return { ...base, verdict: 'unsupported', unsupported: `program type ${progType?.name ?? 'unknown'}`, stats: stats0 };
  }
  const attach =
    options.attachType !== undefined && options.attachType !== ''
      ? options.attachType
      : options.type !== undefined || linked.program.expectedAttachType === undefined
        ? undefined
        : attachTypeById(linked.program.expectedAttachType)?.name;
  // add_subprog_and_kfunc, before any control-flow check: kfuncs only from GPL-compatible programs
  const kfuncs =
    linked.instructions.some((i) => i.kind === 'call' && i.target === 'kfunc') ||
    linked.references.some((r) => r.ref.kind === 'extern' && r.ref.type === 'kfunc');
  if (kfuncs && !GPL_COMPATIBLE.includes(spec.license)) {
    const message = 'cannot call kernel function from non-GPL compatible program';
    return { ...base, verdict: 'reject', error: { message, lines: [message] }, stats: stats0 };
  }
  // Linux 6.18 has no indirect calls (BPF_JMP | BPF_CALL | BPF_X): bpf_check() refuses the opcode before
  // any path is explored, without naming an instruction
  if (linked.instructions.some((i) => i.kind === 'callx')) {
    return { ...base, verdict: 'reject', error: { message: 'unknown opcode 8d', lines: ['unknown opcode 8d'] }, stats: stats0 };
  }
  const program = prepareProgram(spec, linked, contextOf(progType.name)?.struct);
  const result = explore(program, {
    profile,
    gplCompatible: GPL_COMPATIBLE.includes(spec.license),
    ...(log !== undefined ? { trace: log } : {}),
    ctx: { progType: progType.name, profile, ...(attach !== undefined ? { attachType: attach.startsWith('BPF_') ? attach : `BPF_${attach}` } : {}) },
  });
  if (result.verdict === 'accept') return { ...base, verdict: 'accept', stats: result.stats };
  if (result.verdict === 'unsupported') {
    return { ...base, verdict: 'unsupported', unsupported: result.feature, stats: result.stats };
  }
  const insn = result.insn;
  let where: Partial<VerifyError> = {};
  if (insn !== undefined) {
    const fn = [...linked.functions].reverse().find((f) => f.slot <= insn);
    const fnSpec = spec.functions.find((f) => f.name === fn?.name);
    let sectionBase = 0;
    if (fnSpec !== undefined) {
      for (const f of spec.functions) {
        if (f === fnSpec) break;
        if (f.section === fnSpec.section) sectionBase += f.instructions.reduce((a, i) => a + (i.kind === 'lddw' ? 16 : 8), 0);
      }
    }
    const line = [...linked.lineInfo].reverse().find((l) => l.slot <= insn);
    const ins = program.insns[insn];
    where = {
      insn,
      ...(fnSpec !== undefined && fn !== undefined
        ? { section: fnSpec.section, function: fnSpec.name, offset: sectionBase + (insn - fn.slot) * 8 }
        : {}),
      ...(ins !== undefined ? { disassembly: formatInstruction(ins) } : {}),
      ...(line !== undefined ? { source: { file: line.file, line: line.line, column: line.column, text: line.text } } : {}),
      ...(result.state !== undefined ? { registers: result.state.formatRegs() } : {}),
    };
  }
  return {
    ...base,
    verdict: 'reject',
    error: { ...where, message: result.lines[0] ?? '', lines: result.lines },
    stats: result.stats,
  };
}

/** Verify every program of `spec`. */
export function verifyAll(spec: ObjectSpec, options: Omit<VerifyOptions, 'program'> = {}): VerifyReport[] {
  return spec.programs.map((p) => verify(spec, { ...options, program: p.name }));
}
