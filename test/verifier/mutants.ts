// Mutants of real programs for the differential against the kernel, made at the instruction level with
// deterministic seeds. Nine kinds, each a fault the verifier exists to catch:
//
//   bounds-check        a comparison against a bound (packet end, a limit) inverted, or its constant loosened
//   null-check          a `== 0` / `!= 0` test shortly after a helper returning a pointer, inverted
//   offset-past-end     a load or store through a non-stack pointer pushed 8, 64 or 1024 bytes further
//   uninit-read         a register operand swapped for one no earlier instruction writes, or a stack load
//                       moved to a slot no instruction writes
//   helper-arg          the instruction setting a helper argument changed (a scalar made the frame pointer, a
//                       register copy made 0, a map pointer moved to another argument), or the helper id swapped
//   back-edge           a jump retargeted to an earlier instruction, or an instruction made `goto` backwards
//   stack-past-512      a stack store moved 512 bytes down
//   ctx-readonly-write  a load from the context (r1 or a copy, in the entry's straight-line prefix) made a store
//   leaked-reference    a ringbuf reservation nobody submits: a reserve call prepended (with a ringbuf map added
//                       to the object), or an existing submit removed or jumped over
//
// A mutation is plain data (`Mutation`), so a child process under reduced capabilities rebuilds the same
// program from the object file and the mutation alone.
import { slotOffsets, type FunctionSpec, type Instruction, type JumpOp, type MapSpec, type ObjectSpec, type Register } from '../../bpf/index.ts';

export const MUTANT_KINDS = [
  'bounds-check',
  'null-check',
  'offset-past-end',
  'uninit-read',
  'helper-arg',
  'back-edge',
  'stack-past-512',
  'ctx-readonly-write',
  'leaked-reference',
] as const;
export type MutantKind = (typeof MUTANT_KINDS)[number];

/** One change to one function of an object: replace instruction `index`, or prepend the ringbuf reservation. */
export interface Mutation {
  readonly kind: MutantKind;
  readonly function: string;
  readonly index: number;
  /** the replacement (same slot count as the original: references keep their slots) */
  readonly insn?: Instruction;
  /** prepend `r9 = r1; r1 = ringbuf; r2 = 8; r3 = 0; call bpf_ringbuf_reserve; r1 = r9` */
  readonly prologue?: 'ringbuf-reserve';
  readonly what: string;
}

export interface Mutant {
  readonly name: string;
  readonly kind: MutantKind;
  readonly spec: ObjectSpec;
  readonly program: string;
  readonly mutation: Mutation;
  /** the program it was made from (generateMutants only) */
  readonly base?: MutantBase;
}

/** A program to mutate: `object` names it in reports. */
export interface MutantBase {
  readonly object: string;
  readonly spec: ObjectSpec;
  readonly program: string;
}

const LEAK_MAP = 'tsbpf_leak_ringbuf';
const BPF_MAP_TYPE_RINGBUF = 27;
const HELPER_RINGBUF_RESERVE = 131;
const HELPER_RINGBUF_SUBMIT = 132;
const HELPER_RINGBUF_DISCARD = 133;
/** helpers whose result may be NULL: map lookups, ringbuf reserve, per-CPU lookups, sk lookups */
const POINTER_OR_NULL_HELPERS = new Set([1, 84, 85, 99, 131, 195]);
/** replacement helpers with prototypes most programs do not satisfy */
const OTHER_HELPERS: readonly [number, string][] = [
  [9, 'skb_store_bytes'],
  [26, 'skb_load_bytes'],
  [25, 'perf_event_output'],
  [2, 'map_update_elem'],
];

const INVERSE: Partial<Record<JumpOp, JumpOp>> = {
  jeq: 'jne',
  jne: 'jeq',
  jgt: 'jle',
  jle: 'jgt',
  jge: 'jlt',
  jlt: 'jge',
  jsgt: 'jsle',
  jsle: 'jsgt',
  jsge: 'jslt',
  jslt: 'jsge',
};

/** The spec with `mutation` applied. */
export function applyMutation(spec: ObjectSpec, m: Mutation): ObjectSpec {
  const fn = spec.functions.find((f) => f.name === m.function);
  if (fn === undefined) throw new RangeError(`mutation ${m.what}: no function ${m.function}`);
  if (m.prologue === 'ringbuf-reserve') return withReservePrologue(spec, fn);
  if (m.insn === undefined) throw new RangeError(`mutation ${m.what}: nothing to apply`);
  const instructions = fn.instructions.map((x, i) => (i === m.index ? m.insn! : x));
  return { ...spec, functions: spec.functions.map((f) => (f === fn ? { ...fn, instructions } : f)) };
}

function withReservePrologue(spec: ObjectSpec, fn: FunctionSpec): ObjectSpec {
  const prologue: Instruction[] = [
    { kind: 'alu', width: 64, op: 'mov', source: 'reg', dst: 9, src: 1, imm: 0 },
    { kind: 'lddw', dst: 1, pseudo: 'map_fd', value: 0n },
    { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 2, src: 0, imm: 8 },
    { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 3, src: 0, imm: 0 },
    { kind: 'call', target: 'helper', imm: HELPER_RINGBUF_RESERVE, off: 0 },
    { kind: 'alu', width: 64, op: 'mov', source: 'reg', dst: 1, src: 9, imm: 0 },
  ];
  const shift = slotOffsets(prologue).at(-1)!;
  const moved: FunctionSpec = {
    ...fn,
    instructions: [...prologue, ...fn.instructions],
    references: [{ slot: 1, ref: { kind: 'map', map: LEAK_MAP } }, ...fn.references.map((r) => ({ ...r, slot: r.slot + shift }))],
    // the kernel wants line info at every function's first instruction: the original first line covers the prologue
    lineInfo: [...fn.lineInfo.slice(0, 1).map((l) => ({ ...l, slot: 0 })), ...fn.lineInfo.map((l) => ({ ...l, slot: l.slot + shift }))],
    coreRelocations: fn.coreRelocations.map((c) => ({ ...c, slot: c.slot + shift })),
  };
  const map: MapSpec = {
    name: LEAK_MAP,
    section: '.maps',
    source: 'btf',
    type: BPF_MAP_TYPE_RINGBUF,
    keySize: 0,
    valueSize: 0,
    maxEntries: 4096,
    flags: 0,
    pinning: 'none',
  };
  return { ...spec, maps: [...spec.maps, map], functions: spec.functions.map((f) => (f === fn ? moved : f)) };
}

/** Registers an instruction reads (for the uninitialised-read swap). */
function readsSrc(insn: Instruction): boolean {
  return (
    ((insn.kind === 'alu' || insn.kind === 'jump') && insn.source === 'reg' && insn.op !== 'mov') ||
    (insn.kind === 'alu' && insn.source === 'reg' && insn.op === 'mov') ||
    insn.kind === 'stx'
  );
}

function written(insn: Instruction): Register | undefined {
  switch (insn.kind) {
    case 'alu':
    case 'ldx':
    case 'lddw':
    case 'endian':
      return insn.dst;
    default:
      return undefined;
  }
}

/** Every mutation of one function of a program (the entry function: where r1 is the context). */
export function mutationsOf(fn: FunctionSpec): Mutation[] {
  const out: Mutation[] = [];
  const insns = fn.instructions;
  const slots = slotOffsets(insns);
  const slotToIndex = new Map(slots.slice(0, -1).map((s, i) => [s, i]));
  const referenced = new Set(fn.references.map((r) => r.slot));
  const writtenBefore: Set<number>[] = [];
  const acc = new Set<number>([1, 10]);
  for (const insn of insns) {
    writtenBefore.push(new Set(acc));
    const w = written(insn);
    if (w !== undefined) acc.add(w);
    if (insn.kind === 'call') [0, 1, 2, 3, 4, 5].forEach((r) => acc.add(r));
  }
  const stackWrites = new Set(
    insns.flatMap((x) => ((x.kind === 'st' || x.kind === 'stx' || x.kind === 'atomic') && x.dst === 10 ? [x.off] : [])),
  );
  const add = (kind: MutantKind, index: number, insn: Instruction, what: string): void => {
    if (referenced.has(slots[index]!)) return;
    out.push({ kind, function: fn.name, index, insn, what: `#${index} ${what}` });
  };

  // the context register(s) along the entry's straight-line prefix
  const ctxRegs = new Set<number>([1]);
  let prefix = true;

  insns.forEach((insn, i) => {
    const sinceCall = insns.slice(Math.max(0, i - 8), i).some((x) => x.kind === 'call' && x.target === 'helper' && POINTER_OR_NULL_HELPERS.has(x.imm));
    if (insn.kind === 'jump') {
      const nullTest = insn.source === 'imm' && insn.imm === 0 && (insn.op === 'jeq' || insn.op === 'jne') && sinceCall;
      const kind: MutantKind = nullTest ? 'null-check' : 'bounds-check';
      const inverse = INVERSE[insn.op];
      // inverted, both successors stay reachable: the checked path now runs when the check fails
      if ((nullTest || insn.source === 'reg' || insn.imm !== 0) && inverse !== undefined) add(kind, i, { ...insn, op: inverse }, `${insn.op} inverted to ${inverse}`);
      // a bound against a constant loosened
      if (!nullTest && insn.source === 'imm' && insn.imm > 0 && insn.imm < 0x1000000) {
        add(kind, i, { ...insn, imm: insn.imm * 16 + 4096 }, `${insn.op} bound ${insn.imm} loosened to ${insn.imm * 16 + 4096}`);
      }
    }
    if (insn.kind === 'jump' || insn.kind === 'ja') {
      // back to an earlier instruction start, 1..16 instructions up
      const back = Math.max(0, i - 1 - (i % 16));
      const off = slots[back]! - slots[i + 1]!;
      if (insn.kind === 'jump') add('back-edge', i, { ...insn, off }, `${insn.op} back to #${back}`);
      else add('back-edge', i, { ...insn, off }, `goto back to #${back}`);
    } else if (insn.kind === 'alu' && i > 0 && i % 5 === 0) {
      const back = Math.max(0, i - 3);
      add('back-edge', i, { kind: 'ja', long: false, off: slots[back]! - slots[i + 1]! }, `alu made goto back to #${back}`);
    }
    if ((insn.kind === 'ldx' && insn.src !== 10) || ((insn.kind === 'stx' || insn.kind === 'st') && insn.dst !== 10)) {
      const delta = [8, 64, 1024][i % 3]!;
      if (insn.off + delta < 32768) add('offset-past-end', i, { ...insn, off: insn.off + delta }, `${insn.kind} offset +${delta}`);
    }
    if (readsSrc(insn) && (insn.kind === 'alu' || insn.kind === 'jump' || insn.kind === 'stx')) {
      const fresh = [2, 3, 4, 5, 6, 7, 8, 9].find((r) => !writtenBefore[i]!.has(r) && r !== insn.src);
      if (fresh !== undefined) add('uninit-read', i, { ...insn, src: fresh as Register }, `src r${insn.src} -> uninitialised r${fresh}`);
    }
    if (insn.kind === 'ldx' && insn.src === 10) {
      const off = [-504, -496, -488, -480].find((o) => ![...stackWrites].some((w) => w <= o && o < w + 8));
      if (off !== undefined) add('uninit-read', i, { ...insn, off }, `stack load fp${insn.off} -> unwritten fp${off}`);
    }
    if ((insn.kind === 'st' || insn.kind === 'stx' || insn.kind === 'atomic') && insn.dst === 10) {
      add('stack-past-512', i, { ...insn, off: insn.off - 512 }, `stack store fp${insn.off} -> fp${insn.off - 512}`);
    }
    if (insn.kind === 'call' && insn.target === 'helper') {
      const [id, name] = OTHER_HELPERS[i % OTHER_HELPERS.length]!;
      if (id !== insn.imm) add('helper-arg', i, { ...insn, imm: id }, `helper ${insn.imm} -> ${id} (${name})`);
      // the last argument set before the call in the same straight line
      for (let j = i - 1; j >= 0 && j >= i - 6; j--) {
        const a = insns[j]!;
        if (a.kind === 'jump' || a.kind === 'ja' || a.kind === 'exit' || a.kind === 'call' || slotToIndex.get(slots[j]!) !== j) break;
        const w = written(a);
        if (w === undefined || w < 1 || w > 5) continue;
        if (a.kind === 'alu' && a.op === 'mov' && a.source === 'imm') {
          add('helper-arg', j, { ...a, source: 'reg', src: 10, imm: 0 }, `argument r${w} = ${a.imm} -> r${w} = r10`);
        } else if (a.kind === 'alu' && a.op === 'mov' && a.source === 'reg') {
          add('helper-arg', j, { ...a, source: 'imm', src: 0, imm: 0 }, `argument r${w} = r${a.src} -> r${w} = 0`);
        } else if (a.kind === 'lddw' && a.pseudo === 'map_fd') {
          const other = ((w % 5) + 1) as Register;
          out.push({ kind: 'helper-arg', function: fn.name, index: j, insn: { ...a, dst: other }, what: `#${j} map pointer r${w} -> r${other}` });
        }
        break;
      }
      if (insn.imm === HELPER_RINGBUF_SUBMIT || insn.imm === HELPER_RINGBUF_DISCARD) {
        add('leaked-reference', i, { kind: 'alu', width: 64, op: 'mov', source: 'imm', dst: 0, src: 0, imm: 0 }, `ringbuf submit/discard removed`);
        // every instruction between the reservation and the submit made an exit
        const reserve = insns.slice(0, i).map((x) => x.kind === 'call' && x.target === 'helper' && x.imm === HELPER_RINGBUF_RESERVE).lastIndexOf(true);
        for (let j = reserve + 1; reserve >= 0 && j < i; j++) {
          if (insns[j]!.kind !== 'lddw') add('leaked-reference', j, { kind: 'exit' }, `exit between reserve #${reserve} and submit #${i}`);
        }
      }
    }
    if (prefix && insn.kind === 'ldx' && ctxRegs.has(insn.src)) {
      if (i % 2 === 0) add('ctx-readonly-write', i, { kind: 'st', size: insn.size, dst: insn.src, off: insn.off, imm: 0 }, `ctx load +${insn.off} made a store of 0`);
      else add('ctx-readonly-write', i, { kind: 'stx', size: insn.size, dst: insn.src, src: 10, off: insn.off }, `ctx load +${insn.off} made a store of r10`);
    }
    if (prefix) {
      if (insn.kind === 'alu' && insn.op === 'mov' && insn.source === 'reg' && ctxRegs.has(insn.src)) ctxRegs.add(insn.dst);
      else {
        const w = written(insn);
        if (w !== undefined) ctxRegs.delete(w);
      }
      if (insn.kind === 'jump' || insn.kind === 'ja' || insn.kind === 'call' || insn.kind === 'exit') prefix = false;
    }
  });
  if (insns.some((x) => x.kind === 'exit')) {
    out.push({ kind: 'leaked-reference', function: fn.name, index: 0, prologue: 'ringbuf-reserve', what: 'ringbuf reserve prepended, never submitted' });
  }
  return out;
}

/**
 * Up to `perKind` mutants of each kind over `bases`, chosen by `seed`: the candidates of a kind in the order of
 * a seeded hash of their names, the first `perKind` kept (at most `perBase` from one program, so no single
 * program dominates a kind).
 */
export function generateMutants(bases: readonly MutantBase[], options: { perKind: number; seed: number; perBase?: number }): Mutant[] {
  const byKind = new Map<MutantKind, { base: MutantBase; mutation: Mutation }[]>();
  for (const base of bases) {
    const p = base.spec.programs.find((x) => x.name === base.program);
    const fn = base.spec.functions.find((f) => f.name === p?.function);
    if (fn === undefined) continue;
    for (const mutation of mutationsOf(fn)) {
      const list = byKind.get(mutation.kind) ?? [];
      list.push({ base, mutation });
      byKind.set(mutation.kind, list);
    }
  }
  const out: Mutant[] = [];
  for (const kind of MUTANT_KINDS) {
    // ordered by a seeded hash of each candidate's name: adding a program elsewhere does not reshuffle the rest
    const list = (byKind.get(kind) ?? [])
      .map((x) => ({ ...x, key: hash(`${options.seed}/${x.base.object}/${x.base.program}/${x.mutation.what}`) }))
      .sort((a, b) => a.key - b.key);
    const perBase = new Map<string, number>();
    let taken = 0;
    for (const { base, mutation } of list) {
      if (taken >= options.perKind) break;
      const key = `${base.object}/${base.program}`;
      const n = perBase.get(key) ?? 0;
      if (n >= (options.perBase ?? 4)) continue;
      perBase.set(key, n + 1);
      taken++;
      out.push({ name: `${key} ${kind} ${mutation.what}`, kind, spec: applyMutation(base.spec, mutation), program: base.program, mutation, base });
    }
  }
  return out;
}

/** FNV-1a, 32 bits */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
