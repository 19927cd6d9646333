// `tsbpf deploy POLICY... --iface IFACE` and `tsbpf undeploy [POLICY] --iface IFACE | --all`: thin wrappers over
// cli/deploy (the logic), printing for people (progress on stderr, a summary) or machines (--json).
import pc from 'picocolors';
import type { PolicyDriver } from '../../compiler/cgen/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { deployPolicies, undeployAll, undeployPolicy, type DeployResult } from '../deploy/deploy.ts';

export interface DeployCommandOptions {
  readonly iface: string;
  readonly netns?: string;
  readonly mode?: string;
  readonly endpoints?: string;
  readonly pin?: string;
  readonly force?: boolean;
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly clang?: PolicyDriver;
}

const progressOf = (json: boolean | undefined) => (json === true || !process.stderr.isTTY ? () => {} : (m: string) => process.stderr.write(`${pc.dim(`… ${m}`)}\n`));

function summary(r: DeployResult, iface: string): string {
  const lines: string[] = [];
  const what = r.dryRun
    ? { fresh: 'would deploy', rules: 'would update the rules (no reload)', code: 'would replace the programs (LINK_UPDATE)', unchanged: 'nothing to do', removed: 'would remove everything' }[r.action]
    : { fresh: 'deployed', rules: 'updated the rules (no reload)', code: 'replaced the programs (LINK_UPDATE)', unchanged: 'unchanged', removed: 'removed everything' }[r.action];
  const servicesOnly = r.action === 'unchanged' && r.services !== undefined && r.services.action !== 'unchanged';
  lines.push(`${pc.green(servicesOnly ? 'updated the services' : what)} on ${iface}${r.state !== undefined ? ` (--mode ${r.state.mode})` : ''}`);
  for (const p of r.state?.policies ?? []) lines.push(`  ${p.names.join(', ')}  v${p.version}  ${p.file}`);
  const svc = r.services;
  if (svc !== undefined && (svc.state !== undefined || svc.action === 'removed')) {
    const how = { fresh: 'attached ahead of the policy on tcx', maps: 'maps updated in place (no reload)', code: 'programs replaced (LINK_UPDATE)', unchanged: 'unchanged', removed: 'removed' }[svc.action];
    lines.push(`  services: ${r.dryRun ? `would be ${how}` : how}`);
    for (const s of svc.state?.services ?? []) lines.push(`    ${s.name}  ${s.vip}:${s.port}/${s.protocol} → ${s.backends.join(', ')}`);
  }
  for (const c of r.checks.filter((x) => !x.ok)) lines.push(`  ${pc.yellow('forced past')}: ${c.what}${c.detail !== undefined ? `: ${c.detail}` : ''}`);
  for (const w of r.warnings) lines.push(`  ${pc.yellow('warning')}: ${w}`);
  return `${lines.join('\n')}\n`;
}

function servicesJson(r: DeployResult): unknown {
  const s = r.services;
  if (s === undefined) return null;
  return { action: s.action, services: s.state?.services ?? [], files: s.state?.files ?? [], links: s.state?.links ?? {}, pinDir: s.state?.pinDir ?? null };
}

function print(r: DeployResult, iface: string, json: boolean | undefined): void {
  if (json === true) process.stdout.write(`${JSON.stringify({ action: r.action, dryRun: r.dryRun, layoutChanges: r.layoutChanges, ...(r.carryOver !== undefined ? { carryOver: r.carryOver } : {}), iface, mode: r.state?.mode ?? null, policies: r.state?.policies ?? [], checks: r.checks, warnings: r.warnings, links: r.state?.links ?? {}, pinDir: r.state?.pinDir ?? null, services: servicesJson(r) }, null, 2)}\n`);
  else process.stdout.write(summary(r, iface));
}

export async function deployCommand(files: readonly string[], options: DeployCommandOptions): Promise<void> {
  if (options.mode !== undefined && options.mode !== 'tc' && options.mode !== 'xdp') throw new CliError(`deploy --mode ${options.mode}: the mode is tc or xdp`, EXIT_USAGE);
  const r = await deployPolicies(files, {
    iface: options.iface,
    progress: progressOf(options.json),
    ...(options.netns !== undefined ? { netns: options.netns } : {}),
    ...(options.mode === 'tc' || options.mode === 'xdp' ? { mode: options.mode } : {}),
    ...(options.endpoints !== undefined ? { endpoints: options.endpoints } : {}),
    ...(options.pin !== undefined ? { pinRoot: options.pin } : {}),
    ...(options.clang !== undefined ? { driver: options.clang } : {}),
    force: options.force === true,
    dryRun: options.dryRun === true,
  });
  print(r, options.iface, options.json);
}

export async function undeployCommand(file: string | undefined, options: { iface?: string; netns?: string; pin?: string; all?: boolean; json?: boolean; clang?: PolicyDriver }): Promise<void> {
  if (options.all === true) {
    if (file !== undefined || options.iface !== undefined) throw new CliError('undeploy --all takes no policy and no --iface', EXIT_USAGE);
    const removed = undeployAll(options.pin !== undefined ? { pinRoot: options.pin } : {});
    process.stdout.write(options.json === true ? `${JSON.stringify({ removed }, null, 2)}\n` : `${pc.green('removed')} ${removed.length === 0 ? 'nothing (nothing was deployed)' : removed.join(', ')}\n`);
    return;
  }
  if (options.iface === undefined) throw new CliError('undeploy: give --iface IFACE (or --all)', EXIT_USAGE);
  const r = await undeployPolicy(file, {
    iface: options.iface,
    progress: progressOf(options.json),
    ...(options.netns !== undefined ? { netns: options.netns } : {}),
    ...(options.pin !== undefined ? { pinRoot: options.pin } : {}),
    ...(options.clang !== undefined ? { driver: options.clang } : {}),
  });
  print(r, options.iface, options.json);
}
