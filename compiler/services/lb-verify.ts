// `tsbpf check` on a file with services: the load balancer's programs through our verifier, reported as the
// policy programs are (instructions, peak stack, one verdict per profile).
import { linkProgram, readObject, slotCount } from '../../bpf/index.ts';
import { verify } from '../../verifier/index.ts';
import type { BuiltLb } from './lb-build.ts';

export interface LbProgramReport {
  readonly name: string;
  readonly section: string;
  readonly insns: number;
  readonly stack: number;
  readonly verify: readonly { readonly profile: string; readonly verdict: string; readonly error: string | null }[];
}

/** The profiles the load balancer is checked with: `seed` (unprivileged pointer rules), as policies by default. */
export const LB_PROFILES = ['seed'] as const;

export function verifyLbPrograms(lb: Pick<BuiltLb, 'object' | 'programs'>, profiles: readonly string[] = LB_PROFILES): LbProgramReport[] {
  const spec = readObject(lb.object);
  return lb.programs.map((prog) => {
    const insns = linkProgram(spec, prog.name).instructions.reduce((n, i) => n + slotCount(i), 0);
    const results = profiles.map((profile) => ({ profile, r: verify(spec, { program: prog.name, profile }) }));
    return {
      name: prog.name,
      section: prog.section,
      insns,
      stack: results.find((x) => x.r.verdict === 'accept')?.r.stats.peakStack ?? 0,
      verify: results.map(({ profile, r }) => ({ profile, verdict: r.verdict, error: r.verdict === 'accept' ? null : (r.error?.message ?? r.unsupported ?? 'rejected') })),
    };
  });
}
