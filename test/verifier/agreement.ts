// The differential between our verifier and the running kernel, shared by scripts/verifier-agreement.ts (the
// full table) and test/oracle/verifier-agreement.test.ts (a fixed sample): the programs (fixtures, loadable
// corpus programs, mutants), both privileges (root in this process, CAP_BPF+CAP_NET_ADMIN in a setpriv child),
// and the tallies the issue asks for.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progTypeById, readObject, type ObjectSpec } from '../../bpf/index.ts';
import { corporaRoot, filesBelow, repoRoot } from '../corpora.ts';
import { kernelJob, type KernelJob, type KernelOutcome } from './kernel-verdict.ts';
import { generateMutants, type MutantBase, type MutantKind } from './mutants.ts';
import { TimedVerifier, type OurOutcome } from './timed-verify.ts';

export const AGREEMENT_TYPES = ['xdp', 'sched_cls', 'sched_act', 'socket_filter', 'cgroup_skb'] as const;
export const PRIVILEGES = [
  { name: 'root', profile: 'linux-6.18' },
  { name: 'cap_bpf', profile: 'linux-6.18-bpf' },
] as const;
export type Privilege = (typeof PRIVILEGES)[number]['name'];

export interface Item {
  readonly name: string;
  readonly source: 'fixture' | 'corpus' | 'mutant';
  readonly progType: string;
  readonly mutantKind?: MutantKind;
  readonly job: KernelJob;
  /** corpus: the verdict docs/kernel-verdicts.json recorded (mutants are made only from accepted programs) */
  readonly recorded?: string;
}

export interface Comparison {
  readonly item: Item;
  readonly privilege: Privilege;
  readonly ours: OurOutcome;
  readonly kernel: KernelOutcome;
  /** agree | false-accept | false-reject | unsupported | timeout | no-answer | not-loadable | error */
  readonly outcome: string;
  readonly sameInsn?: boolean;
  readonly sameReason?: boolean;
  /** why ours differs, for the list of disagreements */
  readonly why?: string;
}

interface CorpusEntry {
  readonly object: string;
  readonly program: string;
  readonly type: string;
  readonly verdict: string;
}

/** Corpus programs of the agreement's types that reached the kernel's verifier (docs/kernel-verdicts.json). */
export function corpusItems(): Item[] {
  const entries = (JSON.parse(readFileSync(join(repoRoot, 'docs/kernel-verdicts.json'), 'utf8')) as { entries: CorpusEntry[] }).entries;
  return entries
    .filter((e) => e.object.startsWith('ebpf-samples/') && e.verdict !== 'not loadable' && (AGREEMENT_TYPES as readonly string[]).includes(e.type))
    .map((e) => ({
      name: `${e.object}/${e.program}`,
      source: 'corpus' as const,
      progType: e.type,
      recorded: e.verdict,
      job: { file: join(corporaRoot, e.object), program: e.program, type: e.type },
    }));
}

export function fixtureItems(): Item[] {
  const out: Item[] = [];
  for (const file of filesBelow(join(repoRoot, 'test/fixtures'), '.o')) {
    const spec = readObject(readFileSync(file));
    for (const p of spec.programs) {
      const t = p.type === undefined ? undefined : progTypeById(p.type)?.name;
      if (t === undefined || !(AGREEMENT_TYPES as readonly string[]).includes(t)) continue;
      out.push({ name: `${relative(repoRoot, file)}/${p.name}`, source: 'fixture', progType: t, job: { file, program: p.name } });
    }
  }
  return out;
}

/**
 * Mutants of the accepted fixtures and of the kernel-accepted corpus programs small enough to verify quickly
 * (entry function at most `maxInsns` instructions), `perKind` of each kind, chosen by `seed`.
 */
export function mutantItems(bases: readonly Item[], options: { perKind: number; seed: number; maxInsns?: number }): Item[] {
  const specs = new Map<string, ObjectSpec>();
  const mutantBases: (MutantBase & { item: Item })[] = [];
  for (const item of bases) {
    if (basename(item.job.file).startsWith('bad_') || (item.recorded !== undefined && item.recorded !== 'accepted')) continue;
    let spec = specs.get(item.job.file);
    if (spec === undefined) {
      spec = readObject(readFileSync(item.job.file));
      specs.set(item.job.file, spec);
    }
    const p = spec.programs.find((x) => x.name === item.job.program);
    const fn = spec.functions.find((f) => f.name === p?.function);
    if (fn === undefined || fn.instructions.length > (options.maxInsns ?? 400)) continue;
    mutantBases.push({ object: item.name.replace(/\/[^/]*$/, ''), spec, program: item.job.program, item });
  }
  return generateMutants(mutantBases, { perKind: options.perKind, seed: options.seed }).map((m) => {
    const base = (m.base as (typeof mutantBases)[number]).item;
    return {
      name: m.name,
      source: 'mutant' as const,
      progType: base.progType,
      mutantKind: m.kind,
      job: { ...base.job, mutation: m.mutation },
    };
  });
}

/** The kernel's outcomes for `jobs` with only CAP_BPF and CAP_NET_ADMIN, from a setpriv child, in order. */
export function kernelWithCapBpf(jobs: readonly KernelJob[]): Promise<KernelOutcome[]> {
  const caps = '-all,+bpf,+net_admin';
  const child = fileURLToPath(new URL('./kernel-verdict.child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const p = spawn('setpriv', [`--inh-caps=${caps}`, `--ambient-caps=${caps}`, `--bounding-set=${caps}`, process.execPath, '--import', 'tsx', child], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const lines = out.split('\n').filter((l) => l.startsWith('{'));
      if (code !== 0 || lines.length !== jobs.length) reject(new Error(`kernel child (CAP_BPF): exit ${code}, ${lines.length}/${jobs.length} results: ${err.slice(-500)}`));
      else resolve(lines.map((l) => JSON.parse(l) as KernelOutcome));
    });
    p.stdin.end(JSON.stringify(jobs));
  });
}

function classify(ours: OurOutcome, kernel: KernelOutcome): Pick<Comparison, 'outcome' | 'sameInsn' | 'sameReason' | 'why'> {
  if (kernel.verdict === 'error') return { outcome: 'not-loadable', why: `kernel: ${kernel.message ?? ''}` };
  if (ours.verdict === 'error') return { outcome: 'error', why: `ours threw: ${ours.message ?? ''}` };
  if (ours.verdict === 'unsupported') return { outcome: 'unsupported', why: `not modelled: ${ours.unsupported ?? ''}` };
  if (ours.verdict === 'timeout') {
    return { outcome: kernel.verdict === 'accept' ? 'false-reject' : 'no-answer', why: `time limit (${ours.ms} ms) reached` };
  }
  if (ours.verdict === 'accept' && kernel.verdict === 'reject') {
    return { outcome: 'false-accept', why: `kernel: insn ${kernel.insn ?? '?'}: ${kernel.reason ?? ''}` };
  }
  if (ours.verdict === 'reject' && kernel.verdict === 'accept') {
    const limit = /too large|too complex/.test(ours.reason ?? '');
    return {
      outcome: 'false-reject',
      why: `${limit ? 'processed-instruction limit (no liveness/precision pruning): ' : ''}ours: insn ${ours.insn ?? '?'}: ${ours.reason ?? ''}`,
    };
  }
  if (ours.verdict === 'reject') {
    const sameInsn = ours.insn === kernel.insn;
    const sameReason = ours.reason === kernel.reason;
    return {
      outcome: 'agree',
      sameInsn,
      sameReason,
      ...(sameInsn && sameReason ? {} : { why: `ours: insn ${ours.insn ?? '?'}: ${ours.reason ?? ''}; kernel: insn ${kernel.insn ?? '?'}: ${kernel.reason ?? ''}` }),
    };
  }
  return { outcome: 'agree' };
}

export interface RunOptions {
  /** per-program time limit for our verifier */
  readonly limitMs: number;
  readonly progress?: (msg: string) => void;
}

/** Every item against the kernel under both privileges. */
export async function compareAll(items: readonly Item[], options: RunOptions): Promise<Comparison[]> {
  const progress = options.progress ?? (() => {});
  progress(`kernel with CAP_BPF+CAP_NET_ADMIN: ${items.length} programs`);
  const capBpf = kernelWithCapBpf(items.map((i) => i.job));
  const out: Comparison[] = [];
  const verifier = new TimedVerifier(options.limitMs);
  try {
    for (const [k, item] of items.entries()) {
      if (k % 50 === 0) progress(`${k}/${items.length}: ${item.name}`);
      const root = kernelJob(item.job);
      for (const priv of PRIVILEGES) {
        const ours = await verifier.run({ ...item.job, profile: priv.profile });
        // the CAP_BPF kernel verdicts arrive at the end, from the setpriv child
        out.push({ item, privilege: priv.name, ours, kernel: root, ...(priv.name === 'root' ? classify(ours, root) : { outcome: 'pending' }) });
      }
    }
  } finally {
    verifier.close();
  }
  const capResults = await capBpf;
  return out.map((c) => {
    if (c.privilege !== 'cap_bpf') return c;
    const kernel = capResults[items.indexOf(c.item)]!;
    return { item: c.item, privilege: c.privilege, ours: c.ours, kernel, ...classify(c.ours, kernel) };
  });
}

export interface Tally {
  programs: number;
  kernelAccepts: number;
  kernelRejects: number;
  same: number;
  falseAccepts: number;
  falseRejects: number;
  unsupported: number;
  timeouts: number;
  notLoadable: number;
  bothReject: number;
  sameInsn: number;
  sameReason: number;
  medianMs: number;
  maxMs: number;
}

export function tally(cs: readonly Comparison[]): Tally {
  const loadable = cs.filter((c) => c.outcome !== 'not-loadable');
  const ms = loadable.map((c) => c.ours.ms).sort((a, b) => a - b);
  return {
    programs: loadable.length,
    kernelAccepts: loadable.filter((c) => c.kernel.verdict === 'accept').length,
    kernelRejects: loadable.filter((c) => c.kernel.verdict === 'reject').length,
    same: loadable.filter((c) => c.ours.verdict === c.kernel.verdict).length,
    falseAccepts: loadable.filter((c) => c.outcome === 'false-accept').length,
    falseRejects: loadable.filter((c) => c.outcome === 'false-reject').length,
    unsupported: loadable.filter((c) => c.outcome === 'unsupported').length,
    timeouts: loadable.filter((c) => c.ours.verdict === 'timeout').length,
    notLoadable: cs.length - loadable.length,
    bothReject: loadable.filter((c) => c.sameInsn !== undefined).length,
    sameInsn: loadable.filter((c) => c.sameInsn === true).length,
    sameReason: loadable.filter((c) => c.sameReason === true).length,
    medianMs: ms.length === 0 ? 0 : ms[Math.floor(ms.length / 2)]!,
    maxMs: ms.at(-1) ?? 0,
  };
}
