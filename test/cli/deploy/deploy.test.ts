import { describe, expect, it } from 'vitest';
import { deployCommand } from '../../../cli/commands/deploy.ts';
import { deployPolicies } from '../../../cli/deploy/deploy.ts';

describe('deploy modes', () => {
  it('deployPolicies() refuses --mode xdp as not supported yet, before building anything', async () => {
    await expect(deployPolicies(['/nonexistent/policy.ts'], { iface: 'lo', mode: 'xdp' })).rejects.toThrow(/^deploy --mode xdp: not supported yet/);
  });
  it('tsbpf deploy names tc as the only mode for anything else', async () => {
    await expect(deployCommand(['/nonexistent/policy.ts'], { iface: 'lo', mode: 'xdp' })).rejects.toThrow(/not supported yet/);
    await expect(deployCommand(['/nonexistent/policy.ts'], { iface: 'lo', mode: 'skb' })).rejects.toThrow(/^deploy --mode skb: the only mode is tc/);
  });
});
