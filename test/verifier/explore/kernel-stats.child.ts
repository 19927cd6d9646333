// Child for test/oracle/verifier-speculative.test.ts, run as root or under setpriv with CAP_BPF+CAP_NET_ADMIN
// only: loads each raw program with BPF_LOG_STATS and prints, as one JSON line, the kernel's verdicts with
// `processed N insns` (a rejection is loaded again with a level-1 log for its instruction and reason).
import { readFileSync } from 'node:fs';
import { progLoad, VerifierError } from '../../../loader/index.ts';

interface Job {
  readonly type: number;
  readonly attach?: number;
  /** base64 of the instructions */
  readonly insns: string;
}

const processedOf = (log: readonly string[]): number | undefined => {
  for (const line of log) {
    const m = /^processed (\d+) insns/.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
};

function verifierErrorOf(e: unknown): VerifierError | undefined {
  for (let x: unknown = e; x !== undefined && x !== null; x = (x as { cause?: unknown }).cause) {
    if (x instanceof VerifierError) return x;
  }
  return undefined;
}

const jobs = JSON.parse(readFileSync(0, 'utf8')) as Job[];
const out = jobs.map((job) => {
  const load = (logLevel: number) =>
    progLoad({ type: job.type, insns: Buffer.from(job.insns, 'base64'), license: 'GPL', logLevel, ...(job.attach !== undefined ? { expectedAttachType: job.attach } : {}) });
  try {
    const p = load(4);
    p.fd.close();
    return { verdict: 'accept', processed: processedOf(p.log) };
  } catch (e) {
    const v = verifierErrorOf(e);
    if (v === undefined) return { verdict: 'error', message: (e as Error).message };
    try {
      load(5).fd.close();
      return { verdict: 'error', message: 'accepted on the second load' };
    } catch (again) {
      const w = verifierErrorOf(again) ?? v;
      return { verdict: 'reject', insn: w.insn, reason: w.reason, processed: processedOf(w.log) };
    }
  }
});
process.stdout.write(`${JSON.stringify(out)}\n`);
