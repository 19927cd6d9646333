// The compiler on the corpus (test/fixtures/corpus): instruction slots of our objects (wasm clang + backend)
// against clang-19's for every program, with the total ratio (goal ≤ 1.15); compile time of the wasm path
// cold (the first compilation in this process: loading and compiling the WebAssembly included) and warm
// against native clang-19 on the same program, as ratios. Without the backend it times the IR step only.
import { readObject } from '../bpf/index.ts';
import { findNativeClang } from '../compiler/clang/native.ts';
import { instructionSlots } from '../test/compiler/equivalence.ts';
import { buildIr, buildNative, buildWasm, loadBackend } from '../test/compiler/equivalence-build.ts';
import { CORPUS } from '../test/fixtures/corpus/corpus.ts';
import type { Benchmark } from './benchmark.ts';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const bench: Benchmark = {
  title: 'compiler: wasm clang + backend against clang-19 on the corpus (instruction slots; compile time, cold and warm)',
  async run(progress) {
    if (findNativeClang() === undefined) throw new Error('compile bench: needs a native clang (clang-19) as the reference');
    const backend = await loadBackend();
    const notes: string[] = [];
    const rows: Record<string, string | number>[] = [];
    const first = CORPUS[0]!.name;

    // cold: the first wasm compilation of this process, before anything warmed the WebAssembly
    progress(`cold: ${first}`);
    const coldOurs = backend !== undefined ? (await buildWasm(first)).milliseconds : (await buildIr(first)).milliseconds;
    const coldNative = (await buildNative(first)).milliseconds;

    let clangTotal = 0;
    let oursTotal = 0;
    let compared = 0;
    const timeRatios: number[] = [];
    for (const p of CORPUS) {
      progress(p.name);
      // best of two for both, so a hiccup of the shared machine does not decide the ratio
      const natives = [await buildNative(p.name), await buildNative(p.name)];
      const nativeMs = Math.min(...natives.map((n) => n.milliseconds));
      const clangInsns = instructionSlots(readObject(natives[0]!.bytes));
      if (backend === undefined) {
        const irMs = Math.min((await buildIr(p.name)).milliseconds, (await buildIr(p.name)).milliseconds);
        timeRatios.push(irMs / nativeMs);
        rows.push({ program: p.name, 'insns clang-19': clangInsns, 'insns ours': '', ratio: '', 'clang-19 ms': nativeMs.toFixed(0), 'wasm IR ms': irMs.toFixed(0), 'time ratio': (irMs / nativeMs).toFixed(2) });
        continue;
      }
      let oursInsns: number | string = '';
      let ratio = '';
      const runs = [];
      try {
        runs.push(await buildWasm(p.name), await buildWasm(p.name));
        oursInsns = instructionSlots(readObject(runs[0]!.bytes));
        ratio = (oursInsns / clangInsns).toFixed(2);
        clangTotal += clangInsns;
        oursTotal += oursInsns;
        compared++;
      } catch (e) {
        notes.push(`${p.name}: ${(e as Error).message.split('\n')[0]}`);
        rows.push({ program: p.name, 'insns clang-19': clangInsns, 'insns ours': 'error', ratio: '', 'clang-19 ms': nativeMs.toFixed(0), 'wasm ms': '', 'of which backend': '', 'time ratio': '' });
        continue;
      }
      const best = runs.reduce((a, b) => (a.milliseconds <= b.milliseconds ? a : b));
      timeRatios.push(best.milliseconds / nativeMs);
      rows.push({
        program: p.name,
        'insns clang-19': clangInsns,
        'insns ours': oursInsns,
        ratio,
        'clang-19 ms': nativeMs.toFixed(0),
        'wasm ms': best.milliseconds.toFixed(0),
        'of which backend': best.backendMilliseconds.toFixed(1),
        'time ratio': (best.milliseconds / nativeMs).toFixed(2),
      });
    }
    if (backend === undefined) {
      notes.push('backend not available: compiler/backend/index.ts exports no compileIr; times are C to IR only');
    } else {
      notes.push(`instructions: ours ${oursTotal} / clang-19 ${clangTotal} = ${(oursTotal / clangTotal).toFixed(3)} (goal ≤ 1.15) over ${compared} programs`);
    }
    notes.push(`cold compile (${first}, first in this process): wasm ${coldOurs.toFixed(0)} ms vs clang-19 ${coldNative.toFixed(0)} ms = ${(coldOurs / coldNative).toFixed(1)}×`);
    notes.push(`warm compile: median time ratio wasm/clang-19 ${median(timeRatios).toFixed(2)}× (min ${Math.min(...timeRatios).toFixed(2)}, max ${Math.max(...timeRatios).toFixed(2)})`);
    const columns = backend === undefined
      ? ['program', 'insns clang-19', 'insns ours', 'ratio', 'clang-19 ms', 'wasm IR ms', 'time ratio']
      : ['program', 'insns clang-19', 'insns ours', 'ratio', 'clang-19 ms', 'wasm ms', 'of which backend', 'time ratio'];
    return { columns, rows, notes };
  },
};
export default bench;
