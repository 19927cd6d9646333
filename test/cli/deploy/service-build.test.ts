import { describe, expect, it } from 'vitest';
import { deploySizes } from '../../../cli/deploy/service-build.ts';
import { lbSizes, service } from '../../../compiler/services/index.ts';

const web = (n: number) => service({ name: 'web', vip: '10.96.0.10', port: 80, backends: Array.from({ length: n }, (_, i) => ({ address: `10.1.${i >> 7}.${(i & 127) + 1}`, port: 8080 })), maglev: { size: 251 } });

describe('deploySizes', () => {
  it('leaves room, so that adding backends keeps the map shapes (and the programs)', () => {
    const three = deploySizes([web(3)]);
    expect(deploySizes([web(200)])).toEqual(three);
    expect(three.backends).toBeGreaterThan(lbSizes([web(3)]).backends);
    expect(deploySizes([web(300)]).backends).toBeGreaterThan(three.backends);
  });

  it('makes room for every backend id in use, holes included', () => {
    expect(deploySizes([web(3)], 300).backends).toBe(deploySizes([web(300)]).backends);
  });
});
