// The wasm pipeline (clang as WebAssembly → our backend) on a phi with an undefined incoming value
// (test/compiler/backend/codegen/programs/undef_phi.c): the register it was given used to be read unwritten on
// one path (`R6 !read_ok` as root; the XDP policy datapath read a spill slot, refused without CAP_PERFMON).
// Our verifier accepts the object in both privilege profiles, and so does the kernel, as root and with
// CAP_BPF and CAP_NET_ADMIN only.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { buildC } from '../../compiler/build-c.ts';
import { loadCollection } from '../../loader/index.ts';
import { verify } from '../../verifier/index.ts';
import { repoRoot } from '../corpora.ts';
import { available, kernelBpf, setpriv } from '../support/require.ts';

const SOURCE = join(repoRoot, 'test/compiler/backend/codegen/programs/undef_phi.c');
const CAPS = '-all,+bpf,+net_admin';
const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-undef-phi-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.runIf(available('undefined phi input through the wasm pipeline', kernelBpf, setpriv))('undefined phi input through the wasm pipeline', () => {
  it('builds an object that our verifier and the kernel accept with and without CAP_PERFMON', { timeout: 120_000 }, async () => {
    const object = await buildC(readFileSync(SOURCE, 'utf8'), 'wasm', { cFile: 'undef_phi.c' });
    const spec = readObject(object);
    for (const profile of ['linux-6.18', 'linux-6.18-bpf']) {
      const r = verify(spec, { profile });
      expect([profile, r.verdict, r.error?.message]).toEqual([profile, 'accept', undefined]);
    }
    loadCollection(spec).close();
    const file = join(tmp, 'undef_phi.o');
    writeFileSync(file, object);
    const child = fileURLToPath(new URL('./policy-load.child.ts', import.meta.url));
    const out = execFileSync('setpriv', [`--inh-caps=${CAPS}`, `--ambient-caps=${CAPS}`, `--bounding-set=${CAPS}`, join(repoRoot, 'node_modules/.bin/tsx'), child, file], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(JSON.parse(out.trim().split('\n').at(-1) ?? 'null')).toEqual({ loaded: ['undef_phi'] });
  });
});
