// Test support: running llvm-mc-19 and llvm-objdump-19, and reading the executable sections of an ELF object
// (a minimal reader of its own, so these tests do not depend on bpf/elf).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Facility } from '../../support/require.ts';

function probe(cmd: string): Facility {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return { ok: true, reason: '' };
  } catch {
    return { ok: false, reason: `${cmd} is not available` };
  }
}

export const llvmMc19: Facility = probe('llvm-mc-19');

/** Run `fn` with a fresh temporary directory, removed afterwards. */
export function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-asm-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Assemble `source` with llvm-mc-19 (bpfel, cpu v4); returns the object file's path. */
export function llvmMc(source: string, dir: string, name = 'input'): string {
  const s = join(dir, `${name}.s`);
  const o = join(dir, `${name}.o`);
  writeFileSync(s, source);
  try {
    execFileSync('llvm-mc-19', ['-triple', 'bpfel', '-mcpu=v4', '-filetype=obj', s, '-o', o], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
    throw new Error(`llvm-mc-19 failed: ${stderr.split('\n').slice(0, 6).join('\n')}`, { cause: e });
  }
  return o;
}

export interface DisassembledSection {
  readonly name: string;
  /** slot index → instruction text as printed (raw bytes not shown) */
  readonly lines: Map<number, string>;
}

/** `llvm-objdump-19 -d --mcpu=v4 --no-show-raw-insn`, one entry per "Disassembly of section" block. */
export function objdump(path: string): DisassembledSection[] {
  const out = execFileSync('llvm-objdump-19', ['-d', '--mcpu=v4', '--no-show-raw-insn', path], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const sections: DisassembledSection[] = [];
  for (const line of out.split('\n')) {
    const header = /^Disassembly of section (.*):$/.exec(line);
    if (header !== null) {
      sections.push({ name: header[1]!, lines: new Map() });
      continue;
    }
    const insn = /^\s*(\d+):\t(.*)$/.exec(line);
    if (insn !== null) sections[sections.length - 1]!.lines.set(Number(insn[1]), insn[2]!);
  }
  return sections;
}

/** Compare texts up to whitespace and llvm-objdump's trailing jump annotation (`<.text+0x28>`, `<LBB0_2>`). */
export const normalize = (text: string): string => text.replace(/\s+<[^<>]*>$/, '').replace(/\s+/g, ' ').trim();

export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly bytes: Uint8Array;
}

const SHT_PROGBITS = 1;
const SHF_EXECINSTR = 0x4;
const SHF_ALLOC = 0x2;

/**
 * The PROGBITS sections flagged AX (alloc + execute) of a little-endian ELF64 object, in section-header order.
 *
 *   Elf64_Ehdr: e_shoff u64 @0x28, e_shentsize u16 @0x3a, e_shnum u16 @0x3c, e_shstrndx u16 @0x3e
 *   Elf64_Shdr (64 bytes): sh_name u32 @0, sh_type u32 @4, sh_flags u64 @8, sh_offset u64 @24, sh_size u64 @32
 */
export function executableSections(file: Uint8Array): ElfSection[] {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: v.getUint32(at, true),
      type: v.getUint32(at + 4, true),
      flags: Number(v.getBigUint64(at + 8, true)),
      offset: Number(v.getBigUint64(at + 24, true)),
      size: Number(v.getBigUint64(at + 32, true)),
    };
  };
  const strtab = header(shstrndx);
  const nameAt = (off: number): string => {
    let end = strtab.offset + off;
    while (file[end] !== 0) end++;
    return new TextDecoder().decode(file.subarray(strtab.offset + off, end));
  };
  const out: ElfSection[] = [];
  for (let i = 1; i < shnum; i++) {
    const h = header(i);
    if (h.type !== SHT_PROGBITS || (h.flags & (SHF_ALLOC | SHF_EXECINSTR)) !== (SHF_ALLOC | SHF_EXECINSTR)) continue;
    out.push({ index: i, name: nameAt(h.name), bytes: file.slice(h.offset, h.offset + h.size) });
  }
  return out;
}

export const readObject = (path: string): Uint8Array => new Uint8Array(readFileSync(path));
