import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listStates, readState, stateId } from '../../../cli/deploy/state.ts';

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('deploy state', () => {
  it('stateId() names an interface, qualified by its network namespace', () => {
    expect(stateId('eth0')).toBe('eth0');
    expect(stateId('veth1', 'blue')).toBe('blue@veth1');
    expect(stateId('veth1', '/run/netns/blue')).toBe('blue@veth1');
  });
  it('stateId() refuses what cannot be an interface name', () => {
    expect(() => stateId('../etc')).toThrow(RangeError);
    expect(() => stateId('a-name-longer-than-15')).toThrow(RangeError);
  });
  it('readState() refuses a state written with another layout, saying what to do', () => {
    dir = mkdtempSync(join(tmpdir(), 'tsbpf-state-'));
    writeFileSync(join(dir, 'eth0.json'), JSON.stringify({ layout: 99, iface: 'eth0' }));
    expect(() => readState(dir!, 'eth0')).toThrow(/layout 99.*undeploy/);
    expect(readState(dir, 'eth1')).toBeUndefined();
    expect(listStates(join(dir, 'missing'))).toEqual([]);
  });
});
