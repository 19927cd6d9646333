// readObject() on real objects (the ebpf-samples corpus and test/fixtures), facts checked against the fixtures'
// C sources, and malformed objects built by editing a fixture's ELF spec. Cross-checks against llvm-objdump-19,
// llvm-readelf-19 and bpftool are in read-object.oracle.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readElf, SHT_PROGBITS, SHF_ALLOC, SHF_WRITE, STB_GLOBAL, STT_OBJECT, STT_SECTION } from '../../../bpf/elf/index.ts';
import { ObjectFormatError, readObject, type ObjectSpec } from '../../../bpf/object/index.ts';
import { repoRoot } from '../../corpora.ts';
import {
  allObjects,
  dropSections,
  errorOf,
  fixtureBytes,
  fixtureNames,
  fixtureSource,
  mutateFixture,
  readBytes,
  relocationsOf,
  sampleObjects,
  sectionOf,
  specProblems,
  symbolIndex,
  unclearError,
} from './support.ts';

/** Objects readObject() rejects today, and the start of each message: all under invalid/, none elsewhere. */
const KNOWN_INVALID: Readonly<Record<string, RegExp>> = {
  // st_info/st_other/st_shndx of a symbol read as one huge size: rejected by readElf
  'ebpf-samples/invalid/badsymsize.o': /^section \.symtab: /,
  // an ld_imm64 whose dst register is r15
  'ebpf-samples/invalid/invalid-lddw.o': /^section \.text: instruction 1: invalid dst register r15 \(opcode 0x18\)$/,
};

function tryRead(bytes: Uint8Array): ObjectSpec | Error {
  try {
    return readObject(bytes);
  } catch (e) {
    return e as Error;
  }
}

describe('readObject() on every object', () => {
  it('finds the corpus and the fixtures', () => {
    expect(sampleObjects.length).toBeGreaterThanOrEqual(140);
    // others may come: every fixture goes through the generic checks, the ones below through specific ones too
    expect(fixtureNames).toEqual(expect.arrayContaining(['atomics', 'globals', 'maps', 'socket_filter', 'subprogs', 'tc_mark', 'xdp_firewall', 'xdp_pass']));
  });

  it('readObject() rejects exactly the known invalid objects', () => {
    const failing = allObjects.filter((o) => tryRead(readBytes(o.path)) instanceof Error).map((o) => o.name);
    expect(failing).toEqual(Object.keys(KNOWN_INVALID));
  });

  it.each(allObjects.map((o) => [o.name, o.path] as const))('readObject() of %s gives a spec or a clear error', (name, path) => {
    const result = tryRead(readBytes(path));
    if (result instanceof Error) {
      expect(unclearError(result), name).toBe('');
      expect(result.message).toMatch(KNOWN_INVALID[name] ?? /^$/);
      return;
    }
    expect(specProblems(result)).toEqual([]);
    for (const fn of result.functions) expect(fn.instructions.length, fn.name).toBeGreaterThan(0);
    // a spec is plain data: no file offsets, nothing aliasing the input
    for (const d of result.data) expect(d.data.length).toBe(d.size);
  });

  it('readObject() does not keep views of the bytes it was given', () => {
    const bytes = fixtureBytes('globals');
    const spec = readObject(bytes);
    const rodata = spec.data.find((d) => d.name === '.rodata')!;
    const before = [...rodata.data];
    bytes.fill(0xee);
    expect([...rodata.data]).toEqual(before);
  });
});

describe('readObject() on the fixtures, against their C sources', () => {
  const read = (name: string): ObjectSpec => readObject(fixtureBytes(name));

  // libbpf's section conventions (section → prog type, expected attach type), from enum bpf_prog_type and
  // enum bpf_attach_type in linux/bpf.h.
  const SECTION_TYPES: Readonly<Record<string, readonly [number, number | undefined]>> = {
    xdp: [6, 37], // BPF_PROG_TYPE_XDP, BPF_XDP
    tc: [3, undefined], // BPF_PROG_TYPE_SCHED_CLS
    'tcx/ingress': [3, 46], // BPF_TCX_INGRESS
    'tcx/egress': [3, 47], // BPF_TCX_EGRESS
    socket: [1, undefined], // BPF_PROG_TYPE_SOCKET_FILTER
    'cgroup_skb/ingress': [8, 0], // BPF_PROG_TYPE_CGROUP_SKB, BPF_CGROUP_INET_INGRESS
    'cgroup_skb/egress': [8, 1], // BPF_CGROUP_INET_EGRESS
  };

  /** The programs a fixture's source declares: `SEC("name")` followed by a function definition. */
  const declaredPrograms = (name: string): { name: string; section: string }[] =>
    [...fixtureSource(name).matchAll(/^SEC\("([^"]+)"\)\s*\n\s*(?:static\s+)?(?:__always_inline\s+)?\w+\s+(\w+)\s*\(/gm)].map((m) => ({
      name: m[2]!,
      section: m[1]!,
    }));

  it('the fixtures declare programs in known sections', () => {
    const all = fixtureNames.flatMap(declaredPrograms);
    expect(all.length).toBeGreaterThanOrEqual(fixtureNames.length);
    expect(all.map((p) => p.section)).toEqual(expect.arrayContaining(['xdp', 'tc', 'socket']));
  });

  it.each(fixtureNames)('readObject() of %s finds the programs its source declares, with their types', (name) => {
    const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name);
    const programs = read(name).programs;
    expect(programs.map((p) => ({ name: p.name, section: p.section })).sort(byName)).toEqual(declaredPrograms(name).sort(byName));
    for (const p of programs) {
      expect(p.function).toBe(p.name);
      const types = SECTION_TYPES[p.section];
      if (types) expect([p.type, p.expectedAttachType], p.name).toEqual(types);
    }
  });

  it('readObject() gives xdp, tc and socket programs their types', () => {
    const types = (name: string) => read(name).programs.map((p) => [p.name, p.section, p.type, p.expectedAttachType]);
    expect(types('xdp_pass')).toEqual([['xdp_pass', 'xdp', 6, 37]]);
    expect(types('tc_mark')).toEqual([['tc_mark', 'tc', 3, undefined]]);
    expect(types('socket_filter')).toEqual([['udp_only', 'socket', 1, undefined]]);
    expect(types('maps')).toEqual([
      ['tail_target', 'xdp', 6, 37],
      ['xdp_maps', 'xdp', 6, 37],
    ]);
    expect(types('subprogs')).toEqual([['xdp_calls', 'xdp', 6, 37]]); // .text functions are subprograms
  });

  it.each(fixtureNames)('readObject() of %s reads the license GPL, as the source declares', (name) => {
    expect(fixtureSource(name)).toContain('char _license[] SEC("license") = "GPL";');
    expect(read(name).license).toBe('GPL');
    expect(read(name).kernelVersion).toBeUndefined();
  });

  it('readObject() splits subprogs.o into its functions, global and static', () => {
    const spec = read('subprogs');
    expect(spec.functions.map((f) => [f.name, f.section, f.global])).toEqual([
      ['checksum', '.text', true],
      ['mix', '.text', false],
      ['add_index', '.text', false],
      ['xdp_calls', 'xdp', true],
    ]);
  });

  it('readObject() turns subprogs.o relocations and same-section calls into references', () => {
    const refs = Object.fromEntries(read('subprogs').functions.map((f) => [f.name, f.references]));
    expect(refs).toEqual({
      // call 0x1 in .text has no relocation: PC-relative to mix
      checksum: [{ slot: 5, ref: { kind: 'call', function: 'mix' } }],
      mix: [],
      add_index: [],
      xdp_calls: [
        { slot: 8, ref: { kind: 'func_addr', function: 'add_index' } }, // bpf_loop(10, add_index, …)
        { slot: 14, ref: { kind: 'map', map: 'sums' } },
        { slot: 21, ref: { kind: 'call', function: 'checksum' } },
      ],
    });
  });

  it('readObject() gives relocated instructions canonical immediates', () => {
    const spec = read('subprogs');
    const xdp = spec.functions.find((f) => f.name === 'xdp_calls')!;
    const at = (slot: number) => {
      let s = 0;
      return xdp.instructions.find((i) => (s += i.kind === 'lddw' ? 2 : 1) - (i.kind === 'lddw' ? 2 : 1) === slot);
    };
    expect(at(8)).toMatchObject({ kind: 'lddw', dst: 2, value: 0n }); // was 0x58, the offset of add_index in .text
    expect(at(21)).toMatchObject({ kind: 'call', target: 'local', imm: -1 });
    const checksum = spec.functions.find((f) => f.name === 'checksum')!;
    expect(checksum.instructions[5]).toMatchObject({ kind: 'call', target: 'local', imm: -1 }); // was +1
  });

  it('readObject() reads globals.o globals as map_value references with their offsets', () => {
    const spec = read('globals');
    expect(spec.functions[0]!.references).toEqual([
      { slot: 3, ref: { kind: 'map_value', map: '.bss', offset: 0 } }, // packets
      { slot: 7, ref: { kind: 'map_value', map: '.data', offset: 0 } }, // bytes
      { slot: 12, ref: { kind: 'map_value', map: '.rodata', offset: 4 } }, // the bpf_printk format
      { slot: 15, ref: { kind: 'map_value', map: '.rodata', offset: 14 } }, // greeting
      { slot: 19, ref: { kind: 'map_value', map: '.rodata', offset: 0 } }, // drop_len
    ]);
    expect(spec.maps).toEqual([]);
  });

  it('readObject() reads the initial values of globals.o data sections', () => {
    const data = Object.fromEntries(read('globals').data.map((d) => [d.name, d]));
    expect(Object.keys(data).sort()).toEqual(['.bss', '.data', '.rodata']);
    const le = (d: Uint8Array, at: number, size: 4 | 8): bigint =>
      size === 4 ? BigInt(new DataView(d.buffer, d.byteOffset).getUint32(at, true)) : new DataView(d.buffer, d.byteOffset).getBigUint64(at, true);
    const rodata = data['.rodata']!;
    expect(le(rodata.data, 0, 4)).toBe(100n); // const volatile __u32 drop_len = 100
    expect(new TextDecoder().decode(rodata.data.subarray(14, 20))).toBe('hello\0'); // static const char greeting[]
    expect(new TextDecoder().decode(rodata.data.subarray(4, 14))).toBe('%s len %u\0');
    expect(le(data['.data']!.data, 0, 8)).toBe(1n); // __u64 bytes = 1
    expect(data['.bss']).toMatchObject({ kind: 'bss', size: 8, data: new Uint8Array(8) }); // __u64 packets = 0
    expect(data['.rodata']!.variables.map((v) => [v.name, v.offset, v.size, v.global])).toEqual([
      ['drop_len', 0, 4, true],
      ['xdp_globals.__tsbpf_fmt', 4, 10, false],
      ['greeting', 14, 6, false],
    ]);
  });

  it('readObject() reads tc_mark.o globals in .bss and .rodata', () => {
    const spec = read('tc_mark');
    expect(spec.data.map((d) => [d.name, d.kind, d.size, [...d.data], d.variables.map((v) => v.name)])).toEqual([
      ['.bss', 'bss', 4, [0, 0, 0, 0], ['last_mark']],
      ['.rodata', 'rodata', 1, [0x28], ['new_tos']], // const volatile __u8 new_tos = 0x28
    ]);
    expect(spec.functions[0]!.references).toEqual([
      { slot: 11, ref: { kind: 'map_value', map: '.rodata', offset: 0 } },
      { slot: 19, ref: { kind: 'map_value', map: '.bss', offset: 0 } },
    ]);
  });

  it('readObject() reads maps.o map definitions as its source declares them', () => {
    const maps = Object.fromEntries(read('maps').maps.map((m) => [m.name, m]));
    expect(Object.keys(maps)).toEqual(['inner_a', 'outer', 'cidrs', 'flows', 'events', 'jumps']);
    const inner = { type: 2, keySize: 4, valueSize: 4, maxEntries: 4, flags: 0, source: 'btf', section: '.maps', pinning: 'none' };
    expect(maps['inner_a']).toMatchObject(inner); // BPF_MAP_TYPE_ARRAY
    expect(maps['outer']).toMatchObject({ type: 12, keySize: 4, valueSize: 4, maxEntries: 2, flags: 0 }); // ARRAY_OF_MAPS
    expect(maps['outer']!.inner).toMatchObject(inner);
    expect(maps['outer']!.initialSlots).toEqual([{ index: 0, target: 'inner_a' }]);
    expect(maps['cidrs']).toMatchObject({ type: 11, keySize: 8, valueSize: 4, maxEntries: 256, flags: 1 }); // LPM, NO_PREALLOC
    expect(maps['flows']).toMatchObject({ type: 9, keySize: 4, valueSize: 8, maxEntries: 128, flags: 0 }); // LRU_HASH
    expect(maps['events']).toMatchObject({ type: 27, keySize: 0, valueSize: 0, maxEntries: 4096 }); // RINGBUF
    expect(maps['jumps']).toMatchObject({ type: 3, keySize: 4, valueSize: 4, maxEntries: 2 }); // PROG_ARRAY
    expect(maps['jumps']!.initialSlots).toBeUndefined();
  });

  it('readObject() reads xdp_firewall.o maps and their uses', () => {
    const spec = read('xdp_firewall');
    expect(spec.maps.map((m) => [m.name, m.type, m.keySize, m.valueSize, m.maxEntries])).toEqual([
      ['blocked_ports', 1, 4, 4, 1024], // HASH, struct port_key
      ['verdicts', 6, 4, 8, 3], // PERCPU_ARRAY, V_MAX
    ]);
    const used = new Set(spec.functions.flatMap((f) => f.references.map((r) => (r.ref.kind === 'map' ? r.ref.map : ''))));
    expect([...used].sort()).toEqual(['blocked_ports', 'verdicts']);
  });

  it.each(fixtureNames)('every function of %s has line info pointing at its source', (name) => {
    const lines = fixtureSource(name).split('\n');
    const spec = read(name);
    expect(spec.functions.length).toBeGreaterThan(0);
    for (const fn of spec.functions) {
      expect(fn.lineInfo.length, fn.name).toBeGreaterThan(0);
      expect(fn.lineInfo[0]!.slot, fn.name).toBe(0);
      const slots = fn.instructions.reduce((n, i) => n + (i.kind === 'lddw' ? 2 : 1), 0);
      let previous = -1;
      for (const l of fn.lineInfo) {
        // -ffile-prefix-map=$PWD=. makes the recorded path relative to the repository
        expect(l.file).toMatch(new RegExp(`^(\\./)?test/fixtures/${name}\\.c$`));
        expect(readFileSync(join(repoRoot, l.file), 'utf8')).toBe(fixtureSource(name));
        expect(l.line).toBeGreaterThan(0);
        expect(lines[l.line - 1]?.trim(), `${fn.name} slot ${l.slot}`).toBe(l.text.trim());
        expect(l.slot).toBeGreaterThan(previous);
        expect(l.slot).toBeLessThan(slots);
        previous = l.slot;
      }
    }
  });

  it.each(fixtureNames)('every function of %s carries the BTF id of its FUNC', (name) => {
    const spec = read(name);
    for (const fn of spec.functions) {
      expect(fn.btfTypeId, fn.name).toBeDefined();
      expect(spec.btf!.typeById(fn.btfTypeId!)).toMatchObject({ kind: 'func', name: fn.name });
    }
  });
});

describe('readObject() rejects malformed objects with a clear error', () => {
  function rejects(bytes: Uint8Array, message: RegExp): void {
    const e = errorOf(() => readObject(bytes));
    expect(unclearError(e)).toBe('');
    expect(e.message).toMatch(message);
  }

  // subprogs.o's `.relxdp`: [0] 0x40 lddw r2, add_index (.text + 0x58); [1] 0x70 lddw r1, sums; [2] 0xa8 call checksum.

  it('readObject() rejects a relocation whose offset is not a multiple of 8', () => {
    const bytes = mutateFixture('subprogs', (s) => void (relocationsOf(s, 'xdp').entries[1]!.offset = 0x74));
    const e = errorOf(() => readObject(bytes));
    expect(e).toBeInstanceOf(ObjectFormatError);
    expect(e.message).toBe('section xdp: relocation at 0x74 is not at an instruction');
  });

  it('readObject() rejects a relocation on the second slot of an ld_imm64', () => {
    const bytes = mutateFixture('subprogs', (s) => void (relocationsOf(s, 'xdp').entries[1]!.offset = 0x78));
    expect(() => readObject(bytes)).toThrow(/^section xdp: instruction 15: relocation in the second slot of an ld_imm64$/);
  });

  it('readObject() rejects a relocation on an instruction that is neither a call nor an ld_imm64', () => {
    const bytes = mutateFixture('subprogs', (s) => void (relocationsOf(s, 'xdp').entries[1]!.offset = 0));
    rejects(bytes, /^section xdp: instruction 0: relocation against sums applies to an? alu instruction$/);
  });

  it('readObject() rejects a call relocation pointing into the middle of a function', () => {
    // call .text + (imm + 1) * 8 with imm 2: byte 0x18, inside checksum
    const bytes = mutateFixture('subprogs', (s) => {
      const text = symbolIndex(s, (y) => y.type === STT_SECTION && y.section === '.text');
      relocationsOf(s, 'xdp').entries[2]!.symbol = text;
      const xdp = sectionOf(s, 'xdp');
      new DataView(xdp.data.buffer, xdp.data.byteOffset).setInt32(21 * 8 + 4, 2, true);
    });
    rejects(bytes, /^section xdp: instruction 21: relocation against \.text points at 0x18 in \.text, which starts no function$/);
  });

  it('readObject() rejects a call relocation against a function symbol with an addend into its middle', () => {
    // call checksum with imm 0: (0 + 1) * 8 bytes past checksum's start
    const bytes = mutateFixture('subprogs', (s) => {
      const xdp = sectionOf(s, 'xdp');
      new DataView(xdp.data.buffer, xdp.data.byteOffset).setInt32(21 * 8 + 4, 0, true);
    });
    rejects(bytes, /^section xdp: instruction 21: relocation against checksum points at 0x8 in \.text, which starts no function$/);
  });

  it('readObject() rejects a same-section call into the middle of a function', () => {
    // checksum's `call 0x1` (to mix, instruction 7) turned into `call 0x2` (instruction 8)
    const bytes = mutateFixture('subprogs', (s) => {
      const text = sectionOf(s, '.text');
      new DataView(text.data.buffer, text.data.byteOffset).setInt32(5 * 8 + 4, 2, true);
    });
    rejects(bytes, /^section \.text: instruction 5: call to instruction 8, which starts no function$/);
  });

  it('readObject() rejects a relocation against a symbol in a section that holds no map, data or code', () => {
    const bytes = mutateFixture('subprogs', (s) => {
      relocationsOf(s, 'xdp').entries[1]!.symbol = symbolIndex(s, (y) => y.name === '_license');
    });
    rejects(bytes, /^section xdp: instruction 14: relocation against _license points into section license, which holds no map, data or code$/);
  });

  it('readObject() rejects a call relocation against a map', () => {
    const bytes = mutateFixture('subprogs', (s) => {
      relocationsOf(s, 'xdp').entries[2]!.symbol = symbolIndex(s, (y) => y.name === 'sums');
    });
    rejects(bytes, /^section xdp: instruction 21: relocation against sums in \.maps applies to a call$/);
  });

  it('readObject() rejects a relocation against a function on a helper call', () => {
    // `call 0xb5` (bpf_loop) relocated against checksum
    const bytes = mutateFixture('subprogs', (s) => {
      const checksum = symbolIndex(s, (y) => y.name === 'checksum');
      relocationsOf(s, 'xdp').entries.push({ offset: 11 * 8, symbol: checksum, type: 10, addend: 0 });
    });
    // the helper id (0xb5) reads as the call's addend, so the target lies past .text
    rejects(bytes, /^section xdp: instruction 11: relocation against checksum (points at 0x5b0 in \.text, which starts no function|.*helper call)$/);
  });

  // The null symbol (SHN_UNDEF, LOCAL, no name) is no extern: libbpf rejects relocations against it.
  it('readObject() rejects an ld_imm64 relocation against the null symbol', () => {
    const bytes = mutateFixture('subprogs', (s) => void (relocationsOf(s, 'xdp').entries[1]!.symbol = 0));
    rejects(bytes, /^section xdp: instruction 14: relocation /);
  });

  it('readObject() rejects a call relocation against the null symbol', () => {
    const bytes = mutateFixture('subprogs', (s) => void (relocationsOf(s, 'xdp').entries[2]!.symbol = 0));
    rejects(bytes, /^section xdp: instruction 21: relocation /);
  });

  it('readObject() rejects a FUNC symbol that is not at an instruction boundary', () => {
    const bytes = mutateFixture('subprogs', (s) => void (s.symbols[symbolIndex(s, (y) => y.name === 'mix')]!.value = 0x3c));
    rejects(bytes, /^section \.text: function mix starts at 0x3c, not at an instruction$/);
  });

  it('readObject() rejects a FUNC symbol past the end of its section', () => {
    const bytes = mutateFixture('subprogs', (s) => void (s.symbols[symbolIndex(s, (y) => y.name === 'add_index')]!.value = 0x80));
    rejects(bytes, /^section \.text: function add_index starts at 0x80, not at an instruction$/);
  });

  it('readObject() rejects a FUNC symbol on the second slot of an ld_imm64', () => {
    const bytes = mutateFixture('subprogs', (s) => {
      s.symbols.push({ name: 'inside', value: 9 * 8, size: 8, bind: STB_GLOBAL, type: 2, other: 0, section: 'xdp' });
    });
    rejects(bytes, /^section xdp: [\w]+ starts inside the ld_imm64 at instruction 8$/);
  });

  it('readObject() rejects an invalid opcode, naming the section and the instruction', () => {
    const bytes = mutateFixture('subprogs', (s) => void (sectionOf(s, 'xdp').data[3 * 8] = 0xff));
    const e = errorOf(() => readObject(bytes));
    expect(e).toBeInstanceOf(ObjectFormatError);
    expect(e.message).toMatch(/^section xdp: instruction 3: .*0xff/);
    expect(e.cause).toBeInstanceOf(RangeError);
  });

  it('readObject() rejects an invalid register inside .text, naming the instruction', () => {
    const bytes = mutateFixture('subprogs', (s) => void (sectionOf(s, '.text').data[12 * 8 + 1] = 0x3c)); // dst r12
    rejects(bytes, /^section \.text: instruction 12: invalid dst register r12 /);
  });

  it('readObject() rejects a program section whose size is not a multiple of 8', () => {
    const bytes = mutateFixture('xdp_pass', (s) => {
      const xdp = sectionOf(s, 'xdp');
      xdp.data = xdp.data.slice(0, xdp.data.length - 4);
      s.relocations = s.relocations.filter((r) => r.target !== '.BTF.ext');
    });
    rejects(bytes, /^section xdp: .*multiple of 8/);
  });

  it('readObject() rejects a .maps section without BTF', () => {
    const bytes = mutateFixture('subprogs', (s) => dropSections(s, '.BTF', '.BTF.ext'));
    const e = errorOf(() => readObject(bytes));
    expect(e).toBeInstanceOf(ObjectFormatError);
    expect(e.message).toBe('section .maps: BTF-defined maps need a .BTF section');
  });

  /** subprogs.o plus a legacy `maps` section of `size` bytes holding one map `tiny` of `symbolSize` bytes at `at`. */
  const withLegacyMap = (size: number, symbolSize: number, at = 0): Uint8Array =>
    mutateFixture('subprogs', (s) => {
      const data = new Uint8Array(size);
      new DataView(data.buffer).setUint32(0, 1, true); // BPF_MAP_TYPE_HASH
      s.sections.push({ name: 'maps', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addr: 0, link: 0, info: 0, addralign: 4, entsize: 0, data });
      if (symbolSize >= 0) s.symbols.push({ name: 'tiny', value: at, size: symbolSize, bind: STB_GLOBAL, type: STT_OBJECT, other: 0, section: 'maps' });
    });

  it('readObject() reads a legacy maps section added to a fixture', () => {
    expect(readObject(withLegacyMap(20, 20)).maps.at(-1)).toEqual({
      name: 'tiny',
      section: 'maps',
      source: 'legacy',
      type: 1,
      keySize: 0,
      valueSize: 0,
      maxEntries: 0,
      flags: 0,
      pinning: 'none',
    });
  });

  it('readObject() rejects a legacy map definition of 12 bytes', () => {
    rejects(withLegacyMap(12, 12), /^section maps: map tiny: definition of 12 bytes \(struct bpf_map_def needs at least 20, in 4-byte fields\)$/);
  });

  it('readObject() rejects a legacy map definition of 12 bytes given by the section size', () => {
    rejects(withLegacyMap(12, 0), /^section maps: map tiny: definition of 12 bytes /);
  });

  it('readObject() rejects a legacy map definition that runs past its section', () => {
    rejects(withLegacyMap(24, 20, 8), /^section maps: map tiny: definition lies outside the section$/);
  });

  it('readObject() rejects legacy map definitions without symbols', () => {
    rejects(withLegacyMap(20, -1), /^section maps: map definitions without symbols$/);
  });

  it('readObject() rejects a .values relocation in .maps that lands in a map without values', () => {
    // maps.o `.rel.maps`: 0x38 (outer + 24, values[0]) → inner_a; moved to 0x40, the start of cidrs
    const bytes = mutateFixture('maps', (s) => void (relocationsOf(s, '.maps').entries[0]!.offset = 0x40));
    rejects(bytes, /^section \.maps: relocation at 0x40: map cidrs has no values member$/);
  });

  it('readObject() rejects a .values relocation in .maps that is not at an element', () => {
    const bytes = mutateFixture('maps', (s) => void (relocationsOf(s, '.maps').entries[0]!.offset = 0x3c));
    rejects(bytes, /^section \.maps: relocation at 0x3c is not an element of outer\.values$/);
  });

  // libbpf: \".maps relo #0: '_license' isn't a BTF-defined map\"
  it('readObject() rejects a .values relocation against a symbol that is no map', () => {
    const bytes = mutateFixture('maps', (s) => {
      relocationsOf(s, '.maps').entries[0]!.symbol = symbolIndex(s, (y) => y.name === '_license');
    });
    rejects(bytes, /^section \.maps: .*_license/);
  });

  it('readObject() rejects a .values relocation against a section symbol', () => {
    const bytes = mutateFixture('maps', (s) => {
      relocationsOf(s, '.maps').entries[0]!.symbol = symbolIndex(s, (y) => y.type === STT_SECTION && y.section === 'xdp');
    });
    const result = tryRead(bytes);
    expect(result).toBeInstanceOf(Error);
  });

  it('readObject() rejects a truncated .BTF, naming .BTF and the reason', () => {
    const bytes = mutateFixture('subprogs', (s) => {
      const btf = sectionOf(s, '.BTF');
      btf.data = btf.data.slice(0, 100);
      s.relocations = s.relocations.filter((r) => r.target !== '.BTF');
    });
    const e = errorOf(() => readObject(bytes));
    expect(e).toBeInstanceOf(ObjectFormatError);
    expect(e.message).toMatch(/\.BTF: .*type section 0\+\d+ exceeds the 76 bytes after the header$/);
    expect(e.cause).toBeInstanceOf(RangeError);
  });

  it('readObject() rejects a .BTF cut inside its string section', () => {
    const bytes = mutateFixture('subprogs', (s) => {
      const btf = sectionOf(s, '.BTF');
      btf.data = btf.data.slice(0, btf.data.length - 7);
      s.relocations = s.relocations.filter((r) => r.target !== '.BTF');
    });
    expect(errorOf(() => readObject(bytes)).message).toMatch(/\.BTF: .*string section \d+\+\d+ exceeds the \d+ bytes after the header$/);
  });

  it('readObject() rejects a truncated .BTF.ext', () => {
    const bytes = mutateFixture('subprogs', (s) => {
      const ext = sectionOf(s, '.BTF.ext');
      ext.data = ext.data.slice(0, ext.data.length - 7);
      s.relocations = s.relocations.filter((r) => r.target !== '.BTF.ext');
    });
    expect(errorOf(() => readObject(bytes)).message).toMatch(/\.BTF\.ext: .*line_info .* exceeds the \d+ bytes after the header$/);
  });

  it('readObject() names a truncated .BTF as "section .BTF: …", once', () => {
    const bytes = mutateFixture('subprogs', (s) => {
      const btf = sectionOf(s, '.BTF');
      btf.data = btf.data.slice(0, 100);
      s.relocations = s.relocations.filter((r) => r.target !== '.BTF');
    });
    expect(errorOf(() => readObject(bytes)).message).toMatch(/^section \.BTF: (?!\.BTF)/);
  });

  it('random byte flips in a fixture give a clear error or a consistent spec', () => {
    // Flips land anywhere in the file or, more often, in the parts readObject() reads (headers, code,
    // relocations, symbols, BTF), not in the DWARF it ignores.
    const targets = fixtureNames.map((name) => {
      const bytes = fixtureBytes(name);
      const elf = readElf(bytes);
      const ranges: [number, number][] = elf.sections
        .filter((s) => s.index !== 0 && s.type !== 8 && s.size > 0 && !s.name.includes('debug'))
        .map((s) => [s.offset, s.size]);
      ranges.push([0, 64], [elf.header.shoff, elf.header.shnum * 64], [0, bytes.length]);
      return { name, bytes, ranges };
    });
    const outcomes = { specs: 0, errors: 0 };
    fc.assert(
      fc.property(
        fc.nat(targets.length - 1),
        fc.array(fc.record({ range: fc.nat(), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 4 }),
        (t, flips) => {
          const { bytes, ranges } = targets[t]!;
          const mutated = bytes.slice();
          for (const f of flips) {
            const [start, size] = ranges[f.range % ranges.length]!;
            mutated[start + (f.at % size)]! ^= f.xor;
          }
          const result = tryRead(mutated);
          if (result instanceof Error) {
            outcomes.errors++;
            expect(unclearError(result)).toBe('');
          } else {
            outcomes.specs++;
            expect(specProblems(result)).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(outcomes.errors).toBeGreaterThan(50);
    expect(outcomes.specs).toBeGreaterThan(10);
  });
});
