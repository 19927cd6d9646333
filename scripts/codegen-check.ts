// Code generation against clang-19, program by program: compile each C file with clang-19 (object and IR),
// generate code for the IR with our backend, transplant it into clang's object, then compare
//   verdict    does the kernel accept our object (and clang's)?
//   insns      instruction slots, ours / clang's
//   behaviour  same return values and packets in the simulator on random packets (packet programs)
//
// Run as root: npx tsx scripts/codegen-check.ts [--only SUBSTRING] [--packets N] [--wasm] [--json]
// Inputs: test/fixtures, test/compiler/backend/codegen/programs, test/compiler/clang/programs and test/fixtures/corpus (*.c).
import { readdirSync, readFileSync } from 'node:fs';
import { loadBpfHeaders, WasmClang } from '../compiler/clang/index.ts';
import { basename, join } from 'node:path';
import { writeObject, readObject, type ObjectSpec } from '../bpf/index.ts';
import { loadCollection, ProgramLoadError } from '../loader/index.ts';
import { clang19, compareBehaviour, PACKET_TYPES, slotsOf, transplant } from '../test/compiler/backend/codegen/transplant.ts';
import { repoRoot } from '../test/corpora.ts';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const packets = args.includes('--packets') ? Number(args[args.indexOf('--packets') + 1]) : 200;
const json = args.includes('--json');
// --wasm: generate from the wasm clang's IR (LLVM 22, no BPF IR passes) instead of clang-19's
const wasm = args.includes('--wasm') ? new WasmClang({ headers: () => loadBpfHeaders() }) : undefined;

function cFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.c')).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function verdict(spec: ObjectSpec): string {
  try {
    // round trip through the ELF writer, as a real object would go
    const coll = loadCollection(readObject(writeObject(spec)));
    coll.close();
    return 'accepted';
  } catch (e) {
    if (e instanceof ProgramLoadError) return `rejected: ${e.reason} (insn ${e.insn ?? '?'})`;
    return `error: ${(e as Error).message.split('\n')[0]}`;
  }
}

function behaviour(ours: ObjectSpec, theirs: ObjectSpec): string {
  if (!theirs.programs.some((p) => PACKET_TYPES.has(p.type ?? -1))) return 'n/a';
  return compareBehaviour(ours, theirs, packets) ?? 'same';
}

const rows: Record<string, string | number>[] = [];
const files = [
  ...cFiles(join(repoRoot, 'test/fixtures')),
  ...cFiles(join(repoRoot, 'test/compiler/backend/codegen/programs')),
  ...cFiles(join(repoRoot, 'test/compiler/clang/programs')),
  ...cFiles(join(repoRoot, 'test/fixtures/corpus')),
];
let oursTotal = 0;
let theirsTotal = 0;
for (const file of files) {
  const name = basename(file, '.c');
  if (only !== undefined && !name.includes(only)) continue;
  const row: Record<string, string | number> = { program: name };
  try {
    const out = clang19(file, '/tmp/B1/codegen-check');
    const ir = wasm !== undefined ? (await wasm.compileToIr({ file: basename(file), source: readFileSync(file) })).ir : out.ir;
    const t = transplant(out.object, ir);
    row['insns'] = `${slotsOf(t.ours)}/${slotsOf(t.theirs)}`;
    row['verdict'] = `${verdict(t.ours)} / ${verdict(t.theirs)}`;
    row['behaviour'] = behaviour(t.ours, t.theirs);
    if (!name.startsWith('bad_')) {
      oursTotal += slotsOf(t.ours);
      theirsTotal += slotsOf(t.theirs);
    }
  } catch (e) {
    row['error'] = (e as Error).message.split('\n')[0]!;
  }
  rows.push(row);
  if (!json) console.log([row['program'], row['verdict'] ?? '', row['insns'] ?? '', row['behaviour'] ?? '', row['error'] ?? ''].join(' | '));
}
if (json) console.log(JSON.stringify(rows, null, 2));
else console.log(`total insns (non-bad): ours ${oursTotal}, clang ${theirsTotal}, ratio ${(oursTotal / theirsTotal).toFixed(3)}`);
