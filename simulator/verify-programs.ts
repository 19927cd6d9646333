// Verified by default: before the simulator runs anything, each program of the object goes through our
// verifier with this kernel's profile, so a program the kernel would refuse cannot pass a unit test.
// `{ unverified: true }` skips this (fault tests run programs the kernel would refuse on purpose).
import type { ObjectSpec } from '../bpf/index.ts';
import { verify, type VerifyReport } from '../verifier/index.ts';

/** The profile programs are verified against: the kernel this project targets. */
export const SIMULATOR_PROFILE = 'linux-6.18';

/** A program the verifier refuses (or cannot check); `report` is the verifier's full report. */
export class ProgramRejectedError extends Error {
  readonly report: VerifyReport;
  constructor(message: string, report: VerifyReport) {
    super(message);
    this.name = 'ProgramRejectedError';
    this.report = report;
  }
}

/** The message for a rejected program: the instruction, its source line and the kernel's wording. */
export function rejectionMessage(report: VerifyReport): string {
  const head = `program ${report.program}`;
  if (report.verdict === 'unsupported') {
    return (
      `${head}: the verifier cannot check it yet (${report.unsupported ?? 'unsupported feature'}); ` +
      'load with { unverified: true } to run it without verification'
    );
  }
  const e = report.error;
  const src = e?.source === undefined ? '' : ` (${e.source.file}:${e.source.line}: ${e.source.text.trim()})`;
  const at = e?.insn === undefined ? '' : `instruction ${e.insn}${src}: `;
  const log = e !== undefined && e.lines.length > 1 ? `\n${e.lines.join('\n')}` : '';
  return `${head}: the verifier (${report.profile}) refuses it: ${at}${e?.message ?? 'rejected'}${log}`;
}

/**
 * Verify `programs` of `spec` (all of them by default); throws a ProgramRejectedError for the first one the
 * verifier refuses or cannot check. Returns the reports.
 */
export function verifyPrograms(spec: ObjectSpec, programs: readonly string[] = spec.programs.map((p) => p.name)): VerifyReport[] {
  const reports: VerifyReport[] = [];
  for (const program of programs) {
    const report = verify(spec, { program, profile: SIMULATOR_PROFILE });
    if (report.verdict !== 'accept') throw new ProgramRejectedError(rejectionMessage(report), report);
    reports.push(report);
  }
  return reports;
}
