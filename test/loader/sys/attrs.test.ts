import { describe, expect, it } from 'vitest';
import {
  BpfCmd,
  LAYOUTS,
  decode,
  encode,
  layoutProblems,
  linkCreateAttr,
  mapCreateAttr,
  mapElemAttr,
  progInfoLayout,
  progLoadAttr,
  referencedBuffers,
  testRunAttr,
  type Layout,
} from '../../../loader/sys/index.ts';

// Struct sizes from include/uapi/linux/bpf.h as of Linux 6.18 (sizeof of each union bpf_attr member).
const EXPECTED_SIZES: Record<string, number> = {
  map_create: 96,
  map_elem: 32,
  prog_load: 168,
  obj: 24,
  prog_attach: 32,
  test: 80,
  get_id: 16,
  info: 16,
  btf_load: 40,
  link_create: 64,
  link_update: 16,
  link_detach: 4,
  query: 64,
  map_batch: 56,
  bpf_prog_info: 232,
  bpf_map_info: 104,
  bpf_link_info: 64,
};

const ALIGN = { u32: 4, s32: 4, u64: 8, ptr: 8, char: 1, u8: 1, pad: 1 } as const;

describe('attr layout table', () => {
  it('has the expected layouts with their kernel sizes', () => {
    expect(Object.fromEntries(LAYOUTS.map((l) => [l.name, l.size]))).toEqual(EXPECTED_SIZES);
  });

  describe.each(LAYOUTS.map((l) => [l.name, l] as const))('%s', (_name, layout: Layout) => {
    it('has strictly increasing offsets with no gaps, padding written out', () => {
      let end = 0;
      for (const f of layout.fields) {
        expect(f.offset, `${layout.name}.${f.name || 'pad'}`).toBe(end);
        expect(f.size).toBeGreaterThan(0);
        end = f.offset + f.size;
      }
    });

    it('has field sizes that sum to the struct size', () => {
      expect(layout.fields.reduce((sum, f) => sum + f.size, 0)).toBe(layout.size);
    });

    it('aligns every scalar naturally', () => {
      for (const f of layout.fields) expect(f.offset % ALIGN[f.kind], `${layout.name}.${f.name}`).toBe(0);
    });

    it('names every non-padding field once, aliases included', () => {
      const names = layout.fields.filter((f) => f.kind !== 'pad').flatMap((f) => [f.name, ...f.aliases]);
      expect(new Set(names).size).toBe(names.length);
      for (const f of layout.fields) expect(f.name === '').toBe(f.kind === 'pad');
    });

    it('passes layoutProblems()', () => {
      expect(layoutProblems(layout)).toEqual([]);
    });

    it('cites the kernel structure it mirrors and the commands using it', () => {
      expect(layout.mirrors).toMatch(/bpf_attr|struct bpf_/);
      expect(layout.commands.length).toBeGreaterThan(0);
      for (const c of layout.commands) expect(BpfCmd[c]).toBeTypeOf('number');
    });
  });

  it('layoutProblems() reports gaps, overlaps and a wrong total', () => {
    const problems = layoutProblems({
      name: 'broken',
      size: 16,
      fields: [
        { name: 'a', offset: 0, size: 4, kind: 'u32', aliases: [] },
        { name: 'b', offset: 8, size: 8, kind: 'u64', aliases: [] },
        { name: 'c', offset: 12, size: 4, kind: 'u32', aliases: [] },
      ],
    });
    expect(problems).toEqual(['broken.b: offset 8, expected 4', 'broken.c: offset 12, expected 16']);
    expect(layoutProblems({ name: 'short', size: 8, fields: [{ name: 'a', offset: 0, size: 4, kind: 'u32', aliases: [] }] })).toEqual(
      ['short: fields end at 4, struct size is 8'],
    );
  });
});

describe('BpfCmd', () => {
  it('numbers enum bpf_cmd densely from 0', () => {
    const values = Object.values(BpfCmd);
    expect([...values].sort((a, b) => a - b)).toEqual(values.map((_, i) => i));
    expect(BpfCmd.BPF_PROG_LOAD).toBe(5);
    expect(BpfCmd.BPF_LINK_CREATE).toBe(28);
  });
});

describe('encode()', () => {
  it('writes each field little endian at its table offset', () => {
    const attr = encode(mapCreateAttr, {
      map_type: 2,
      key_size: 4,
      value_size: 8,
      max_entries: 0x01020304,
      map_name: 'counters',
      map_extra: 0x1122334455667788n,
      map_token_fd: -1,
    });
    const v = new DataView(attr.buffer);
    expect(attr.byteLength).toBe(96);
    expect(v.getUint32(0, true)).toBe(2);
    expect(v.getUint32(4, true)).toBe(4);
    expect(v.getUint32(8, true)).toBe(8);
    expect(v.getUint32(12, true)).toBe(0x01020304);
    expect(new TextDecoder().decode(attr.subarray(28, 36))).toBe('counters');
    expect(attr[36]).toBe(0);
    expect(v.getBigUint64(64, true)).toBe(0x1122334455667788n);
    expect(v.getInt32(76, true)).toBe(-1);
  });

  it('leaves unset fields and padding zero', () => {
    const attr = encode(mapElemAttr, { map_fd: 0xffffffff });
    expect([...attr.subarray(4)].every((b) => b === 0)).toBe(true);
  });

  it('writes a union alias at the shared offset', () => {
    const a = encode(mapElemAttr, { map_fd: 3, key: 0x1000n, next_key: 0x2000n, flags: 2 });
    const b = encode(mapElemAttr, { map_fd: 3, key: 0x1000n, value: 0x2000n, flags: 2 });
    expect(a).toEqual(b);
    expect(new DataView(a.buffer).getBigUint64(16, true)).toBe(0x2000n);
    const link = encode(linkCreateAttr, { prog_fd: 1, target_ifindex: 7, relative_id: 9, expected_revision: 3 });
    expect(decode(linkCreateAttr, link)).toMatchObject({ target_fd: 7, relative_fd: 9, expected_revision: 3n });
  });

  it('writes null and raw addresses into pointer fields', () => {
    const attr = encode(testRunAttr, { prog_fd: 1, data_in: 0xdead0000n, data_out: null });
    const out = decode(testRunAttr, attr);
    expect(out.data_in).toBe(0xdead0000n);
    expect(out.data_out).toBe(0n);
    expect(referencedBuffers(attr)).toEqual([]);
  });

  it('rejects values that do not fit their field', () => {
    expect(() => encode(mapCreateAttr, { key_size: -1 })).toThrow(/map_create\.key_size: -1 is not a u32/);
    expect(() => encode(mapCreateAttr, { key_size: 2 ** 32 })).toThrow(RangeError);
    expect(() => encode(mapCreateAttr, { key_size: 1.5 })).toThrow(RangeError);
    expect(() => encode(mapCreateAttr, { map_token_fd: 2 ** 31 })).toThrow(/is not an s32/);
    expect(() => encode(mapCreateAttr, { map_extra: -1n })).toThrow(/is not a u64/);
    expect(() => encode(mapCreateAttr, { map_name: 'sixteen_chars_xx' })).toThrow(
      /map_create\.map_name: "sixteen_chars_xx" is 16 bytes, at most 15 fit/,
    );
  });

  it('rejects unknown field names at run time (and at compile time)', () => {
    // @ts-expect-error: not a field of map_elem
    expect(() => encode(mapElemAttr, { map_type: 1 })).toThrow(/map_elem: no field map_type/);
    // @ts-expect-error: a u32 field takes a number
    expect(() => encode(progLoadAttr, { insn_cnt: 'two' })).toThrow(RangeError);
  });
});

describe('decode()', () => {
  it('round-trips what encode() wrote', () => {
    const attr = encode(progLoadAttr, {
      prog_type: 6,
      insn_cnt: 2,
      insns: 0x1000n,
      license: 0x2000n,
      log_level: 2,
      prog_name: 'xdp_pass',
      expected_attach_type: 37,
      attach_btf_obj_fd: 5,
      keyring_id: -7,
    });
    expect(decode(progLoadAttr, attr)).toMatchObject({
      prog_type: 6,
      insn_cnt: 2,
      insns: 0x1000n,
      license: 0x2000n,
      log_level: 2,
      prog_name: 'xdp_pass',
      expected_attach_type: 37,
      attach_prog_fd: 5,
      keyring_id: -7,
      log_true_size: 0,
    });
  });

  it('reads byte arrays and names from an info struct', () => {
    const raw = new Uint8Array(progInfoLayout.size);
    raw.set([1, 2, 3, 4, 5, 6, 7, 8], 8);
    raw.set(new TextEncoder().encode('prog'), 64);
    const info = decode(progInfoLayout, raw);
    expect([...info.tag]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(info.name).toBe('prog');
  });

  it('rejects a buffer shorter than the layout', () => {
    expect(() => decode(progInfoLayout, new Uint8Array(100))).toThrow(/bpf_prog_info: 100 bytes, the layout needs 232/);
  });
});
