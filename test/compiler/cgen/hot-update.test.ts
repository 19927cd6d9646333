// Hot update in the simulator: new rules are written beside the live ones and made live by one flip of the
// generation; packets see the old rule set until the flip, the new one after; the program is not reloaded.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../../bpf/index.ts';
import { applyPolicyUpdate, ReloadNeededError, type PolicyMapWriter } from '../../../compiler/cgen/index.ts';
import { PolicySimulation } from '../../../compiler/cgen/policy-simulation.ts';
import { buildModel, parseVectorPacket, policy } from '../../../compiler/dsl/index.ts';
import { preparePolicy } from '../../../cli/commands/policy-pipeline.ts';
import { repoRoot } from '../../corpora.ts';
import { available, clang19 } from '../../support/require.ts';

const ssh = parseVectorPacket({ direction: 'ingress', src: '198.51.100.1', dst: '192.168.1.10', protocol: 'tcp', dport: 22 }, 'ssh');

describe.runIf(available('policy hot update', clang19))('applyPolicyUpdate() in the simulator', () => {
  it('switches a loaded policy to new rules at the flip, and leaves only the new generation', async () => {
    const p = await preparePolicy(join(repoRoot, 'examples/host-firewall.ts'), { driver: 'native' });
    const sim = await PolicySimulation.create(readObject(p.compiled.object), p.compiled.programs, p.compiled.maps);
    const writer: PolicyMapWriter = {
      update: (map, key, value) => sim.sim.map(map).set(key, value),
      delete: (map, key) => void sim.sim.map(map).remove(key),
    };
    expect(sim.run(ssh, 0n)).toMatchObject({ verdict: 'deny', reason: 'default-deny' });
    const extra = policy({ name: 'extra', host: true, ingress: [{ name: 'ssh-anywhere', ports: [{ port: 22 }] }] });
    const next = buildModel([...p.loaded.policies, extra], p.inventory);
    let beforeFlip: string | undefined;
    const live = applyPolicyUpdate(writer, p.compiled.maps, next, { beforeFlip: () => (beforeFlip = sim.run(ssh, 0n).reason) });
    expect(beforeFlip).toBe('default-deny');
    const after = sim.run(ssh, 0n);
    expect(after).toMatchObject({ verdict: 'allow', reason: 'allow' });
    expect(next.rules.find((r) => r.id === after.rule)?.name).toBe('ssh-anywhere');
    expect(live.generation).toBe(1);
    // every rule-derived key now carries generation 1 (bytes 4..7 after an LPM prefixlen, 0..3 for subjects)
    for (const name of ['policy', 'ipcache4', 'ipcache6']) for (const k of sim.sim.map(name).keys()) expect(k[4]).toBe(1);
    for (const k of sim.sim.map('subjects').keys()) expect(k[0]).toBe(1);
    expect(sim.sim.map('policy').keys().length).toBe(live.maps['policy']!.entries.length);
    // and back again
    applyPolicyUpdate(writer, live, p.model);
    expect(sim.run(ssh, 0n)).toMatchObject({ verdict: 'deny', reason: 'default-deny' });
  });

  it('refuses an update that does not fit the loaded maps: a reload is needed', async () => {
    const p = await preparePolicy(join(repoRoot, 'examples/host-firewall.ts'), { driver: 'native' });
    const many = policy({ name: 'many', host: true, ingress: Array.from({ length: p.compiled.maps.ruleSlots }, (_, i) => ({ name: `r${i}`, ports: [{ port: 1000 + i }] })) });
    const writes: string[] = [];
    const writer: PolicyMapWriter = { update: (m, k) => writes.push(`${m} ${Buffer.from(k).toString('hex')}`), delete: () => {} };
    expect(() => applyPolicyUpdate(writer, p.compiled.maps, buildModel([many], p.inventory))).toThrow(ReloadNeededError);
    expect(writes).toEqual([]);
  });
});
