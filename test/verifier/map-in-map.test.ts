// Lookups in maps of maps: the result is the inner map (map_value_or_null until checked, then a map pointer
// usable with the inner map's helpers). Verdicts recorded from this machine's 6.18 kernel (`bpftool prog loadall`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { verify } from '../../verifier/index.ts';
import { corpusDir, repoRoot } from '../corpora.ts';
import { available, clang19 } from '../support/require.ts';

const run = available('verifier maps of maps (clang-19)', clang19);

const HEADER = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct inner { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); };
struct inner inner_a SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 2); __type(key, __u32); __array(values, struct inner); } outer SEC(".maps") = { .values = { &inner_a } };
char _license[] SEC("license") = "GPL";
SEC("xdp") int prog(struct xdp_md *ctx) {
  __u32 k = ctx->ingress_ifindex & 1, zero = 0;
  void *in = bpf_map_lookup_elem(&outer, &k);
`;

const CASES: readonly { name: string; body: string; insn?: number; lines?: string[]; profile?: string }[] = [
  { name: 'a lookup in the inner map after a null check is accepted', body: 'if (!in) return 0; __u64 *v = bpf_map_lookup_elem(in, &zero); if (!v) return 1; return *v;' },
  { name: 'an update of the inner map is accepted', body: 'if (!in) return 0; __u64 one = 1; return bpf_map_update_elem(in, &zero, &one, 0);' },
  {
    name: 'an inner map used before its null check is refused', body: '__u64 *v = bpf_map_lookup_elem(in, &zero); if (!v) return 1; return *v;',
    insn: 13, lines: ['R1 type=map_value_or_null expected=map_ptr'],
  },
  { name: 'a read through the unchecked result is refused', body: 'return *(volatile __u64 *)in;', insn: 8, lines: ["R0 invalid mem access 'map_value_or_null'"] },
  {
    name: 'an inner value read past its size is refused', body: 'if (!in) return 0; __u64 *v = bpf_map_lookup_elem(in, &zero); if (!v) return 1; return v[1];',
    insn: 17, lines: ['invalid access to map value, value_size=8 off=8 size=8', 'R0 min value is outside of the allowed memory range'],
  },
  {
    name: 'a write through the inner map pointer is refused', body: 'if (!in) return 0; *(volatile __u64 *)in = 1; return 2;',
    insn: 11, lines: ['only read from bpf_array is supported'],
  },
  {
    name: 'a write before the inner map struct is refused', body: 'if (!in) return 0; *(volatile __u64 *)((char *)in - 8) = 1; return 2;',
    insn: 11, lines: ['R0 is bpf_array invalid negative access: off=-8'],
  },
  {
    name: 'a write into a map struct without CAP_PERFMON is refused', body: 'if (!in) return 0; *(volatile __u64 *)in = 1; return 2;',
    insn: 11, lines: ["'struct bpf_array' access is allowed only to CAP_PERFMON and CAP_SYS_ADMIN"], profile: 'linux-6.18-bpf',
  },
];

describe.runIf(run)('verify() on maps of maps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-map-in-map-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const compile = (name: string, source: string): Uint8Array => {
    const src = join(dir, `${name}.c`);
    const obj = join(dir, `${name}.o`);
    writeFileSync(src, source);
    execFileSync('clang-19', ['-target', 'bpf', '-O2', '-g', '-mcpu=v3', '-nostdinc', '-I', join(repoRoot, 'bpf/include'), '-c', src, '-o', obj]);
    return readFileSync(obj);
  };

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', (_n, c, i) => {
    const r = verify(readObject(compile(`case${i}`, `${HEADER}${c.body}\n}\n`)), c.profile !== undefined ? { profile: c.profile } : {});
    if (c.insn === undefined) {
      expect(r.verdict, JSON.stringify(r.error ?? r.unsupported)).toBe('accept');
      return;
    }
    expect(r.verdict).toBe('reject');
    expect(r.error?.insn).toBe(c.insn);
    expect(r.error?.lines).toEqual(c.lines);
  });

  it.each(['xdp_array_of_maps', 'xdp_hash_of_maps'])('accepts the %s corpus fixture', (name) => {
    const src = readFileSync(join(repoRoot, `test/fixtures/corpus/${name}.c`), 'utf8');
    const r = verify(readObject(compile(name, src)));
    expect(r.verdict, JSON.stringify(r.error ?? r.unsupported)).toBe('accept');
  });
});

describe('verify() on legacy maps of maps', () => {
  const file = join(corpusDir('ebpf-samples'), 'build/map_in_map_legacy.o');
  it.runIf(existsSync(file))('takes the inner map of a legacy definition from inner_map_idx and accepts the program', () => {
    const r = verify(readObject(readFileSync(file)), { type: 'socket_filter' });
    expect(r.verdict, JSON.stringify(r.error ?? r.unsupported)).toBe('accept');
    expect(r.stats?.processed).toBe(17);
  });
});
