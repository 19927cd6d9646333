// Reading and disassembling every corpus object: tsbpf (in-process) against llvm-objdump-19 (a process per
// object, as a user runs it), measured in the same run.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { disassemble } from '../bpf/asm/index.ts';
import { readObject } from '../bpf/index.ts';
import { corpusDir, filesBelow } from '../test/corpora.ts';
import { medianMs, type Benchmark } from './benchmark.ts';

const bench: Benchmark = {
  title: 'disassemble the ebpf-samples corpus: tsbpf vs llvm-objdump-19',
  async run(progress) {
    const files = filesBelow(corpusDir('ebpf-samples'), '.o').filter((f) => !f.includes('/invalid/'));
    const bytes = files.map((f) => readFileSync(f));
    let instructions = 0;
    const ours = () => {
      instructions = 0;
      for (const b of bytes) {
        for (const fn of readObject(b).functions) instructions += disassemble(fn.instructions).length;
      }
    };
    progress(`tsbpf: ${files.length} objects`);
    const oursMs = await medianMs(5, ours);
    let llvmMs: number | undefined;
    try {
      progress('llvm-objdump-19');
      llvmMs = await medianMs(3, () => {
        for (const f of files) execFileSync('llvm-objdump-19', ['-d', '--mcpu=v4', f], { maxBuffer: 1 << 28 });
      });
    } catch {
      progress('llvm-objdump-19 is not available: ratio left out');
    }
    return {
      columns: ['tool', 'objects', 'instructions', 'median ms', 'ratio'],
      rows: [
        { tool: 'tsbpf', objects: files.length, instructions, 'median ms': oursMs.toFixed(1), ratio: '1.00' },
        ...(llvmMs !== undefined
          ? [{ tool: 'llvm-objdump-19', objects: files.length, instructions, 'median ms': llvmMs.toFixed(1), ratio: (llvmMs / oursMs).toFixed(2) }]
          : []),
      ],
      notes: ['ratio: time relative to tsbpf (above 1 means tsbpf is faster); llvm-objdump-19 pays a process start per object'],
    };
  },
};
export default bench;
