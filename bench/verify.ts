// Our verifier against the kernel's own `verification time` (BPF_LOG_STATS) on every fixture and corpus
// program the kernel accepts (XDP, TC, socket filter, cgroup skb), measured in the same run: the kernel's time
// from a stats-only load, ours the median of in-process verify() runs (one run for programs past 1 s).
// Programs the kernel needed more than MAX_PROCESSED instructions for are left out (ours takes minutes there;
// see docs/verifier-agreement.md).
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { progTypeById, readObject, type ObjectSpec } from '../bpf/index.ts';
import { loadCollection, type ProgramTypeInput } from '../loader/index.ts';
import { verify } from '../verifier/index.ts';
import { corporaRoot, filesBelow, repoRoot } from '../test/corpora.ts';
import type { Benchmark } from './benchmark.ts';

const TYPES = ['xdp', 'sched_cls', 'sched_act', 'socket_filter', 'cgroup_skb'];
const MAX_PROCESSED = 100_000;

interface Program {
  readonly name: string;
  readonly spec: ObjectSpec;
  readonly program: string;
  readonly type?: string;
}

function programs(): Program[] {
  const out: Program[] = [];
  const specs = new Map<string, ObjectSpec>();
  const spec = (file: string): ObjectSpec => {
    let s = specs.get(file);
    if (s === undefined) specs.set(file, (s = readObject(readFileSync(file))));
    return s;
  };
  for (const file of filesBelow(join(repoRoot, 'test/fixtures'), '.o')) {
    const s = spec(file);
    for (const p of s.programs) {
      const t = p.type === undefined ? undefined : progTypeById(p.type)?.name;
      if (t !== undefined && TYPES.includes(t) && !p.name.startsWith('bad_')) out.push({ name: `${relative(repoRoot, file)}/${p.name}`, spec: s, program: p.name });
    }
  }
  const verdicts = JSON.parse(readFileSync(join(repoRoot, 'docs/kernel-verdicts.json'), 'utf8')) as {
    entries: { object: string; program: string; type: string; verdict: string; processedInsns?: number }[];
  };
  for (const e of verdicts.entries) {
    if (!e.object.startsWith('ebpf-samples/') || e.verdict !== 'accepted' || !TYPES.includes(e.type)) continue;
    if ((e.processedInsns ?? Infinity) > MAX_PROCESSED) continue;
    out.push({ name: `${e.object}/${e.program}`, spec: spec(join(corporaRoot, e.object)), program: e.program, type: e.type });
  }
  return out;
}

/** The kernel's `verification time` in microseconds, or undefined when it refused the program. */
function kernelUs(p: Program): number | undefined {
  try {
    const coll = loadCollection(p.spec, {
      programs: [p.program],
      logLevel: 4,
      ...(p.type !== undefined ? { programTypes: { [p.program]: p.type as ProgramTypeInput } } : {}),
    });
    try {
      for (const line of coll.logs.get(p.program) ?? []) {
        const m = /^verification time (\d+) usec/.exec(line);
        if (m) return Number(m[1]);
      }
      return undefined;
    } finally {
      coll.close();
    }
  } catch {
    return undefined;
  }
}

function oursUs(p: Program): { us: number; verdict: string } {
  const once = (): { us: number; verdict: string } => {
    const t = process.hrtime.bigint();
    const r = verify(p.spec, { program: p.program, ...(p.type !== undefined ? { type: p.type } : {}) });
    return { us: Number(process.hrtime.bigint() - t) / 1e3, verdict: r.verdict };
  };
  const first = once();
  if (first.us > 1e6) return first;
  const runs = [first, once(), once(), once(), once()].sort((a, b) => a.us - b.us);
  return runs[2]!;
}

const bench: Benchmark = {
  title: `verify: tsbpf verify() vs the kernel's own verification time, per program (kernel-accepted, <= ${MAX_PROCESSED} processed insns)`,
  async run(progress) {
    if (process.geteuid?.() !== 0) throw new Error('bench verify needs root (the kernel side loads each program)');
    const list = programs();
    progress(`${list.length} programs`);
    const rows: Record<string, string | number>[] = [];
    const ratios: { name: string; ratio: number }[] = [];
    for (const [k, p] of list.entries()) {
      if (k % 25 === 0) progress(`${k}/${list.length}: ${p.name}`);
      const kernel = kernelUs(p);
      if (kernel === undefined) continue;
      const ours = oursUs(p);
      const ratio = ours.us / Math.max(kernel, 1);
      ratios.push({ name: p.name, ratio });
      rows.push({ program: p.name, 'kernel us': kernel, 'tsbpf us': ours.us.toFixed(0), ratio: ratio.toFixed(2), 'tsbpf verdict': ours.verdict });
    }
    ratios.sort((a, b) => a.ratio - b.ratio);
    const median = ratios[Math.floor(ratios.length / 2)];
    const worst = ratios.at(-1);
    const total = rows.reduce((a, r) => a + Number(r['tsbpf us']), 0) / Math.max(1, rows.reduce((a, r) => a + Number(r['kernel us']), 0));
    return {
      columns: ['program', 'kernel us', 'tsbpf us', 'ratio', 'tsbpf verdict'],
      rows,
      notes: [
        'ratio: tsbpf time / kernel verification time (above 1 means slower than the kernel)',
        `median ratio ${median?.ratio.toFixed(2) ?? '-'} (${median?.name ?? ''}), worst ${worst?.ratio.toFixed(2) ?? '-'} (${worst?.name ?? ''}), total time ratio ${total.toFixed(2)} over ${rows.length} programs`,
      ],
    };
  },
};
export default bench;
