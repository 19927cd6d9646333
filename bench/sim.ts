// The reference interpreter on a loop-heavy program: instructions per second, and the same program under
// BPF_PROG_TEST_RUN (repeat N, the kernel's JIT) in the same run when the kernel is available.
import { assembleUbpf } from '../bpf/asm/index.ts';
import { encode } from '../bpf/index.ts';
import { compileProgram, Vm } from '../simulator/index.ts';
import { medianMs, type Benchmark } from './benchmark.ts';

const ITERATIONS = 10_000; // the verifier walks every iteration: 5 × 10,000 stays far below its 1M limit
const SOURCE = `
  mov %r0, 0
  mov %r1, 0
loop:
  add %r0, %r1
  xor %r0, 0x55
  lsh %r0, 1
  add %r1, 1
  jlt %r1, ${ITERATIONS}, loop
  mov %r1, %r0
  rsh %r1, 32
  xor %r0, %r1
  mov32 %r0, %r0
  exit`;
const BPF_PROG_TYPE_XDP = 6;

const bench: Benchmark = {
  title: `simulator: a ${ITERATIONS}-iteration ALU loop, reference interpreter vs BPF_PROG_TEST_RUN`,
  async run(progress) {
    const insns = assembleUbpf(SOURCE);
    const program = compileProgram(insns);
    const vm = new Vm();
    const runs = 200;
    let executed = 0;
    let r0 = 0n;
    progress(`interpreter: ${runs} runs`);
    const oursMs = await medianMs(7, () => {
      for (let i = 0; i < runs; i++) {
        const r = vm.run(program);
        executed = r.instructionsExecuted;
        r0 = r.r0;
      }
    });
    const oursNs = (oursMs * 1e6) / runs;
    const rows: Record<string, string | number>[] = [
      { runner: 'tsbpf interpreter', runs, 'instructions/run': executed, 'ns/run': oursNs.toFixed(0), 'M insn/s': (executed / oursNs * 1e3).toFixed(1), ratio: '1.00' },
    ];
    const notes = ['ratio: time per run relative to the interpreter (below 1 means faster than it)'];
    try {
      const { progLoad, progTestRun } = await import('../loader/index.ts');
      if (process.geteuid?.() !== 0) throw new Error('not running as root');
      progress('kernel: BPF_PROG_TEST_RUN');
      const { fd } = progLoad({ type: BPF_PROG_TYPE_XDP, insns: encode(insns), license: 'GPL', name: 'simbench' });
      try {
        const repeat = 2000;
        const durations: number[] = [];
        let retval = 0;
        for (let i = 0; i < 7; i++) {
          const r = progTestRun(fd, { data: new Uint8Array(64), dataOutSize: 0, repeat });
          durations.push(r.duration);
          retval = r.retval;
        }
        durations.sort((a, b) => a - b);
        const kernelNs = durations[3]!;
        if (BigInt(retval >>> 0) !== r0) notes.push(`MISMATCH: kernel r0 0x${(retval >>> 0).toString(16)}, ours 0x${r0.toString(16)}`);
        rows.push({ runner: 'kernel (BPF_PROG_TEST_RUN, JIT)', runs: repeat, 'instructions/run': executed, 'ns/run': kernelNs.toFixed(0), 'M insn/s': (executed / kernelNs * 1e3).toFixed(1), ratio: (kernelNs / oursNs).toFixed(3) });
      } finally {
        fd.close();
      }
    } catch (e) {
      progress(`kernel comparison left out: ${(e as Error).message}`);
      notes.push('kernel comparison left out (needs root and bpf(2))');
    }
    return { columns: ['runner', 'runs', 'instructions/run', 'ns/run', 'M insn/s', 'ratio'], rows, notes };
  },
};
export default bench;
