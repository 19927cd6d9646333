// The gate before the kernel: our verifier on the combined programs, and each policy file's own test vectors
// (POLICY.vectors.yaml) in the simulator, against that file alone, as `tsbpf check` runs them.
import { readObject } from '../../bpf/index.ts';
import type { PolicyDriver } from '../../compiler/cgen/index.ts';
import { readVectorFile } from '../../compiler/services/index.ts';
import { runPolicyVectors, verifyPolicyPrograms } from '../commands/policy-check.ts';
import { defaultVectorsFile, preparePolicy } from '../commands/policy-pipeline.ts';
import type { BuiltSet } from './build-set.ts';

export interface DeployCheck {
  /** `verify policy_ingress (linux-6.18)` or `vectors host-firewall.ts: case …` */
  readonly what: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export function verifySet(built: BuiltSet): DeployCheck[] {
  return verifyPolicyPrograms(built.prepared, built.spec).flatMap((p) =>
    p.verify.map((v) => ({
      what: `verify ${p.name} (${v.profile})`,
      // `unsupported`: our verifier cannot decide yet; the kernel's verifier still judges at load
      ok: v.verdict !== 'reject',
      ...(v.error !== null ? { detail: `${v.verdict}: ${v.error}` } : {}),
    })),
  );
}

/**
 * What to do about a failed check, when we know: the XDP datapath's head copy takes about 150,000 processed
 * instructions without CAP_PERFMON, past seed's 131,072, so xdp mode needs a kernel profile.
 */
export function checkHint(check: DeployCheck, mode: 'xdp' | 'tc'): string | undefined {
  if (mode !== 'xdp' || !check.what.endsWith('(seed)') || check.detail?.includes('too large') !== true) return undefined;
  return "the XDP datapath does not fit seed: declare profiles: ['linux-6.18-bpf'] in the policy";
}

/** Runs the vectors beside `file`, if it has any (none: no checks). */
export async function vectorChecks(file: string, options: { endpoints?: string; driver?: PolicyDriver } = {}): Promise<DeployCheck[]> {
  const vectors = defaultVectorsFile(file);
  if (vectors === undefined) return [];
  // the policy cases: a file exporting services too has service cases beside them (service-build.ts runs those)
  const policyCases = readVectorFile(vectors).policy;
  if (policyCases.length === 0) return [];
  const p = await preparePolicy(file, options);
  const cases = await runPolicyVectors(p, readObject(p.compiled.object), policyCases);
  return cases.map((c) => {
    const bad = c.packets.findIndex((x) => !(x.expect === null || x.expect === x.got) || x.reference !== undefined);
    const pkt = c.packets[bad];
    return {
      what: `vectors ${file}: ${c.name}`,
      ok: c.passed,
      ...(c.passed || pkt === undefined ? {} : { detail: `packet ${bad + 1}: expected ${pkt.expect ?? 'any'}, got ${pkt.got} (${pkt.reason}${pkt.rule !== null ? `, ${pkt.rule}` : ''})` }),
    };
  });
}
