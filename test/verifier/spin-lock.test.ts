// bpf_spin_lock in map values: the real fixtures are accepted, hand-made misuses are refused at the kernel's
// instruction with its message (recorded from this machine's 6.18 kernel, `bpftool prog loadall`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { verify } from '../../verifier/index.ts';
import { repoRoot } from '../corpora.ts';
import { available, clang19 } from '../support/require.ts';

const run = available('verifier spin locks (clang-19)', clang19);

// the lock is not at offset 0, so an argument or access at the wrong offset is visible
const HEADER = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct account { __u64 pad; struct bpf_spin_lock lock; __u32 used; __u64 bytes; };
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 16); __type(key, __u32); __type(value, struct account); } accounts SEC(".maps");
char _license[] SEC("license") = "GPL";
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 key = ctx->ingress_ifindex & 15;
  struct account *a = bpf_map_lookup_elem(&accounts, &key);
  if (!a) return XDP_ABORTED;
`;

const CASES: readonly { name: string; body: string; insn?: number; line?: string }[] = [
  { name: 'a locked update is accepted', body: 'bpf_spin_lock(&a->lock); a->used++; bpf_spin_unlock(&a->lock); return XDP_PASS;' },
  { name: 'a helper reading the lock bytes through an unchecked pointer is accepted', body: 'long v[2]; bpf_probe_read_kernel(v, 8, &a->lock); return v[0];' },
  {
    name: 'returning with the lock held is refused', body: 'bpf_spin_lock(&a->lock); a->used++; return XDP_PASS;',
    insn: 19, line: 'BPF_EXIT instruction in main prog cannot be used inside bpf_spin_lock-ed region',
  },
  {
    name: 'a helper call under the lock is refused', body: 'bpf_spin_lock(&a->lock); a->used = bpf_get_prandom_u32(); bpf_spin_unlock(&a->lock); return XDP_PASS;',
    insn: 15, line: 'function calls are not allowed while holding a lock',
  },
  {
    name: 'taking the lock twice is refused as a call under the lock', body: 'bpf_spin_lock(&a->lock); bpf_spin_lock(&a->lock); bpf_spin_unlock(&a->lock); return XDP_PASS;',
    insn: 15, line: 'function calls are not allowed while holding a lock',
  },
  { name: 'reading the lock field is refused', body: 'return *(volatile __u32 *)&a->lock;', insn: 11, line: 'bpf_spin_lock cannot be accessed directly by load/store' },
  { name: 'writing the lock field is refused', body: '*(volatile __u32 *)&a->lock = 0; return XDP_PASS;', insn: 10, line: 'bpf_spin_lock cannot be accessed directly by load/store' },
  {
    name: 'a helper reading the whole value is refused', body: 'bpf_spin_lock(&a->lock); bpf_spin_unlock(&a->lock); return bpf_map_update_elem(&accounts, &key, a, 0);',
    insn: 23, line: 'bpf_spin_lock cannot be accessed directly by load/store',
  },
  {
    name: 'a lock argument at the wrong offset is refused', body: 'bpf_spin_lock((void *)&a->used); bpf_spin_unlock((void *)&a->used); return XDP_PASS;',
    insn: 13, line: "off 12 doesn't point to 'struct bpf_spin_lock' that is at 8",
  },
  { name: 'unlocking a lock not taken is refused', body: 'bpf_spin_unlock(&a->lock); return XDP_PASS;', insn: 12, line: 'bpf_spin_unlock without taking a lock' },
  {
    name: 'a lock on the stack is refused', body: 'struct bpf_spin_lock l = {}; bpf_spin_lock(&l); bpf_spin_unlock(&l); return XDP_PASS;',
    insn: 16, line: 'R1 type=fp expected=map_value, ptr_',
  },
];

describe.runIf(run)('verify() on bpf_spin_lock programs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-spin-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const compile = (name: string, source: string): Uint8Array => {
    const src = join(dir, `${name}.c`);
    const obj = join(dir, `${name}.o`);
    writeFileSync(src, source);
    execFileSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-nostdinc', '-I', join(repoRoot, 'bpf/include'), '-c', src, '-o', obj]);
    return readFileSync(obj);
  };

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_n, c, i) => {
    const r = verify(readObject(compile(`case${i}`, `${HEADER}${c.body}\n}\n`)));
    if (c.line === undefined) {
      expect(r.verdict, JSON.stringify(r.error ?? r.unsupported)).toBe('accept');
      return;
    }
    expect(r.verdict).toBe('reject');
    expect(r.error?.insn).toBe(c.insn);
    expect(r.error?.lines).toEqual([c.line]);
  });

  it('accepts the spin-lock corpus fixture', () => {
    const src = readFileSync(join(repoRoot, 'test/fixtures/corpus/xdp_spin_lock.c'), 'utf8');
    expect(verify(readObject(compile('xdp_spin_lock', src))).verdict).toBe('accept');
  });

  it('accepts the simulator queue fixture, whose map value holds a lock', () => {
    const r = verify(readObject(readFileSync(join(repoRoot, 'test/fixtures/sim_queue.o'))));
    expect(r.verdict, JSON.stringify(r.error ?? r.unsupported)).toBe('accept');
  });
});
