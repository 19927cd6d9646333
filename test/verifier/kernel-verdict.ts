// The running kernel's verdict on one program of an object (a fixture, a corpus program, or a mutant of one):
// accept with the kernel's own `verification time` (a BPF_LOG_STATS load), or reject with the instruction
// and reason of a level-1 log. Used in-process as root and by kernel-verdict.child.ts under setpriv.
import { readFileSync } from 'node:fs';
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import { loadCollection, ProgramLoadError, type ProgramTypeInput } from '../../loader/index.ts';
import { applyMutation, type Mutation } from './mutants.ts';

export interface KernelJob {
  readonly file: string;
  readonly program: string;
  /** program type override (the corpus's chosen type), else the section's */
  readonly type?: string;
  readonly mutation?: Mutation;
}

export interface KernelOutcome {
  readonly verdict: 'accept' | 'reject' | 'error';
  readonly insn?: number;
  readonly reason?: string;
  /** accept: the kernel's `verification time N usec` */
  readonly timeUs?: number;
  readonly processed?: number;
  /** error: why the program never reached the verifier */
  readonly message?: string;
}

export function jobSpec(job: KernelJob): ObjectSpec {
  const spec = readObject(readFileSync(job.file));
  return job.mutation === undefined ? spec : applyMutation(spec, job.mutation);
}

/** Load `program` of `spec` alone, with the maps it uses; closes everything it created. */
export function kernelOutcome(spec: ObjectSpec, program: string, type?: string): KernelOutcome {
  const programTypes = type === undefined ? undefined : { [program]: type as ProgramTypeInput };
  const load = (logLevel?: number) =>
    loadCollection(spec, { programs: [program], ...(programTypes ? { programTypes } : {}), ...(logLevel !== undefined ? { logLevel } : {}) });
  try {
    const coll = load(4);
    try {
      const out: { verdict: 'accept'; timeUs?: number; processed?: number } = { verdict: 'accept' };
      for (const line of coll.logs.get(program) ?? []) {
        const t = /^verification time (\d+) usec/.exec(line);
        if (t) out.timeUs = Number(t[1]);
        const p = /^processed (\d+) insns/.exec(line);
        if (p) out.processed = Number(p[1]);
      }
      return out;
    } finally {
      coll.close();
    }
  } catch (first) {
    let e = first;
    if (e instanceof ProgramLoadError && e.verdict === 'rejected') {
      // a stats-only log carries no reason: load again so the loader retries with a level-1 log
      try {
        load().close();
        return { verdict: 'error', message: 'accepted on the second load (non-deterministic verdict)' };
      } catch (again) {
        e = again;
      }
    }
    if (e instanceof ProgramLoadError && e.verdict === 'rejected') {
      return { verdict: 'reject', ...(e.insn !== undefined ? { insn: e.insn } : {}), reason: e.reason };
    }
    return { verdict: 'error', message: ((e as Error).message.split('\n')[0] ?? '').trim() };
  }
}

export function kernelJob(job: KernelJob): KernelOutcome {
  let spec: ObjectSpec;
  try {
    spec = jobSpec(job);
  } catch (e) {
    return { verdict: 'error', message: (e as Error).message };
  }
  return kernelOutcome(spec, job.program, job.type);
}
