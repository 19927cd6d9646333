// Hot update in the kernel: the loaded programs keep running (same program fds, no reload) while new rules are
// written under the other generation; BPF_PROG_TEST_RUN sees the old rule set before the flip and the new
// one after it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { preparePolicy } from '../../cli/commands/policy-pipeline.ts';
import { applyPolicyUpdate, hexBytes, type PolicyMapWriter } from '../../compiler/cgen/index.ts';
import { buildModel, packetFrame, parseVectorPacket, policy } from '../../compiler/dsl/index.ts';
import { loadCollection, mapDelete, mapGetNextKey, mapUpdate, progTestRun } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import { available, clang19, kernelBpf } from '../support/require.ts';

const TC_ACT_OK = 0;
const TC_ACT_SHOT = 2;

describe.runIf(available('policy hot update in the kernel', kernelBpf, clang19))('policy hot update in the kernel', () => {
  it('switches the rules of loaded programs atomically at the generation flip', async () => {
    const p = await preparePolicy(join(repoRoot, 'examples/host-firewall.ts'), { driver: 'native' });
    const coll = loadCollection(readObject(p.compiled.object));
    try {
      const fd = (name: string) => coll.maps.get(name)!;
      for (const [name, m] of Object.entries(p.compiled.maps.maps)) for (const e of m.entries) mapUpdate(fd(name), hexBytes(e.key), hexBytes(e.value));
      const ingress = coll.programs.get('policy_ingress')!;
      const frame = packetFrame(parseVectorPacket({ direction: 'ingress', src: '198.51.100.1', dst: '192.168.1.10', protocol: 'tcp', dport: 22 }, 'ssh'));
      const run = () => progTestRun(ingress, { data: frame }).retval;
      expect(run()).toBe(TC_ACT_SHOT);

      const writer: PolicyMapWriter = { update: (m, k, v) => mapUpdate(fd(m), k, v), delete: (m, k) => void mapDelete(fd(m), k) };
      const extra = policy({ name: 'extra', host: true, ingress: [{ name: 'ssh-anywhere', ports: [{ port: 22 }] }] });
      let beforeFlip: number | undefined;
      const live = applyPolicyUpdate(writer, p.compiled.maps, buildModel([...p.loaded.policies, extra], p.inventory), { beforeFlip: () => (beforeFlip = run()) });
      expect(beforeFlip).toBe(TC_ACT_SHOT);
      expect(run()).toBe(TC_ACT_OK);
      expect(coll.programs.get('policy_ingress')).toBe(ingress);
      // only the new generation's entries remain
      let policyEntries = 0;
      for (let k = mapGetNextKey(fd('policy'), undefined); k !== undefined; k = mapGetNextKey(fd('policy'), k)) {
        expect(k[4]).toBe(1);
        policyEntries++;
      }
      expect(policyEntries).toBe(live.maps['policy']!.entries.length);
    } finally {
      coll.close();
    }
  });
});
