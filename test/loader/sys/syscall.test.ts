import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { addressOf, bindingAvailable } from '../../../loader/sys/index.ts';
import { available } from '../../support/require.ts';

const child = fileURLToPath(new URL('./syscall.child.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

function runChild(scenario: string, nodeOptions = ''): unknown {
  const out = execFileSync('npx', ['tsx', child, scenario], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? 'null');
}

describe('loader/sys syscall binding', () => {
  it('importing loader/sys does not load koffi; the first use does', () => {
    expect(runChild('lazy')).toEqual({
      afterImport: false,
      afterUse: process.platform === 'linux',
      binding: bindingAvailable(),
    });
  });

  it('reports a clear error on the first call where bpf(2) cannot exist', () => {
    expect(runChild('darwin')).toEqual({
      error: { name: 'BpfUnavailableError', message: 'bpf(2) is Linux only (this is darwin)' },
      probe: { ok: false, reason: 'bpf(2) is Linux only (this is darwin)' },
      koffi: false,
    });
  });

  it.skipIf(!available('loader/sys addressOf', bindingAvailable()))(
    'addressOf() includes the byteOffset of a subarray',
    () => {
      const buf = new Uint8Array(64);
      expect(addressOf(buf.subarray(24)) - addressOf(buf)).toBe(24n);
    },
  );

  it.skipIf(!available('loader/sys Fd finalizer', bindingAvailable()))(
    'an Fd garbage collected while open is closed with a warning',
    () => {
      const result = runChild('gc', '--expose-gc') as { warnings: string[]; open: boolean };
      expect(result.open).toBe(false);
      expect(result.warnings).toEqual([
        expect.stringMatching(/^TSBPF_FD_LEAK: map forgotten: fd \d+ was garbage collected without close\(\); closing it$/),
      ]);
    },
  );
});
