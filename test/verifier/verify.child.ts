// Child process for timed-verify.ts: reads one VerifyJob per line on standard input, verifies it (an object
// program or a mutant of one) and prints our outcome with the time it took as one JSON line, so the parent can
// kill a job that runs past its time limit.
import { createInterface } from 'node:readline';
import { verify } from '../../verifier/index.ts';
import { jobSpec, type KernelJob } from './kernel-verdict.ts';

export interface VerifyJob extends KernelJob {
  readonly profile: string;
}

function outcome(job: VerifyJob): object {
  try {
    const spec = jobSpec(job);
    const t = process.hrtime.bigint();
    const r = verify(spec, { program: job.program, profile: job.profile, ...(job.type !== undefined ? { type: job.type } : {}) });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    return {
      verdict: r.verdict,
      progType: r.progType,
      ms,
      processed: r.stats.processed,
      ...(r.error?.insn !== undefined ? { insn: r.error.insn } : {}),
      ...(r.error !== undefined ? { reason: r.error.lines.at(-1) ?? r.error.message } : {}),
      ...(r.unsupported !== undefined ? { unsupported: r.unsupported } : {}),
    };
  } catch (e) {
    return { verdict: 'error', ms: 0, processed: 0, message: ((e as Error).message.split('\n')[0] ?? '').trim() };
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  for await (const line of createInterface({ input: process.stdin })) {
    if (line.trim() !== '') process.stdout.write(`${JSON.stringify(outcome(JSON.parse(line) as VerifyJob))}\n`);
  }
}
