// Shared helpers for the bpf/elf tests: the corpus, the llvm-readelf-19 oracle, error classification.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { corpusDir, filesBelow } from '../../corpora.ts';
import type { Facility } from '../../support/require.ts';
import type { ElfFileSpec } from '../../../bpf/elf/index.ts';

export const samplesDir = corpusDir('ebpf-samples');
export const sampleObjects: readonly string[] = filesBelow(samplesDir, '.o');
export const sampleName = (path: string): string => relative(samplesDir, path);
export const isInvalidSample = (path: string): boolean => sampleName(path).startsWith('invalid/');
export const readSample = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** llvm-readelf-19, the reference reader. */
export const llvmReadelf19: Facility = (() => {
  try {
    execFileSync('llvm-readelf-19', ['--version'], { stdio: 'ignore' });
    return { ok: true, reason: '' };
  } catch {
    return { ok: false, reason: 'llvm-readelf-19 is not available' };
  }
})();

/** The subset of llvm-readelf's JSON output (--elf-output-style=JSON -S -s -r) the tests compare. */
export interface ReadelfJson {
  readonly Sections: readonly {
    readonly Section: {
      readonly Index: number;
      readonly Name: { readonly Name: string; readonly Value: number };
      readonly Type: { readonly Value: number };
      readonly Flags: { readonly Value: number };
      readonly Address: number;
      readonly Offset: number;
      readonly Size: number;
      readonly Link: number;
      readonly Info: number;
      readonly AddressAlignment: number;
      readonly EntrySize: number;
    };
  }[];
  readonly Symbols?: readonly {
    readonly Symbol: {
      readonly Name: { readonly Name: string; readonly Value: number };
      readonly Value: number;
      readonly Size: number;
      readonly Binding: { readonly Value: number };
      readonly Type: { readonly Value: number };
      readonly Other: { readonly Value: number };
      readonly Section: { readonly Name: string; readonly Value: number };
    };
  }[];
  readonly Relocations?: readonly {
    readonly SectionIndex: number;
    readonly Relocs: readonly {
      readonly Relocation: {
        readonly Offset: number;
        readonly Type: { readonly Value: number };
        readonly Symbol: { readonly Name: string; readonly Value: number };
      };
    }[];
  }[];
}

/** Runs llvm-readelf-19 on a file (path) and parses its JSON output. */
export function readelfJson(path: string): ReadelfJson {
  const out = execFileSync('llvm-readelf-19', ['--elf-output-style=JSON', '-S', '-s', '-r', path], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const parsed = JSON.parse(out) as readonly ReadelfJson[];
  const first = parsed[0];
  if (first === undefined) throw new Error(`llvm-readelf-19 printed nothing for ${path}`);
  return first;
}

/** Runs llvm-readelf-19 with `args` on `path`; stdout and stderr (warnings) as text. */
export function readelfText(path: string, ...args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync('llvm-readelf-19', [...args, path], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`llvm-readelf-19 failed on ${path}: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** Messages a JS engine produces: a reader error carrying one of these is a crash, not a diagnosis. */
const ENGINE_MESSAGE =
  /DataView|out of bounds|outside the bounds|Cannot read|Cannot convert|undefined|is not a function|is not iterable|Invalid (typed )?array|Maximum call stack|BigInt/;

/**
 * Whether `e` is one of the reader's own diagnostics: a RangeError or TypeError whose lower-case
 * message starts with its context (`elf header: ...`, `section .text: ...`).
 */
export function isClearElfError(e: unknown): e is RangeError | TypeError {
  if (!(e instanceof RangeError || e instanceof TypeError)) return false;
  return /^(elf header|section)\b/.test(e.message) && !ENGINE_MESSAGE.test(e.message) && !e.message.endsWith('.');
}

/** `spec` with section data replaced by a digest, so that equality checks are cheap and readable. */
export function digestSpec(spec: ElfFileSpec): unknown {
  return {
    ...spec,
    sections: spec.sections.map((s) => ({
      ...s,
      data: `${s.data.length} bytes, sha256 ${createHash('sha256').update(s.data).digest('hex').slice(0, 16)}`,
    })),
  };
}

// --- A small hand-built object, for targeted corruptions ----------------------------------------

/** One 8-byte BPF instruction slot (opcode, regs, off, imm), little-endian. */
function slot(op: number, regs: number, off: number, imm: number): number[] {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint8(0, op);
  v.setUint8(1, regs);
  v.setInt16(2, off, true);
  v.setInt32(4, imm, true);
  return [...b];
}

/**
 * A relocatable object with .text (ld_imm64 of a map, a call to a local function, exit), `maps`,
 * `license`, `.bss` (NOBITS), symbols with a global listed before a local, and `.rel.text`.
 */
export function fixtureSpec(): ElfFileSpec {
  const text = new Uint8Array([
    ...slot(0x18, 0x01, 0, 0), // 0: r1 = map ll (R_BPF_64_64 -> my_map)
    ...slot(0x00, 0x00, 0, 0),
    ...slot(0x85, 0x10, 0, -1), // 2: call pc-relative (R_BPF_64_32 -> .text)
    ...slot(0x95, 0x00, 0, 0), // 3: exit
    ...slot(0xb7, 0x00, 0, 7), // 4: sub: r0 = 7
    ...slot(0x95, 0x00, 0, 0), // 5: exit
  ]);
  const section = (name: string, type: number, flags: number, data: Uint8Array, addralign: number) => ({
    name,
    type,
    flags,
    addr: 0,
    link: 0,
    info: 0,
    addralign,
    entsize: 0,
    data,
  });
  return {
    sections: [
      section('.text', 1, 0x6, text, 8),
      section('maps', 1, 0x3, new Uint8Array(20).fill(1), 4),
      section('license', 1, 0x3, new TextEncoder().encode('GPL\0'), 1),
      { ...section('.bss', 8, 0x3, new Uint8Array(0), 8), size: 16 },
    ],
    symbols: [
      { name: '', value: 0, size: 0, bind: 0, type: 0, other: 0, section: 0 },
      { name: 'fixture.c', value: 0, size: 0, bind: 0, type: 4, other: 0, section: 0xfff1 },
      { name: 'prog', value: 0, size: 32, bind: 1, type: 2, other: 0, section: '.text' }, // global before locals
      { name: '', value: 0, size: 0, bind: 0, type: 3, other: 0, section: '.text' },
      { name: 'sub', value: 32, size: 16, bind: 0, type: 2, other: 2, section: '.text' },
      { name: 'my_map', value: 0, size: 20, bind: 1, type: 1, other: 0, section: 'maps' },
      { name: '_license', value: 0, size: 4, bind: 1, type: 1, other: 0, section: 'license' },
      { name: 'counter', value: 8, size: 8, bind: 1, type: 1, other: 0, section: '.bss' },
    ],
    relocations: [
      {
        name: '.rel.text',
        target: '.text',
        rela: false,
        flags: 0x40,
        entries: [
          { offset: 0, symbol: 5, type: 1, addend: 0 },
          { offset: 16, symbol: 3, type: 10, addend: 0 },
        ],
      },
    ],
  };
}

/** Little-endian patches of a copy of `bytes`. */
export class Patcher {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(bytes: Uint8Array) {
    this.bytes = new Uint8Array(bytes);
    this.view = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number): this {
    this.view.setUint8(at, v);
    return this;
  }
  u16(at: number, v: number): this {
    this.view.setUint16(at, v, true);
    return this;
  }
  u32(at: number, v: number): this {
    this.view.setUint32(at, v, true);
    return this;
  }
  u64(at: number, v: bigint | number): this {
    this.view.setBigUint64(at, BigInt(v), true);
    return this;
  }
  get shoff(): number {
    return Number(this.view.getBigUint64(40, true));
  }
  /** File offset of field `fieldOffset` of section header `index`. */
  shdr(index: number, fieldOffset: number): number {
    return this.shoff + index * 64 + fieldOffset;
  }
}
