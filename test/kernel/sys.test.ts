// loader/sys against the running kernel: maps, program load and test run, verifier errors and logs,
// pins, BTF, links, attach, and the reduced-privilege error. Every test checks that it leaks no fd,
// both as Fd objects (trackFds) and as kernel descriptors (/proc/self/fd).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AttachFlag,
  BpfSyscallError,
  MapUpdateFlag,
  VerifierError,
  btfLoad,
  isBpffs,
  linkCreate,
  linkDetach,
  linkGetInfo,
  linkUpdate,
  mapCreate,
  mapDelete,
  mapFreeze,
  mapGetInfo,
  mapGetNextKey,
  mapLookup,
  mapUpdate,
  mapValueBufferSize,
  objGet,
  objGetFdById,
  objPin,
  possibleCpus,
  probeBpf,
  progAttach,
  progDetach,
  progGetInfo,
  progLoad,
  progTestRun,
  trackFds,
  type Fd,
  type FdTracker,
} from '../../loader/sys/index.ts';
import { available, kernelBpf } from '../support/require.ts';
// The attr table checked against vmlinux BTF (needs bpftool, not bpf(2)).
import './sys-attrs-btf.ts';

// probeBpf() only once the coarse check passed: it calls bpf(2).
const ok = available('loader/sys kernel', kernelBpf) && available('loader/sys kernel', probeBpf());

// ─── a tiny instruction encoder (struct bpf_insn: opcode, dst:4|src:4, off s16, imm s32) ─────────
function slot(opcode: number, dst: number, src: number, off: number, imm: number): number[] {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, opcode);
  v.setUint8(1, (src << 4) | dst);
  v.setInt16(2, off, true);
  v.setInt32(4, imm, true);
  return [...b];
}
const asm = {
  mov: (dst: number, imm: number) => slot(0xb7, dst, 0, 0, imm), // ALU64 | MOV | K
  movReg: (dst: number, src: number) => slot(0xbf, dst, src, 0, 0), // ALU64 | MOV | X
  add: (dst: number, imm: number) => slot(0x07, dst, 0, 0, imm), // ALU64 | ADD | K
  ldxw: (dst: number, src: number, off: number) => slot(0x61, dst, src, off, 0), // LDX | MEM | W
  ldxb: (dst: number, src: number, off: number) => slot(0x71, dst, src, off, 0), // LDX | MEM | B
  stw: (dst: number, off: number, imm: number) => slot(0x62, dst, 0, off, imm), // ST | MEM | W
  stb: (dst: number, off: number, imm: number) => slot(0x72, dst, 0, off, imm), // ST | MEM | B
  jgtReg: (dst: number, src: number, off: number) => slot(0x2d, dst, src, off, 0), // JMP | JGT | X
  jne: (dst: number, imm: number, off: number) => slot(0x55, dst, 0, off, imm), // JMP | JNE | K
  jeq: (dst: number, imm: number, off: number) => slot(0x15, dst, 0, off, imm), // JMP | JEQ | K
  lockAdd64: (dst: number, src: number, off: number) => slot(0xdb, dst, src, off, 0), // STX | ATOMIC | DW, imm BPF_ADD
  call: (helper: number) => slot(0x85, 0, 0, 0, helper),
  exit: () => slot(0x95, 0, 0, 0, 0),
  // ld_imm64 with src BPF_PSEUDO_MAP_FD (1): two slots
  ldMapFd: (dst: number, fd: number) => [...slot(0x18, dst, 1, 0, fd), ...slot(0, 0, 0, 0, 0)],
};
const program = (...slots: number[][]): Uint8Array => Uint8Array.from(slots.flat());

const MAP_HASH = 1;
const MAP_ARRAY = 2;
const MAP_PERCPU_ARRAY = 6;
const MAP_LPM_TRIE = 11;
const PROG_SOCKET_FILTER = 1;
const PROG_SCHED_CLS = 3;
const PROG_XDP = 6;
const ATTACH_XDP = 37;
const ATTACH_TCX_INGRESS = 46;
const XDP_DROP = 1;
const XDP_PASS = 2;
const XDP_TX = 3;

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const u64 = (n: bigint): Uint8Array => new Uint8Array(new BigUint64Array([n]).buffer);
const readU64 = (b: Uint8Array | undefined): bigint | undefined =>
  b === undefined ? undefined : new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);

/** r0 = XDP_PASS; exit */
const PASS = program(asm.mov(0, XDP_PASS), asm.exit());

/** XDP_DROP when the packet's first byte is 0xff, else XDP_PASS (bounds-checked against data_end). */
const DROP_FF = program(
  asm.ldxw(2, 1, 0), // 0: r2 = ctx->data
  asm.ldxw(3, 1, 4), // 1: r3 = ctx->data_end
  asm.movReg(4, 2), //  2: r4 = r2
  asm.add(4, 1), //     3: r4 += 1
  asm.jgtReg(4, 3, 4), // 4: if r4 > r3 goto 9
  asm.ldxb(5, 2, 0), // 5: r5 = *(u8 *)(r2 + 0)
  asm.jne(5, 0xff, 2), // 6: if r5 != 0xff goto 9
  asm.mov(0, XDP_DROP), // 7
  asm.exit(), //        8
  asm.mov(0, XDP_PASS), // 9
  asm.exit(), //        10
);

/** Writes 0xaa over the first byte and returns XDP_TX. */
const WRITE_AA = program(
  asm.ldxw(2, 1, 0),
  asm.ldxw(3, 1, 4),
  asm.movReg(4, 2),
  asm.add(4, 1),
  asm.jgtReg(4, 3, 3), // 4: if r4 > r3 goto 8
  asm.stb(2, 0, 0xaa), // 5: *(u8 *)(r2 + 0) = 0xaa
  asm.mov(0, XDP_TX), //  6
  asm.exit(), //          7
  asm.mov(0, XDP_PASS), // 8
  asm.exit(), //          9
);

/** Increments the u64 at key 0 of the array `mapFd`, returns XDP_PASS. */
function counter(mapFd: number): Uint8Array {
  return program(
    asm.stw(10, -4, 0), //   0: *(u32 *)(r10 - 4) = 0
    asm.movReg(2, 10), //    1: r2 = r10
    asm.add(2, -4), //       2: r2 += -4
    asm.ldMapFd(1, mapFd), // 3-4: r1 = map
    asm.call(1), //          5: r0 = bpf_map_lookup_elem(r1, r2)
    asm.jeq(0, 0, 2), //     6: if r0 == 0 goto 9
    asm.mov(1, 1), //        7: r1 = 1
    asm.lockAdd64(0, 1, 0), // 8: lock *(u64 *)(r0 + 0) += r1
    asm.mov(0, XDP_PASS), // 9
    asm.exit(), //           10
  );
}

/** Open bpf descriptors of this process, from the kernel's point of view. */
function bpfFds(): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${name}`);
      if (/^anon_inode:(bpf|btf)/.test(target)) out.push(`${name} ${target}`);
    } catch {
      // closed while listing
    }
  }
  return out;
}

describe.skipIf(!ok)('loader/sys on the kernel', () => {
  let tracker: FdTracker;
  let before: string[];

  beforeEach(() => {
    tracker = trackFds();
    before = bpfFds();
  });

  afterEach(() => {
    tracker.stop();
    const leaked = tracker.open();
    for (const fd of leaked) fd.close();
    expect(leaked.map(String), 'Fds left open').toEqual([]);
    expect(bpfFds(), 'kernel bpf descriptors').toEqual(before);
  });

  describe('maps', () => {
    it('array: update, lookup, get_next_key; out-of-range keys are clear errors', () => {
      using m = mapCreate({ type: MAP_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'arr' });
      expect(mapLookup(m, u32(2))).toEqual(new Uint8Array(8));
      mapUpdate(m, u32(2), u64(0x1122334455667788n));
      expect(readU64(mapLookup(m, u32(2)))).toBe(0x1122334455667788n);
      expect(mapLookup(m, u32(4))).toBeUndefined();
      expect(() => mapUpdate(m, u32(4), u64(1n))).toThrow(
        'map update arr: argument list too long (key outside the array, or the map is full)',
      );
      expect(() => mapDelete(m, u32(0))).toThrow(/^map delete arr: invalid argument/);
      const keys: number[] = [];
      for (let k = mapGetNextKey(m, undefined); k; k = mapGetNextKey(m, k)) keys.push(new DataView(k.buffer).getUint32(0, true));
      expect(keys).toEqual([0, 1, 2, 3]);
      expect(mapGetInfo(m)).toMatchObject({ type: MAP_ARRAY, keySize: 4, valueSize: 8, maxEntries: 4, name: 'arr' });
    });

    it('array: a key or value of the wrong size is refused before the kernel sees it', () => {
      using m = mapCreate({ type: MAP_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'sizes' });
      expect(() => mapLookup(m, new Uint8Array(2))).toThrow('map lookup sizes: key is 2 bytes, the map\'s key size is 4');
      expect(() => mapUpdate(m, u32(0), u32(1))).toThrow('map update sizes: value is 4 bytes, expected 8');
    });

    it('hash: NOEXIST/EXIST flags, delete, and iteration over all keys', () => {
      using m = mapCreate({ type: MAP_HASH, keySize: 4, valueSize: 4, maxEntries: 8, name: 'hash' });
      expect(mapLookup(m, u32(7))).toBeUndefined();
      mapUpdate(m, u32(7), u32(70), MapUpdateFlag.NOEXIST);
      const exists = (() => {
        try {
          mapUpdate(m, u32(7), u32(71), MapUpdateFlag.NOEXIST);
        } catch (e) {
          return e;
        }
      })();
      expect(exists).toBeInstanceOf(BpfSyscallError);
      expect(exists).toMatchObject({
        command: 'BPF_MAP_UPDATE_ELEM',
        code: 'EEXIST',
        errno: 17,
        message: 'map update hash: file exists (key exists and BPF_NOEXIST was given)',
      });
      expect(() => mapUpdate(m, u32(8), u32(80), MapUpdateFlag.EXIST)).toThrow(
        'map update hash: no such file or directory (key missing and BPF_EXIST was given)',
      );
      mapUpdate(m, u32(8), u32(80));
      mapUpdate(m, u32(9), u32(90));
      const keys = new Set<number>();
      for (let k = mapGetNextKey(m, undefined); k; k = mapGetNextKey(m, k)) keys.add(new DataView(k.buffer).getUint32(0, true));
      expect([...keys].sort()).toEqual([7, 8, 9]);
      expect(mapDelete(m, u32(8))).toBe(true);
      expect(mapDelete(m, u32(8))).toBe(false);
      expect(mapLookup(m, u32(9))).toEqual(u32(90));
    });

    it('percpu array: one value per possible CPU, each padded to 8 bytes', () => {
      const cpus = possibleCpus();
      expect(mapValueBufferSize(MAP_PERCPU_ARRAY, 4)).toBe(cpus * 8);
      using m = mapCreate({ type: MAP_PERCPU_ARRAY, keySize: 4, valueSize: 4, maxEntries: 2, name: 'pcpu' });
      const value = new Uint8Array(cpus * 8);
      for (let cpu = 0; cpu < cpus; cpu++) new DataView(value.buffer).setUint32(cpu * 8, 100 + cpu, true);
      mapUpdate(m, u32(1), value);
      expect(mapLookup(m, u32(1))).toEqual(value);
      expect(mapLookup(m, u32(0))).toEqual(new Uint8Array(cpus * 8));
      expect(() => mapUpdate(m, u32(0), u32(1))).toThrow(
        `map update pcpu: value is 4 bytes, expected ${cpus * 8} (${cpus} cpus * round_up(4, 8))`,
      );
    });

    it('lpm trie: longest-prefix lookup and iteration', () => {
      // key: struct bpf_lpm_trie_key { __u32 prefixlen; __u8 data[4]; }
      const key = (prefix: number, ...ip: number[]): Uint8Array => Uint8Array.from([...u32(prefix), ...ip]);
      using m = mapCreate({ type: MAP_LPM_TRIE, keySize: 8, valueSize: 4, maxEntries: 16, flags: 1, name: 'cidrs' });
      mapUpdate(m, key(8, 10, 0, 0, 0), u32(1));
      mapUpdate(m, key(16, 10, 1, 0, 0), u32(2));
      expect(mapLookup(m, key(32, 10, 1, 2, 3))).toEqual(u32(2));
      expect(mapLookup(m, key(32, 10, 2, 0, 1))).toEqual(u32(1));
      expect(mapLookup(m, key(32, 11, 0, 0, 1))).toBeUndefined();
      let n = 0;
      for (let k = mapGetNextKey(m, undefined); k; k = mapGetNextKey(m, k)) n++;
      expect(n).toBe(2);
      expect(mapDelete(m, key(16, 10, 1, 0, 0))).toBe(true);
      expect(mapLookup(m, key(32, 10, 1, 2, 3))).toEqual(u32(1));
    });

    it('freeze: user space can no longer write, and is told why', () => {
      using m = mapCreate({ type: MAP_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: 'frozen' });
      mapUpdate(m, u32(0), u32(5));
      mapFreeze(m);
      expect(() => mapUpdate(m, u32(0), u32(6))).toThrow(
        'map update frozen: operation not permitted (the map is frozen or read-only from user space, or the process lacks CAP_BPF)',
      );
      expect(mapLookup(m, u32(0))).toEqual(u32(5));
    });

    it('bad attributes give EINVAL with a hint', () => {
      const e = (() => {
        try {
          mapCreate({ type: MAP_ARRAY, keySize: 4, valueSize: 4, maxEntries: 0, name: 'bad' });
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(BpfSyscallError);
      expect(e).toMatchObject({
        command: 'BPF_MAP_CREATE',
        code: 'EINVAL',
        message: 'map create bad: invalid argument (check map type, key/value sizes, max_entries, flags and name)',
      });
      expect(() => mapCreate({ type: 9999, keySize: 4, valueSize: 4, maxEntries: 1 })).toThrow(/^map create: invalid argument/);
    });

    it('a map opened by id has the same identity and shape', () => {
      using m = mapCreate({ type: MAP_HASH, keySize: 4, valueSize: 4, maxEntries: 2, name: 'byid' });
      mapUpdate(m, u32(1), u32(11));
      const { id } = mapGetInfo(m);
      using again = objGetFdById('map', id);
      expect(mapGetInfo(again)).toMatchObject({ id, name: 'byid' });
      expect(mapLookup(again, u32(1))).toEqual(u32(11));
    });
  });

  describe('programs', () => {
    it('loads r0 = 2; exit as XDP and test-runs it', () => {
      const { fd, log } = progLoad({ type: PROG_XDP, insns: PASS, license: 'GPL', name: 'pass' });
      using _prog = fd;
      expect(log).toEqual([]);
      const packet = Uint8Array.from({ length: 64 }, (_, i) => i);
      const run = progTestRun(fd, { data: packet, repeat: 3 });
      expect(run.retval).toBe(XDP_PASS);
      expect(run.data).toEqual(packet);
      expect(run.ctx).toBeUndefined();
      expect(run.duration).toBeGreaterThanOrEqual(0);
      expect(progGetInfo(fd)).toMatchObject({ type: PROG_XDP, name: 'pass', xlatedProgLen: 16, mapIds: [] });
    });

    it('passes a context in and gets it back (ctx_in/ctx_out)', () => {
      using prog = progLoad({ type: PROG_XDP, insns: PASS, license: 'GPL', name: 'ctx' }).fd;
      // struct xdp_md { data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex }
      const ctx = new Uint8Array(24);
      new DataView(ctx.buffer).setUint32(4, 20, true); // data_end = packet length
      const run = progTestRun(prog, { data: new Uint8Array(20), ctx });
      expect(run.retval).toBe(XDP_PASS);
      expect(run.ctx).toHaveLength(24);
      expect(new DataView(run.ctx?.buffer ?? new ArrayBuffer(8)).getUint32(4, true)).toBe(20);
      expect(() => progTestRun(prog, { data: new Uint8Array(20), ctx: new Uint8Array(24).fill(1) })).toThrow(
        /^test run program ctx: invalid argument$/,
      );
    });

    it('bounds-checks packet data and drops packets starting with 0xff', () => {
      using prog = progLoad({ type: PROG_XDP, insns: DROP_FF, license: 'GPL', name: 'drop_ff' }).fd;
      const packet = (first: number): Uint8Array => Uint8Array.from({ length: 14 }, (_, i) => (i === 0 ? first : i));
      expect(progTestRun(prog, { data: packet(0xff) }).retval).toBe(XDP_DROP);
      expect(progTestRun(prog, { data: packet(0xfe) }).retval).toBe(XDP_PASS);
      expect(progTestRun(prog, { data: packet(0x00) }).data).toEqual(packet(0x00));
    });

    it('returns the packet as the program rewrote it (data_out), growing data_out on ENOSPC', () => {
      using prog = progLoad({ type: PROG_XDP, insns: WRITE_AA, license: 'GPL', name: 'write_aa' }).fd;
      const packet = new Uint8Array(60).fill(1);
      const run = progTestRun(prog, { data: packet });
      expect(run.retval).toBe(XDP_TX);
      expect(run.data).toEqual(Uint8Array.from(packet, (b, i) => (i === 0 ? 0xaa : b)));
      expect(progTestRun(prog, { data: packet, dataOutSize: 4 }).data).toHaveLength(60);
    });

    it('resolves a map reference (ld_imm64 src=1) and counts runs in the map', () => {
      using counters = mapCreate({ type: MAP_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'counters' });
      using prog = progLoad({ type: PROG_XDP, insns: counter(counters.value), license: 'GPL', name: 'count' }).fd;
      const packet = new Uint8Array(14);
      expect(progTestRun(prog, { data: packet, repeat: 5 }).retval).toBe(XDP_PASS);
      expect(readU64(mapLookup(counters, u32(0)))).toBe(5n);
      progTestRun(prog, { data: packet });
      expect(readU64(mapLookup(counters, u32(0)))).toBe(6n);
      expect(progGetInfo(prog).mapIds).toEqual([mapGetInfo(counters).id]);
    });

    it('turns a verifier rejection into a VerifierError quoting the reason and instruction', () => {
      const e = (() => {
        try {
          progLoad({ type: PROG_XDP, insns: program(asm.movReg(0, 2), asm.exit()), license: 'GPL', name: 'bad_r2' });
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(VerifierError);
      expect(e).toBeInstanceOf(BpfSyscallError);
      const v = e as VerifierError;
      expect(v.log).toContain('R2 !read_ok');
      expect(v.message).toBe('load program bad_r2: instruction 0: R2 !read_ok');
      expect(v).toMatchObject({ command: 'BPF_PROG_LOAD', code: 'EACCES', insn: 0, reason: 'R2 !read_ok' });
    });

    it('returns the log on success when a log level is asked for, growing a tiny buffer on ENOSPC', () => {
      using counters = mapCreate({ type: MAP_ARRAY, keySize: 4, valueSize: 8, maxEntries: 1, name: 'counters' });
      const { fd, log } = progLoad({
        type: PROG_XDP,
        insns: counter(counters.value),
        license: 'GPL',
        name: 'logged',
        logLevel: 2,
        logSize: 128,
      });
      fd.close();
      expect(log.join('\n').length).toBeGreaterThan(128);
      expect(log.some((l) => l.startsWith('10: (95) exit'))).toBe(true);
      expect(log.at(-1)).toMatch(/^processed \d+ insns/);
      expect(log[0]).not.toMatch(/^processed/); // the start is there too: the buffer grew, nothing rotated out
    });

    it('keeps the reason when a rejected program logs at level 2 into a tiny buffer', () => {
      expect(() =>
        progLoad({
          type: PROG_XDP,
          insns: program(asm.mov(0, 0), asm.ldxb(0, 1, 0), asm.exit()), // xdp_md has no byte at 0
          license: 'GPL',
          name: 'bad_ctx',
          logLevel: 2,
          logSize: 128,
        }),
      ).toThrow(/^load program bad_ctx: instruction 1: invalid bpf_context access off=0 size=1$/);
    });

    it('reports failures without a verifier log as BpfSyscallError', () => {
      let e: unknown;
      try {
        progLoad({ type: 9999, insns: PASS, license: 'GPL', name: 'bad_type' });
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(BpfSyscallError);
      expect(e).not.toBeInstanceOf(VerifierError);
      expect((e as Error).message).toBe(
        'load program bad_type: invalid argument (check program type, expected attach type, flags and name)',
      );
      expect(() => progLoad({ type: PROG_XDP, insns: new Uint8Array(12), license: 'GPL' })).toThrow(
        'load program: 12 bytes of instructions is not a whole number of 8-byte slots',
      );
    });

    it('loads a socket filter and reports its xlated instructions', () => {
      using prog = progLoad({ type: PROG_SOCKET_FILTER, insns: PASS, license: 'GPL', name: 'sock' }).fd;
      const info = progGetInfo(prog, { xlatedInsns: true });
      expect(info.xlatedInsns).toEqual(PASS);
      expect(info.tag).toMatch(/^[0-9a-f]{16}$/);
      expect(info.gplCompatible).toBe(true);
    });
  });

  describe('pins', () => {
    // Pins go to /sys/fs/bpf when it is a bpffs; otherwise to a private bpffs mounted for this test.
    let dir = '/sys/fs/bpf';
    let mounted: string | undefined;
    const pin = (what: string): string => `${dir}/tsbpf-test-${process.pid}-${what}`;

    beforeAll(() => {
      if (isBpffs(dir)) return;
      mounted = mkdtempSync(join(tmpdir(), 'tsbpf-bpffs-'));
      execFileSync('mount', ['-t', 'bpf', 'bpf', mounted]);
      console.warn(`loader/sys pins: /sys/fs/bpf is not a bpffs; using a private bpffs at ${mounted}`);
      dir = mounted;
    });
    afterAll(() => {
      for (const what of ['map', 'prog']) rmSync(pin(what), { force: true });
      if (mounted !== undefined) {
        execFileSync('umount', [mounted]);
        rmdirSync(mounted);
      }
    });

    it('pins a map and a program on bpffs and opens them again', () => {
      using m = mapCreate({ type: MAP_HASH, keySize: 4, valueSize: 4, maxEntries: 2, name: 'pinned' });
      mapUpdate(m, u32(3), u32(33));
      objPin(m, pin('map'));
      try {
        using again = objGet(pin('map'));
        expect(mapGetInfo(again).id).toBe(mapGetInfo(m).id);
        expect(mapLookup(again, u32(3))).toEqual(u32(33));
        expect(() => objPin(m, pin('map'))).toThrow(`pin ${pin('map')}: file exists (the path is already pinned)`);
      } finally {
        rmSync(pin('map'));
      }
      using prog = progLoad({ type: PROG_XDP, insns: PASS, license: 'GPL', name: 'pinned' }).fd;
      objPin(prog, pin('prog'));
      try {
        using again = objGet(pin('prog'));
        expect(progGetInfo(again).id).toBe(progGetInfo(prog).id);
      } finally {
        rmSync(pin('prog'));
      }
      expect(() => objGet(pin('prog'))).toThrow(
        `get pinned ${pin('prog')}: no such file or directory (nothing is pinned at that path)`,
      );
    });

    it('says so when the pin path is not on a bpffs', () => {
      using m = mapCreate({ type: MAP_ARRAY, keySize: 4, valueSize: 4, maxEntries: 1, name: 'nofs' });
      const path = join(tmpdir(), `tsbpf-not-bpffs-${process.pid}`);
      expect(() => objPin(m, path)).toThrow(
        new RegExp(`^pin ${path}: .* \\(${tmpdir()} is not on a bpffs mount: mount -t bpf bpf <dir>\\)$`),
      );
    });
  });

  describe('btf', () => {
    /** Header, one type ([1] INT 'int' size 4, signed, 32 bits), strings "\0int\0". */
    function intBtf(magic = 0xeb9f): Uint8Array {
      const strings = new TextEncoder().encode('\0int\0');
      const out = new Uint8Array(24 + 16 + strings.length);
      const v = new DataView(out.buffer);
      v.setUint16(0, magic, true);
      v.setUint8(2, 1); // version
      v.setUint32(4, 24, true); // hdr_len
      v.setUint32(8, 0, true); // type_off
      v.setUint32(12, 16, true); // type_len
      v.setUint32(16, 16, true); // str_off
      v.setUint32(20, strings.length, true); // str_len
      v.setUint32(24, 1, true); // name_off "int"
      v.setUint32(28, 1 << 24, true); // info: kind BTF_KIND_INT
      v.setUint32(32, 4, true); // size
      v.setUint32(36, (1 << 24) | 32, true); // BTF_INT_SIGNED, 32 bits
      out.set(strings, 40);
      return out;
    }

    it('loads BTF and creates a map typed by it', () => {
      using btf = btfLoad(intBtf());
      using m = mapCreate({
        type: MAP_ARRAY,
        keySize: 4,
        valueSize: 4,
        maxEntries: 1,
        name: 'typed',
        btfFd: btf,
        btfKeyTypeId: 1,
        btfValueTypeId: 1,
      });
      const info = mapGetInfo(m);
      expect(info.btfId).toBeGreaterThan(0);
      expect(info).toMatchObject({ btfKeyTypeId: 1, btfValueTypeId: 1 });
    });

    it('reports bad BTF with the kernel log', () => {
      let e: unknown;
      try {
        btfLoad(intBtf(0x1234));
      } catch (err) {
        e = err;
      }
      expect(e).toBeInstanceOf(VerifierError);
      expect(e).toMatchObject({ command: 'BPF_BTF_LOAD', message: 'load btf: Invalid magic', code: 'EINVAL' });
      expect((e as VerifierError).log).toContain('magic: 0x1234');
    });
  });

  describe('links and attach', () => {
    const ipAvailable = (() => {
      try {
        execFileSync('ip', ['-V'], { stdio: 'ignore' });
        return { ok: true, reason: '' };
      } catch {
        return { ok: false, reason: 'ip (iproute2) is not available' };
      }
    })();
    const linksOk = available('loader/sys links', ipAvailable);
    const dev = `tsv${process.pid % 100000}a`;
    let ifindex = 0;

    beforeAll(() => {
      if (!linksOk) return;
      execFileSync('ip', ['link', 'add', dev, 'type', 'veth', 'peer', 'name', `tsv${process.pid % 100000}b`]);
      ifindex = Number(readFileSync(`/sys/class/net/${dev}/ifindex`, 'utf8'));
    });
    afterAll(() => {
      if (linksOk) execFileSync('ip', ['link', 'del', dev], { stdio: 'ignore' });
    });

    it.skipIf(!linksOk)('creates an XDP link, updates its program, and detaches it', () => {
      using p1 = progLoad({ type: PROG_XDP, insns: PASS, license: 'GPL', name: 'xdp_one' }).fd;
      using p2 = progLoad({ type: PROG_XDP, insns: DROP_FF, license: 'GPL', name: 'xdp_two' }).fd;
      using link = linkCreate({ prog: p1, target: ifindex, attachType: ATTACH_XDP });
      expect(linkGetInfo(link).progId).toBe(progGetInfo(p1).id);
      linkUpdate(link, p2, { oldProg: p1 });
      expect(linkGetInfo(link).progId).toBe(progGetInfo(p2).id);
      expect(() => linkUpdate(link, p1, { oldProg: p1 })).toThrow(
        "update link of program xdp_one: operation not permitted (old_prog is not the link's current program, or CAP_BPF is missing)",
      );
      linkDetach(link);
      expect(() => linkUpdate(link, p1)).toThrow(BpfSyscallError);
    });

    it.skipIf(!linksOk)('creates a tcx link, checking expected_revision', () => {
      using prog = progLoad({
        type: PROG_SCHED_CLS,
        insns: program(asm.mov(0, -1), asm.exit()), // TCX_NEXT
        license: 'GPL',
        name: 'tcx_next',
        expectedAttachType: ATTACH_TCX_INGRESS,
      }).fd;
      let stale: unknown;
      try {
        linkCreate({ prog, target: ifindex, attachType: ATTACH_TCX_INGRESS, expectedRevision: 1000 });
      } catch (e) {
        stale = e;
      }
      expect(stale).toMatchObject({
        code: 'ESTALE',
        message:
          'create link of program tcx_next (attach type 46): stale file handle (expected_revision does not match the attach point)',
      });
      using link = linkCreate({ prog, target: ifindex, attachType: ATTACH_TCX_INGRESS });
      expect(linkGetInfo(link).progId).toBe(progGetInfo(prog).id);
    });

    it.skipIf(!linksOk)('attaches and detaches tcx programs with BPF_PROG_ATTACH, relative to another', () => {
      const load = (name: string): Fd =>
        progLoad({
          type: PROG_SCHED_CLS,
          insns: program(asm.mov(0, -1), asm.exit()),
          license: 'GPL',
          name,
          expectedAttachType: ATTACH_TCX_INGRESS,
        }).fd;
      using first = load('tcx_first');
      using second = load('tcx_second');
      using unattached = load('tcx_none');
      progAttach({ prog: first, target: ifindex, attachType: ATTACH_TCX_INGRESS });
      try {
        expect(() =>
          progAttach({
            prog: second,
            target: ifindex,
            attachType: ATTACH_TCX_INGRESS,
            flags: AttachFlag.BEFORE,
            relative: unattached,
          }),
        ).toThrow(/^attach program \(attach type 46\): no such file or directory/);
        expect(() =>
          progAttach({ prog: second, target: ifindex, attachType: ATTACH_TCX_INGRESS, expectedRevision: 1000 }),
        ).toThrow(/stale file handle/);
        progAttach({ prog: second, target: ifindex, attachType: ATTACH_TCX_INGRESS, flags: AttachFlag.BEFORE, relative: first });
        progDetach({ prog: second, target: ifindex, attachType: ATTACH_TCX_INGRESS });
      } finally {
        progDetach({ prog: first, target: ifindex, attachType: ATTACH_TCX_INGRESS });
      }
      expect(() => progDetach({ prog: first, target: ifindex, attachType: ATTACH_TCX_INGRESS })).toThrow(
        /^detach program \(attach type 46\): no such file or directory/,
      );
    });
  });

  describe('privileges', () => {
    const setpriv = (() => {
      try {
        execFileSync('setpriv', ['--version'], { stdio: 'ignore' });
        return { ok: true, reason: '' };
      } catch {
        return { ok: false, reason: 'setpriv (util-linux) is not available' };
      }
    })();

    it.skipIf(!available('loader/sys reduced privileges', setpriv))(
      'without capabilities, bpf(2) fails with EPERM and says which capability is missing',
      () => {
        const child = fileURLToPath(new URL('./sys-eperm.child.ts', import.meta.url));
        const out = execFileSync(
          'setpriv',
          ['--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', 'npx', 'tsx', child],
          { cwd: fileURLToPath(new URL('../..', import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        );
        const result = JSON.parse(out.trim().split('\n').at(-1) ?? 'null') as Record<string, unknown>;
        expect(result).toEqual({
          map: {
            name: 'BpfSyscallError',
            code: 'EPERM',
            message:
              'map create counters: operation not permitted (needs CAP_BPF or CAP_SYS_ADMIN; kernels before 5.11 also need a large enough RLIMIT_MEMLOCK)',
          },
          prog: {
            name: 'BpfSyscallError',
            code: 'EPERM',
            message:
              'load program xdp_pass: operation not permitted (needs CAP_BPF, plus CAP_NET_ADMIN or CAP_PERFMON for most program types, or CAP_SYS_ADMIN)',
          },
          probe: {
            ok: false,
            reason: expect.stringMatching(/^bpf\(2\) probe: map create probe: operation not permitted/),
          },
        });
      },
    );
  });
});
