import { describe, expect, it } from 'vitest';
import { lbIdMapping } from '../../../cli/deploy/carry-lb-counters.ts';
import { assignBackendIds } from '../../../cli/deploy/backend-ids.ts';
import { service } from '../../../compiler/services/index.ts';

const web = (addresses: readonly string[]) => service({ name: 'web', vip: '10.96.0.10', port: 80, backends: addresses.map((address) => ({ address, port: 8080 })) });
const dns = service({ name: 'dns', vip: '10.96.0.11', port: 53, protocol: 'udp', backends: [{ address: '10.1.0.9', port: 5353 }] });

describe('lbIdMapping', () => {
  it('follows services by VIP:port/protocol and backends by service and address to their ids in the new build', () => {
    const before = [web(['10.1.0.5', '10.1.0.6']), dns];
    // a service inserted first, a backend inserted before web's, another removed
    const extra = service({ name: 'extra', vip: '10.96.0.12', port: 80, backends: [{ address: '10.1.0.7', port: 80 }] });
    const after = [extra, web(['10.1.0.4', '10.1.0.6']), dns];
    // numbered in order on both sides (as deployments before stable ids were): the ids shift
    const ids = lbIdMapping({ services: before, backendKeys: assignBackendIds(before).keys }, { services: after, backendKeys: assignBackendIds(after).keys });
    expect([...ids.services]).toEqual([
      [0, 1],
      [1, 2],
    ]);
    // new ids: extra's backend 0, web's 1 and 2, dns's 3; web's 10.1.0.5 (id 0) is gone
    expect([...ids.backends]).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });
});
