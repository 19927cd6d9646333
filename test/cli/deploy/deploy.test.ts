import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployCommand } from '../../../cli/commands/deploy.ts';
import { deployPolicies } from '../../../cli/deploy/deploy.ts';

describe('deploy modes', () => {
  it('tsbpf deploy names tc and xdp as the modes for anything else, before building anything', async () => {
    await expect(deployCommand(['/nonexistent/policy.ts'], { iface: 'lo', mode: 'skb' })).rejects.toThrow(/^deploy --mode skb: the mode is tc or xdp$/);
  });

  it('deployPolicies() refuses --mode xdp in one line when L7 rules judge received packets, before compiling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-xdp-l7-'));
    try {
      const file = join(dir, 'web.ts');
      writeFileSync(file, `import { policy } from 'tsbpf';\nexport default policy({ name: 'web', host: true, ingress: [{ name: 'get', ports: [{ port: 80, http: [{ method: 'GET' }] }] }] });\n`);
      await expect(deployPolicies([file], { iface: 'lo', mode: 'xdp', stateDir: join(dir, 'state') })).rejects.toThrow(
        /^deploy --mode xdp: rule get has L7 rules on received packets \(ingress\), which need the tc datapath: deploy with --mode tc$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
