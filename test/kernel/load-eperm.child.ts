// Run by load.test.ts under `setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all`: loads a
// fixture with every capability dropped and prints the one error the loader gives, as JSON.
import { readFileSync } from 'node:fs';
import { readObject } from '../../bpf/index.ts';
import { loadCollection } from '../../loader/index.ts';

const file = process.argv[2]!;
let result: unknown;
try {
  loadCollection(readObject(readFileSync(file))).close();
  result = 'succeeded';
} catch (e) {
  const err = e as Error & { code?: string };
  result = { name: err.name, code: err.code, message: err.message };
}
console.log(JSON.stringify(result));
