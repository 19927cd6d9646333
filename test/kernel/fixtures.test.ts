// The kernel oracle hook: every fixture, loaded by our loader, runs in this kernel exactly as the same
// object loaded by libbpf (bpftool prog loadall) does — same return values, same packets out.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject, writeObject } from '../../bpf/index.ts';
import { BpfSyscallError, loadCollection, objGet, ProgramLoadError, progTestRun, trackFds, type Fd } from '../../loader/index.ts';
import { filesBelow, repoRoot } from '../corpora.ts';
import { samplePackets } from '../support/packets.ts';
import { available, bpftool, kernelBpf } from '../support/require.ts';

const run = available('kernel fixtures', kernelBpf, bpftool);
// `bad_*` fixtures are written for the kernel to refuse (the verifier's negative cases).
const allFixtures = filesBelow(join(repoRoot, 'test/fixtures'), '.o');
const fixtures = allFixtures.filter((f) => !basename(f).startsWith('bad_'));
const badFixtures = allFixtures.filter((f) => basename(f).startsWith('bad_'));
const pinRoot = run ? mkdtempSync('/sys/fs/bpf/tsbpf-fixtures-') : '';
afterAll(() => {
  if (pinRoot) rmSync(pinRoot, { recursive: true, force: true });
});

// Program types BPF_PROG_TEST_RUN takes packets for.
const PACKET_TYPES = new Set([1 /* socket_filter */, 3 /* sched_cls */, 4 /* sched_act */, 6 /* xdp */, 8 /* cgroup_skb */]);

/** What a test run gives: return value and packet out, or the errno when the kernel refuses the input. */
function outcome(fd: Fd, data: Uint8Array): { retval: number; data: number[] } | { error: string } {
  try {
    const r = progTestRun(fd, { data });
    return { retval: r.retval, data: [...r.data] };
  } catch (e) {
    if (e instanceof BpfSyscallError) return { error: e.code };
    throw e;
  }
}

describe.runIf(run)('fixtures in the kernel', () => {
  it('found the fixtures', () => expect(fixtures.length).toBeGreaterThanOrEqual(8));

  it.each(fixtures.map((f) => [basename(f), f]))('%s loads with our loader and runs as libbpf loads it', (_n, file) => {
    using fds = trackFds();
    const spec = readObject(readFileSync(file));
    const pins = join(pinRoot, basename(file, '.o'));
    execFileSync('bpftool', ['prog', 'loadall', file, pins], { stdio: 'pipe' });
    const coll = loadCollection(spec);
    try {
      expect([...coll.programs.keys()].sort()).toEqual(spec.programs.map((p) => p.name).sort());
      for (const program of spec.programs) {
        if (!PACKET_TYPES.has(program.type ?? -1)) continue;
        const ours = coll.programs.get(program.name)!;
        const theirs = objGet(join(pins, program.name));
        try {
          for (const [name, packet] of Object.entries(samplePackets)) {
            expect({ packet: name, ...outcome(ours, packet) }).toEqual({ packet: name, ...outcome(theirs, packet) });
          }
        } finally {
          theirs.close();
        }
      }
    } finally {
      coll.close();
      rmSync(pins, { recursive: true, force: true });
    }
    fds.assertAllClosed();
  });

  it.each(fixtures.map((f) => [basename(f), f]))('%s rewritten by writeObject still loads with bpftool prog loadall', (_n, file) => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-rewrite-'));
    const pins = join(pinRoot, `rewritten-${basename(file, '.o')}`);
    try {
      const rewritten = join(dir, basename(file));
      writeFileSync(rewritten, writeObject(readObject(readFileSync(file))));
      execFileSync('bpftool', ['prog', 'loadall', rewritten, pins], { stdio: 'pipe' });
      const spec = readObject(readFileSync(file));
      for (const program of spec.programs) objGet(join(pins, program.name)).close();
    } finally {
      rmSync(pins, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(badFixtures.map((f) => [basename(f), f]))('%s is refused by the kernel through our loader and through libbpf', (_n, file) => {
    using fds = trackFds();
    const pins = join(pinRoot, basename(file, '.o'));
    expect(() => execFileSync('bpftool', ['prog', 'loadall', file, pins], { stdio: 'pipe' })).toThrow();
    rmSync(pins, { recursive: true, force: true });
    let error: unknown;
    try {
      loadCollection(readObject(readFileSync(file))).close();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProgramLoadError);
    expect((error as ProgramLoadError).verdict).toBe('rejected');
    fds.assertAllClosed();
  });
});
