import { describe, expect, it } from 'vitest';
import { nextVersions, planDeploy, policySetAfterDeploy } from '../../../cli/deploy/plan.ts';

describe('planDeploy', () => {
  it('planDeploy() deploys fresh when nothing was deployed', () => {
    expect(planDeploy(undefined, { codeHash: 'c', rulesHash: 'r' })).toBe('fresh');
  });
  it('planDeploy() does nothing when code and rules are unchanged', () => {
    expect(planDeploy({ codeHash: 'c', rulesHash: 'r' }, { codeHash: 'c', rulesHash: 'r' })).toBe('unchanged');
  });
  it('planDeploy() updates rules in place when only the map contents differ', () => {
    expect(planDeploy({ codeHash: 'c', rulesHash: 'r' }, { codeHash: 'c', rulesHash: 'r2' })).toBe('rules');
  });
  it('planDeploy() replaces programs when the code differs, whatever the rules', () => {
    expect(planDeploy({ codeHash: 'c', rulesHash: 'r' }, { codeHash: 'c2', rulesHash: 'r' })).toBe('code');
  });
});

describe('policySetAfterDeploy', () => {
  it('policySetAfterDeploy() appends new files and keeps a redeployed one in its place', () => {
    expect(policySetAfterDeploy(['/a.ts', '/b.ts'], ['/b.ts', '/c.ts'])).toEqual(['/a.ts', '/b.ts', '/c.ts']);
    expect(policySetAfterDeploy([], ['/a.ts', '/a.ts'])).toEqual(['/a.ts']);
  });
});

describe('nextVersions', () => {
  it('nextVersions() starts at 1, keeps a version while the hash holds and bumps it when it changes', () => {
    const previous = [
      { file: '/a.ts', hash: 'h1', version: 3 },
      { file: '/b.ts', hash: 'h2', version: 1 },
    ];
    expect(nextVersions(previous, [{ file: '/a.ts', hash: 'h1' }, { file: '/b.ts', hash: 'h3' }, { file: '/c.ts', hash: 'h4' }])).toEqual([3, 2, 1]);
  });
});
