// `tsbpf probe [--json]`: which program types, map types, link types and helpers this kernel has, each with
// the first Linux version that has it.
import { release } from 'node:os';
import pc from 'picocolors';
import { featureTable, HELPER_PROBE_PROGRAM_TYPES, probeBpf, type FeatureRow } from '../loader/index.ts';
import { CliError, EXIT_FAILED } from './cli-error.ts';
import { table } from './table.ts';

export interface ProbeReport {
  readonly kernel: string;
  readonly features: readonly FeatureRow[];
}

export function probeCommand(options: { readonly json: boolean }): void {
  const usable = probeBpf();
  if (!usable.ok) throw new CliError(usable.reason, EXIT_FAILED);
  const report: ProbeReport = { kernel: release(), features: featureTable({ helpersFor: HELPER_PROBE_PROGRAM_TYPES }) };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const paint = (s: FeatureRow['status']): string =>
    s === 'supported' ? pc.green('yes') : s === 'unsupported' ? pc.red('no') : s === 'error' ? pc.yellow('error') : pc.dim('not probed');
  const out = [`Linux ${report.kernel}`];
  for (const kind of ['program type', 'map type', 'link type'] as const) {
    const rows = report.features.filter((f) => f.kind === kind).map((f) => [f.name, paint(f.status), `${f.minVersion}${f.config ? ` (${f.config})` : ''}`, f.detail ?? '']);
    out.push('', pc.bold(`${kind}s`), ...table([kind, 'here', 'since', ''], rows));
  }
  const helpers = report.features.filter((f) => f.kind === 'helper');
  const names = [...new Set(helpers.map((h) => h.name))];
  const rows = names.map((n) => {
    const cells = HELPER_PROBE_PROGRAM_TYPES.map((pt) => {
      const f = helpers.find((h) => h.name === n && h.programType === pt);
      return f === undefined ? '' : f.status === 'supported' ? 'yes' : f.status === 'unsupported' ? '-' : f.status;
    });
    return [`bpf_${n}`, ...cells, helpers.find((h) => h.name === n)!.minVersion];
  });
  out.push('', pc.bold('helpers'), ...table(['helper', ...HELPER_PROBE_PROGRAM_TYPES, 'since'], rows));
  const counts = (s: FeatureRow['status']) => report.features.filter((f) => f.status === s).length;
  out.push('', `${counts('supported')} supported, ${counts('unsupported')} not supported, ${counts('error')} errors, ${counts('not probed')} not probed`);
  process.stdout.write(`${out.join('\n')}\n`);
}
