// Our verifier over every program of docs/kernel-verdicts.json the kernel accepted or rejected (profile
// linux-6.18, as root): agreement, false accepts and rejects, `processed N insns` ours against the kernel's, and
// our CPU time per program. Run by hand (minutes, not CI):
//
//   npx tsx scripts/verifier-corpus.ts [--only SUBSTRING] [--json OUT.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readObject, type ObjectSpec } from '../bpf/index.ts';
import { verify, type VerifyReport } from '../verifier/index.ts';
import { corporaRoot, repoRoot } from '../test/corpora.ts';
import type { VerdictEntry } from './kernel-verdicts.ts';

interface Row {
  readonly name: string;
  readonly kernel: 'accepted' | 'rejected';
  readonly ours: VerifyReport['verdict'];
  readonly why: string;
  readonly kernelProcessed?: number;
  readonly processed: number;
  readonly ms: number;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const only = arg('--only');
const table = JSON.parse(readFileSync(join(repoRoot, 'docs/kernel-verdicts.json'), 'utf8')) as { entries: VerdictEntry[] };
const specs = new Map<string, ObjectSpec>();
const rows: Row[] = [];

for (const e of table.entries) {
  if (e.verdict === 'not loadable') continue;
  if (only !== undefined && !`${e.object}:${e.program}`.includes(only)) continue;
  const path = e.object.startsWith('test/') ? join(repoRoot, e.object) : join(corporaRoot, e.object);
  let spec = specs.get(path);
  if (spec === undefined) {
    spec = readObject(readFileSync(path));
    specs.set(path, spec);
  }
  // CPU time of this process (user + system): steadier than wall time on a shared machine
  const c0 = process.cpuUsage();
  const report = verify(spec, { program: e.program, ...(e.type !== '' ? { type: e.type } : {}), ...(e.attachType !== '' ? { attachType: e.attachType } : {}) });
  const c1 = process.cpuUsage(c0);
  const ms = (c1.user + c1.system) / 1000;
  const row: Row = {
    name: `${e.object}:${e.program}`,
    kernel: e.verdict,
    ours: report.verdict,
    why: report.unsupported ?? report.error?.message ?? '',
    ...(e.processedInsns !== undefined ? { kernelProcessed: e.processedInsns } : {}),
    processed: report.stats.processed,
    ms,
  };
  rows.push(row);
  const mark = report.verdict === 'unsupported' ? '?' : (report.verdict === 'accept') === (e.verdict === 'accepted') ? '=' : '!';
  console.log(
    `${mark} ${row.name}: kernel ${e.verdict}${e.processedInsns !== undefined ? ` (${e.processedInsns})` : ''}, ours ${report.verdict} (${row.processed}) ` +
      `${ms.toFixed(0)} ms cpu${row.why !== '' ? ` — ${row.why}` : ''}`,
  );
}

const supported = rows.filter((r) => r.ours !== 'unsupported');
const falseAccepts = supported.filter((r) => r.ours === 'accept' && r.kernel === 'rejected');
const falseRejects = supported.filter((r) => r.ours === 'reject' && r.kernel === 'accepted');
const bothAccept = supported.filter((r) => r.ours === 'accept' && r.kernel === 'accepted' && r.kernelProcessed !== undefined);
const ratios = bothAccept.map((r) => r.processed / r.kernelProcessed!).sort((a, b) => a - b);
const median = (xs: number[]): number => (xs.length === 0 ? NaN : xs[Math.floor(xs.length / 2)]!);
const totalProcessed = supported.reduce((a, r) => a + r.processed, 0);
const totalMs = supported.reduce((a, r) => a + r.ms, 0);
const worst = [...supported].sort((a, b) => b.ms - a.ms)[0];
console.log('');
console.log(`programs ${rows.length}, supported ${supported.length}, unsupported ${rows.length - supported.length}`);
console.log(`same verdict ${supported.filter((r) => (r.ours === 'accept') === (r.kernel === 'accepted')).length}, false accepts ${falseAccepts.length}, false rejects ${falseRejects.length}`);
for (const r of falseAccepts) console.log(`  FALSE ACCEPT ${r.name}`);
for (const r of falseRejects) console.log(`  false reject ${r.name}: ${r.why}`);
console.log(
  `processed ours/kernel over ${bothAccept.length} programs both accept: median ${median(ratios).toFixed(2)}, ` +
    `min ${(ratios[0] ?? NaN).toFixed(2)}, max ${(ratios.at(-1) ?? NaN).toFixed(2)}, ` +
    `total ${(bothAccept.reduce((a, r) => a + r.processed, 0) / bothAccept.reduce((a, r) => a + r.kernelProcessed!, 0)).toFixed(2)}`,
);
console.log(
  `cpu time ${(totalMs / 1000).toFixed(1)} s for ${totalProcessed} processed insns: ${((totalMs * 1000) / Math.max(totalProcessed, 1)).toFixed(1)} µs/insn; ` +
    `worst ${worst?.name ?? '-'} ${worst?.ms.toFixed(0) ?? '-'} ms`,
);
const out = arg('--json');
if (out !== undefined) writeFileSync(out, JSON.stringify(rows, null, 1));
