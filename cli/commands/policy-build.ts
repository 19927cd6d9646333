// `tsbpf build POLICY.ts -o DIR`: policy.c, policy.o, policy.maps.json (initial map contents), policy.model.json
// and manifest.json (programs and attach points, maps and sizes, profiles); for the services a file exports,
// lb.c, lb.o, lb.maps.json and lb.manifest.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pc from 'picocolors';
import { formatWarning, REASONS } from '../../compiler/dsl/index.ts';
import type { PolicyDriver } from '../../compiler/cgen/index.ts';
import { lbMapsJson, type BuiltLb } from '../../compiler/services/index.ts';
import { readObject } from '../../bpf/index.ts';
import { l7CounterLayout, type L7CounterLayout } from '../deploy/l7-counters.ts';
import { EXIT_FAILED } from '../cli-error.ts';
import { verifyPolicyPrograms, type ProgramReport } from './policy-check.ts';
import { prepareFile, type PreparedPolicy } from './policy-pipeline.ts';

export interface PolicyManifest {
  readonly policies: readonly string[];
  readonly mode: 'interface' | 'endpoint';
  readonly driver: PolicyDriver;
  readonly object: string;
  readonly programs: readonly {
    name: string;
    section: string;
    direction: string;
    attach: string;
    /** instructions and peak stack bytes, and our verifier's verdict under each profile (`tsbpf build` fills them) */
    insns?: number;
    stack?: number;
    verify?: ProgramReport['verify'];
  }[];
  readonly maps: readonly { name: string; entries: number; maxEntries: number }[];
  readonly profiles: readonly string[];
  readonly rules: number;
  /** how to read the per-CPU counters (for a metrics exporter): labels of every index */
  readonly counters: {
    readonly rule_counters: { readonly index: string; readonly slots: number; readonly rules: readonly { id: number; name: string; policy: string; direction: string; verdict: string }[] };
    readonly verdict_counters: { readonly index: string; readonly reasons: readonly string[] };
    /** L7 request counters ({allowed, denied} per slot, per CPU): which slot is which rule */
    readonly l7_counters?: L7CounterLayout & { readonly value: string };
  };
  /** the policies' L7 settings, when they have L7 rules */
  readonly l7?: { readonly window: number; readonly unparseable: string; readonly violation: string };
  readonly sources: readonly string[];
  readonly inventory?: string;
}

export function manifestOf(p: PreparedPolicy, reports?: readonly ProgramReport[]): PolicyManifest {
  const l7 = l7CounterLayout(p.model);
  const report = (name: string) => reports?.find((r) => r.name === name);
  return {
    policies: p.model.policies.map((x) => x.name),
    mode: p.model.mode,
    driver: p.compiled.driver,
    object: 'policy.o',
    programs: p.compiled.programs.map((x) => {
      const r = report(x.name);
      return { ...x, ...(r !== undefined ? { insns: r.insns, stack: r.stack, verify: r.verify } : {}) };
    }),
    maps: Object.entries(p.compiled.maps.maps).map(([name, m]) => ({ name, entries: m.entries.length, maxEntries: m.maxEntries })),
    profiles: p.model.profiles,
    rules: p.model.rules.length,
    counters: {
      rule_counters: {
        index: 'generation * slots + rule id (0: default deny); the live generation is in map config',
        slots: p.compiled.maps.ruleSlots,
        rules: p.model.rules.map((r) => ({ id: r.id, name: r.name, policy: r.policy, direction: r.direction, verdict: r.verdict })),
      },
      verdict_counters: { index: 'direction (0 ingress, 1 egress) * reasons + reason', reasons: REASONS },
      ...(l7 !== undefined ? { l7_counters: { ...l7, value: '{ u64 allowed; u64 denied; } requests' } } : {}),
    },
    ...(l7 !== undefined ? { l7: { ...p.model.l7.settings } } : {}),
    sources: p.loaded.sources,
    ...(p.inventoryFile !== undefined ? { inventory: resolve(p.inventoryFile) } : {}),
  };
}

/** What `tsbpf build` writes for a file's services: lb.c, lb.o, lb.maps.json and this (lb.manifest.json). */
export interface LbManifest {
  readonly object: 'lb.o';
  readonly driver: PolicyDriver;
  readonly services: readonly { name: string; vip: string; port: number; protocol: string; backends: number; selection: string; mode: string; tableSize: number; affinitySeconds: number }[];
  readonly programs: readonly { name: string; section: string; topology: string; attach: string }[];
  /** north-south: the SNAT address the maps were written with (set the node's own in lb_config when deploying) */
  readonly snatAddress: string;
}

export function lbManifestOf(lb: BuiltLb): LbManifest {
  return {
    object: 'lb.o',
    driver: lb.driver,
    services: lb.services.map((s) => ({ name: s.name, vip: s.vip, port: s.port, protocol: s.protocol, backends: s.backends.length, selection: s.selection, mode: s.mode, tableSize: s.tableSize, affinitySeconds: s.affinitySeconds })),
    programs: lb.programs.map((x) => ({ ...x })),
    snatAddress: lb.config.snatAddress,
  };
}

/** Builds `file` into `outDir`: the policy files when it exports policies, the load balancer's when it exports services. */
export async function buildPolicy(file: string, outDir: string, options: { endpoints?: string; driver?: PolicyDriver } = {}): Promise<{ policy?: PolicyManifest; services?: LbManifest }> {
  const f = await prepareFile(file, options);
  mkdirSync(outDir, { recursive: true });
  let services: LbManifest | undefined;
  if (f.services !== undefined) {
    writeFileSync(join(outDir, 'lb.c'), f.services.c);
    writeFileSync(join(outDir, 'lb.o'), f.services.object);
    writeFileSync(join(outDir, 'lb.maps.json'), `${JSON.stringify(lbMapsJson(f.services))}\n`);
    services = lbManifestOf(f.services);
    writeFileSync(join(outDir, 'lb.manifest.json'), `${JSON.stringify(services, null, 2)}\n`);
  }
  const p = f.policy;
  if (p === undefined) return services === undefined ? {} : { services };
  writeFileSync(join(outDir, 'policy.c'), p.compiled.c);
  writeFileSync(join(outDir, 'policy.o'), p.compiled.object);
  writeFileSync(join(outDir, 'policy.maps.json'), `${JSON.stringify(p.compiled.maps, null, 1)}\n`);
  writeFileSync(join(outDir, 'policy.model.json'), `${JSON.stringify(p.model, null, 1)}\n`);
  // the build report: instructions, stack and our verifier's verdict under each profile the policies declare
  const manifest = manifestOf(p, verifyPolicyPrograms(p, readObject(p.compiled.object)));
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  for (const w of p.model.warnings) process.stderr.write(`${pc.yellow('warning')}: ${formatWarning(w)}\n`);
  return { policy: manifest, ...(services !== undefined ? { services } : {}) };
}

export async function policyBuildCommand(file: string, options: { output?: string; endpoints?: string; driver?: PolicyDriver; json?: boolean }): Promise<void> {
  const outDir = options.output ?? file.replace(/\.(ts|mts|js|mjs|ya?ml)$/, '.build');
  const { policy: m, services } = await buildPolicy(file, outDir, options);
  // the files are written either way (to inspect); a program a declared profile rejects fails the build
  if (m?.programs.some((x) => x.verify?.some((v) => v.verdict === 'reject'))) process.exitCode = EXIT_FAILED;
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ output: outDir, ...m, ...(services !== undefined ? { lb: services } : {}) }, null, 2)}\n`);
    return;
  }
  if (m !== undefined) {
    process.stdout.write(`${pc.green('built')} ${m.policies.join(', ')} (${m.mode} mode, ${m.rules} rules) into ${outDir}\n`);
    for (const x of m.programs) {
      process.stdout.write(`  ${x.name} (${x.section}): ${x.direction}, attach to the ${x.attach}\n`);
      const verdicts = (x.verify ?? []).map((v) => `${v.profile} ${v.verdict === 'accept' ? pc.green('accept') : v.verdict === 'reject' ? pc.red('reject') : pc.yellow(v.verdict)}`);
      if (x.insns !== undefined) process.stdout.write(`    ${x.insns} instructions, stack ${x.stack} bytes; ${verdicts.join(', ')}\n`);
      for (const v of x.verify ?? []) if (v.error !== null) process.stdout.write(`    ${v.profile}: ${v.error}\n`);
    }
  }
  if (services !== undefined) {
    process.stdout.write(`${pc.green('built')} load balancer for ${services.services.map((s) => s.name).join(', ')} (${services.services.length} services) into ${outDir}/lb.o\n`);
    for (const x of services.programs) process.stdout.write(`  ${x.name} (${x.section}): ${x.topology}, ${x.attach}\n`);
  }
}
