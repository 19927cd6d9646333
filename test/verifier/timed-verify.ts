// Our verifier on one job at a time in a child process, killed at a time limit: a program that would run for
// minutes (a false reject at the processed-instruction limit, typically) is reported as `timeout` instead of
// holding up a table or a CI run. The child is reused until a job times out.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { VerifyJob } from './verify.child.ts';

export interface OurOutcome {
  readonly verdict: 'accept' | 'reject' | 'unsupported' | 'timeout' | 'error';
  readonly progType?: string;
  readonly insn?: number;
  readonly reason?: string;
  readonly unsupported?: string;
  readonly message?: string;
  /** our verification time in milliseconds (the limit, for a timeout) */
  readonly ms: number;
  readonly processed?: number;
}

// the child loads TypeScript through tsx's loader, found from this file (not from the working directory)
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const CHILD = fileURLToPath(new URL('./verify.child.ts', import.meta.url));

interface Running {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly lines: Interface;
}

export class TimedVerifier {
  private child: Running | undefined;

  constructor(private readonly limitMs: number) {}

  private spawn(): Running {
    if (this.child === undefined) {
      const proc = spawn(process.execPath, ['--import', TSX, CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
      proc.stderr.resume();
      this.child = { proc, lines: createInterface({ input: proc.stdout }) };
    }
    return this.child;
  }

  run(job: VerifyJob): Promise<OurOutcome> {
    const c = this.spawn();
    return new Promise((resolve) => {
      const done = (o: OurOutcome): void => {
        clearTimeout(timer);
        c.lines.off('line', onLine);
        c.proc.off('exit', onExit);
        resolve(o);
      };
      const onLine = (line: string): void => done(JSON.parse(line) as OurOutcome);
      const onExit = (code: number | null): void => {
        this.child = undefined;
        done({ verdict: 'error', ms: 0, message: `verifier child exited (code ${code})` });
      };
      const timer = setTimeout(() => {
        this.child = undefined;
        c.proc.kill('SIGKILL');
        done({ verdict: 'timeout', ms: this.limitMs });
      }, this.limitMs);
      c.lines.on('line', onLine);
      c.proc.on('exit', onExit);
      c.proc.stdin.write(`${JSON.stringify(job)}\n`);
    });
  }

  close(): void {
    this.child?.proc.stdin.end();
    this.child = undefined;
  }
}
