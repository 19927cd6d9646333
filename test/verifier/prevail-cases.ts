// PREVAIL's YAML test cases (../shared/corpora/prevail-test-data/test-data/*.yaml) in our verifier's terms: each
// case (pre-conditions, code, expected post-conditions and messages) becomes one socket-filter program whose
// verdict says whether the expectation holds.
//
//   set-up      `call bpf_ktime_get_ns` gives each register with a range an unknown 64-bit scalar (kept in a
//               callee-saved register the case never names, so r1..r5 end up uninitialised as PREVAIL's are),
//               then constants, stack pointers (`r10 + offset - 512`) and the ranges, as branches to a clean exit
//   code        PREVAIL's syntax rewritten to LLVM's (labels, `assume C` as `if !C goto cut`, `w` operands,
//               `lock ... fetch`), every `exit` jumping to the check
//   check       each post-condition on numbers as branches to an instruction the kernel always rejects (a read
//               above the frame): the kernel, and we, accept only when every check is proven
//
// Expected verdict: reject when PREVAIL reports an error (any message but "Code becomes unreachable"), else
// accept. A case is "not expressible" when its pre-conditions or code have no such translation (pointer types
// other than the stack, stack contents, relational pre-conditions, options such as termination checking).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { assemble } from '../../bpf/asm/index.ts';
import { progTypeByName, type Instruction, type ObjectSpec } from '../../bpf/index.ts';
import { corpusDir, filesBelow } from '../corpora.ts';

export interface PrevailCase {
  readonly file: string;
  readonly name: string;
  readonly pre: readonly string[];
  readonly code: Readonly<Record<string, string>>;
  readonly post: readonly string[];
  readonly messages: readonly string[];
  readonly options: readonly string[];
}

export type Translation =
  | {
      readonly ok: true;
      readonly insns: Instruction[];
      readonly asm: string;
      readonly expected: 'accept' | 'reject';
      /** first and last slot of the case's own code (errors there are the code's, past it the checks') */
      readonly codeSlots: readonly [number, number];
      /** first slot of the subprograms (after the checks), when there are any */
      readonly subprogramSlot?: number;
      readonly checked: number;
      readonly skipped: readonly string[];
    }
  | { readonly ok: false; readonly reason: string };

export function prevailCases(): PrevailCase[] {
  const out: PrevailCase[] = [];
  for (const file of filesBelow(join(corpusDir('prevail-test-data'), 'test-data'), '.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const c = doc.toJS() as Record<string, unknown> | null;
      if (c === null || typeof c['test-case'] !== 'string') continue;
      out.push({
        file: basename(file),
        name: c['test-case'],
        pre: ((c.pre as unknown[] | undefined) ?? []).map(String),
        code: (c.code as Record<string, string> | undefined) ?? {},
        post: ((c.post as unknown[] | undefined) ?? []).map(String),
        messages: ((c.messages as unknown[] | undefined) ?? []).map(String),
        options: ((c.options as unknown[] | undefined) ?? []).map(String),
      });
    }
  }
  return out;
}

/** PREVAIL's errors (unreachable-code notes are warnings: verification still passes). */
export function expectsError(c: PrevailCase): boolean {
  return c.messages.some((m) => !/Code becomes unreachable/.test(m));
}

const INVERSE: Readonly<Record<string, string>> = {
  '==': '!=', '!=': '==', '<': '>=', '>=': '<', '>': '<=', '<=': '>', 's<': 's>=', 's>=': 's<', 's>': 's<=', 's<=': 's>',
};

interface RegPre {
  type?: string;
  svalue?: [bigint, bigint];
  uvalue?: [bigint, bigint];
  stackOffset?: number;
  nonNegative?: boolean;
}

const U64 = (1n << 64n) - 1n;

function parseRange(text: string): [bigint, bigint] | undefined {
  const t = text.trim();
  const m = /^\[\s*(-?\d+)\s*,\s*(-?\d+)\s*\]$/.exec(t);
  if (m) return [BigInt(m[1]!), BigInt(m[2]!)];
  if (/^-?\d+$/.test(t)) return [BigInt(t), BigInt(t)];
  return undefined;
}

/** Rewrite one line of PREVAIL assembly to LLVM's; undefined when it has no counterpart. */
function rewriteLine(line: string, labels: Map<string, string>): string | undefined {
  let l = line.replace(/;.*$/, '').trim();
  if (l === '') return '';
  l = l.replace(/<([A-Za-z_][\w]*)>/g, (_m, n: string) => labels.get(n) ?? `L_${n}`);
  l = l.replace(/\b(-?(?:0x[0-9a-fA-F]+|\d+))ll\b/g, '$1 ll');
  // sign-extending moves: PREVAIL `r1 s8= r2`, LLVM `r1 = (s8)r2`
  const movsx = /^([rw]\d+)\s+s(8|16|32)=\s+r(\d+)$/.exec(l);
  if (movsx) return `${movsx[1]} = (s${movsx[2]})${movsx[1]!.startsWith('w') ? 'w' : 'r'}${movsx[3]}`;
  l = l.replace(/\bswap(16|32|64)\b/g, 'bswap$1');
  const assume = /^assume\s+([rw]\d+)\s+(\S+)\s+(\S+)$/.exec(l);
  if (assume) {
    const inv = INVERSE[assume[2]!];
    if (inv === undefined) return undefined;
    const rhs = assume[1]!.startsWith('w') ? assume[3]!.replace(/^r(\d+)$/, 'w$1') : assume[3]!;
    return `if ${assume[1]} ${inv} ${rhs} goto L_cut`;
  }
  // lock *(uN *)(rA + off) OP rB [fetch]
  const lock = /^lock\s+\*\((u32|u64)\s*\*\)\((r\d+)\s*([+-])\s*(\d+)\)\s*(\S+)\s+(r\d+)(\s+fetch)?$/.exec(l);
  if (lock) {
    const [, size, base, sign, off, op, src, fetch] = lock;
    const reg = size === 'u32' ? src!.replace('r', 'w') : src!;
    const addr = `(${size} *)(${base} ${sign} ${off})`;
    const names: Record<string, string> = { '+=': 'add', '|=': 'or', '&=': 'and', '^=': 'xor' };
    if (op === 'x=') return `${reg} = xchg${size === 'u32' ? '32_32' : '_64'}(${base} ${sign} ${off}, ${reg})`;
    if (op === 'cx=') return `${size === 'u32' ? 'w0' : 'r0'} = cmpxchg${size === 'u32' ? '32_32' : '_64'}(${base} ${sign} ${off}, ${size === 'u32' ? 'w0' : 'r0'}, ${reg})`;
    const name = names[op!];
    if (name === undefined) return undefined;
    return fetch ? `${reg} = atomic_fetch_${name}(${addr}, ${reg})` : `lock *${addr} ${op} ${reg}`;
  }
  // 32-bit ALU: PREVAIL writes the source as rN
  if (/^w\d+\s/.test(l)) l = l.replace(/(?<=[=<>^|&%*/+-]\s*)r(\d+)\b/g, 'w$1');
  if (/^if\s+w\d+/.test(l)) l = l.replace(/(?<=\s(?:[!=<>]=?|s[<>]=?|&)\s+)r(\d+)\b/g, 'w$1');
  if (l === 'exit') return 'goto L_check';
  return l;
}

/** The program for `c`, or why it has none. */
export function translate(c: PrevailCase): Translation {
  // the analysis switches with a kernel meaning are kept (the kernel decides whether it agrees); a big-endian
  // target is not this machine
  if (c.options.includes('big_endian')) return { ok: false, reason: 'option big_endian: this kernel is little-endian' };
  const regs = new Map<number, RegPre>();
  for (const p of c.pre) {
    const m = /^r(\d+)\.(\w+)=(.*)$/.exec(p.trim());
    if (!m) return { ok: false, reason: `pre-condition ${p}: stack contents or a relation` };
    const n = Number(m[1]);
    const r = regs.get(n) ?? {};
    regs.set(n, r);
    const [field, value] = [m[2]!, m[3]!.trim()];
    if (field === 'type') {
      if (value !== 'number' && value !== 'stack') return { ok: false, reason: `pre-condition ${p}: a ${value} pointer (PREVAIL's own region model)` };
      r.type = value;
    } else if (field === 'svalue' || field === 'uvalue') {
      const range = parseRange(value);
      if (range !== undefined) r[field] = range;
      else if (value === `r${n}.svalue` || value === `r${n}.uvalue`) r.nonNegative = true;
      else return { ok: false, reason: `pre-condition ${p}: a relation between registers` };
    } else if (field === 'stack_offset') {
      r.stackOffset = Number(value);
    } else {
      return { ok: false, reason: `pre-condition ${p}: ${field} has no kernel counterpart` };
    }
  }
  if (regs.has(10) && !(regs.get(10)!.type === 'stack' && regs.get(10)!.stackOffset === 512)) return { ok: false, reason: 'r10 is not the frame pointer' };
  regs.delete(10);
  for (const [n, r] of regs) {
    if (r.type === 'stack' && (r.stackOffset === undefined || r.svalue !== undefined || r.uvalue !== undefined)) {
      return { ok: false, reason: `pre-condition on r${n}: a stack pointer with a variable or unknown offset` };
    }
    if (r.type === undefined) return { ok: false, reason: `pre-condition on r${n} without a type` };
  }
  const codeText = Object.entries(c.code);
  const mentioned = new Set<number>();
  for (const s of [...c.pre, ...c.post, ...codeText.map(([, t]) => t)]) for (const m of s.matchAll(/\b[rw](\d+)\b/g)) mentioned.add(Number(m[1]));
  const free = [9, 8, 7, 6].filter((r) => !mentioned.has(r));

  // set-up: two branches the verifier decides (r0 is 0) keep the clean exit and the failing check statically
  // reachable, as the kernel's control-flow check wants every instruction to be
  const setup: string[] = ['r0 = 0', 'if r0 != 0 goto L_cut', 'if r0 != 0 goto L_bad'];
  const unknown = [...regs].filter(([, r]) => r.type === 'number' && !(r.svalue && r.svalue[0] === r.svalue[1]) && !(r.uvalue && r.uvalue[0] === r.uvalue[1]));
  const late: string[] = [];
  for (const [n] of unknown) {
    setup.push('call 5');
    if (n >= 6) setup.push(`r${n} = r0`);
    else {
      const t = free.shift();
      if (t === undefined) return { ok: false, reason: 'no spare callee-saved register for the set-up' };
      setup.push(`r${t} = r0`);
      late.push(`r${n} = r${t}`);
    }
  }
  if (unknown.length === 0) setup.push('call 5');
  setup.push(...late);
  for (const [n, r] of regs) {
    if (r.type === 'stack') setup.push(`r${n} = r10`, `r${n} += ${r.stackOffset! - 512}`);
    if (r.type !== 'number') continue;
    const k = r.svalue && r.svalue[0] === r.svalue[1] ? r.svalue[0] : r.uvalue && r.uvalue[0] === r.uvalue[1] ? r.uvalue[0] : undefined;
    if (k !== undefined) {
      setup.push(`r${n} = ${BigInt.asIntN(64, k)} ll`);
      continue;
    }
    const checks = [
      ...(r.svalue ? [bound(n, 's<', r.svalue[0], 'L_cut', free[0]), bound(n, 's>', r.svalue[1], 'L_cut', free[0])] : []),
      ...(r.uvalue ? [bound(n, '<', r.uvalue[0], 'L_cut', free[0]), bound(n, '>', r.uvalue[1], 'L_cut', free[0])] : []),
    ];
    if (checks.some((x) => x.length === 0)) return { ok: false, reason: 'no spare callee-saved register for a 64-bit bound' };
    setup.push(...checks.flat());
    if (r.nonNegative) setup.push(`if r${n} s< 0 goto L_cut`);
  }
  if (!regs.has(0) && codeText.some(([, t]) => /\br0\b|\bw0\b/.test(t))) {
    // r0 holds the set-up call's result: a case reading r0 before writing it would see a number, not uninit
    const firstUse = codeText.map(([, t]) => t).join('\n').split('\n').map((x) => x.replace(/;.*$/, '').trim()).find((x) => /\b[rw]0\b/.test(x));
    if (firstUse !== undefined && !/^[rw]0\s*=[^=]/.test(firstUse)) return { ok: false, reason: 'reads r0 before writing it (r0 cannot be uninitialised after the set-up)' };
  }

  // code
  // blocks from the first local-call target on are subprograms: their `exit` returns, and they go after the
  // checks (the kernel wants the main program and each subprogram contiguous)
  const labels = new Map<string, string>();
  const callTargets = new Set(codeText.flatMap(([, t]) => [...String(t).matchAll(/call\s+<(\w+)>/g)].map((m) => m[1]!)));
  const code: string[] = [];
  const subprograms: string[] = [];
  let inSub = false;
  for (const [label, text] of codeText) {
    const name = /^<(\w+)>$/.exec(label)?.[1];
    if (name === undefined) return { ok: false, reason: `label ${label}` };
    inSub ||= callTargets.has(name);
    const out = inSub ? subprograms : code;
    out.push(`L_${name}:`);
    for (const line of String(text).split('\n')) {
      const l = rewriteLine(line, labels);
      if (l === undefined) return { ok: false, reason: `instruction ${line.trim()}: no LLVM counterpart` };
      if (l !== '') out.push(inSub && l === 'goto L_check' ? 'exit' : l);
    }
  }
  const hasExit = codeText.some(([, t]) => /^\s*exit\s*;?\s*$/m.test(String(t)));

  // checks
  const check: string[] = ['L_check:'];
  const skipped: string[] = [];
  let checked = 0;
  const error = expectsError(c);
  if (!error) {
    for (const p of c.post) {
      const t = p.trim();
      if (t === '_|_') {
        // reaching the end at all fails (a decided branch keeps what follows statically reachable)
        check.push('r0 = 0', 'if r0 == 0 goto L_bad');
        checked++;
        continue;
      }
      const m = /^r(\d+)\.(svalue|uvalue|type)=(.*)$/.exec(t);
      if (m) {
        const n = Number(m[1]);
        const value = m[3]!.trim();
        if (m[2] === 'type') {
          if (value === 'number') {
            const tmp = free[0];
            if (tmp === undefined) { skipped.push(t); continue; }
            check.push(`r${tmp} = r${n}`, `r${tmp} <<= 0`);
            checked++;
          } else skipped.push(t);
          continue;
        }
        const range = parseRange(value);
        const signed = m[2] === 'svalue';
        if (range !== undefined) {
          const tmp = free[0];
          const lo = bound(n, signed ? 's<' : '<', range[0], 'L_bad', tmp);
          const hi = bound(n, signed ? 's>' : '>', range[1], 'L_bad', tmp);
          if (lo.length === 0 || hi.length === 0) { skipped.push(t); continue; }
          check.push(...lo, ...hi);
          checked++;
        } else if (value === `r${n}.svalue` || value === `r${n}.uvalue`) {
          check.push(`if r${n} s< 0 goto L_bad`);
          checked++;
        } else skipped.push(t);
        continue;
      }
      skipped.push(t);
    }
  }
  const tail = [...check, hasExit ? 'exit' : 'r0 = 0\nexit', 'L_bad:', 'r0 = *(u64 *)(r10 + 8)', 'exit', 'L_cut:', 'r0 = 0', 'exit'];
  const asm = [...setup, ...code, ...tail, ...subprograms].join('\n');
  let insns: Instruction[];
  try {
    insns = assemble(asm);
  } catch (e) {
    return { ok: false, reason: `assembly: ${(e as Error).message.split('\n')[0]}` };
  }
  const setupSlots = slotCount(setup);
  const codeEnd = setupSlots + slotCount(code);
  // errors inside subprograms are the code's too
  const subStart = setupSlots + slotCount(code) + slotCount(tail);
  return {
    ok: true,
    insns,
    asm,
    expected: error ? 'reject' : 'accept',
    codeSlots: [setupSlots, codeEnd],
    ...(subprograms.length > 0 ? { subprogramSlot: subStart } : {}),
    checked,
    skipped,
  };
}

/** Slots the assembly lines take: labels none, `ll` loads two. */
function slotCount(lines: readonly string[]): number {
  return lines.flatMap((l) => l.split('\n')).reduce((a, l) => a + (/:$/.test(l.trim()) ? 0 : / ll$/.test(l.trim()) ? 2 : 1), 0);
}

/** `if rN OP k goto target`, through a temporary when k does not fit an imm32. */
function bound(n: number, op: string, k: bigint, target: string, tmp?: number): string[] {
  const v = BigInt.asIntN(64, op.startsWith('s') ? k : BigInt.asUintN(64, k & U64));
  if (v >= -(1n << 31n) && v < 1n << 31n) return [`if r${n} ${op} ${v} goto ${target}`];
  if (tmp === undefined) return [];
  return [`r${tmp} = ${v} ll`, `if r${n} ${op} r${tmp} goto ${target}`];
}

/** A one-program socket-filter ObjectSpec around the translation. */
export function caseSpec(insns: Instruction[]): ObjectSpec {
  return {
    programs: [{ name: 'prevail', section: 'socket', type: progTypeByName('socket_filter')!.id, expectedAttachType: undefined, function: 'prevail' }],
    functions: [{ name: 'prevail', section: 'socket', global: true, instructions: insns, references: [], lineInfo: [], coreRelocations: [] }],
    maps: [],
    data: [],
    license: 'GPL',
  };
}
