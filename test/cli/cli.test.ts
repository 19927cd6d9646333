// The tsbpf command as a user runs it: exit codes, readable errors, llvm-objdump-equal listings.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { disassembleObject } from '../../cli/disasm.ts';
import { inspectObject } from '../../cli/inspect.ts';
import { corpusDir, filesBelow, repoRoot } from '../corpora.ts';
import { available, llvmObjdump19 } from '../support/require.ts';

const fixtures = filesBelow(join(repoRoot, 'test/fixtures'), '.o');
const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-cli-'));

beforeAll(() => {
  execFileSync('node', ['scripts/build-cli.mjs'], { cwd: repoRoot });
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tsbpf = (...args: string[]) => {
  const r = spawnSync('node', [join(repoRoot, 'bin/tsbpf.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** Only the instruction lines (`  12:\ttext`), whitespace normalised, jump annotations dropped. */
const instructionLines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => /^\s*(\d+):\s+(?:(?:[0-9a-f]{2} )+\s*)?(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}: ${m[2]!.replace(/\s<[\w.$/-]+(\+0x[0-9a-f]+)?>\s*$/, '').replace(/\s+/g, ' ').trim()}`);

describe('tsbpf disasm', () => {
  const objects = [...fixtures, ...filesBelow(corpusDir('ebpf-samples'), '.o').filter((f) => !f.includes('/invalid/'))];
  const runObjdump = available('disasm vs llvm-objdump-19', llvmObjdump19);

  it.runIf(runObjdump).each(objects.map((f) => [f.slice(f.indexOf('/', repoRoot.length - 5) + 1), f]))(
    'lists %s exactly as llvm-objdump-19 -d does',
    (_n, file) => {
      const bytes = readFileSync(file);
      const ours = instructionLines(disassembleObject(bytes, readObject(bytes), { source: false }).join('\n'));
      const theirs = instructionLines(execFileSync('llvm-objdump-19', ['-d', '--mcpu=v4', '--no-show-raw-insn', file], { encoding: 'utf8', maxBuffer: 1 << 28 }));
      expect(ours.length).toBe(theirs.length);
      expect(ours).toEqual(theirs);
    },
  );

  it('prints one program with its subprograms and the source lines', () => {
    const r = tsbpf('disasm', join(repoRoot, 'test/fixtures/subprogs.o'), '--program', 'xdp_calls', '--source');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<xdp_calls>:');
    expect(r.stdout).toContain('<checksum>:');
    expect(r.stdout).toContain('<mix>:');
    expect(r.stdout).toContain('<add_index>:');
    expect(r.stdout).toMatch(/; \.\/test\/fixtures\/subprogs\.c:\d+: bpf_loop\(10, add_index, &lc, 0\);/);
    expect(r.stdout).toContain('map sums');
  });

  it('exits 2 naming the programs when --program is unknown', () => {
    const r = tsbpf('disasm', join(repoRoot, 'test/fixtures/xdp_pass.o'), '--program', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: no program or function nope (programs: xdp_pass)');
  });
});

describe('tsbpf inspect', () => {
  it('reports programs, maps and globals of a fixture as JSON', () => {
    const r = tsbpf('inspect', join(repoRoot, 'test/fixtures/xdp_firewall.o'), '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.license).toBe('GPL');
    expect(report.programs).toEqual([
      expect.objectContaining({ name: 'xdp_firewall', section: 'xdp', type: 'xdp', attachType: 'BPF_XDP' }),
    ]);
    expect(report.maps).toEqual([
      expect.objectContaining({ name: 'blocked_ports', type: 'hash', keySize: 4, valueSize: 4, maxEntries: 1024 }),
      expect.objectContaining({ name: 'verdicts', type: 'percpu_array', keySize: 4, valueSize: 8, maxEntries: 3 }),
    ]);
  });

  it('counts instructions as llvm-objdump numbers them and lists global data', () => {
    const bytes = readFileSync(join(repoRoot, 'test/fixtures/globals.o'));
    const report = inspectObject('globals.o', bytes, readObject(bytes));
    const listing = instructionLines(disassembleObject(bytes, readObject(bytes), { source: false }).join('\n'));
    expect(report.programs[0]!.instructions).toBe(Number(listing.at(-1)!.split(':')[0]) + 1);
    expect(report.globals.map((g) => g.section).sort()).toEqual(['.bss', '.data', '.rodata']);
    expect(report.globals.find((g) => g.section === '.bss')!.variables.map((v) => v.name)).toContain('packets');
  });

  it('prints a table for people', () => {
    const r = tsbpf('inspect', join(repoRoot, 'test/fixtures/maps.o'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cidrs\s+lpm_trie\s+8\s+4\s+256\s+BPF_F_NO_PREALLOC/);
    expect(r.stdout).toMatch(/outer\s+array_of_maps \(of array\)/);
  });
});

describe('bad input', () => {
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['text', new TextEncoder().encode('hello, world\n')],
    ['truncated', readFileSync(join(repoRoot, 'test/fixtures/xdp_firewall.o')).subarray(0, 300)],
  ];
  it.each(cases)('a %s file exits 2 with one readable line and no stack trace', (name, bytes) => {
    const file = join(tmp, `${name}.o`);
    writeFileSync(file, bytes);
    for (const cmd of ['inspect', 'disasm']) {
      const r = tsbpf(cmd, file);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a missing file exits 2', () => {
    const r = tsbpf('inspect', join(tmp, 'missing.o'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file');
  });

  it('a usage error exits 2', () => {
    expect(tsbpf('inspect').code).toBe(2);
    expect(tsbpf('frobnicate').code).toBe(2);
    expect(tsbpf('--help').code).toBe(0);
  });

  it('random files never crash the reader behind the CLI', () => {
    const base = readFileSync(join(repoRoot, 'test/fixtures/subprogs.o'));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), (flips) => {
        const bytes = Uint8Array.from(base);
        for (const [at, v] of flips) bytes[at] = v;
        let spec;
        try {
          spec = readObject(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message).not.toMatch(/Cannot read prop|undefined is not|Offset is outside/);
          return;
        }
        disassembleObject(bytes, spec, { source: true });
        inspectObject(basename('x.o'), bytes, spec);
      }),
      { numRuns: 300 },
    );
  });
});

describe('tsbpf metrics (the bundled CLI)', () => {
  it('serves /metrics with tsbpf_build_info naming the package version', async () => {
    const { spawn } = await import('node:child_process');
    const { get } = await import('node:http');
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    const child = spawn('node', [join(repoRoot, 'bin/tsbpf.mjs'), 'metrics', '--listen', '127.0.0.1:0'], { env: { ...process.env, TSBPF_STATE_DIR: join(tmp, 'no-state') } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += String(d);
          const m = /serving Prometheus metrics on (http:\S+)/.exec(err);
          if (m !== null) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
      });
      const body = await new Promise<string>((resolve, reject) => {
        get(url, (r) => {
          let text = '';
          r.on('data', (d: Buffer) => (text += String(d)));
          r.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toMatch(new RegExp(`^tsbpf_build_info\\{[^}]*version="${version.replace(/\./g, '\\.')}"[^}]*\\} 1$`, 'm'));
    } finally {
      child.kill();
    }
  });
});
