// `tsbpf check POLICY.ts [--endpoints FILE] [--vectors FILE] [--json] [--strict]`: compile, verify with the
// profiles the policy declares (default seed), run the vectors in the simulator (each packet also through the
// reference evaluator, which must agree), report. Exit 0 when everything holds (warnings too unless --strict),
// 1 on a verifier rejection or a failing case, 2 on unusable input.
import { existsSync } from 'node:fs';
import pc from 'picocolors';
import { linkProgram, readObject, slotCount, type ObjectSpec } from '../../bpf/index.ts';
import { PolicySimulation } from '../../compiler/cgen/policy-simulation.ts';
import type { PolicyDriver } from '../../compiler/cgen/index.ts';
import { Evaluator, EvaluatorState, formatWarning, packetFrame, type VectorCase } from '../../compiler/dsl/index.ts';
import { profileByName, verify } from '../../verifier/index.ts';
import type { L7Count } from '../../compiler/l7/index.ts';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../cli-error.ts';
import { readVectorFile, runServiceVectors, verifyLbPrograms, type VectorFile } from '../../compiler/services/index.ts';
import { defaultVectorsFile, prepareFile, type PreparedPolicy } from './policy-pipeline.ts';

export interface ProgramReport {
  readonly name: string;
  readonly section: string;
  readonly insns: number;
  /** peak stack bytes (from the verifier's exploration) */
  readonly stack: number;
  readonly verify: readonly { readonly profile: string; readonly verdict: string; readonly error: string | null; readonly limits?: string }[];
}

export interface PacketReport {
  readonly expect: string | null;
  readonly got: string;
  readonly rule: string | null;
  /** the reference evaluator's verdict and rule, when they differ from the datapath's */
  readonly reference?: string;
  readonly reason: string;
}

export interface CheckReport {
  readonly programs: readonly ProgramReport[];
  readonly cases: readonly { readonly name: string; readonly passed: boolean; readonly packets: readonly PacketReport[] }[];
  readonly passed: number;
  readonly failed: number;
  readonly warnings: readonly string[];
}

export interface CheckOptions {
  readonly endpoints?: string;
  readonly vectors?: string;
  readonly driver?: PolicyDriver;
}

function insnCount(spec: ObjectSpec, program: string): number {
  return linkProgram(spec, program).instructions.reduce((n, i) => n + slotCount(i), 0);
}

/** Verifies each program with each profile. `unsupported` (a feature our verifier cannot check yet) is reported
 * with the profile's explicit limits checked instead: instructions, stack, no global data. */
export function verifyPolicyPrograms(p: PreparedPolicy, spec: ObjectSpec): ProgramReport[] {
  return p.compiled.programs.map((prog) => {
    const insns = insnCount(spec, prog.name);
    const reports = p.model.profiles.map((profile) => ({ profile, r: verify(spec, { program: prog.name, profile }) }));
    const accepted = reports.find((x) => x.r.verdict === 'accept') ?? { r: verify(spec, { program: prog.name, profile: 'linux-6.18' }) };
    const stack = accepted.r.stats.peakStack;
    return {
      name: prog.name,
      section: prog.section,
      insns,
      stack,
      verify: reports.map(({ profile, r }) => {
        const limits = profileByName(profile);
        const within = insns <= limits.maxInsns && stack <= limits.maxStack && (limits.globalData || spec.data.length === 0);
        return {
          profile,
          verdict: r.verdict,
          error: r.verdict === 'accept' ? null : `${r.error?.message ?? r.unsupported ?? 'rejected'}${r.verdict === 'reject' ? l7Hint(p, profile) : ''}`,
          ...(r.verdict === 'unsupported'
            ? { limits: `${within ? 'within' : 'OUTSIDE'} its limits: ${insns}/${limits.maxInsns} instructions, stack ${stack}/${limits.maxStack}, ${spec.data.length === 0 ? 'no' : 'has'} global data` }
            : {}),
        };
      }),
    };
  });
}

/** A rejected program with L7 rules: name them, since their matcher is most of the program. */
function l7Hint(p: PreparedPolicy, profile: string): string {
  const sets = p.model.l7.rulesets;
  if (sets.length === 0) return '';
  const rules = [...new Set(sets.flatMap((rs) => rs.rules.map((r) => r.name)))];
  return ` (the program holds the ${sets.map((rs) => rs.protocol).filter((x, i, a) => a.indexOf(x) === i).join(' and ')} matcher of L7 rules ${rules.join(', ')}; under profile ${profile} fewer L7 rules or a smaller l7.window may fit)`;
}

/** Runs the vector cases: the simulator on the compiled object, and the reference evaluator beside it. */
export async function runPolicyVectors(p: PreparedPolicy, spec: ObjectSpec, cases: readonly VectorCase[]): Promise<CheckReport['cases']> {
  const sim = await PolicySimulation.create(spec, p.compiled.programs, p.compiled.maps, { l7: p.model.l7 });
  const evaluator = new Evaluator(p.loaded.policies, p.inventory);
  const ruleName = (id: number | undefined) => (id === undefined ? null : id === 0 ? 'default-deny' : (p.model.rules.find((r) => r.id === id)?.name ?? `#${id}`));
  return cases.map((c) => {
    sim.reset();
    const state = new EvaluatorState();
    let now = 0n;
    let passed = true;
    const packets = c.packets.map((pkt): PacketReport => {
      now += BigInt(pkt.advanceMs) * 1_000_000n;
      state.now = now;
      const got = sim.run(pkt, now);
      const ref = evaluator.evaluate(pkt, state, packetFrame(pkt).length);
      const verdict = got.reason === 'audit' ? 'audit' : got.verdict;
      const rule = ruleName(got.rule);
      const refRule = ref.rule ?? (ref.reason === 'default-deny' || (ref.reason === 'audit' && ref.rule === undefined) ? 'default-deny' : null);
      // L7 ports: the requests judged in the segment must have counted the same (L7 rule, allowed) pairs
      const agrees = ref.verdict === verdict && ref.reason === got.reason && refRule === rule && sameL7Counts(ref.l7, got.l7);
      const ok = (pkt.expect === undefined || pkt.expect === verdict) && (pkt.rule === undefined || pkt.rule === rule) && agrees;
      if (!ok) passed = false;
      return {
        expect: pkt.expect ?? null,
        got: verdict,
        rule,
        reason: got.reason,
        ...(agrees ? {} : { reference: `${ref.verdict} (${ref.reason}${refRule !== null ? `, ${refRule}` : ''})` }),
      };
    });
    return { name: c.name, passed, packets };
  });
}

function sameL7Counts(a: readonly L7Count[] | undefined, b: readonly L7Count[] | undefined): boolean {
  const key = (x: readonly L7Count[] | undefined) => (x ?? []).map((c) => `${c.allowed ? '+' : '-'}${c.slot}`).sort().join('\n');
  return key(a) === key(b);
}

export async function checkPolicy(file: string, options: CheckOptions = {}): Promise<CheckReport> {
  // a file may export policies, services (a load balancer: compiler/services), or both
  const f = await prepareFile(file, options);
  const p = f.policy;
  const warnings = p?.model.warnings.map(formatWarning) ?? [];
  const spec = p === undefined ? undefined : readObject(p.compiled.object);
  const programs: ProgramReport[] = p === undefined || spec === undefined ? [] : verifyPolicyPrograms(p, spec);
  for (const prog of programs) {
    for (const v of prog.verify) if (v.verdict === 'unsupported') warnings.push(`${prog.name}: profile ${v.profile}: our verifier cannot check this yet (${v.error}); ${v.limits}`);
  }
  if (f.services !== undefined) programs.push(...verifyLbPrograms(f.services));
  const vectorsFile = options.vectors ?? defaultVectorsFile(file);
  if (options.vectors !== undefined && !existsSync(options.vectors)) throw new CliError(`${options.vectors}: no such file`, EXIT_USAGE);
  let vectors: VectorFile = { policy: [], services: [] };
  if (vectorsFile === undefined) warnings.push(`${file}: no test vectors (write ${file.replace(/\.(ts|ya?ml)$/, '')}.vectors.yaml)`);
  else {
    try {
      vectors = readVectorFile(vectorsFile);
    } catch (e) {
      throw new CliError((e as Error).message, EXIT_USAGE, { cause: e });
    }
  }
  if (p === undefined && vectors.policy.length > 0) throw new CliError(`${vectorsFile}: policy cases, but ${file} exports no policy`, EXIT_USAGE);
  if (f.services === undefined && vectors.services.length > 0) throw new CliError(`${vectorsFile}: service cases, but ${file} exports no service`, EXIT_USAGE);
  const rejected = programs.some((x) => x.verify.some((v) => v.verdict === 'reject'));
  const results = rejected
    ? []
    : [...(p === undefined || spec === undefined ? [] : await runPolicyVectors(p, spec, vectors.policy)), ...(f.services === undefined ? [] : await runServiceVectors(f.services, vectors.services, { unverified: true }))];
  const passed = results.filter((c) => c.passed).length;
  return { programs, cases: results, passed, failed: results.length - passed, warnings };
}

/** The exit code for a report. */
export function checkExitCode(r: CheckReport, strict: boolean): number {
  if (r.failed > 0 || r.programs.some((x) => x.verify.some((v) => v.verdict === 'reject'))) return EXIT_FAILED;
  if (strict && r.warnings.length > 0) return EXIT_FAILED;
  return EXIT_OK;
}

export function formatCheckReport(file: string, r: CheckReport): string {
  const lines = [`${pc.bold(file)}`];
  for (const p of r.programs) {
    const v = p.verify.map((x) => `${x.profile} ${x.verdict === 'accept' ? pc.green('accept') : x.verdict === 'reject' ? pc.red('reject') : pc.yellow(x.verdict)}`).join(', ');
    lines.push(`  ${p.name} (${p.section}): ${p.insns} instructions, stack ${p.stack} bytes; ${v}`);
    for (const x of p.verify) if (x.verdict === 'reject') lines.push(`    ${pc.red(x.profile)}: ${x.error}`);
  }
  for (const c of r.cases) {
    lines.push(`  ${c.passed ? pc.green('✓') : pc.red('✗')} ${c.name}`);
    if (c.passed) continue;
    c.packets.forEach((p, i) => {
      const bad = (p.expect !== null && p.expect !== p.got) || p.reference !== undefined;
      if (bad || p.expect === null) lines.push(`      packet ${i + 1}: expected ${p.expect ?? '-'}, got ${p.got} (${p.reason}${p.rule ? `, ${p.rule}` : ''})${p.reference ? `; reference evaluator: ${p.reference}` : ''}`);
      else lines.push(`      packet ${i + 1}: ${p.got} (${p.reason}${p.rule ? `, ${p.rule}` : ''})`);
    });
  }
  lines.push(`  cases: ${r.passed} passed, ${r.failed} failed`);
  for (const w of r.warnings) lines.push(`  ${pc.yellow('warning')}: ${w}`);
  return `${lines.join('\n')}\n`;
}

export async function policyCheckCommand(file: string, options: CheckOptions & { json?: boolean; strict?: boolean }): Promise<number> {
  const r = await checkPolicy(file, options);
  process.stdout.write(options.json === true ? `${JSON.stringify(r, null, 2)}\n` : formatCheckReport(file, r));
  return checkExitCode(r, options.strict === true);
}
