// Test helper: the objects with a `.BTF` section the bpf/btf tests run over (the ebpf-samples corpus plus our
// all-kinds fixture), with the sections already extracted.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { corpusDir, filesBelow } from '../../corpora.ts';
import { btfSections } from './sections.ts';

export interface BtfObject {
  /** Absolute path of the .o file. */
  path: string;
  /** Short name for test titles: path below the corpus, or `fixtures/...`. */
  name: string;
  btf: Uint8Array;
  ext: Uint8Array | undefined;
  /** Under the corpus's invalid/ folder. */
  invalid: boolean;
}

export const fixturePath = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function load(path: string, name: string): BtfObject | undefined {
  const { btf, ext } = btfSections(path);
  if (btf === undefined) return undefined;
  return { path, name, btf, ext, invalid: name.startsWith('invalid/') };
}

/** Every corpus object with .BTF, then the fixtures. */
export function btfObjects(): BtfObject[] {
  const root = corpusDir('ebpf-samples');
  const out: BtfObject[] = [];
  for (const path of filesBelow(root, '.o')) {
    const o = load(path, relative(root, path));
    if (o) out.push(o);
  }
  const fixture = load(fixturePath('all-kinds.o'), 'fixtures/all-kinds.o');
  if (fixture) out.push(fixture);
  return out;
}

/** Every corpus object without .BTF (count only; legacy maps). */
export function objectsWithoutBtf(): string[] {
  return filesBelow(corpusDir('ebpf-samples'), '.o').filter((p) => btfSections(p).btf === undefined);
}

/** `bpftool btf dump file <path>` (raw format) as lines. */
export function bpftoolDump(path: string): string[] {
  const out = execFileSync('bpftool', ['btf', 'dump', 'file', path], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\n').filter((l) => l !== '');
}
