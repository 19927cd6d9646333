import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { verify, verifyAll } from '../../verifier/index.ts';
import { filesBelow, repoRoot } from '../corpora.ts';
import { ASM_CASES, asmSpec, PROFILE_CASES } from './cases.ts';

describe('verify() on assembled programs matches what the kernel said', () => {
  it.each([...ASM_CASES, ...PROFILE_CASES].map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const r = verify(asmSpec(c), c.profile !== undefined ? { profile: c.profile } : {});
    expect(r.verdict).toBe(c.verdict);
    if (c.verdict === 'reject') {
      expect(r.error?.lines).toEqual(c.lines);
      expect(r.error?.insn).toBe(c.insn);
    }
  });
});

/** The kernel's verdicts on the fixtures (test/oracle/verifier.test.ts checks them live). */
const FIXTURE_VERDICTS: Readonly<Record<string, { verdict: 'accept' | 'reject' | 'unsupported'; insn?: number; lines?: string[] }>> = {
  'bad_bounds.o/bad_bounds': {
    verdict: 'reject', insn: 11,
    lines: ['invalid access to packet, off=23 size=1, R1(id=0,off=23,r=14)', 'R1 offset is outside of the packet'],
  },
  'bad_helper_arg.o/bad_helper_arg': {
    verdict: 'reject', insn: 8, lines: ['R2 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_'],
  },
  'bad_map_oob.o/bad_map_oob': {
    verdict: 'reject', insn: 8,
    lines: ['invalid access to map value, value_size=8 off=8 size=8', 'R0 min value is outside of the allowed memory range'],
  },
  'bad_null_check.o/bad_null_check': { verdict: 'reject', insn: 7, lines: ["R0 invalid mem access 'map_value_or_null'"] },
};

describe('verify() on the fixtures', () => {
  const objects = filesBelow(join(repoRoot, 'test/fixtures'), '.o');
  for (const file of objects) {
    const spec = readObject(readFileSync(file));
    for (const r of verifyAll(spec)) {
      const key = `${basename(file)}/${r.program}`;
      const expected = FIXTURE_VERDICTS[key];
      it(`${key} is ${expected?.verdict ?? 'accepted (or unsupported, never rejected)'}`, () => {
        if (expected === undefined) {
          expect(r.verdict, JSON.stringify(r.error ?? r.unsupported)).not.toBe('reject');
          return;
        }
        expect(r.verdict).toBe(expected.verdict);
        expect(r.error?.insn).toBe(expected.insn);
        expect(r.error?.lines).toEqual(expected.lines);
      });
    }
  }
});

describe('verify() reports', () => {
  it('names the source line, section offset and registers of an error', () => {
    const spec = readObject(readFileSync(join(repoRoot, 'test/fixtures/bad_null_check.o')));
    const r = verify(spec);
    expect(r.error).toMatchObject({
      insn: 7,
      section: 'xdp',
      offset: 56,
      disassembly: 'r1 = *(u64 *)(r0 + 0x0)',
      source: { line: 17 },
      registers: 'R0=map_value_or_null(id=1,map=counts,ks=4,vs=8) R10=fp0',
    });
  });

  it('says unsupported, never accept, for program types it does not model', () => {
    const spec = readObject(readFileSync(join(repoRoot, 'test/fixtures/core_task.o')));
    expect(verify(spec).verdict).toBe('unsupported');
  });

  it('with linux-5.4 refuses helpers that kernel does not have, and says the profile is best effort', () => {
    const spec = readObject(readFileSync(join(repoRoot, 'test/fixtures/maps.o')));
    const ours = verify(spec, { program: 'xdp_maps' });
    const old = verify(spec, { program: 'xdp_maps', profile: 'linux-5.4' });
    expect(ours.verdict).toBe('accept');
    expect(old.verdict).toBe('reject');
    expect(old.error?.message).toBe('invalid func unknown#131');
    expect(old.bestEffort).toBe(true);
    expect(ours.bestEffort).toBeUndefined();
  });

  it('refuses indirect calls as Linux 6.18 does, before exploring', () => {
    const c = { name: 'callx', progType: 'xdp' as const, asm: 'r1 = 0\ncallx r1\nr0 = 0\nexit', verdict: 'reject' as const };
    const r = verify(asmSpec(c));
    expect(r.verdict).toBe('reject');
    expect(r.error?.lines).toEqual(['unknown opcode 8d']);
  });
});
