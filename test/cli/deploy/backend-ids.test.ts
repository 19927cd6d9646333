import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignBackendIds, FREE_SLOT } from '../../../cli/deploy/backend-ids.ts';
import { BACKEND_STATE, DEFAULT_LB_CONFIG, lbMapContents, service, type Service } from '../../../compiler/services/index.ts';

const web = (addresses: readonly string[]) => service({ name: 'web', vip: '10.96.0.10', port: 80, backends: addresses.map((address) => ({ address, port: 8080 })), maglev: { size: 251 } });
const dns = (addresses: readonly string[]) => service({ name: 'dns', vip: '10.96.0.11', port: 53, protocol: 'udp', backends: addresses.map((address) => ({ address, port: 5353 })), maglev: { size: 251 } });
const keyOf = (s: Service, i: number) => `${s.name}|${s.backends[i]!.key}`;

describe('assignBackendIds', () => {
  it('numbers a first deployment in order: service by service, backend by backend', () => {
    const r = assignBackendIds([web(['10.1.0.5', '10.1.0.6']), dns(['10.1.0.7'])]);
    expect(r.ids).toEqual([[0, 1], [2]]);
    expect(r.keys).toEqual(['web|10.1.0.5:8080', 'web|10.1.0.6:8080', 'dns|10.1.0.7:5353']);
  });

  it('keeps every id when a backend is inserted first; the new one goes past the end', () => {
    const before = assignBackendIds([web(['10.1.0.5', '10.1.0.6']), dns(['10.1.0.7'])]);
    const after = assignBackendIds([web(['10.1.0.9', '10.1.0.5', '10.1.0.6']), dns(['10.1.0.7'])], before.keys);
    expect(after.ids).toEqual([[3, 0, 1], [2]]);
  });

  it('leaves a gone backend its slot free in this deploy, and reuses the slot in the next one', () => {
    const first = assignBackendIds([web(['10.1.0.5', '10.1.0.6', '10.1.0.7'])]);
    const second = assignBackendIds([web(['10.1.0.5', '10.1.0.7', '10.1.0.8'])], first.keys);
    expect(second.ids).toEqual([[0, 2, 3]]);
    expect(second.keys[1]).toBe(FREE_SLOT);
    const third = assignBackendIds([web(['10.1.0.5', '10.1.0.7', '10.1.0.8', '10.1.0.9'])], second.keys);
    expect(third.ids).toEqual([[0, 2, 3, 1]]);
  });

  it('over any sequence of redeploys: a backend that stays keeps its id, no two backends share one, a freed slot waits a deploy', () => {
    const pool = ['10.1.0.1', '10.1.0.2', '10.1.0.3', '10.1.0.4', '10.1.0.5', '10.1.0.6'];
    const deployment = fc.tuple(fc.subarray(pool, { minLength: 1 }), fc.subarray(pool, { minLength: 1 })).map(([w, d]) => [web(w), dns(d)]);
    fc.assert(
      fc.property(fc.array(deployment, { minLength: 1, maxLength: 8 }), (deployments) => {
        let keys: readonly string[] = [];
        for (const services of deployments) {
          const r = assignBackendIds(services, keys);
          const ids = r.ids.flat();
          expect(new Set(ids).size).toBe(ids.length);
          services.forEach((s, si) =>
            s.backends.forEach((_, bi) => {
              const id = r.ids[si]![bi]!;
              expect(r.keys[id]).toBe(keyOf(s, bi));
              const before = keys.indexOf(keyOf(s, bi));
              if (before >= 0) expect(id).toBe(before);
              // a slot some other backend had until now is not handed out
              else if (id < keys.length) expect(keys[id]).toBe(FREE_SLOT);
            }),
          );
          keys = r.keys;
        }
      }),
    );
  });
});

describe('lbMapContents with assigned ids', () => {
  it('writes each backend at its id, the tables name those ids, and an id nobody has is a removed hole', () => {
    const services = [web(['10.1.0.5', '10.1.0.6'])];
    const maps = lbMapContents(services, DEFAULT_LB_CONFIG, [[3, 0]]);
    const ids = maps.maps.backends!.map((e) => e.key[0]);
    expect(ids).toEqual([0, 1, 2, 3]);
    const hole = maps.maps.backends![1]!.value;
    expect(hole.subarray(0, 4)).toEqual(new Uint8Array(4));
    expect(hole[6]).toBe(BACKEND_STATE.removed);
    expect(maps.maps.backends![3]!.value.subarray(0, 4)).toEqual(Uint8Array.of(10, 1, 0, 5));
    expect(new Set(maps.tables[0])).toEqual(new Set([3, 0]));
  });

  it('refuses ids that are not one distinct slot per backend', () => {
    expect(() => lbMapContents([web(['10.1.0.5', '10.1.0.6'])], DEFAULT_LB_CONFIG, [[1, 1]])).toThrow(/not distinct slots/);
    expect(() => lbMapContents([web(['10.1.0.5', '10.1.0.6'])], DEFAULT_LB_CONFIG, [[1]])).toThrow(/backend ids for 1 backends/);
  });
});
