import { beforeAll, describe, expect, it } from 'vitest';
import { formatLbStatus, LB_PROGRAM, readLbStatus, type LbMapReader } from '../../../compiler/services/index.ts';
import { Simulator } from '../../../simulator/index.ts';
import { clientPacket, compileTestLb, contents, fillMaps, testServices } from './lb-harness.ts';

let object: Uint8Array;
beforeAll(async () => {
  object = await compileTestLb();
}, 120_000);

const reader = (sim: Simulator): LbMapReader => ({
  entries: (map) => sim.map(map).entries(),
  perCpu: (map, index) => sim.map(map).getPerCpu(Uint8Array.of(index & 0xff, index >> 8, 0, 0)) ?? [],
});

describe('readLbStatus', () => {
  it('reads back the services, backends, table shares and counters from the maps', async () => {
    const sim = await Simulator.load(object, { unverified: true });
    const services = testServices();
    fillMaps(contents(services), (m, k, v) => sim.map(m).set(k, v));
    for (let i = 0; i < 20; i++) sim.run(LB_PROGRAM, clientPacket({ client: '203.0.113.7', sport: 30000 + i, vip: '10.96.0.10', dport: 80 }));
    const status = readLbStatus(reader(sim));
    expect(status.map((s) => `${s.vip}:${s.port}/${s.protocol}`)).toEqual(services.map((s) => `${s.vip}:${s.port}/${s.protocol}`));
    expect(status[2]).toMatchObject({ affinitySeconds: 10, selection: 'maglev', mode: 'snat' });
    expect(status[3]).toMatchObject({ removedAction: 'drop', tableSize: 16381 });
    expect(status[4]!.mode).toBe('dsr');
    expect(status[5]!.vip).toBe('fd00:96::10');
    expect(status[5]!.backends[0]!.address).toBe('fd00:1::1');
    const web = status[0]!;
    expect(web).toMatchObject({ packets: 20n, connections: 20n, drops: 0n });
    expect(web.backends.map((b) => `${b.address}:${b.port}`)).toEqual(services[0]!.backends.map((b) => `${b.address}:${b.port}`));
    expect(web.backends.reduce((n, b) => n + b.tableEntries, 0)).toBe(251);
    expect(web.backends.reduce((n, b) => n + b.packets, 0n)).toBe(20n);
    expect(formatLbStatus(status)).toContain('service 0 10.96.0.10:80/tcp maglev snat M=251 removed→reset: 20 packets');
  });
});
