import { describe, expect, it } from 'vitest';
import { DEFAULT_AFFINITY_SECONDS, lbMapContents, service, tableWeight, type ServiceSpec } from '../../../compiler/services/index.ts';

const base: ServiceSpec = { name: 'web', vip: '10.96.0.10', port: 80, backends: [{ address: '10.1.0.5', port: 8080 }] };

describe('service()', () => {
  it('fills in the defaults: tcp, maglev over 16381 entries, no affinity, reset', () => {
    const s = service(base);
    expect(s).toMatchObject({ protocol: 'tcp', selection: 'maglev', tableSize: 16381, affinitySeconds: 0, removedAction: 'reset', family: 4 });
    expect(s.backends[0]).toMatchObject({ weight: 1, state: 'active', key: '10.1.0.5:8080' });
  });

  it('takes IPv6 services and names their backends with brackets', () => {
    const s = service({ ...base, vip: 'fd00::10', backends: [{ address: 'fd00::5', port: 8080 }] });
    expect(s.family).toBe(6);
    expect(s.backends[0]!.key).toBe('[fd00::5]:8080');
  });

  it('refuses DSR for IPv6 services (IPv4 only so far), and a bad SNAT address', () => {
    expect(() => service({ ...base, mode: 'dsr', vip: 'fd00::10', backends: [{ address: 'fd00::5', port: 8080 }] })).toThrow(/service web: dsr is IPv4 only so far/);
    expect(() => lbMapContents([service(base)], { snatAddress: 'fd00::1' })).toThrow(/lb config snatAddress: fd00::1 is not an IPv4 address/);
  });

  it('uses the Kubernetes default affinity timeout for `affinity: true`', () => {
    expect(service({ ...base, affinity: true }).affinitySeconds).toBe(DEFAULT_AFFINITY_SECONDS);
    expect(service({ ...base, affinity: { timeoutSeconds: 30 } }).affinitySeconds).toBe(30);
  });

  it('drops a removed UDP backend’s datagrams: there is nothing to reset', () => {
    expect(service({ ...base, protocol: 'udp' }).removedAction).toBe('drop');
  });

  it('gives drained, removed and weight-0 backends no table weight', () => {
    const s = service({
      ...base,
      backends: [
        { address: '10.1.0.1', port: 1, weight: 3 },
        { address: '10.1.0.2', port: 1, state: 'drained' },
        { address: '10.1.0.3', port: 1, state: 'removed' },
        { address: '10.1.0.4', port: 1, weight: 0 },
      ],
    });
    expect(s.backends.map(tableWeight)).toEqual([3, 0, 0, 0]);
  });

  it.each([
    [{ vip: '10.96.0.300' }, /service web: vip 10.96.0.300 is not an IPv4 or IPv6 address/],
    [{ port: 0 }, /service web: port 0 is not in 1 … 65535/],
    [{ name: 'Web_1' }, /the name must be lower-case/],
    [{ backends: [] }, /service web: no backends/],
    [{ backends: [{ address: 'fd00::1', port: 80 }] }, /backend 0 \(fd00::1\): IPv6 backend behind an IPv4 vip/],
    [{ backends: [{ address: '10.1.0.1', port: 80, weight: -1 }] }, /weight -1 is not in 0 … 65535/],
    [{ backends: [{ address: '10.1.0.1', port: 80 }, { address: '10.1.0.1', port: 80 }] }, /10.1.0.1:80 is listed twice/],
    [{ backends: [{ address: '10.1.0.1', port: 80, mac: 'zz' }] }, /mac zz is not six hex bytes/],
    [{ maglev: { size: 16383 } }, /maglev size 16383 is not a prime/],
    [{ affinity: { timeoutSeconds: 0 } }, /affinity timeout 0 s/],
    [{ selection: 'roundrobin' as never }, /selection roundrobin is not maglev or random/],
  ] as [Partial<ServiceSpec>, RegExp][])('rejects %j', (change, message) => {
    expect(() => service({ ...base, ...change })).toThrow(message);
  });

  it('throws PolicyError, a RangeError', () => {
    expect(() => service({ ...base, port: 70000 })).toThrow(RangeError);
  });
});
