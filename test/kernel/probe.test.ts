// Feature probes check their own version claims: a feature this kernel lacks is skipped (with the reason)
// unless the kernel is at least its stated minimum version and has the kernel option it needs, in which case
// the table is wrong and the test fails.
import { release } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { helperAllowed, helperByName, type ProgTypeName } from '../../bpf/index.ts';
import {
  featureTable,
  HELPER_PROBE_PROGRAM_TYPES,
  HELPER_VERSIONS,
  kernelAtLeast,
  kernelConfig,
  LINK_TYPE_VERSIONS,
  MAP_TYPE_VERSIONS,
  NOT_PROBED,
  probeHelper,
  probeLinkType,
  probeMapType,
  probeProgramType,
  PROGRAM_TYPE_VERSIONS,
  resetProbes,
  trackFds,
  UnsupportedFeatureError,
  type FeatureVersion,
} from '../../loader/index.ts';
import { available, kernelBpf } from '../support/require.ts';

const run = available('kernel probes', kernelBpf);
const fds = run ? trackFds() : undefined;
afterAll(() => {
  resetProbes();
  fds?.assertAllClosed();
  fds?.stop();
});

function configured(option: string | undefined): boolean {
  if (option === undefined) return true;
  try {
    const v = kernelConfig().get(option);
    return v === 'y' || v === 'm';
  } catch {
    return true; // config unreadable: assume the option is there, so a wrong version claim still fails
  }
}

/** Runs `probe`; an UnsupportedFeatureError passes only if the kernel is older than claimed or lacks the option. */
function check(feature: string, v: FeatureVersion, probe: () => void): void {
  try {
    probe();
  } catch (e) {
    if (!(e instanceof UnsupportedFeatureError)) {
      if (e instanceof Error && /operation not permitted/.test(e.message)) {
        console.warn(`${feature}: skipped: ${e.message}`);
        return;
      }
      throw e;
    }
    expect(e.minVersion).toBe(v.minVersion);
    const shouldHave = kernelAtLeast(release(), v.minVersion) && configured(v.config);
    if (shouldHave) throw new Error(`${feature}: the table says Linux ${v.minVersion}, but ${release()} lacks it: ${e.message}`);
    console.warn(`${feature}: skipped: ${e.message}`);
  }
}

describe.runIf(run)('feature probes', () => {
  it.each(PROGRAM_TYPE_VERSIONS.filter((v) => !NOT_PROBED.has(`program type ${v.name}`)).map((v) => [v.name, v]))(
    'program type %s is there whenever the kernel is new enough',
    (name, v) => check(`program type ${name}`, v, () => probeProgramType(name)),
  );

  it.each(MAP_TYPE_VERSIONS.filter((v) => !NOT_PROBED.has(`map type ${v.name}`)).map((v) => [v.name, v]))(
    'map type %s is there whenever the kernel is new enough',
    (name, v) => check(`map type ${name}`, v, () => probeMapType(name)),
  );

  it.each(LINK_TYPE_VERSIONS.map((v) => [v.name, v]))('link type %s is there whenever the kernel is new enough', (name, v) =>
    check(`link type ${name}`, v, () => probeLinkType(name)),
  );

  it('helpers the tables offer a program type are there whenever the kernel is new enough', () => {
    let checked = 0;
    for (const pt of HELPER_PROBE_PROGRAM_TYPES) {
      for (const v of HELPER_VERSIONS) {
        if (helperAllowed(helperByName(v.name) ?? v.name, pt as ProgTypeName) !== true) continue;
        check(`helper ${v.name} for ${pt}`, v, () => probeHelper(pt, v.name));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('a helper a program type never has is reported unsupported', () => {
    expect(() => probeHelper('socket_filter', 'xdp_adjust_head')).toThrow(UnsupportedFeatureError);
  });

  it('an unknown feature name is a TypeError, not a probe', () => {
    expect(() => probeMapType('no_such_map')).toThrow(TypeError);
  });

  it('featureTable() lists every feature with a status', () => {
    const rows = featureTable({ helpersFor: ['xdp'] });
    expect(rows.length).toBe(PROGRAM_TYPE_VERSIONS.length + MAP_TYPE_VERSIONS.length + LINK_TYPE_VERSIONS.length + HELPER_VERSIONS.length);
    expect(rows.find((r) => r.kind === 'program type' && r.name === 'xdp')?.status).toBe('supported');
    expect(rows.find((r) => r.kind === 'map type' && r.name === 'hash')?.status).toBe('supported');
  });
});
