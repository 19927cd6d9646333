// Child process for scripts/verifier-agreement.ts and test/oracle/verifier-agreement.test.ts, run under setpriv
// with only CAP_BPF and CAP_NET_ADMIN: reads KernelJob[] (JSON) on standard input, prints one KernelOutcome
// per job as a JSON line as soon as it is known (so a parent can stream and time them).
import { readFileSync } from 'node:fs';
import { kernelJob, type KernelJob } from './kernel-verdict.ts';

const jobs = JSON.parse(readFileSync(0, 'utf8')) as KernelJob[];
for (const job of jobs) process.stdout.write(`${JSON.stringify(kernelJob(job))}\n`);
