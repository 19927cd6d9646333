// The compiler corpus against native clang-19 and the kernel: every program of test/fixtures/corpus builds
// with clang-19 (-target bpf -O2 -g -mcpu=v3), the kernel accepts it (our loader), and the simulator gives
// BPF_PROG_TEST_RUN's return values, output packets, maps and globals on a fixed sample of its packets
// (CI_PACKETS; `npx tsx scripts/compiler-equivalence.ts --native` runs the full 500). Programs that need
// what the simulator lacks must say so in the manifest (simulatorPending).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileNative } from '../../compiler/clang/native.ts';
import { compareSides, observe, type Observation } from '../compiler/equivalence.ts';
import { CI_PACKETS, CORPUS, CORPUS_DIR, corpusSource, packetSeed, type CorpusProgram } from '../fixtures/corpus/corpus.ts';
import { corpusPackets } from '../fixtures/corpus/packets.ts';
import { repoRoot } from '../corpora.ts';
import { available, clang19, kernelBpf } from '../support/require.ts';

/** What the issue asks the corpus to cover, as the manifest's coverage tags. */
const REQUIRED_COVERAGE = [
  'xdp', 'tc', 'socket-filter', 'cgroup-skb', 'ethernet', 'vlan', 'ipv4', 'ipv6', 'tcp', 'udp', 'icmp',
  'array', 'percpu-array', 'hash', 'percpu-hash', 'lru-hash', 'lpm-trie', 'prog-array', 'ringbuf',
  'array-of-maps', 'hash-of-maps', 'pragma-unroll', 'bounded-loop', 'bpf-loop', 'noinline', 'five-arguments',
  'rodata', 'data', 'bss', 'struct', 'union', 'switch', 'l3-csum-replace', 'l4-csum-replace', 'csum-diff',
  'xdp-adjust-head', 'tail-call', 'co-re',
];

describe('the compiler corpus manifest', () => {
  const files = readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();

  it('lists every C file of test/fixtures/corpus once, and at least 40 of them', () => {
    expect(CORPUS.map((p) => p.name).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it('covers what the compiler issue asks for', () => {
    const covered = new Set(CORPUS.flatMap((p) => p.covers));
    expect(REQUIRED_COVERAGE.filter((c) => !covered.has(c))).toEqual([]);
  });

  it('gives every program a header comment saying what it covers', () => {
    for (const name of files) {
      const first = readFileSync(join(CORPUS_DIR, `${name}.c`), 'utf8').split('\n')[0]!;
      expect(first, name).toMatch(/^\/\/ \S.{20,}/);
    }
  });
});

const run = available('compiler corpus (clang-19 and the kernel)', clang19, kernelBpf);

describe.runIf(run)('the compiler corpus built by clang-19', () => {
  const objects = new Map<string, Uint8Array>();
  const figures: string[] = [];

  beforeAll(async () => {
    // two at a time: the machine has two cores, shared with other tests
    const queue = [...CORPUS];
    const worker = async (): Promise<void> => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        const { object } = await compileNative({ file: corpusSource(p.name), cwd: repoRoot });
        objects.set(p.name, object!);
      }
    };
    await Promise.all([worker(), worker()]);
  }, 120_000);

  it.each(CORPUS.map((p) => [p.name, p] as const))('%s builds with clang-19, loads in the kernel, and the simulator agrees with BPF_PROG_TEST_RUN', (_name, p: CorpusProgram) => {
    const object = objects.get(p.name);
    expect(object, 'clang-19 built it').toBeDefined();
    const packets = corpusPackets(p.packets, CI_PACKETS, packetSeed(p.name));
    const results: Observation[] = p.entries.map((entry) => observe(object!, entry, packets, { progType: p.progType, testRun: p.testRun, ...(p.preload ? { preload: p.preload } : {}) }));
    for (const o of results) {
      expect(o.verdict, `${p.name}: kernel verdict`).toEqual({ accepted: true });
      if (!p.testRun) {
        figures.push(`${p.name}: accepted (load only)`);
        continue;
      }
      const sim = o.simulator!;
      if ('pending' in sim) {
        // a simulator gap must be declared in the manifest
        expect(p.simulatorPending, `${p.name}: the simulator cannot run it (${sim.pending}) but the manifest does not say so`).toBeDefined();
        figures.push(`${p.name}/${o.entry}: accepted; simulator pending (${sim.pending})`);
        continue;
      }
      const ran = o.kernel!.outcomes.filter((x) => x.kind === 'ran').length;
      const diffs = compareSides(o, p.mask);
      figures.push(`${p.name}/${o.entry}: accepted; ${ran} packets compared, ${packets.length - ran} refused by the kernel, ${diffs.length} differences${p.simulatorPending ? ' (declared pending, runs now)' : ''}`);
      expect(diffs.slice(0, 5)).toEqual([]);
      expect(ran).toBeGreaterThan(0);
    }
  });

  it('reports its figures', () => {
    console.log(`compiler corpus, clang-19 objects, kernel vs simulator on ${CI_PACKETS} packets each:\n  ${figures.join('\n  ')}`);
    expect(figures.length).toBeGreaterThanOrEqual(CORPUS.length);
  });
});
