// Run by policy-unprivileged.test.ts under setpriv with only CAP_BPF and CAP_NET_ADMIN: loads a policy object
// and prints the outcome as JSON (the kernel verifies without CAP_PERFMON: no pointer leaks, Spectre-v1 checks).
import { readFileSync } from 'node:fs';
import { readObject } from '../../bpf/index.ts';
import { loadCollection } from '../../loader/index.ts';

let result: unknown;
try {
  const c = loadCollection(readObject(readFileSync(process.argv[2]!)));
  result = { loaded: [...c.programs.keys()] };
  c.close();
} catch (e) {
  result = { error: (e as Error).message.split('\n')[0] };
}
console.log(JSON.stringify(result));
