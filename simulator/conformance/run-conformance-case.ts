// One `.data` test case of bpf_conformance or uBPF, run on the reference interpreter.
//
// As bpf_conformance's plugins do: the `-- mem` bytes are the program's memory, r1 points at them and r2 holds
// their length (both 0 without memory); r0 at exit must equal `-- result` (all 64 bits). A case with
// `-- error` (or `-- error pattern`) passes when loading or running fails in any way: the expected texts are
// uBPF's own wording, so the kind of failure is matched, not the words (ours is reported alongside).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assembleUbpf, parseTestCase, type TestCase } from '../../bpf/asm/index.ts';
import { decode, encode, type Instruction } from '../../bpf/index.ts';
import { compileProgram, Memory, SimFault, Vm } from '../vm/index.ts';
import { WasmVm } from '../wasm-tier/index.ts';
import { conformanceHelpers, UBPF_HELPER_NAMES, type HelperSetName } from './conformance-helpers.ts';

export type CaseStatus = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  readonly file: string;
  readonly status: CaseStatus;
  /** why it failed or was skipped; for passes of error cases, our error */
  readonly reason?: string;
  /** r0 as hex, when the program ran to its exit */
  readonly r0?: string;
  readonly expected?: string;
  readonly instructionsExecuted?: number;
}

export interface ConformanceOptions {
  /** which helper ids mean what; 'kernel' by default */
  readonly helpers?: HelperSetName;
  /** instruction budget per case (the VM's default otherwise) */
  readonly budget?: number;
  /** the execution tier: the reference interpreter (default) or the WebAssembly fast tier */
  readonly tier?: 'interp' | 'wasm';
}

/** uBPF-only rules: an expected error that the kernel (and so tsbpf) does not raise. */
const UBPF_ONLY_ERRORS: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /too many instructions \(max 65536\)/, reason: "uBPF's limit of 65536 instructions (the kernel allows 1,000,000)" },
  { pattern: /unknown opcode 0x06 /, reason: 'opcode 0x06 is gotol (BPF_JMP32 | BPF_JA, ISA v4), which uBPF does not know' },
];

const hex = (v: bigint): string => `0x${v.toString(16)}`;

/** Run the case in `file`. Never throws: every outcome is a CaseResult. */
export function runConformanceCase(file: string, options: ConformanceOptions = {}): CaseResult {
  const set = options.helpers ?? 'kernel';
  let tc: TestCase;
  try {
    const text = readFileSync(file, 'utf8');
    tc = parseTestCase(text, { include: (name) => readFileSync(join(dirname(file), name), 'utf8') });
  } catch (e) {
    return { file, status: 'fail', reason: `unreadable test case: ${(e as Error).message}` };
  }
  if (tc.pyelf !== undefined) return { file, status: 'skip', reason: "needs an ELF file made by uBPF's Python script (-- pyelf)" };
  if (tc.reload === true) return { file, status: 'skip', reason: "exercises uBPF's load-twice API (-- reload)" };
  const expectsError = tc.error !== undefined || tc.errorPattern !== undefined;
  const expectedError = tc.error ?? tc.errorPattern ?? '';
  const expected = expectsError ? `an error${expectedError === '' ? '' : ` (${expectedError})`}` : tc.result !== undefined ? hex(tc.result) : undefined;

  // The program: assembly or raw bytes. Both and nothing to check: an assembler test.
  let instructions: readonly Instruction[];
  try {
    if (tc.asm !== undefined) {
      instructions = assembleUbpf(tc.asm, tc.asmLine !== undefined ? { firstLine: tc.asmLine } : {});
      if (tc.raw !== undefined && tc.result === undefined && !expectsError) {
        const ours = encode(instructions);
        const same = ours.length === tc.raw.length && ours.every((b, i) => b === tc.raw![i]);
        return same
          ? { file, status: 'pass', reason: 'assembler test: -- asm assembles to -- raw' }
          : { file, status: 'fail', reason: 'assembler test: -- asm does not assemble to -- raw' };
      }
    } else if (tc.raw !== undefined) {
      instructions = decode(tc.raw);
    } else {
      return { file, status: 'fail', reason: 'no program: the case has neither -- asm nor -- raw' };
    }
  } catch (e) {
    const message = (e as Error).message;
    // A program the assembler or decoder refuses: what an error case expects, a broken case otherwise.
    if (expectsError) return { file, status: 'pass', reason: `refused: ${message}`, ...(expected !== undefined ? { expected } : {}) };
    return { file, status: 'fail', reason: `${tc.asm !== undefined ? 'assembly' : 'decode'} failed: ${message}` };
  }
  if (!expectsError && tc.result === undefined) {
    return { file, status: 'fail', reason: 'nothing to check: the case has no -- result and no -- error' };
  }

  // Helper ids that mean something else in uBPF's set than in the kernel's: such a case is uBPF's.
  if (set === 'kernel' && !expectsError) {
    const ubpfCall = instructions.find((i) => i.kind === 'call' && i.target === 'helper' && UBPF_HELPER_NAMES[i.imm] !== undefined);
    if (ubpfCall !== undefined && ubpfCall.kind === 'call') {
      return { file, status: 'skip', reason: `calls uBPF's helper ${ubpfCall.imm} (${UBPF_HELPER_NAMES[ubpfCall.imm]}): run with --helpers ubpf` };
    }
  }

  const helpers = conformanceHelpers(set);
  let outcome: { r0: bigint; executed: number } | { error: string };
  try {
    const program = compileProgram(instructions, { helpers });
    const memory = new Memory();
    const mem = tc.mem !== undefined && tc.mem.length > 0 ? memory.add({ name: 'mem', kind: 'memory', bytes: tc.mem.slice() }) : undefined;
    const vmOptions = { helpers, ...(options.budget !== undefined ? { budget: options.budget } : {}) };
    const vm = options.tier === 'wasm' ? new WasmVm(vmOptions) : new Vm(vmOptions);
    const r = vm.run(program, { memory, r1: mem ?? 0n, r2: mem?.bytes.length ?? 0 });
    outcome = { r0: r.r0, executed: r.instructionsExecuted };
  } catch (e) {
    if (!(e instanceof SimFault) && !(e instanceof RangeError)) {
      return { file, status: 'fail', reason: `internal error: ${(e as Error).stack ?? String(e)}` };
    }
    outcome = { error: e.message };
  }

  if ('error' in outcome) {
    if (expectsError) return { file, status: 'pass', reason: outcome.error, ...(expected !== undefined ? { expected } : {}) };
    return { file, status: 'fail', reason: outcome.error, ...(expected !== undefined ? { expected } : {}) };
  }
  const r0 = hex(outcome.r0);
  if (expectsError) {
    const rule = UBPF_ONLY_ERRORS.find((r) => r.pattern.test(expectedError));
    if (rule !== undefined) return { file, status: 'skip', reason: rule.reason, r0 };
    return { file, status: 'fail', reason: `expected ${expected}, but the program returned ${r0}`, r0, ...(expected !== undefined ? { expected } : {}) };
  }
  if (outcome.r0 !== tc.result) {
    return { file, status: 'fail', reason: `r0 = ${r0}, expected ${expected}`, r0, ...(expected !== undefined ? { expected } : {}), instructionsExecuted: outcome.executed };
  }
  return { file, status: 'pass', r0, instructionsExecuted: outcome.executed };
}
