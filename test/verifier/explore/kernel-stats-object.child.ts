// Child for test/oracle/verifier-too-large.test.ts, run as root or under setpriv with CAP_BPF+CAP_NET_ADMIN only:
// loads one program of an object (with its maps) with a BPF_LOG_STATS log and prints, as one JSON line, the
// verdict, the kernel's processed count and the log's error line. A stats log is small even when the verifier
// walks a million instructions (a level-1 log of such a program costs the kernel several runs to fit).
// Usage: node --import tsx kernel-stats-object.child.ts FILE.o PROGRAM
import { readFileSync } from 'node:fs';
import { readObject } from '../../../bpf/index.ts';
import { loadCollection, ProgramLoadError } from '../../../loader/index.ts';

const [file, program] = process.argv.slice(2);
if (file === undefined || program === undefined) throw new TypeError('usage: kernel-stats-object.child.ts FILE.o PROGRAM');

const processedOf = (log: readonly string[]): number | undefined => {
  for (const line of log) {
    const m = /^processed (\d+) insns/.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
};

const spec = readObject(readFileSync(file));
let out: { verdict: string; processed?: number | undefined; reason?: string | undefined };
try {
  const coll = loadCollection(spec, { programs: [program], logLevel: 4 });
  out = { verdict: 'accept', processed: processedOf(coll.logs.get(program) ?? []) };
  coll.close();
} catch (e) {
  if (!(e instanceof ProgramLoadError) || e.verdict !== 'rejected') throw e;
  // with a stats log the error is the line before the statistics
  const reason = e.log.find((l) => l.trim() !== '' && !/^(processed|verification time|stack depth) /.test(l));
  out = { verdict: 'reject', processed: processedOf(e.log), reason };
}
console.log(JSON.stringify(out));
