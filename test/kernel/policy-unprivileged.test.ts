// The seed profile's promise checked on the kernel: the example policies load with CAP_BPF and CAP_NET_ADMIN
// only (no CAP_PERFMON, so the kernel refuses pointer leaks and verifies Spectre-v1 paths), and our verifier
// accepts them with the matching profile (linux-6.18-bpf) and with seed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { preparePolicy } from '../../cli/commands/policy-pipeline.ts';
import { verify } from '../../verifier/index.ts';
import { repoRoot } from '../corpora.ts';
import { available, clang19, kernelBpf, setpriv } from '../support/require.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-policy-caps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const CAPS = '-all,+bpf,+net_admin';

describe.runIf(available('policy examples without CAP_PERFMON', kernelBpf, clang19, setpriv))('policy examples without CAP_PERFMON', () => {
  for (const name of ['host-firewall', 'web-tier', 'namespace-default-deny']) {
    it(`${name}: the kernel loads both programs with CAP_BPF and CAP_NET_ADMIN only, as our verifier predicts`, async () => {
      const p = await preparePolicy(join(repoRoot, 'examples', `${name}.ts`), { driver: 'native' });
      const spec = readObject(p.compiled.object);
      for (const prog of p.compiled.programs) {
        for (const profile of ['linux-6.18-bpf', 'seed']) expect(verify(spec, { program: prog.name, profile }).verdict).toBe('accept');
      }
      const file = join(tmp, `${name}.o`);
      writeFileSync(file, p.compiled.object);
      const child = fileURLToPath(new URL('./policy-load.child.ts', import.meta.url));
      const out = execFileSync('setpriv', [`--inh-caps=${CAPS}`, `--ambient-caps=${CAPS}`, `--bounding-set=${CAPS}`, join(repoRoot, 'node_modules/.bin/tsx'), child, file], {
        cwd: repoRoot,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const result = JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as { loaded?: string[]; error?: string };
      expect({ ...result, loaded: result.loaded?.sort() }).toEqual({ loaded: p.compiled.programs.map((x) => x.name).sort() });
    });
  }
});
