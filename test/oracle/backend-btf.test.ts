// The backend's BTF, global data and maps against clang-19's own objects: for every fixture (and the BTF
// feature program), clang-19 -S -emit-llvm gives the IR, clang-19 -c the reference object; BTF derived from
// the IR must be the same type graph (canonicalBtf: ids and order aside), the data sections byte-equal, the
// maps (as libbpf decodes them, `.values` slots included) and license equal. A sample goes through the wasm clang (LLVM 22 metadata) too.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject, type Btf, type MapSpec, type ObjectSpec } from '../../bpf/index.ts';
import { btfFromDebugInfo, buildObjectSpec, canonicalBtf, parseIr, planGlobals } from '../../compiler/backend/index.ts';
import { loadBpfHeaders } from '../../compiler/clang/node-headers.ts';
import { WasmClang } from '../../compiler/clang/wasm.ts';
import { filesBelow, repoRoot } from '../corpora.ts';
import { available, clang19 } from '../support/require.ts';

const run = available('backend BTF against clang-19', clang19);
// The fixtures, the BTF feature programs, and a fixed sample of test/fixtures/corpus chosen for what they declare
// (maps of maps, .rodata config, CO-RE, callbacks, ring buffers, perf events, LPM, per-CPU); the whole corpus
// passes too, but at ~0.5 s a program it is run by hand: TSBPF_BACKEND_BTF_ALL=1.
const CORPUS_SAMPLE = [
  'xdp_array_of_maps.c', 'xdp_hash_of_maps.c', 'xdp_globals_config.c', 'kprobe_core_read.c', 'xdp_bpf_loop.c',
  'xdp_ringbuf_events.c', 'tc_perf_event.c', 'xdp_lpm_v6.c', 'xdp_percpu_hash.c', 'xdp_conntrack.c',
];
const all = process.env['TSBPF_BACKEND_BTF_ALL'] === '1';
const programs = [
  ...filesBelow(join(repoRoot, 'test/fixtures'), '.c').filter((f) => all || !f.includes('/corpus/') || CORPUS_SAMPLE.includes(basename(f))),
  ...filesBelow(join(repoRoot, 'test/compiler/backend/btf/programs'), '.c'),
].map((f) => f.slice(repoRoot.length + 1));
const WASM_SAMPLE = ['maps.c', 'core_task.c', 'globals.c', 'btf_features.c', 'btf_externs.c'];
const out = mkdtempSync(join(tmpdir(), 'tsbpf-backend-btf-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const built = new Map<string, string>();
/** clang-19 output for `src` (an object, or IR with -S), built once per run. */
function clang(src: string, emit: '-c' | '-S'): string {
  const file = join(out, basename(src, '.c') + (emit === '-c' ? '.o' : '.ll'));
  if (built.has(file)) return file;
  built.set(file, src);
  const args = ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-nostdinc', '-I', 'bpf/include', `-ffile-prefix-map=${repoRoot}=.`];
  execFileSync('clang-19', [...args, ...(emit === '-S' ? ['-S', '-emit-llvm'] : ['-c']), src, '-o', file], { cwd: repoRoot });
  return file;
}

/** What our pieces derive from IR text, code aside: BTF, data sections, license and maps. */
function derive(ir: string): ObjectSpec & { btf: Btf } {
  const mod = parseIr(ir);
  const layout = planGlobals(mod);
  const btf = btfFromDebugInfo(mod, { globals: layout.slots });
  return { ...buildObjectSpec(mod, { layout, btf, functions: [] }), btf: btf.btf };
}

/** A map with its BTF type ids replaced by the C types they name, to compare across two BTFs. */
function mapView(btf: Btf, m: MapSpec): unknown {
  const { keyTypeId, valueTypeId, inner, ...rest } = m;
  return {
    ...rest,
    key: keyTypeId === undefined ? undefined : btf.describeType(keyTypeId),
    value: valueTypeId === undefined ? undefined : btf.describeType(valueTypeId),
    inner: inner === undefined ? undefined : mapView(btf, inner),
  };
}

function dataView(spec: Pick<ObjectSpec, 'data'>): unknown {
  return spec.data.map((d) => ({ ...d, data: [...d.data], variables: d.variables.map(({ btfTypeId: _, ...v }) => v) }));
}

describe.runIf(run)('backend BTF and layout against clang-19', () => {
  it('covers the committed IR of the BTF feature programs, which is current', () => {
    for (const src of programs.filter((p) => p.includes('/programs/'))) {
      const committed = parseIr(readFileSync(join(repoRoot, src.replace(/\.c$/, '.ll')), 'utf8'));
      const fresh = parseIr(readFileSync(clang(src, '-S'), 'utf8'));
      const btfOf = (mod: typeof fresh) => canonicalBtf(btfFromDebugInfo(mod, { globals: planGlobals(mod).slots }).btf);
      expect(btfOf(committed), `${src}: regenerate ${basename(src, '.c')}.ll`).toEqual(btfOf(fresh));
    }
  });

  it.each(programs.map((p) => [basename(p), p]))('%s: BTF, data, license and maps from clang-19 IR equal clang-19 object', (_n, src) => {
    const ours = derive(readFileSync(clang(src, '-S'), 'utf8'));
    const theirs = readObject(readFileSync(clang(src, '-c')));
    expect(canonicalBtf(ours.btf)).toEqual(canonicalBtf(theirs.btf!));
    expect(dataView(ours)).toEqual(dataView(theirs));
    expect(ours.license).toBe(theirs.license);
  });

});

describe.runIf(run)('backend BTF from the wasm clang (LLVM 22 metadata) against clang-19', () => {
  const wasm = new WasmClang({ headers: () => loadBpfHeaders() });
  const sample = programs.filter((p) => WASM_SAMPLE.includes(basename(p)));

  it('has the whole sample', () => expect(sample.map((p) => basename(p)).sort()).toEqual([...WASM_SAMPLE].sort()));

  it.each(sample.map((p) => [basename(p), p]))('%s: BTF and data from wasm IR equal clang-19 object', async (_n, src) => {
    const { ir } = await wasm.compileToIr({ file: src, source: readFileSync(join(repoRoot, src)) });
    const ours = derive(ir);
    const theirs = readObject(readFileSync(clang(src, '-c')));
    expect(canonicalBtf(ours.btf)).toEqual(canonicalBtf(theirs.btf!));
    expect(dataView(ours)).toEqual(dataView(theirs));
  }, 60_000);
});
