// The IR subset the BPF backend lowers, and the named rejection of everything else: floating point, integers
// wider than 64 bits, vectors, variable-size alloca, indirect calls, inline asm, unknown intrinsics, recursion,
// and signed division (absent from -mcpu=v3, which both drivers target).
// Each violation names the construct and, when the instruction has a `!dbg`, its C line.
//
//   checkSubset(parseIr(text)); // throws IrSubsetError: "policy.c:12: function f: floating point (fadd) is not supported for BPF"
import type { Instruction, IrFunction, IrModule, IrType, MetadataNode, MetadataValue, Value } from './ast.ts';
import { declarationLocation, resolveMetadata, sourceLocation, type SourceLocation } from './debug-info.ts';

export interface SubsetViolation {
  /** What is outside the subset, e.g. `floating point (fadd)`, `indirect call`, `unknown intrinsic llvm.sin.f64`. */
  readonly construct: string;
  readonly function?: string;
  /** The C source position (from `!dbg`, else the function's or global's declaration), when known. */
  readonly source?: SourceLocation;
  /** The .ll line. */
  readonly irLine: number;
  readonly message: string;
}

/** IR that parses but is outside what the BPF backend supports. `violations` lists every one found. */
export class IrSubsetError extends RangeError {
  readonly violations: readonly SubsetViolation[];
  constructor(violations: readonly SubsetViolation[]) {
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
    super(`${violations[0]!.message}${more}`);
    this.name = 'IrSubsetError';
    this.violations = violations;
  }
}

/**
 * Intrinsics the backend lowers or ignores, by name prefix (a trailing `.` matches any overload suffix).
 * From COMPILER-NOTES plus the CO-RE builtins clang emits for `__builtin_preserve_field_info`,
 * `__builtin_btf_type_id`, `__builtin_preserve_type_info` and `__builtin_preserve_enum_value`, and the legacy
 * packet loads.
 */
export const SUPPORTED_INTRINSICS: readonly string[] = [
  'llvm.lifetime.start.', 'llvm.lifetime.end.', 'llvm.assume', 'llvm.dbg.', 'llvm.experimental.noalias.scope.decl',
  'llvm.memcpy.', 'llvm.memcpy.inline.', 'llvm.memset.', 'llvm.memset.inline.', 'llvm.memmove.',
  'llvm.bswap.', 'llvm.umin.', 'llvm.umax.', 'llvm.smin.', 'llvm.smax.', 'llvm.abs.', 'llvm.fshl.', 'llvm.fshr.',
  'llvm.ctpop.', 'llvm.objectsize.', 'llvm.expect.', 'llvm.usub.sat.', 'llvm.uadd.sat.',
  'llvm.preserve.array.access.index.', 'llvm.preserve.union.access.index.', 'llvm.preserve.struct.access.index.',
  'llvm.bpf.preserve.field.info.', 'llvm.bpf.btf.type.id', 'llvm.bpf.preserve.type.info', 'llvm.bpf.preserve.enum.value',
  // legacy packet loads (ld_abs/ld_ind) of socket filters: `load_half()` in bpf_helpers.h
  'llvm.bpf.load.byte', 'llvm.bpf.load.half', 'llvm.bpf.load.word',
  // an identity that clang-19's own BPF IR passes leave in its -emit-llvm output (CO-RE, BPFAdjustOpt)
  'llvm.bpf.passthrough.',
];

export function isSupportedIntrinsic(name: string): boolean {
  return SUPPORTED_INTRINSICS.some((p) => (p.endsWith('.') ? name.startsWith(p) : name === p || name.startsWith(`${p}.`)));
}

const FLOAT_OPS = new Set([
  'fadd', 'fsub', 'fmul', 'fdiv', 'frem', 'fneg', 'fcmp', 'fptrunc', 'fpext', 'fptoui', 'fptosi', 'uitofp', 'sitofp',
]);

/** Every construct of `mod` outside the BPF subset, in text order. */
export function findUnsupported(mod: IrModule): SubsetViolation[] {
  const out: SubsetViolation[] = [];
  const functions = new Map(mod.functions.map((f) => [f.name, f]));
  const globals = new Set(mod.globals.map((g) => g.name));

  for (const asm of mod.moduleAsm) {
    out.push(violation('module-level inline asm', { irLine: 0, detail: JSON.stringify(asm) }));
  }
  for (const g of mod.globals) {
    const where = { irLine: g.at.line, source: declarationLocation(mod, globalVariableNode(mod, g.attachments['dbg'])) };
    if (g.threadLocal) out.push(violation(`thread-local variable @${g.name}`, where));
    const scalar = scalarKind(g.type);
    if (scalar !== undefined && scalar !== 'ok') out.push(violation(`${scalar} global @${g.name}`, where));
  }
  for (const fn of mod.functions) {
    if (!fn.defined) continue;
    const fnSource = declarationLocation(mod, resolveMetadata(mod, fn.attachments['dbg']));
    for (const block of fn.blocks) {
      for (const inst of block.instructions) {
        const construct = instructionViolation(inst, functions, globals);
        if (construct === undefined) continue;
        const source = inst.dbg !== undefined ? sourceLocation(mod, inst.dbg) : undefined;
        out.push(violation(construct, { fn, irLine: inst.at.line, source: source ?? fnSource }));
      }
    }
  }
  out.push(...recursion(mod));
  return out;
}

/** Throws IrSubsetError when `mod` has anything outside the BPF subset. */
export function checkSubset(mod: IrModule): void {
  const violations = findUnsupported(mod);
  if (violations.length > 0) throw new IrSubsetError(violations);
}

/** DIGlobalVariableExpression(var: !1) -> the DIGlobalVariable node. */
function globalVariableNode(mod: IrModule, dbg: MetadataValue | undefined): MetadataNode | undefined {
  const gve = resolveMetadata(mod, dbg);
  if (gve?.kind === 'specialized' && gve.name === 'DIGlobalVariableExpression') {
    const v = gve.fields['var'];
    if (v?.kind === 'metadata') return resolveMetadata(mod, v.value);
  }
  return gve;
}

function violation(
  construct: string,
  where: { fn?: IrFunction; irLine: number; source?: SourceLocation | undefined; detail?: string },
): SubsetViolation {
  const src = where.source;
  const position = src !== undefined && src.line > 0 ? `${src.file}:${src.line}: ` : `ir line ${where.irLine}: `;
  const inFn = where.fn !== undefined ? `function ${where.fn.name}: ` : '';
  const detail = where.detail !== undefined ? ` ${where.detail}` : '';
  return {
    construct,
    ...(where.fn !== undefined ? { function: where.fn.name } : {}),
    ...(src !== undefined ? { source: src } : {}),
    irLine: where.irLine,
    message: `${position}${inFn}${construct}${detail} is not supported for BPF`,
  };
}

/** 'float', 'vector', 'i128' (any integer wider than 64 bits) or 'ok' for a value type. */
function scalarKind(t: IrType): 'float' | 'vector' | 'wide integer' | 'ok' | undefined {
  switch (t.kind) {
    case 'float':
      return 'float';
    case 'vector':
      return 'vector';
    case 'int':
      return t.bits > 64 ? 'wide integer' : 'ok';
    default:
      return 'ok';
  }
}

function typeViolation(t: IrType, op: string): string | undefined {
  switch (scalarKind(t)) {
    case 'float':
      return `floating point (${op} ${typeName(t)})`;
    case 'vector':
      return `vector operation (${op} ${typeName(t)})`;
    case 'wide integer':
      return `${(t as { bits: number }).bits}-bit integer arithmetic (${op} ${typeName(t)})`;
    default:
      return undefined;
  }
}

function typeName(t: IrType): string {
  switch (t.kind) {
    case 'int':
      return `i${t.bits}`;
    case 'float':
      return t.name;
    case 'vector':
      return `<${t.length} x ${typeName(t.element)}>`;
    case 'ptr':
      return 'ptr';
    default:
      return t.kind;
  }
}

/** The types an instruction computes with (not aggregate layouts it merely points at). */
function valueTypes(inst: Instruction): IrType[] {
  switch (inst.op) {
    case 'icmp':
    case 'fcmp':
    case 'phi':
      return [inst.type];
    case 'load':
      return [inst.type];
    case 'store':
      return [inst.value.type];
    case 'select':
      return [inst.ifTrue.type];
    case 'freeze':
      return [inst.value.type];
    case 'atomicrmw':
      return [inst.value.type];
    case 'cmpxchg':
      return [inst.expected.type];
    case 'ret':
      return inst.value !== undefined ? [inst.value.type] : [];
    case 'switch':
      return [inst.type];
    case 'call':
      return [inst.type.kind === 'function' ? inst.type.ret : inst.type, ...inst.args.map((a) => a.type)];
    case 'fneg':
      return [inst.operand.type];
    default:
      if ('lhs' in inst && 'type' in inst) return [inst.type];
      if ('value' in inst && 'to' in inst) return [inst.value.type, inst.to];
      return [];
  }
}

function instructionViolation(
  inst: Instruction,
  functions: ReadonlyMap<string, IrFunction>,
  globals: ReadonlySet<string>,
): string | undefined {
  const op = inst.op === 'condbr' ? 'br' : inst.op === 'other' ? inst.opcode : inst.op;
  if (FLOAT_OPS.has(op)) return `floating point (${op})`;
  switch (inst.op) {
    case 'sdiv':
    case 'srem':
      // clang-19 refuses these too at -mcpu=v3: "unsupported signed division, please convert to unsigned div/mod"
      return `signed division (${inst.op}; BPF has it only from -mcpu=v4, convert to unsigned)`;
    case 'other':
      return `instruction '${inst.opcode}'`;
    case 'va_arg':
      return 'variadic arguments (va_arg)';
    case 'extractelement':
    case 'insertelement':
    case 'shufflevector':
      return `vector operation (${inst.op})`;
    case 'alloca':
      if (inst.count !== undefined && inst.count.value.kind !== 'int') return 'variable-size alloca';
      break;
    case 'call': {
      const callee = calleeKind(inst.callee, functions, globals);
      if (callee !== undefined) return callee;
      break;
    }
    default:
      break;
  }
  for (const t of valueTypes(inst)) {
    if (t.kind === 'metadata' || t.kind === 'label') continue;
    const v = typeViolation(t, op);
    if (v !== undefined) return v;
  }
  return undefined;
}

function calleeKind(
  callee: Value,
  functions: ReadonlyMap<string, IrFunction>,
  globals: ReadonlySet<string>,
): string | undefined {
  switch (callee.kind) {
    case 'asm':
      return `inline asm ${JSON.stringify(callee.template)}`;
    case 'local':
      return `indirect call (through %${callee.name})`;
    case 'global':
      if (callee.name.startsWith('llvm.')) {
        if (callee.name.startsWith('llvm.stacksave') || callee.name.startsWith('llvm.stackrestore')) {
          return `variable-size alloca (${callee.name})`;
        }
        return isSupportedIntrinsic(callee.name) ? undefined : `unknown intrinsic ${callee.name}`;
      }
      if (functions.has(callee.name)) return undefined;
      if (globals.has(callee.name)) return `indirect call (through @${callee.name})`;
      return undefined;
    case 'constexpr': {
      const e = callee.expr;
      // a helper call: call ptr inttoptr (i64 N to ptr)(...)
      if (e.op === 'inttoptr' && e.value.value.kind === 'int') return undefined;
      return `indirect call (through a ${e.op} constant expression)`;
    }
    default:
      return `indirect call (through ${callee.kind})`;
  }
}

/** Calls between defined functions that form a cycle (the kernel rejects recursion). */
function recursion(mod: IrModule): SubsetViolation[] {
  const defined = new Map(mod.functions.filter((f) => f.defined).map((f) => [f.name, f]));
  const edges = new Map<string, { to: string; inst: Instruction }[]>();
  for (const fn of defined.values()) {
    const list: { to: string; inst: Instruction }[] = [];
    for (const b of fn.blocks) {
      for (const inst of b.instructions) {
        if (inst.op === 'call' && inst.callee.kind === 'global' && defined.has(inst.callee.name)) {
          list.push({ to: inst.callee.name, inst });
        }
        // a function passed as a callback (bpf_loop) is called too
        if (inst.op === 'call') {
          for (const a of inst.args) {
            if (a.value.kind === 'global' && defined.has(a.value.name)) list.push({ to: a.value.name, inst });
          }
        }
      }
    }
    edges.set(fn.name, list);
  }
  const out: SubsetViolation[] = [];
  const state = new Map<string, 1 | 2>(); // 1 on the stack, 2 done
  const reported = new Set<string>();
  const visit = (name: string) => {
    state.set(name, 1);
    for (const e of edges.get(name) ?? []) {
      const s = state.get(e.to);
      if (s === 1 && !reported.has(e.to)) {
        reported.add(e.to);
        const fn = defined.get(name)!;
        const source = e.inst.dbg !== undefined ? sourceLocation(mod, e.inst.dbg) : undefined;
        out.push(violation(`recursion (${name} calls ${e.to})`, { fn, irLine: e.inst.at.line, source }));
      } else if (s === undefined) visit(e.to);
    }
    state.set(name, 2);
  };
  for (const name of defined.keys()) if (!state.has(name)) visit(name);
  return out;
}
