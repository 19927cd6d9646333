// Random scalar programs for the kernel comparison, and the check of one program's log against the domains.
//
// Shape (a socket filter, every value from bpf_get_prandom_u32):
//   call 7; r6 = r0; <ops on r6, some `if r6 ... goto out`>; call 7; r7 = r0; <ops on r7>;
//   <the operation under test>; r0 = 0; exit; tgt: r0 = 1; exit; out: r0 = 0; exit
import { assemble } from '../../../bpf/asm/index.ts';
import { encode, type Instruction } from '../../../bpf/index.ts';
import { formatScalar } from '../../../verifier/domains/index.ts';
import { edgeState, firstInsnLines, normalise } from './kernel-log.ts';
import { step, type Regs } from './sim.ts';

/** mulberry32: a small seeded PRNG, so every run checks the same programs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const CONSTS = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 48, 63, 64, 100, 127, 128, 255, 256, 511, 512, 513, 1000, 0x7fff, 0x8000, 0xffff,
  0x10000, 0x7fffffff, -1, -2, -8, -16, -128, -129, -256, -512, -513, -0x8000, -0x80000000, 0x12345678, 0x40000000,
];
const constant = (rng: Rng): number =>
  rng() < 0.8 ? pick(rng, CONSTS) : Math.floor(rng() * 2 ** 32) - 2 ** 31;
const hexImm = (n: number): string => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);

/** One random instruction narrowing or transforming `r` (as assembler text). */
function shapeOp(rng: Rng, r: number): string {
  const w = rng() < 0.25 ? 'w' : 'r';
  const k = hexImm(constant(rng));
  switch (Math.floor(rng() * 18)) {
    case 16: {
      // a 64-bit constant operand
      const hi = BigInt(constant(rng)) & 0xffff_ffffn;
      const lo = BigInt(constant(rng)) & 0xffff_ffffn;
      const op = pick(rng, ['+=', '-=', '&=', '|=', '^=', '*='] as const);
      return `r8 = 0x${((hi << 32n) | lo).toString(16)} ll\nr${r} ${op} r8`;
    }
    case 17:
      return rng() < 0.5 ? `w${r} = w${r}` : `if ${w}${r} ${pick(rng, ['>', '<', 's>', 's<'])} ${w === 'w' ? 'w' : 'r'}8 goto out`;
    case 0:
    case 1:
      return `r${r} &= ${hexImm(pick(rng, [0xff, 0xf0, 0x3, 0xffff, 0x7fffffff, 0x30, 0x1ff, 0xfff0, -16, -256, 0x80ff]))}`;
    case 2:
      return `${w}${r} |= ${k}`;
    case 3:
      return `${w}${r} += ${k}`;
    case 4:
      return `${w}${r} -= ${k}`;
    case 5:
      return `${w}${r} ^= ${k}`;
    case 6:
      return `${w}${r} *= ${hexImm(pick(rng, [0, 1, 2, 3, 5, 7, 16, 100, -1, -3, 0x10001]))}`;
    case 7:
      return `${w}${r} <<= ${Math.floor(rng() * (w === 'w' ? 32 : 64))}`;
    case 8:
      return `${w}${r} >>= ${Math.floor(rng() * (w === 'w' ? 32 : 64))}`;
    case 9:
      return `${w}${r} s>>= ${Math.floor(rng() * (w === 'w' ? 32 : 64))}`;
    case 10:
    case 11:
    case 12:
      return `if ${w}${r} ${pick(rng, ['>', '<', '>=', '<=', 's>', 's<', 's>=', 's<=', '==', '!='])} ${k} goto out`;
    case 13:
      return `${w}${r} = -${w}${r}`;
    case 14:
      return w === 'w' ? `w${r} = (s${pick(rng, [8, 16])})w${r}` : `r${r} = (s${pick(rng, [8, 16, 32])})r${r}`;
    default:
      return `r${r} = ${pick(rng, ['be', 'le'])}${pick(rng, [16, 32, 64])} r${r}`;
  }
}

const ALU_OPS = ['+=', '-=', '*=', '&=', '|=', '^=', '<<=', '>>=', 's>>=', '/=', '%=', 's/=', 's%=', '='] as const;
const JMP_OPS = ['==', '!=', '>', '>=', '<', '<=', 's>', 's>=', 's<', 's<=', '&'] as const;

/** The operation under test: an ALU op on r6, or a conditional jump to `tgt`. */
function finalOp(rng: Rng, kind: 'alu' | 'branch'): string {
  const w = rng() < 0.35 ? 'w' : 'r';
  const useReg = rng() < 0.6;
  if (kind === 'branch') {
    const op = pick(rng, JMP_OPS);
    const src = useReg ? `${w}${rng() < 0.05 ? 6 : 7}` : hexImm(constant(rng));
    return `if ${w}6 ${op} ${src} goto tgt`;
  }
  const r = Math.floor(rng() * 14);
  if (r === 0) return `${w}6 = -${w}6`;
  if (r === 1) return `r6 = ${pick(rng, ['be', 'le', 'bswap'])}${pick(rng, [16, 32, 64])} r6`;
  if (r === 2) return w === 'w' ? `w6 = (s${pick(rng, [8, 16])})w7` : `r6 = (s${pick(rng, [8, 16, 32])})r7`;
  const op = pick(rng, ALU_OPS);
  if (op === '<<=' || op === '>>=' || op === 's>>=') {
    return useReg ? `${w}6 ${op} ${w}7` : `${w}6 ${op} ${Math.floor(rng() * (w === 'w' ? 32 : 64))}`;
  }
  if ((op === '/=' || op === '%=' || op === 's/=' || op === 's%=') && !useReg) {
    return `${w}6 ${op} ${hexImm(pick(rng, [1, 2, 3, 7, 16, 255, -1, -3]))}`;
  }
  return useReg ? `${w}6 ${op} ${w}7` : `${w}6 ${op} ${hexImm(constant(rng))}`;
}

export interface Case {
  readonly text: string;
  readonly kind: 'alu' | 'branch';
}

export function randomCase(rng: Rng, kind: 'alu' | 'branch'): Case {
  const lines = ['call 7', 'r8 = r0', 'r8 &= 0xffff', 'r6 = r0'];
  const n6 = 1 + Math.floor(rng() * 4);
  for (let i = 0; i < n6; i++) lines.push(shapeOp(rng, 6));
  lines.push('call 7', 'r7 = r0');
  const n7 = Math.floor(rng() * 4);
  for (let i = 0; i < n7; i++) lines.push(shapeOp(rng, 7));
  lines.push(finalOp(rng, kind), 'r0 = 0', 'exit');
  // every instruction must be reachable in the control-flow graph (the kernel rejects dead code)
  if (kind === 'branch') lines.push('tgt:', 'r0 = 1', 'exit');
  if (lines.some((l) => l.endsWith('goto out'))) lines.push('out:', 'r0 = 0', 'exit');
  return { text: lines.join('\n'), kind };
}

export interface Comparison {
  /** register states compared */
  compared: number;
  /** branch directions compared */
  directions: number;
  mismatches: string[];
}

/**
 * Follows the program's fall-through path in the domains and compares every register state the kernel
 * printed on that path, the kernel's choice of explored branch edges, and the states on taken edges.
 */
export function compareWithLog(c: Case, log: readonly string[]): Comparison {
  const insns: Instruction[] = assemble(c.text);
  const lines = firstInsnLines(log);
  const result: Comparison = { compared: 0, directions: 0, mismatches: [] };
  const regs: Regs = new Map();
  // after a fork the kernel's log interleaves other paths: branch edges are no longer attributable
  let forked = false;
  let slot = 0;
  // slot index of each instruction
  const slots: number[] = [];
  for (const insn of insns) {
    slots.push(slot);
    slot += insn.kind === 'lddw' ? 2 : 1;
  }
  for (let i = 0; i < insns.length; i++) {
    const insn = insns[i]!;
    if (insn.kind === 'exit') break;
    const at = slots[i]!;
    const line = lines.get(at);
    if (line === undefined) {
      result.mismatches.push(`insn ${at}: the kernel did not reach it on the fall-through path`);
      break;
    }
    let r;
    try {
      r = step(regs, insn);
    } catch (e) {
      result.mismatches.push(`insn ${at}: ${(e as Error).message}`);
      break;
    }
    for (const n of r.printed) {
      const k = line.regs.get(n);
      if (k === undefined) continue;
      const ours = formatScalar(regs.get(n)!);
      result.compared++;
      if (normalise(k) !== normalise(ours)) {
        result.mismatches.push(`insn ${at} (${line.text}): R${n} kernel ${k} ours ${ours}`);
      }
    }
    if (r.forked === true) forked = true;
    if (r.branch !== undefined && insn.kind === 'jump') {
      if (forked) {
        if (r.branch.taken === 'taken') break;
        continue;
      }
      const target = at + 1 + insn.off;
      const edge = edgeState(log, at, target);
      const fallthrough = lines.has(at + 1);
      const kernel = edge !== undefined && fallthrough ? 'unknown' : edge !== undefined || !fallthrough ? 'taken' : 'not-taken';
      result.directions++;
      if (kernel !== r.branch.taken) {
        result.mismatches.push(`insn ${at} (${line.text}): kernel ${kernel}, ours ${r.branch.taken}`);
        break;
      }
      if (r.branch.taken === 'taken') break;
      if (r.branch.taken === 'unknown' && r.branch.trueRegs !== undefined && edge !== undefined && edge.size > 0) {
        for (const n of [insn.dst, ...(insn.source === 'reg' ? [insn.src] : [])]) {
          const k = edge.get(n);
          const mine = r.branch.trueRegs.get(n);
          if (k === undefined || mine === undefined) continue;
          result.compared++;
          const ours = formatScalar(mine);
          if (normalise(k) !== normalise(ours)) {
            result.mismatches.push(`insn ${at} (${line.text}) taken: R${n} kernel ${k} ours ${ours}`);
          }
        }
      }
    }
  }
  return result;
}

export function caseBytes(c: Case): Uint8Array {
  return encode(assemble(c.text));
}
