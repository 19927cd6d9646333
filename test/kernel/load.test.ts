// Loading ObjectSpecs into the kernel: program types from the caller, map reuse (state kept across a
// reload), pinning by name, globals set before load, verifier rejections with source lines, not-loadable
// programs, the reduced-privilege error, and no leaked file descriptors.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import {
  Collection,
  loadCollection,
  MapCompatibilityError,
  mapGetInfo,
  mapLookup,
  objPin,
  possibleCpus,
  ProgramLoadError,
  progGetInfo,
  progTestRun,
  trackFds,
} from '../../loader/index.ts';
import { corpusDir, repoRoot } from '../corpora.ts';
import { samplePackets } from '../support/packets.ts';
import { available, kernelBpf } from '../support/require.ts';

const run = available('kernel loader', kernelBpf);
const fixture = (name: string): ObjectSpec => readObject(readFileSync(join(repoRoot, 'test/fixtures', name)));
const sample = (name: string): ObjectSpec => readObject(readFileSync(join(corpusDir('ebpf-samples'), name)));
const packet = Object.values(samplePackets)[0]!;

function u64(coll: Collection, map: string, offset = 0): bigint {
  const v = mapLookup(coll.maps.get(map)!, new Uint8Array(4))!;
  return new DataView(v.buffer, v.byteOffset).getBigUint64(offset, true);
}

describe.runIf(run)('loadCollection()', () => {
  it('sets globals before load: a lower .rodata drop_len makes the same packet drop', () => {
    using fds = trackFds();
    const spec = fixture('globals.o');
    {
      using coll = loadCollection(spec);
      expect(progTestRun(coll.programs.get('xdp_globals')!, { data: packet }).retval).toBe(2); // XDP_PASS
    }
    {
      using coll = loadCollection(spec, { globals: { drop_len: 10 } });
      expect(progTestRun(coll.programs.get('xdp_globals')!, { data: packet }).retval).toBe(1); // XDP_DROP
      using again = loadCollection(spec, { globals: { drop_len: new Uint8Array([10, 0, 0, 0]) } });
      expect(progTestRun(again.programs.get('xdp_globals')!, { data: packet }).retval).toBe(1);
    }
    expect(() => loadCollection(spec, { globals: { no_such_var: 1 } })).toThrow(/global no_such_var: no such variable/);
    fds.assertAllClosed();
  });

  it('reuses a map by fd and by pin path, keeping its state across a reload', () => {
    using fds = trackFds();
    const spec = fixture('globals.o');
    const dir = mkdtempSync('/sys/fs/bpf/tsbpf-load-');
    try {
      using first = loadCollection(spec);
      for (let i = 0; i < 3; i++) progTestRun(first.programs.get('xdp_globals')!, { data: packet });
      expect(u64(first, '.bss')).toBe(3n);

      using second = loadCollection(spec, { reuse: { '.bss': first.maps.get('.bss')! } });
      expect(second.reused.has('.bss')).toBe(true);
      progTestRun(second.programs.get('xdp_globals')!, { data: packet });
      expect(u64(first, '.bss')).toBe(4n);

      objPin(first.maps.get('.bss')!, join(dir, 'bss'));
      first.close();
      second.close();
      using third = loadCollection(spec, { reuse: { '.bss': join(dir, 'bss') } });
      progTestRun(third.programs.get('xdp_globals')!, { data: packet });
      expect(u64(third, '.bss')).toBe(5n);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    fds.assertAllClosed();
  });

  it('refuses to reuse an incompatible map, saying what differs', () => {
    using fds = trackFds();
    const spec = fixture('globals.o');
    using first = loadCollection(spec);
    const attempt = () => loadCollection(spec, { reuse: { '.bss': first.maps.get('.rodata')! } });
    expect(attempt).toThrow(MapCompatibilityError);
    expect(attempt).toThrow(/map \.bss: cannot reuse map id \d+: .*flags 128 \(the object wants 0\)/);
    first.close();
    fds.assertAllClosed();
  });

  it('pins LIBBPF_PIN_BY_NAME maps into pinDir and reuses them on the next load', () => {
    using fds = trackFds();
    const base = fixture('maps.o');
    const spec: ObjectSpec = { ...base, maps: base.maps.map((m) => (m.name === 'flows' ? { ...m, pinning: 'by_name' } : m)) };
    const dir = mkdtempSync('/sys/fs/bpf/tsbpf-pin-');
    try {
      {
        using coll = loadCollection(spec, { pinDir: dir });
        expect(coll.pinned.get('flows')).toBe(join(dir, 'flows'));
        expect(existsSync(join(dir, 'flows'))).toBe(true);
      }
      using again = loadCollection(spec, { pinDir: dir });
      expect(again.reused.has('flows')).toBe(true);
      expect(again.pinned.size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    fds.assertAllClosed();
  });

  it('takes program types from the caller for non-standard sections (cilium 2/1, PREVAIL .text)', () => {
    using fds = trackFds();
    const spec = sample('build/twomaps.o');
    expect(() => loadCollection(spec)).toThrow(/unknown program type: section \.text implies none/);
    {
      using coll = loadCollection(spec, { defaultProgramType: 'socket_filter' });
      expect(progGetInfo(coll.programs.get('func')!).type).toBe(1);
    }
    {
      using coll = loadCollection(spec, { programTypes: { func: { type: 'xdp' } } });
      expect(coll.info.get('func')!.type).toBe(6);
    }
    const lxc = sample('cilium/bpf_lxc.o');
    {
      using coll = loadCollection(lxc, { programs: ['tail_handle_ipv4'], programTypes: { tail_handle_ipv4: 'sched_cls' } });
      expect([...coll.programs.keys()]).toEqual(['tail_handle_ipv4']);
      expect(progGetInfo(coll.programs.get('tail_handle_ipv4')!).type).toBe(3);
    }
    fds.assertAllClosed();
  });

  it('reports a verifier rejection as a ProgramLoadError with the reason, instruction and source line', () => {
    using fds = trackFds();
    const spec = sample('build/nullmapref.o');
    let err: unknown;
    try {
      loadCollection(spec, { defaultProgramType: 'socket_filter' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProgramLoadError);
    const e = err as ProgramLoadError;
    expect(e.verdict).toBe('rejected');
    expect(e.program).toBe('test_repro');
    expect(e.section).toBe('test');
    expect(e.reason).toBe("R0 invalid mem access 'map_value_or_null'");
    expect(e.insn).toBe(7);
    expect(e.source?.text.trim()).toBe('*value = 1;');
    expect(e.message).toMatch(/^load program test_repro \(section test\): instruction 7: R0 invalid mem access 'map_value_or_null'\n {2}at .*nullmapref\.c:23: \*value = 1;$/);
    expect(e.log.length).toBeGreaterThan(3);
    fds.assertAllClosed();
  });

  it('reports a program that never reaches the verifier as not loadable, closing what it made', () => {
    using fds = trackFds();
    let err: unknown;
    try {
      loadCollection(sample('build/exposeptr2.o'), { defaultProgramType: 'socket_filter' });
    } catch (e) {
      err = e;
    }
    expect(String(err)).toMatch(/map create map \(type 2, key 8, value 4, max entries 1, flags 0x0\): invalid argument/);
    expect(err).not.toBeInstanceOf(ProgramLoadError);
    expect(() => loadCollection(fixture('xdp_pass.o'), { programTypes: { xdp_pass: 'no_such_type' } })).toThrow(
      /load program xdp_pass \(section xdp\): unknown program type no_such_type/,
    );
    fds.assertAllClosed();
  });

  it('loads every map type of maps.o: ring buffer, LPM trie, LRU hash, prog array filled, map of maps', () => {
    using fds = trackFds();
    const base = fixture('maps.o');
    const extra = (name: string, type: number, keySize: number, valueSize: number) =>
      ({ name, section: '.maps', source: 'btf', type, keySize, valueSize, maxEntries: 4, flags: 0, pinning: 'none' }) as const;
    // queue and stack maps have no key (key size 0); a perf event array without max_entries gets one per CPU
    const spec: ObjectSpec = { ...base, maps: [...base.maps, extra('q', 22, 0, 4), extra('s', 23, 0, 8), { ...extra('perf', 4, 4, 4), maxEntries: 0 }] };
    using coll = loadCollection(spec);
    expect([...coll.maps.keys()].sort()).toEqual(expect.arrayContaining(['cidrs', 'events', 'flows', 'inner_a', 'outer', 'q', 's', 'perf']));
    expect(mapGetInfo(coll.maps.get('perf')!).maxEntries).toBe(possibleCpus());
    // the prog array holds tail_target, the array of maps inner_a
    expect(mapLookup(coll.maps.get('outer')!, new Uint8Array(4))).toBeDefined();
    coll.close();
    fds.assertAllClosed();
  });

  const setpriv = (() => {
    try {
      execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
      return { ok: true, reason: '' };
    } catch {
      return { ok: false, reason: 'setpriv (util-linux) is not available' };
    }
  })();

  it.skipIf(!available('loader reduced privileges', setpriv))('without capabilities, loading gives one clear error', () => {
    const child = fileURLToPath(new URL('./load-eperm.child.ts', import.meta.url));
    const out = execFileSync(
      'setpriv',
      ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', 'npx', 'tsx', child, join(repoRoot, 'test/fixtures/xdp_firewall.o')],
      { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const result = JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as { name: string; code: string; message: string };
    expect(result.code).toBe('EPERM');
    expect(result.message).toMatch(/: operation not permitted \(needs CAP_BPF or CAP_SYS_ADMIN/);
    expect(result.message.split('\n')).toHaveLength(1);
  });
});
