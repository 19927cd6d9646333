// The typed AST of LLVM textual IR, as clang -O2 prints it for restricted BPF C (LLVM 19 and LLVM 22).
//
// The parser is deliberately wider than the subset the backend lowers: it reads any construct clang emits for
// C (floating point, vectors, inline asm, ...) so that `checkSubset` can reject it by name with its C line,
// instead of the parser failing with a bare syntax error.
//
// Values are references: `%x` to an SSA value (argument or instruction result), `@x` to a global or function,
// constants inline. Metadata is a table of nodes keyed by number (`!12`), parsed generically (kind name,
// named fields, positional operands) so the backend can derive BTF and line info from it.

/** An IR type. `named` is `%struct.foo` (resolve through `IrModule.types`). */
export type IrType =
  | { readonly kind: 'void' }
  | { readonly kind: 'int'; readonly bits: number }
  | { readonly kind: 'float'; readonly name: string } // half bfloat float double fp128 x86_fp80 ppc_fp128
  | { readonly kind: 'ptr'; readonly addrspace: number }
  | { readonly kind: 'array'; readonly length: number; readonly element: IrType }
  | { readonly kind: 'vector'; readonly length: number; readonly element: IrType; readonly scalable: boolean }
  | { readonly kind: 'struct'; readonly fields: readonly IrType[]; readonly packed: boolean }
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'function'; readonly ret: IrType; readonly params: readonly IrType[]; readonly varargs: boolean }
  | { readonly kind: 'label' }
  | { readonly kind: 'metadata' }
  | { readonly kind: 'token' }
  | { readonly kind: 'opaque' };

/** A value with the type it is used at. */
export interface TypedValue {
  readonly type: IrType;
  readonly value: Value;
}

/** An operand. Integer constants carry no type of their own: the enclosing `TypedValue` has it. */
export type Value =
  | { readonly kind: 'local'; readonly name: string } // %x, %0
  | { readonly kind: 'global'; readonly name: string } // @x
  | { readonly kind: 'int'; readonly value: bigint } // 42, -1, true (1), false (0)
  | { readonly kind: 'float'; readonly text: string } // 1.0, 0x3FF0000000000000
  | { readonly kind: 'null' }
  | { readonly kind: 'none' }
  | { readonly kind: 'undef' }
  | { readonly kind: 'poison' }
  | { readonly kind: 'zeroinitializer' }
  | { readonly kind: 'string'; readonly bytes: Uint8Array } // c"GPL\00"
  | { readonly kind: 'array'; readonly elements: readonly TypedValue[] }
  | { readonly kind: 'vector'; readonly elements: readonly TypedValue[] }
  | { readonly kind: 'splat'; readonly element: TypedValue } // splat (i32 3)
  | { readonly kind: 'struct'; readonly elements: readonly TypedValue[]; readonly packed: boolean }
  | { readonly kind: 'constexpr'; readonly expr: ConstantExpr }
  | { readonly kind: 'asm'; readonly sideEffect: boolean; readonly template: string; readonly constraints: string }
  | { readonly kind: 'metadata'; readonly metadata: MetadataValue } // an operand of type `metadata`
  | { readonly kind: 'blockaddress'; readonly fn: string; readonly block: string };

/** A constant expression, e.g. `getelementptr inbounds (i8, ptr @g, i64 4)` or `inttoptr (i64 1 to ptr)`. */
export type ConstantExpr =
  | {
      readonly op: 'getelementptr';
      readonly flags: readonly string[];
      readonly sourceType: IrType;
      readonly base: TypedValue;
      readonly indices: readonly TypedValue[];
    }
  | { readonly op: CastOp; readonly value: TypedValue; readonly to: IrType }
  | { readonly op: BinaryOp; readonly flags: readonly string[]; readonly lhs: TypedValue; readonly rhs: TypedValue }
  | { readonly op: 'icmp'; readonly predicate: string; readonly lhs: TypedValue; readonly rhs: TypedValue };

export const BINARY_OPS = [
  'add', 'sub', 'mul', 'udiv', 'sdiv', 'urem', 'srem', 'shl', 'lshr', 'ashr', 'and', 'or', 'xor',
  'fadd', 'fsub', 'fmul', 'fdiv', 'frem',
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const CAST_OPS = [
  'trunc', 'zext', 'sext', 'inttoptr', 'ptrtoint', 'bitcast', 'addrspacecast',
  'fptrunc', 'fpext', 'fptoui', 'fptosi', 'uitofp', 'sitofp',
] as const;
export type CastOp = (typeof CAST_OPS)[number];

/** A debug record (`#dbg_value(...)`, `#dbg_declare(...)`, `#dbg_assign(...)`), attached to the next instruction. */
export interface DebugRecord {
  readonly kind: 'value' | 'declare' | 'assign' | 'label';
  /** The record's operands in order: location value, variable, expression, (assign id, address, address expression,) DILocation. */
  readonly operands: readonly MetadataValue[];
  readonly line: number;
}

/** Where an instruction is in the .ll text (1-based), for messages. */
export interface IrPosition {
  readonly line: number;
  readonly column: number;
}

interface InstructionBase {
  /** The SSA name it defines (without `%`), if any. */
  readonly result?: string;
  /** `!dbg !N`: the DILocation id. */
  readonly dbg?: number;
  /** Every other attachment: `!tbaa !5`, `!DIAssignID !7`, `!llvm.preserve.access.index !9`. */
  readonly attachments: Readonly<Record<string, MetadataValue>>;
  /** Debug records printed before this instruction. */
  readonly records: readonly DebugRecord[];
  readonly at: IrPosition;
}

export type Ordering = 'unordered' | 'monotonic' | 'acquire' | 'release' | 'acq_rel' | 'seq_cst';

export type Instruction = InstructionBase &
  (
    | { readonly op: BinaryOp; readonly flags: readonly string[]; readonly type: IrType; readonly lhs: Value; readonly rhs: Value }
    | { readonly op: 'fneg'; readonly flags: readonly string[]; readonly operand: TypedValue }
    | { readonly op: CastOp; readonly flags: readonly string[]; readonly value: TypedValue; readonly to: IrType }
    | { readonly op: 'icmp' | 'fcmp'; readonly flags: readonly string[]; readonly predicate: string; readonly type: IrType; readonly lhs: Value; readonly rhs: Value }
    | { readonly op: 'select'; readonly flags: readonly string[]; readonly condition: TypedValue; readonly ifTrue: TypedValue; readonly ifFalse: TypedValue }
    | { readonly op: 'phi'; readonly flags: readonly string[]; readonly type: IrType; readonly incoming: readonly { readonly value: Value; readonly block: string }[] }
    | { readonly op: 'freeze'; readonly value: TypedValue }
    | {
        readonly op: 'alloca';
        readonly type: IrType;
        readonly count?: TypedValue;
        readonly align?: number;
        readonly addrspace?: number;
      }
    | {
        readonly op: 'load';
        readonly type: IrType;
        readonly pointer: TypedValue;
        readonly volatile: boolean;
        readonly atomic?: { readonly ordering: Ordering; readonly syncscope?: string };
        readonly align?: number;
      }
    | {
        readonly op: 'store';
        readonly value: TypedValue;
        readonly pointer: TypedValue;
        readonly volatile: boolean;
        readonly atomic?: { readonly ordering: Ordering; readonly syncscope?: string };
        readonly align?: number;
      }
    | {
        readonly op: 'getelementptr';
        readonly flags: readonly string[];
        readonly sourceType: IrType;
        readonly base: TypedValue;
        readonly indices: readonly TypedValue[];
      }
    | {
        readonly op: 'atomicrmw';
        readonly operation: string;
        readonly volatile: boolean;
        readonly pointer: TypedValue;
        readonly value: TypedValue;
        readonly syncscope?: string;
        readonly ordering: Ordering;
        readonly align?: number;
      }
    | {
        readonly op: 'cmpxchg';
        readonly weak: boolean;
        readonly volatile: boolean;
        readonly pointer: TypedValue;
        readonly expected: TypedValue;
        readonly replacement: TypedValue;
        readonly syncscope?: string;
        readonly success: Ordering;
        readonly failure: Ordering;
        readonly align?: number;
      }
    | { readonly op: 'fence'; readonly syncscope?: string; readonly ordering: Ordering }
    | { readonly op: 'extractvalue'; readonly aggregate: TypedValue; readonly indices: readonly number[] }
    | { readonly op: 'insertvalue'; readonly aggregate: TypedValue; readonly value: TypedValue; readonly indices: readonly number[] }
    | { readonly op: 'extractelement'; readonly vector: TypedValue; readonly index: TypedValue }
    | { readonly op: 'insertelement'; readonly vector: TypedValue; readonly value: TypedValue; readonly index: TypedValue }
    | { readonly op: 'shufflevector'; readonly a: TypedValue; readonly b: TypedValue; readonly mask: TypedValue }
    | {
        readonly op: 'call';
        /** `tail`, `musttail` or `notail` before `call`. */
        readonly tail?: 'tail' | 'musttail' | 'notail';
        readonly callingConv?: string;
        readonly returnAttrs: readonly string[];
        /** The return type, or the whole function type when the call spells it (varargs). */
        readonly type: IrType;
        readonly callee: Value;
        readonly args: readonly CallArgument[];
        /** Function attributes after the argument list: `#5`, `nounwind`, ... */
        readonly fnAttrs: readonly string[];
      }
    | { readonly op: 'ret'; readonly value?: TypedValue }
    | { readonly op: 'br'; readonly target: string }
    | { readonly op: 'condbr'; readonly condition: Value; readonly ifTrue: string; readonly ifFalse: string }
    | {
        readonly op: 'switch';
        readonly type: IrType;
        readonly value: Value;
        readonly defaultTarget: string;
        readonly cases: readonly { readonly value: bigint; readonly target: string }[];
      }
    | { readonly op: 'unreachable' }
    | { readonly op: 'va_arg'; readonly list: TypedValue; readonly type: IrType }
    | { readonly op: 'other'; readonly opcode: string }
  );

/** An instruction's opcode-specific part (what follows the opcode, before the attachments). */
export type InstructionBody = Instruction extends infer I
  ? I extends unknown
    ? Omit<I, keyof InstructionBase>
    : never
  : never;

export interface CallArgument extends TypedValue {
  readonly attrs: readonly string[];
}

/** The opcode as written in the text (`condbr` prints as `br`). */
export function opcodeOf(i: Instruction): string {
  if (i.op === 'condbr') return 'br';
  if (i.op === 'other') return i.opcode;
  return i.op;
}

export interface BasicBlock {
  /** Its label without `%` (the implicit number for an unlabelled entry block). */
  readonly name: string;
  readonly instructions: readonly Instruction[];
}

export interface Parameter {
  readonly type: IrType;
  readonly attrs: readonly string[];
  /** Without `%`; the implicit number when unnamed. */
  readonly name: string;
}

export interface IrFunction {
  readonly name: string;
  /** False for `declare`. */
  readonly defined: boolean;
  /** linkage and visibility words before the return type: `dso_local`, `internal`, ... */
  readonly linkage: readonly string[];
  readonly callingConv?: string;
  readonly returnAttrs: readonly string[];
  readonly returnType: IrType;
  readonly params: readonly Parameter[];
  readonly varargs: boolean;
  /** Words after the parameter list: `local_unnamed_addr`, `#0`, inline attributes. */
  readonly fnAttrs: readonly string[];
  readonly section?: string;
  readonly align?: number;
  /** `!dbg !N` (the DISubprogram) and other function attachments. */
  readonly attachments: Readonly<Record<string, MetadataValue>>;
  readonly blocks: readonly BasicBlock[];
  readonly at: IrPosition;
}

export interface GlobalVariable {
  readonly name: string;
  /** linkage and other words before `global`/`constant`: `dso_local`, `internal`, `external`, `local_unnamed_addr`, ... */
  readonly linkage: readonly string[];
  readonly constant: boolean;
  readonly type: IrType;
  /** Absent for an external declaration. */
  readonly initializer?: Value;
  readonly section?: string;
  readonly align?: number;
  readonly addrspace?: number;
  readonly threadLocal: boolean;
  readonly attachments: Readonly<Record<string, MetadataValue>>;
  /** Attribute groups after the definition (`#0`): clang-19's CO-RE relocation globals carry one. */
  readonly attributes: readonly string[];
  readonly at: IrPosition;
}

/** A metadata operand or field value. */
export type MetadataValue =
  | { readonly kind: 'ref'; readonly id: number } // !12
  | { readonly kind: 'string'; readonly value: string } // !"text"
  | { readonly kind: 'node'; readonly node: MetadataNode } // inline !DIExpression(), !{...}
  | { readonly kind: 'value'; readonly value: TypedValue } // i32 7, ptr %x
  | { readonly kind: 'null' }; // null (a field of a DI node)

/** A field of a specialised node (`line: 12`, `tag: DW_TAG_member`, `flags: DIFlagA | DIFlagB`, `name: "x"`). */
export type MetadataField =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'enum'; readonly value: string } // DW_TAG_member, true, false, FullDebug
  | { readonly kind: 'flags'; readonly value: readonly string[] } // DIFlagA | DIFlagB
  | { readonly kind: 'metadata'; readonly value: MetadataValue };

export type MetadataNode =
  | { readonly kind: 'tuple'; readonly distinct: boolean; readonly operands: readonly MetadataValue[] }
  | {
      readonly kind: 'specialized';
      /** DILocation, DICompositeType, DIExpression, ... */
      readonly name: string;
      readonly distinct: boolean;
      readonly fields: Readonly<Record<string, MetadataField>>;
      /** Positional operands (DIExpression's opcodes, DIArgList's values). */
      readonly args: readonly MetadataField[];
    };

export interface IrModule {
  readonly sourceFilename?: string;
  readonly datalayout?: string;
  readonly triple?: string;
  /** Identified struct types: `%struct.x = type { ... }` (without `%`). */
  readonly types: ReadonlyMap<string, IrType>;
  readonly globals: readonly GlobalVariable[];
  readonly functions: readonly IrFunction[];
  /** `attributes #0 = { ... }`: the words inside the braces. */
  readonly attributeGroups: ReadonlyMap<number, readonly string[]>;
  readonly metadata: ReadonlyMap<number, MetadataNode>;
  /** `!llvm.dbg.cu = !{!2}` and the like: operand ids. */
  readonly namedMetadata: ReadonlyMap<string, readonly number[]>;
  /** `module asm "..."` lines (outside the subset). */
  readonly moduleAsm: readonly string[];
}
