// LLVM textual IR → `IrModule`. Accepts what clang -O2 prints for C (LLVM 19 and LLVM 22 syntax): module
// header, identified structs, globals, functions with attributes, every instruction, debug records and the
// metadata graph. Syntax errors are SyntaxErrors naming the .ll line:column.
//
//   const mod = parseIr(text);
//   mod.functions.find((f) => f.name === 'xdp_prog')?.blocks[0]?.instructions[0]?.op; // 'getelementptr'
import {
  BINARY_OPS,
  CAST_OPS,
  type BasicBlock,
  type BinaryOp,
  type CallArgument,
  type CastOp,
  type ConstantExpr,
  type DebugRecord,
  type GlobalVariable,
  type Instruction,
  type InstructionBody,
  type IrFunction,
  type IrModule,
  type IrType,
  type MetadataField,
  type MetadataNode,
  type MetadataValue,
  type Ordering,
  type Parameter,
  type TypedValue,
  type Value,
} from './ast.ts';
import { tokenize, type Token, type TokenKind } from './lexer.ts';

const BINARY = new Set<string>(BINARY_OPS);
const CASTS = new Set<string>(CAST_OPS);
const ORDERINGS = new Set(['unordered', 'monotonic', 'acquire', 'release', 'acq_rel', 'seq_cst']);
const FLOAT_TYPES = new Set(['half', 'bfloat', 'float', 'double', 'fp128', 'x86_fp80', 'ppc_fp128']);
const VALUE_WORDS = new Set([
  'null', 'none', 'true', 'false', 'undef', 'poison', 'zeroinitializer', 'getelementptr', 'asm', 'blockaddress',
  'dso_local_equivalent', 'no_cfi', 'icmp', 'splat', ...BINARY_OPS, ...CAST_OPS,
]);
const OPERAND_FLAGS = new Set([
  'nuw', 'nsw', 'exact', 'disjoint', 'nneg', 'samesign', 'inbounds', 'nusw',
  'nnan', 'ninf', 'nsz', 'arcp', 'contract', 'afn', 'reassoc', 'fast',
]);
const CALLING_CONVS = /^(ccc|fastcc|coldcc|cc\d*|preserve_\w+|swiftcc|tailcc|cfguard_checkcc|ghccc|anyregcc|webkit_jscc|x86_\w+|arm_\w+|msp430_\w+|ptx_\w+|spir_\w+|intel_\w+|amdgpu_\w+|riscv_\w+|aarch64_\w+|win64cc|hhvmcc|hhvm_ccc)$/;
const LINKAGE_WORDS = new Set([
  'private', 'internal', 'available_externally', 'linkonce', 'weak', 'common', 'appending', 'extern_weak',
  'linkonce_odr', 'weak_odr', 'external', 'dso_local', 'dso_preemptable', 'default', 'hidden', 'protected',
  'dllimport', 'dllexport', 'unnamed_addr', 'local_unnamed_addr', 'externally_initialized',
]);

/** Parses LLVM textual IR. Throws a SyntaxError `ir LINE:COLUMN: message` on malformed input. */
export function parseIr(text: string): IrModule {
  return new Parser(text).module();
}

class Parser {
  readonly #text: string;
  readonly #toks: Token[];
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
    this.#toks = tokenize(text);
  }

  // ---- token helpers ----------------------------------------------------------------------------------

  get #tok(): Token {
    return this.#toks[this.#pos]!;
  }
  #peek(k = 1): Token {
    return this.#toks[Math.min(this.#pos + k, this.#toks.length - 1)]!;
  }
  #next(): Token {
    const t = this.#tok;
    if (t.kind !== 'eof') this.#pos++;
    return t;
  }
  #prev(): Token {
    return this.#toks[Math.max(0, this.#pos - 1)]!;
  }
  #is(kind: TokenKind, text?: string): boolean {
    const t = this.#tok;
    return t.kind === kind && (text === undefined || t.text === text);
  }
  #isWord(text: string): boolean {
    return this.#is('word', text);
  }
  #isPunct(text: string): boolean {
    return this.#is('punct', text);
  }
  #accept(kind: TokenKind, text?: string): Token | undefined {
    return this.#is(kind, text) ? this.#next() : undefined;
  }
  #expect(kind: TokenKind, text?: string, what?: string): Token {
    if (this.#is(kind, text)) return this.#next();
    return this.#fail(`expected ${what ?? (text !== undefined ? `'${text}'` : kind)}, found ${describe(this.#tok)}`);
  }
  #fail(message: string, at: Token = this.#tok): never {
    throw new SyntaxError(`ir ${at.line}:${at.column}: ${message}`);
  }
  /** True when the current token is on the same line as the previous one. */
  #sameLine(): boolean {
    return this.#tok.kind !== 'eof' && this.#tok.line === this.#prev().line;
  }
  #int(): number {
    const t = this.#expect('int', undefined, 'an integer');
    return Number(t.text);
  }

  // ---- module -----------------------------------------------------------------------------------------

  module(): IrModule {
    let sourceFilename: string | undefined;
    let datalayout: string | undefined;
    let triple: string | undefined;
    const types = new Map<string, IrType>();
    const globals: GlobalVariable[] = [];
    const functions: IrFunction[] = [];
    const attributeGroups = new Map<number, readonly string[]>();
    const metadata = new Map<number, MetadataNode>();
    const namedMetadata = new Map<string, readonly number[]>();
    const moduleAsm: string[] = [];

    while (!this.#is('eof')) {
      const t = this.#tok;
      if (t.kind === 'word' && t.text === 'source_filename') {
        this.#next();
        this.#expect('punct', '=');
        sourceFilename = this.#expect('string').text;
      } else if (t.kind === 'word' && t.text === 'target') {
        this.#next();
        const which = this.#expect('word', undefined, "'datalayout' or 'triple'");
        this.#expect('punct', '=');
        const value = this.#expect('string').text;
        if (which.text === 'datalayout') datalayout = value;
        else if (which.text === 'triple') triple = value;
        else this.#fail(`unknown target property '${which.text}'`, which);
      } else if (t.kind === 'word' && t.text === 'module') {
        this.#next();
        this.#expect('word', 'asm');
        moduleAsm.push(this.#expect('string').text);
      } else if (t.kind === 'word' && t.text.startsWith('$')) {
        // comdat: $name = comdat any
        this.#next();
        this.#expect('punct', '=');
        this.#expect('word', 'comdat');
        this.#expect('word');
      } else if (t.kind === 'local') {
        this.#next();
        this.#expect('punct', '=');
        this.#expect('word', 'type');
        if (this.#accept('word', 'opaque')) types.set(t.text, { kind: 'opaque' });
        else types.set(t.text, this.#type());
      } else if (t.kind === 'global') {
        globals.push(this.#global());
      } else if (t.kind === 'word' && (t.text === 'define' || t.text === 'declare')) {
        functions.push(this.#function());
      } else if (t.kind === 'word' && t.text === 'attributes') {
        this.#next();
        const id = Number(this.#expect('attrgroup').text);
        this.#expect('punct', '=');
        this.#expect('punct', '{');
        const words: string[] = [];
        while (!this.#isPunct('}')) {
          if (this.#is('eof')) this.#fail("expected '}'");
          words.push(this.#attribute());
        }
        this.#next();
        attributeGroups.set(id, words);
      } else if (t.kind === 'metaref') {
        this.#next();
        this.#expect('punct', '=');
        const distinct = this.#accept('word', 'distinct') !== undefined;
        metadata.set(Number(t.text), this.#metadataNode(distinct));
      } else if (t.kind === 'metaname') {
        this.#next();
        this.#expect('punct', '=');
        this.#expect('bang');
        this.#expect('punct', '{');
        const ids: number[] = [];
        while (!this.#isPunct('}')) {
          ids.push(Number(this.#expect('metaref', undefined, 'a metadata reference').text));
          if (!this.#accept('punct', ',')) break;
        }
        this.#expect('punct', '}');
        namedMetadata.set(t.text, ids);
      } else {
        this.#fail(`unexpected ${describe(t)} at top level`);
      }
    }
    return {
      ...(sourceFilename !== undefined ? { sourceFilename } : {}),
      ...(datalayout !== undefined ? { datalayout } : {}),
      ...(triple !== undefined ? { triple } : {}),
      types,
      globals,
      functions,
      attributeGroups,
      metadata,
      namedMetadata,
      moduleAsm,
    };
  }

  // ---- globals ----------------------------------------------------------------------------------------

  #global(): GlobalVariable {
    const nameTok = this.#next();
    this.#expect('punct', '=');
    const linkage: string[] = [];
    let threadLocal = false;
    let addrspace: number | undefined;
    for (;;) {
      const t = this.#tok;
      if (t.kind !== 'word') this.#fail(`expected 'global' or 'constant', found ${describe(t)}`);
      if (t.text === 'global' || t.text === 'constant') break;
      if (t.text === 'alias' || t.text === 'ifunc') this.#fail(`global ${t.text} @${nameTok.text} is not supported`, t);
      this.#next();
      if (t.text === 'thread_local') {
        threadLocal = true;
        if (this.#isPunct('(')) this.#skipBalanced();
      } else if (t.text === 'addrspace') {
        this.#expect('punct', '(');
        addrspace = this.#int();
        this.#expect('punct', ')');
      } else if (LINKAGE_WORDS.has(t.text)) {
        linkage.push(t.text);
      } else {
        this.#fail(`unexpected '${t.text}' in the definition of @${nameTok.text}`, t);
      }
    }
    const constant = this.#next().text === 'constant';
    const type = this.#type();
    let initializer: Value | undefined;
    if (!linkage.includes('external') && !linkage.includes('extern_weak')) initializer = this.#value(type);
    let section: string | undefined;
    let align: number | undefined;
    const attachments: Record<string, MetadataValue> = {};
    while (this.#accept('punct', ',')) {
      const t = this.#next();
      if (t.kind === 'word' && t.text === 'section') section = this.#expect('string').text;
      else if (t.kind === 'word' && t.text === 'align') align = this.#int();
      else if (t.kind === 'word' && t.text === 'comdat') {
        if (this.#isPunct('(')) this.#skipBalanced();
      } else if (t.kind === 'word' && (t.text === 'partition' || t.text === 'code_model')) this.#expect('string');
      else if (t.kind === 'metaname') attachments[t.text] = this.#metadataValue();
      else this.#fail(`unexpected ${describe(t)} in the definition of @${nameTok.text}`, t);
    }
    const attributes: string[] = [];
    while (this.#sameLine() && (this.#is('attrgroup') || this.#is('metaname'))) {
      const t = this.#next();
      if (t.kind === 'attrgroup') attributes.push(`#${t.text}`);
      else attachments[t.text] = this.#metadataValue();
    }
    return {
      name: nameTok.text,
      linkage,
      constant,
      type,
      ...(initializer !== undefined ? { initializer } : {}),
      ...(section !== undefined ? { section } : {}),
      ...(align !== undefined ? { align } : {}),
      ...(addrspace !== undefined ? { addrspace } : {}),
      threadLocal,
      attachments,
      attributes,
      at: { line: nameTok.line, column: nameTok.column },
    };
  }

  // ---- functions --------------------------------------------------------------------------------------

  #function(): IrFunction {
    const head = this.#next();
    const defined = head.text === 'define';
    const linkage: string[] = [];
    let callingConv: string | undefined;
    const returnAttrs: string[] = [];
    const attachments: Record<string, MetadataValue> = {};
    while (!this.#startsType()) {
      const t = this.#tok;
      if (t.kind === 'word' && LINKAGE_WORDS.has(t.text)) linkage.push(this.#next().text);
      else if (t.kind === 'metaname') {
        this.#next();
        attachments[t.text] = this.#metadataValue();
      }
      else if (t.kind === 'word' && CALLING_CONVS.test(t.text)) {
        callingConv = this.#next().text;
        if (callingConv === 'cc') callingConv += ` ${this.#int()}`;
      } else if (t.kind === 'word' || t.kind === 'string') returnAttrs.push(this.#attribute());
      else this.#fail(`expected the return type of a function, found ${describe(t)}`);
    }
    const returnType = this.#type();
    const nameTok = this.#expect('global', undefined, 'a function name');
    this.#expect('punct', '(');
    const params: Parameter[] = [];
    let varargs = false;
    let unnamed = 0; // unnamed parameters are numbered in order
    while (!this.#isPunct(')')) {
      if (this.#accept('punct', '...')) {
        varargs = true;
        break;
      }
      const type = this.#type();
      const attrs: string[] = [];
      while (this.#is('word') || this.#is('string')) attrs.push(this.#attribute());
      const name = this.#accept('local')?.text ?? String(unnamed++);
      params.push({ type, attrs, name });
      if (!this.#accept('punct', ',')) break;
    }
    this.#expect('punct', ')');
    const fnAttrs: string[] = [];
    let section: string | undefined;
    let align: number | undefined;
    while (this.#sameLine() && !this.#isPunct('{')) {
      const t = this.#tok;
      if (t.kind === 'word' && t.text === 'section') {
        this.#next();
        section = this.#expect('string').text;
      } else if (t.kind === 'word' && t.text === 'align') {
        this.#next();
        align = this.#int();
      } else if (t.kind === 'metaname') {
        this.#next();
        attachments[t.text] = this.#metadataValue();
      } else if (t.kind === 'attrgroup') {
        fnAttrs.push(`#${this.#next().text}`);
      } else if (t.kind === 'word' && (t.text === 'personality' || t.text === 'prefix' || t.text === 'prologue')) {
        this.#fail(`function ${t.text} is not supported`, t);
      } else {
        fnAttrs.push(this.#attribute());
      }
    }
    const blocks: BasicBlock[] = [];
    if (defined) {
      this.#expect('punct', '{');
      let first = true;
      while (!this.#isPunct('}')) {
        if (this.#is('eof')) this.#fail("expected '}' at the end of the function");
        let name: string;
        if (this.#is('label')) name = this.#next().text;
        else if (first) name = String(params.filter((p) => /^\d+$/.test(p.name)).length);
        else this.#fail(`expected a block label, found ${describe(this.#tok)}`);
        first = false;
        blocks.push({ name, instructions: this.#blockBody() });
      }
      this.#next();
    }
    return {
      name: nameTok.text,
      defined,
      linkage,
      ...(callingConv !== undefined ? { callingConv } : {}),
      returnAttrs,
      returnType,
      params,
      varargs,
      fnAttrs,
      ...(section !== undefined ? { section } : {}),
      ...(align !== undefined ? { align } : {}),
      attachments,
      blocks,
      at: { line: head.line, column: head.column },
    };
  }

  #blockBody(): Instruction[] {
    const out: Instruction[] = [];
    let records: DebugRecord[] = [];
    while (!this.#is('label') && !this.#isPunct('}')) {
      if (this.#is('eof')) this.#fail("expected '}' at the end of the function");
      if (this.#is('record')) {
        records.push(this.#debugRecord());
        continue;
      }
      const inst = this.#instruction(records);
      records = [];
      out.push(inst);
      if (isTerminator(inst)) break;
    }
    if (records.length > 0) this.#fail('debug records after the last instruction of a block');
    if (out.length === 0) this.#fail('empty basic block');
    const last = out[out.length - 1]!;
    if (!isTerminator(last)) this.#fail(`block does not end with a terminator (last is '${last.op}')`);
    return out;
  }

  #debugRecord(): DebugRecord {
    const t = this.#next();
    const kinds: Record<string, DebugRecord['kind']> = {
      dbg_value: 'value',
      dbg_declare: 'declare',
      dbg_assign: 'assign',
      dbg_label: 'label',
    };
    const kind = kinds[t.text];
    if (kind === undefined) this.#fail(`unknown debug record #${t.text}`, t);
    this.#expect('punct', '(');
    const operands: MetadataValue[] = [];
    while (!this.#isPunct(')')) {
      operands.push(this.#metadataValue());
      if (!this.#accept('punct', ',')) break;
    }
    this.#expect('punct', ')');
    return { kind, operands, line: t.line };
  }

  // ---- instructions -----------------------------------------------------------------------------------

  #instruction(records: DebugRecord[]): Instruction {
    const first = this.#tok;
    let result: string | undefined;
    if (first.kind === 'local') {
      this.#next();
      this.#expect('punct', '=');
      result = first.text;
    }
    const opTok = this.#expect('word', undefined, 'an instruction');
    const base = {
      ...(result !== undefined ? { result } : {}),
      records,
      at: { line: first.line, column: first.column },
    };
    const body = this.#instructionBody(opTok);
    // trailing `, align N` is handled by the instruction; here only attachments remain
    const attachments: Record<string, MetadataValue> = {};
    let dbg: number | undefined;
    while (this.#isPunct(',') && this.#peek().kind === 'metaname') {
      this.#next();
      const name = this.#next().text;
      const value = this.#metadataValue();
      if (name === 'dbg' && value.kind === 'ref') dbg = value.id;
      else attachments[name] = value;
    }
    if (this.#sameLine() && !(this.#is('eof') || this.#isPunct('}'))) {
      this.#fail(`unexpected ${describe(this.#tok)} after '${opTok.text}'`);
    }
    return { ...base, ...(dbg !== undefined ? { dbg } : {}), attachments, ...body };
  }

  /** The opcode-specific fields of an instruction (its operands and `align`). */
  #instructionBody(opTok: Token): InstructionBody {
    const op = opTok.text;
    if (BINARY.has(op)) {
      const flags = this.#flags();
      const type = this.#type();
      const lhs = this.#value(type);
      this.#expect('punct', ',');
      const rhs = this.#value(type);
      return { op: op as BinaryOp, flags, type, lhs, rhs };
    }
    if (CASTS.has(op)) {
      const flags = this.#flags();
      const value = this.#typedValue();
      this.#expect('word', 'to');
      return { op: op as CastOp, flags, value, to: this.#type() };
    }
    switch (op) {
      case 'fneg':
        return { op, flags: this.#flags(), operand: this.#typedValue() };
      case 'icmp':
      case 'fcmp': {
        const flags = this.#flags();
        const predicate = this.#expect('word', undefined, 'a predicate').text;
        const type = this.#type();
        const lhs = this.#value(type);
        this.#expect('punct', ',');
        return { op, flags, predicate, type, lhs, rhs: this.#value(type) };
      }
      case 'select': {
        const flags = this.#flags();
        const condition = this.#typedValue();
        this.#expect('punct', ',');
        const ifTrue = this.#typedValue();
        this.#expect('punct', ',');
        return { op, flags, condition, ifTrue, ifFalse: this.#typedValue() };
      }
      case 'phi': {
        const flags = this.#flags();
        const type = this.#type();
        const incoming: { value: Value; block: string }[] = [];
        do {
          this.#expect('punct', '[');
          const value = this.#value(type);
          this.#expect('punct', ',');
          const block = this.#expect('local', undefined, 'a block').text;
          this.#expect('punct', ']');
          incoming.push({ value, block });
        } while (this.#isPunct(',') && this.#peek().kind === 'punct' && this.#peek().text === '[' && this.#next());
        return { op, flags, type, incoming };
      }
      case 'freeze':
        return { op, value: this.#typedValue() };
      case 'alloca': {
        this.#accept('word', 'inalloca');
        const type = this.#type();
        let count: TypedValue | undefined;
        let align: number | undefined;
        let addrspace: number | undefined;
        while (this.#isPunct(',') && this.#peek().kind !== 'metaname') {
          this.#next();
          if (this.#accept('word', 'align')) align = this.#int();
          else if (this.#accept('word', 'addrspace')) {
            this.#expect('punct', '(');
            addrspace = this.#int();
            this.#expect('punct', ')');
          } else count = this.#typedValue();
        }
        return {
          op,
          type,
          ...(count !== undefined ? { count } : {}),
          ...(align !== undefined ? { align } : {}),
          ...(addrspace !== undefined ? { addrspace } : {}),
        };
      }
      case 'load': {
        const atomic = this.#accept('word', 'atomic') !== undefined;
        const isVolatile = this.#accept('word', 'volatile') !== undefined;
        const type = this.#type();
        this.#expect('punct', ',');
        const pointer = this.#typedValue();
        const ordering = atomic ? this.#atomicOrdering() : undefined;
        const align = this.#trailingAlign();
        return {
          op,
          type,
          pointer,
          volatile: isVolatile,
          ...(ordering !== undefined ? { atomic: ordering } : {}),
          ...(align !== undefined ? { align } : {}),
        };
      }
      case 'store': {
        const atomic = this.#accept('word', 'atomic') !== undefined;
        const isVolatile = this.#accept('word', 'volatile') !== undefined;
        const value = this.#typedValue();
        this.#expect('punct', ',');
        const pointer = this.#typedValue();
        const ordering = atomic ? this.#atomicOrdering() : undefined;
        const align = this.#trailingAlign();
        return {
          op,
          value,
          pointer,
          volatile: isVolatile,
          ...(ordering !== undefined ? { atomic: ordering } : {}),
          ...(align !== undefined ? { align } : {}),
        };
      }
      case 'getelementptr': {
        const flags = this.#gepFlags();
        const sourceType = this.#type();
        this.#expect('punct', ',');
        const base = this.#typedValue();
        const indices: TypedValue[] = [];
        while (this.#isPunct(',') && this.#peek().kind !== 'metaname') {
          this.#next();
          indices.push(this.#typedValue());
        }
        return { op, flags, sourceType, base, indices };
      }
      case 'atomicrmw': {
        const isVolatile = this.#accept('word', 'volatile') !== undefined;
        const operation = this.#expect('word', undefined, 'an atomicrmw operation').text;
        const pointer = this.#typedValue();
        this.#expect('punct', ',');
        const value = this.#typedValue();
        const { ordering, syncscope } = this.#atomicOrdering();
        const align = this.#trailingAlign();
        return {
          op,
          operation,
          volatile: isVolatile,
          pointer,
          value,
          ...(syncscope !== undefined ? { syncscope } : {}),
          ordering,
          ...(align !== undefined ? { align } : {}),
        };
      }
      case 'cmpxchg': {
        const weak = this.#accept('word', 'weak') !== undefined;
        const isVolatile = this.#accept('word', 'volatile') !== undefined;
        const pointer = this.#typedValue();
        this.#expect('punct', ',');
        const expected = this.#typedValue();
        this.#expect('punct', ',');
        const replacement = this.#typedValue();
        const { ordering: success, syncscope } = this.#atomicOrdering();
        const failure = this.#ordering();
        const align = this.#trailingAlign();
        return {
          op,
          weak,
          volatile: isVolatile,
          pointer,
          expected,
          replacement,
          ...(syncscope !== undefined ? { syncscope } : {}),
          success,
          failure,
          ...(align !== undefined ? { align } : {}),
        };
      }
      case 'fence': {
        const { ordering, syncscope } = this.#atomicOrdering();
        return { op, ordering, ...(syncscope !== undefined ? { syncscope } : {}) };
      }
      case 'extractvalue': {
        const aggregate = this.#typedValue();
        return { op, aggregate, indices: this.#constIndices() };
      }
      case 'insertvalue': {
        const aggregate = this.#typedValue();
        this.#expect('punct', ',');
        const value = this.#typedValue();
        return { op, aggregate, value, indices: this.#constIndices() };
      }
      case 'extractelement': {
        const vector = this.#typedValue();
        this.#expect('punct', ',');
        return { op, vector, index: this.#typedValue() };
      }
      case 'insertelement': {
        const vector = this.#typedValue();
        this.#expect('punct', ',');
        const value = this.#typedValue();
        this.#expect('punct', ',');
        return { op, vector, value, index: this.#typedValue() };
      }
      case 'shufflevector': {
        const a = this.#typedValue();
        this.#expect('punct', ',');
        const b = this.#typedValue();
        this.#expect('punct', ',');
        return { op, a, b, mask: this.#typedValue() };
      }
      case 'tail':
      case 'musttail':
      case 'notail':
        this.#expect('word', 'call');
        return this.#call(op);
      case 'call':
        return this.#call(undefined);
      case 'ret': {
        if (this.#accept('word', 'void')) return { op };
        return { op, value: this.#typedValue() };
      }
      case 'br': {
        if (this.#accept('word', 'label')) return { op, target: this.#expect('local', undefined, 'a block').text };
        const type = this.#type();
        const condition = this.#value(type);
        this.#expect('punct', ',');
        this.#expect('word', 'label');
        const ifTrue = this.#expect('local', undefined, 'a block').text;
        this.#expect('punct', ',');
        this.#expect('word', 'label');
        const ifFalse = this.#expect('local', undefined, 'a block').text;
        return { op: 'condbr', condition, ifTrue, ifFalse };
      }
      case 'switch': {
        const type = this.#type();
        const value = this.#value(type);
        this.#expect('punct', ',');
        this.#expect('word', 'label');
        const defaultTarget = this.#expect('local', undefined, 'a block').text;
        this.#expect('punct', '[');
        const cases: { value: bigint; target: string }[] = [];
        while (!this.#isPunct(']')) {
          const caseType = this.#type();
          const v = this.#value(caseType);
          if (v.kind !== 'int') this.#fail('expected an integer switch case');
          this.#expect('punct', ',');
          this.#expect('word', 'label');
          cases.push({ value: v.value, target: this.#expect('local', undefined, 'a block').text });
          if (this.#is('eof')) this.#fail("expected ']'");
        }
        this.#next();
        return { op, type, value, defaultTarget, cases };
      }
      case 'unreachable':
        return { op };
      case 'va_arg': {
        const list = this.#typedValue();
        this.#expect('punct', ',');
        return { op, list, type: this.#type() };
      }
      case 'invoke':
      case 'landingpad':
      case 'resume':
      case 'indirectbr':
      case 'callbr':
      case 'catchswitch':
      case 'catchpad':
      case 'catchret':
      case 'cleanuppad':
      case 'cleanupret':
        // outside what C for BPF produces; keep it by name so the subset check can report it with its line
        while (this.#sameLine() && !(this.#isPunct(',') && this.#peek().kind === 'metaname')) {
          if (this.#isPunct('[') || this.#isPunct('(') || this.#isPunct('{')) this.#skipBalanced();
          else this.#next();
        }
        return { op: 'other', opcode: op };
      default:
        return this.#fail(`unknown instruction '${op}'`, opTok);
    }
  }

  #call(tail: 'tail' | 'musttail' | 'notail' | undefined): Extract<InstructionBody, { op: 'call' }> {
    this.#flags(); // fast-math flags
    let callingConv: string | undefined;
    const returnAttrs: string[] = [];
    while (!this.#startsType()) {
      const t = this.#tok;
      if (t.kind === 'word' && CALLING_CONVS.test(t.text)) {
        callingConv = this.#next().text;
        if (callingConv === 'cc') callingConv += ` ${this.#int()}`;
      } else if (t.kind === 'word' && t.text === 'addrspace') {
        this.#attribute();
      } else if (t.kind === 'word' || t.kind === 'string') returnAttrs.push(this.#attribute());
      else this.#fail(`expected the return type of a call, found ${describe(t)}`);
    }
    let type = this.#type();
    if (this.#isPunct('(')) {
      // an explicit function type: `call i32 (ptr, ...) @printf(...)`
      this.#next();
      const params: IrType[] = [];
      let varargs = false;
      while (!this.#isPunct(')')) {
        if (this.#accept('punct', '...')) {
          varargs = true;
          break;
        }
        params.push(this.#type());
        while (this.#is('word') && !this.#startsType()) this.#attribute();
        if (!this.#accept('punct', ',')) break;
      }
      this.#expect('punct', ')');
      type = { kind: 'function', ret: type, params, varargs };
    }
    const callee = this.#value({ kind: 'ptr', addrspace: 0 });
    this.#expect('punct', '(');
    const args: CallArgument[] = [];
    while (!this.#isPunct(')')) {
      const argType = this.#type();
      const attrs: string[] = [];
      if (argType.kind !== 'metadata') {
        while ((this.#is('word') && !VALUE_WORDS.has(this.#tok.text)) || this.#is('string')) attrs.push(this.#attribute());
      }
      const value = this.#value(argType);
      args.push({ type: argType, value, attrs });
      if (!this.#accept('punct', ',')) break;
    }
    this.#expect('punct', ')');
    const fnAttrs: string[] = [];
    while (this.#sameLine() && !this.#isPunct(',')) {
      if (this.#is('attrgroup')) fnAttrs.push(`#${this.#next().text}`);
      else if (this.#isPunct('[')) {
        // operand bundles
        const start = this.#tok.start;
        fnAttrs.push(this.#source(start, this.#skipBalanced()));
      } else fnAttrs.push(this.#attribute());
    }
    return {
      op: 'call',
      ...(tail !== undefined ? { tail } : {}),
      ...(callingConv !== undefined ? { callingConv } : {}),
      returnAttrs,
      type,
      callee,
      args,
      fnAttrs,
    };
  }

  #flags(): string[] {
    const flags: string[] = [];
    while (this.#is('word') && OPERAND_FLAGS.has(this.#tok.text)) flags.push(this.#next().text);
    return flags;
  }

  #gepFlags(): string[] {
    const flags: string[] = [];
    for (;;) {
      if (this.#is('word') && (this.#tok.text === 'inbounds' || this.#tok.text === 'nuw' || this.#tok.text === 'nusw')) {
        flags.push(this.#next().text);
      } else if (this.#isWord('inrange')) {
        const start = this.#next().start;
        flags.push(this.#source(start, this.#skipBalanced()));
      } else return flags;
    }
  }

  #ordering(): Ordering {
    const t = this.#expect('word', undefined, 'an atomic ordering');
    if (!ORDERINGS.has(t.text)) this.#fail(`unknown atomic ordering '${t.text}'`, t);
    return t.text as Ordering;
  }

  #atomicOrdering(): { ordering: Ordering; syncscope?: string } {
    let syncscope: string | undefined;
    if (this.#accept('word', 'syncscope')) {
      this.#expect('punct', '(');
      syncscope = this.#expect('string').text;
      this.#expect('punct', ')');
    }
    const ordering = this.#ordering();
    return { ordering, ...(syncscope !== undefined ? { syncscope } : {}) };
  }

  #trailingAlign(): number | undefined {
    if (this.#isPunct(',') && this.#peek().kind === 'word' && this.#peek().text === 'align') {
      this.#next();
      this.#next();
      return this.#int();
    }
    return undefined;
  }

  #constIndices(): number[] {
    const out: number[] = [];
    while (this.#isPunct(',') && this.#peek().kind === 'int') {
      this.#next();
      out.push(this.#int());
    }
    if (out.length === 0) this.#fail('expected an index');
    return out;
  }

  // ---- attributes -------------------------------------------------------------------------------------

  /** One attribute as its source text: `noundef`, `align 8`, `range(i64 0, 5)`, `"key"="value"`, `#0`. */
  #attribute(): string {
    const t = this.#next();
    const start = t.start;
    let end = t.end;
    if (t.kind === 'string') {
      if (this.#isPunct('=')) {
        this.#next();
        end = this.#expect('string').end;
      }
      return this.#source(start, end);
    }
    if (t.kind === 'attrgroup') return `#${t.text}`;
    if (t.kind !== 'word') this.#fail(`expected an attribute, found ${describe(t)}`, t);
    if (this.#isPunct('(') && this.#tok.start === end) {
      end = this.#skipBalanced();
    } else if ((t.text === 'align' || t.text === 'alignstack' || t.text === 'vscale_range') && this.#is('int')) {
      end = this.#next().end;
    } else if (this.#isPunct('=') && this.#peek().kind === 'int') {
      // align=8 style (rare)
      this.#next();
      end = this.#next().end;
    }
    return this.#source(start, end);
  }

  #source(start: number, end: number): string {
    return this.#text.slice(start, end).replace(/\s+/g, ' ');
  }

  /** Skips a balanced (), [] or {} group starting at the current token; returns the end offset. */
  #skipBalanced(): number {
    const open = this.#next();
    const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
    const stack = [pairs[open.text]];
    if (stack[0] === undefined) this.#fail(`expected '(', found ${describe(open)}`, open);
    while (stack.length > 0) {
      const t = this.#next();
      if (t.kind === 'eof') this.#fail(`unbalanced '${open.text}'`, open);
      if (t.kind === 'punct' && pairs[t.text] !== undefined) stack.push(pairs[t.text]);
      else if (t.kind === 'punct' && t.text === stack[stack.length - 1]) stack.pop();
    }
    return this.#prev().end;
  }

  // ---- types ------------------------------------------------------------------------------------------

  #startsType(): boolean {
    const t = this.#tok;
    if (t.kind === 'local') return true;
    if (t.kind === 'punct') return t.text === '[' || t.text === '<' || t.text === '{';
    if (t.kind !== 'word') return false;
    return (
      /^i\d+$/.test(t.text) ||
      FLOAT_TYPES.has(t.text) ||
      ['void', 'ptr', 'label', 'metadata', 'token', 'x86_amx', 'x86_mmx'].includes(t.text)
    );
  }

  #type(): IrType {
    const t = this.#next();
    if (t.kind === 'local') return { kind: 'named', name: t.text };
    if (t.kind === 'word') {
      const int = /^i(\d+)$/.exec(t.text);
      if (int !== null) return { kind: 'int', bits: Number(int[1]) };
      if (FLOAT_TYPES.has(t.text)) return { kind: 'float', name: t.text };
      switch (t.text) {
        case 'void':
          return { kind: 'void' };
        case 'ptr': {
          let addrspace = 0;
          if (this.#accept('word', 'addrspace')) {
            this.#expect('punct', '(');
            addrspace = this.#int();
            this.#expect('punct', ')');
          }
          return { kind: 'ptr', addrspace };
        }
        case 'label':
          return { kind: 'label' };
        case 'metadata':
          return { kind: 'metadata' };
        case 'token':
          return { kind: 'token' };
      }
    }
    if (t.kind === 'punct' && t.text === '[') {
      const length = this.#int();
      this.#expect('word', 'x');
      const element = this.#type();
      this.#expect('punct', ']');
      return { kind: 'array', length, element };
    }
    if (t.kind === 'punct' && t.text === '<') {
      if (this.#isPunct('{')) {
        this.#next();
        const fields = this.#typeList('}');
        this.#expect('punct', '>');
        return { kind: 'struct', fields, packed: true };
      }
      const scalable = this.#accept('word', 'vscale') !== undefined;
      if (scalable) this.#expect('word', 'x');
      const length = this.#int();
      this.#expect('word', 'x');
      const element = this.#type();
      this.#expect('punct', '>');
      return { kind: 'vector', length, element, scalable };
    }
    if (t.kind === 'punct' && t.text === '{') return { kind: 'struct', fields: this.#typeList('}'), packed: false };
    return this.#fail(`expected a type, found ${describe(t)}`, t);
  }

  #typeList(close: string): IrType[] {
    const fields: IrType[] = [];
    while (!this.#isPunct(close)) {
      fields.push(this.#type());
      if (!this.#accept('punct', ',')) break;
    }
    this.#expect('punct', close);
    return fields;
  }

  // ---- values -----------------------------------------------------------------------------------------

  #typedValue(): TypedValue {
    const type = this.#type();
    return { type, value: this.#value(type) };
  }

  #typedList(close: string): TypedValue[] {
    const out: TypedValue[] = [];
    while (!this.#isPunct(close)) {
      out.push(this.#typedValue());
      if (!this.#accept('punct', ',')) break;
    }
    this.#expect('punct', close);
    return out;
  }

  #value(type: IrType): Value {
    if (type.kind === 'metadata') return { kind: 'metadata', metadata: this.#metadataValue() };
    const t = this.#next();
    switch (t.kind) {
      case 'local':
        return { kind: 'local', name: t.text };
      case 'global':
        return { kind: 'global', name: t.text };
      case 'int':
        return { kind: 'int', value: BigInt(t.text) };
      case 'float':
        return { kind: 'float', text: t.text };
      case 'cstring':
        return { kind: 'string', bytes: latin1Bytes(t.text) };
      case 'punct':
        if (t.text === '[') return { kind: 'array', elements: this.#typedList(']') };
        if (t.text === '{') return { kind: 'struct', elements: this.#typedList('}'), packed: false };
        if (t.text === '<') {
          if (this.#accept('punct', '{')) {
            const elements = this.#typedList('}');
            this.#expect('punct', '>');
            return { kind: 'struct', elements, packed: true };
          }
          return { kind: 'vector', elements: this.#typedList('>') };
        }
        break;
      case 'word':
        return this.#wordValue(t);
      default:
        break;
    }
    return this.#fail(`expected a value, found ${describe(t)}`, t);
  }

  #wordValue(t: Token): Value {
    switch (t.text) {
      case 'true':
        return { kind: 'int', value: 1n };
      case 'false':
        return { kind: 'int', value: 0n };
      case 'null':
      case 'none':
      case 'undef':
      case 'poison':
      case 'zeroinitializer':
        return { kind: t.text };
      case 'splat': {
        this.#expect('punct', '(');
        const element = this.#typedValue();
        this.#expect('punct', ')');
        return { kind: 'splat', element };
      }
      case 'dso_local_equivalent':
      case 'no_cfi':
        return { kind: 'global', name: this.#expect('global').text };
      case 'asm': {
        const sideEffect = this.#accept('word', 'sideeffect') !== undefined;
        while (this.#is('word') && ['alignstack', 'inteldialect', 'unwind'].includes(this.#tok.text)) this.#next();
        const template = this.#expect('string').text;
        this.#expect('punct', ',');
        const constraints = this.#expect('string').text;
        return { kind: 'asm', sideEffect, template, constraints };
      }
      case 'blockaddress': {
        this.#expect('punct', '(');
        const fn = this.#expect('global').text;
        this.#expect('punct', ',');
        const block = this.#expect('local').text;
        this.#expect('punct', ')');
        return { kind: 'blockaddress', fn, block };
      }
      case 'getelementptr': {
        const flags = this.#gepFlags();
        this.#expect('punct', '(');
        const sourceType = this.#type();
        this.#expect('punct', ',');
        const base = this.#typedValue();
        const indices: TypedValue[] = [];
        while (this.#accept('punct', ',')) indices.push(this.#typedValue());
        this.#expect('punct', ')');
        return { kind: 'constexpr', expr: { op: 'getelementptr', flags, sourceType, base, indices } };
      }
      case 'icmp': {
        const predicate = this.#expect('word').text;
        this.#expect('punct', '(');
        const lhs = this.#typedValue();
        this.#expect('punct', ',');
        const rhs = this.#typedValue();
        this.#expect('punct', ')');
        return { kind: 'constexpr', expr: { op: 'icmp', predicate, lhs, rhs } };
      }
    }
    if (CASTS.has(t.text)) {
      this.#expect('punct', '(');
      const value = this.#typedValue();
      this.#expect('word', 'to');
      const to = this.#type();
      this.#expect('punct', ')');
      const expr: ConstantExpr = { op: t.text as CastOp, value, to };
      return { kind: 'constexpr', expr };
    }
    if (BINARY.has(t.text)) {
      const flags = this.#flags();
      this.#expect('punct', '(');
      const lhs = this.#typedValue();
      this.#expect('punct', ',');
      const rhs = this.#typedValue();
      this.#expect('punct', ')');
      return { kind: 'constexpr', expr: { op: t.text as BinaryOp, flags, lhs, rhs } };
    }
    return this.#fail(`expected a value, found '${t.text}'`, t);
  }

  // ---- metadata ---------------------------------------------------------------------------------------

  /** `!{...}` or `!DIKind(...)` after `!N = [distinct]`. */
  #metadataNode(distinct: boolean): MetadataNode {
    if (this.#accept('bang')) {
      this.#expect('punct', '{');
      const operands: MetadataValue[] = [];
      while (!this.#isPunct('}')) {
        operands.push(this.#metadataValue());
        if (!this.#accept('punct', ',')) break;
      }
      this.#expect('punct', '}');
      return { kind: 'tuple', distinct, operands };
    }
    const nameTok = this.#expect('metaname', undefined, 'a metadata node');
    this.#expect('punct', '(');
    const fields: Record<string, MetadataField> = {};
    const args: MetadataField[] = [];
    while (!this.#isPunct(')')) {
      if (this.#is('label')) {
        const key = this.#next().text;
        fields[key] = this.#metadataField();
      } else {
        args.push(this.#metadataField());
      }
      if (!this.#accept('punct', ',')) break;
    }
    this.#expect('punct', ')');
    return { kind: 'specialized', name: nameTok.text, distinct, fields, args };
  }

  #metadataField(): MetadataField {
    const t = this.#tok;
    if (t.kind === 'int') return { kind: 'int', value: BigInt(this.#next().text) };
    if (t.kind === 'string') return { kind: 'string', value: this.#next().text };
    if (t.kind === 'word' && !this.#startsType()) {
      if (t.text === 'null') {
        this.#next();
        return { kind: 'metadata', value: { kind: 'null' } };
      }
      const words = [this.#next().text];
      while (this.#accept('punct', '|')) words.push(this.#expect('word').text);
      if (words.length > 1 || /^DI(Flag|SPFlag)/.test(words[0]!)) return { kind: 'flags', value: words };
      return { kind: 'enum', value: words[0]! };
    }
    return { kind: 'metadata', value: this.#metadataValue() };
  }

  #metadataValue(): MetadataValue {
    const t = this.#tok;
    switch (t.kind) {
      case 'metaref':
        this.#next();
        return { kind: 'ref', id: Number(t.text) };
      case 'metastring':
        this.#next();
        return { kind: 'string', value: t.text };
      case 'bang':
        return { kind: 'node', node: this.#metadataNode(false) };
      case 'metaname':
        return { kind: 'node', node: this.#metadataNode(false) };
      case 'word':
        if (t.text === 'null') {
          this.#next();
          return { kind: 'null' };
        }
        if (t.text === 'distinct') {
          this.#next();
          return { kind: 'node', node: this.#metadataNode(true) };
        }
        break;
      default:
        break;
    }
    if (this.#startsType()) return { kind: 'value', value: this.#typedValue() };
    return this.#fail(`expected metadata, found ${describe(t)}`);
  }
}

function isTerminator(i: Instruction): boolean {
  switch (i.op) {
    case 'ret':
    case 'br':
    case 'condbr':
    case 'switch':
    case 'unreachable':
      return true;
    case 'other':
      return ['invoke', 'resume', 'indirectbr', 'callbr', 'catchswitch', 'catchret', 'cleanupret'].includes(i.opcode);
    default:
      return false;
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the input';
  return `'${rawText(t)}'`;
}

function rawText(t: Token): string {
  switch (t.kind) {
    case 'local':
      return `%${t.text}`;
    case 'global':
      return `@${t.text}`;
    case 'metaref':
    case 'metaname':
      return `!${t.text}`;
    case 'metastring':
      return `!"${t.text}"`;
    case 'attrgroup':
      return `#${t.text}`;
    case 'record':
      return `#${t.text}`;
    case 'string':
      return `"${t.text}"`;
    case 'cstring':
      return `c"${t.text}"`;
    case 'label':
      return `${t.text}:`;
    default:
      return t.text;
  }
}

function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}
