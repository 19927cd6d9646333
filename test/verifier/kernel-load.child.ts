// Child process for test/oracle/verifier-bpf.test.ts, run under setpriv with reduced capabilities: loads each
// job (raw instructions, or a program of a fixture object) and prints the kernel's verdicts as one JSON line.
import { readFileSync } from 'node:fs';
import { readObject } from '../../bpf/index.ts';
import { loadCollection, progLoad, VerifierError } from '../../loader/index.ts';

type Job =
  | { readonly kind: 'insns'; readonly type: number; readonly attach?: number; readonly insns: string }
  | { readonly kind: 'object'; readonly file: string; readonly program: string };

function verifierErrorOf(e: unknown): VerifierError | undefined {
  for (let x: unknown = e; x !== undefined && x !== null; x = (x as { cause?: unknown }).cause) {
    if (x instanceof VerifierError) return x;
  }
  return undefined;
}

const jobs = JSON.parse(readFileSync(0, 'utf8')) as Job[];
const out = jobs.map((job) => {
  try {
    if (job.kind === 'insns') {
      progLoad({
        type: job.type,
        insns: Buffer.from(job.insns, 'base64'),
        license: 'GPL',
        ...(job.attach !== undefined ? { expectedAttachType: job.attach } : {}),
      }).fd.close();
    } else {
      loadCollection(readObject(readFileSync(job.file)), { programs: [job.program] }).close();
    }
    return { verdict: 'accept' };
  } catch (e) {
    const v = verifierErrorOf(e);
    if (v === undefined) return { verdict: 'error', message: (e as Error).message };
    return { verdict: 'reject', insn: v.insn, reason: v.reason };
  }
});
process.stdout.write(`${JSON.stringify(out)}\n`);
