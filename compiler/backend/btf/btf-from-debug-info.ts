// BTF from an IR module's debug metadata, as LLVM's BPF backend (BTFDebug) derives it when it emits an
// object — which the wasm clang cannot, having no BPF backend. The same walk gives the same type graph:
//
// - Order: the `.maps` definitions first (with their pointees: key and value types must be complete), then
//   per defined function its argument types, FUNC_PROTO (parameter names from the DILocalVariables with
//   `arg:`), FUNC, the extern functions it calls (FUNC with extern linkage) and the CO-RE root types of its
//   relocations; then every other global as a VAR; then one DATASEC per section, by section name; then FWDs.
// - Each DI type becomes one BTF type, identified by its metadata node (DIBasicType -> INT/FLOAT,
//   DIDerivedType -> PTR/TYPEDEF/CONST/VOLATILE/RESTRICT, DICompositeType -> STRUCT/UNION/ENUM/ENUM64/ARRAY/
//   FWD, DISubroutineType -> FUNC_PROTO). Multi-dimensional arrays become nested ARRAYs over one
//   `__ARRAY_SIZE_TYPE__` INT; a flexible array member has 0 elements.
// - Pruning: below a struct member, a pointer to a named struct/union does not pull the pointee in; it is
//   left for the end, where it points at a struct of that name if one was emitted anyway, else at a FWD.
// - `btf_decl_tag` annotations become DECL_TAGs (on structs, members, typedefs, functions, parameters,
//   variables) and `btf_type_tag`s on pointers become TYPE_TAG chains.
// - DATASEC entries carry the variable's allocation size and, as in clang's objects, its offset for static
//   variables but 0 for global ones; the DATASEC's own size stays 0. libbpf fills both in from the ELF
//   symbols before loading (and so does our reader).
//
// test/oracle/backend-btf.test.ts holds it to clang-19: on every fixture the type graph is clang's (and, but
// for the order CO-RE root types are met in, the very same type list), from clang-19's IR and the wasm clang's.
import { Btf, BtfStringTable, type BtfFuncLinkage, type BtfKind, type BtfType, type BtfVarSecinfo } from '../../../bpf/index.ts';
import { intField, resolveMetadata, type GlobalVariable, type Instruction, type IrFunction, type IrModule, type Value } from '../ir/index.ts';
import { annotationsOf, bigIntField, bitsOf, diField, enumField, hasFlag, nameOf, tupleField, type DiNode } from './di-node.ts';

export interface DebugInfoBtfOptions {
  /** Section, offset and size of each global (planGlobals' `slots`); globals not in it get no DATASEC entry. */
  readonly globals: ReadonlyMap<string, { readonly section: string; readonly offset: number; readonly size: number }>;
  /** DI type metadata ids that CO-RE relocations start from, per function (codegen's `diType`s). */
  readonly coreTypes?: ReadonlyMap<string, readonly number[]>;
}

export interface DebugInfoBtf {
  readonly btf: Btf;
  /** FUNC type id of each defined function that has a DISubprogram */
  readonly functions: ReadonlyMap<string, number>;
  /** VAR type id of each global that has debug info */
  readonly variables: ReadonlyMap<string, number>;
  /** The BTF id of a DI type given by metadata id (0 when it was not emitted). */
  typeIdOf(metadataId: number): number;
}

export function btfFromDebugInfo(mod: IrModule, options: DebugInfoBtfOptions): DebugInfoBtf {
  return new BtfGenerator(mod, options).generate();
}

const DERIVED_KINDS: Readonly<Record<string, BtfKind>> = {
  DW_TAG_pointer_type: 'ptr',
  DW_TAG_typedef: 'typedef',
  DW_TAG_const_type: 'const',
  DW_TAG_volatile_type: 'volatile',
  DW_TAG_restrict_type: 'restrict',
};

type RefKind = 'ptr' | 'typedef' | 'const' | 'volatile' | 'restrict';

class BtfGenerator {
  readonly #mod: IrModule;
  readonly #options: DebugInfoBtfOptions;
  /** type builders in id order: references resolve once every type has its id (BTFDebug's completeType) */
  readonly #entries: (() => BtfType)[] = [];
  readonly #ids = new Map<DiNode, number>();
  readonly #structs: { name: string; id: number }[] = [];
  readonly #fixups = new Map<DiNode, { derived: DiNode; pointee: { type: number } }[]>();
  readonly #datasecs = new Map<string, BtfVarSecinfo[]>();
  readonly #externFunctions = new Set<string>();
  readonly #functionIds = new Map<string, number>();
  readonly #variableIds = new Map<string, number>();
  #arrayIndexType = 0;

  constructor(mod: IrModule, options: DebugInfoBtfOptions) {
    this.#mod = mod;
    this.#options = options;
  }

  generate(): DebugInfoBtf {
    const mod = this.#mod;
    let mapsDone = false;
    for (const fn of mod.functions) {
      const sp = this.#subprogramOf(fn);
      if (!fn.defined || sp === undefined) continue;
      if (!mapsDone) {
        this.#globals(true);
        mapsDone = true;
      }
      this.#function(fn, sp);
    }
    if (!mapsDone) this.#globals(true);
    this.#globals(false);
    for (const name of [...this.#datasecs.keys()].sort()) {
      const vars = this.#datasecs.get(name)!;
      this.#add(() => ({ kind: 'datasec', name, size: 0, vars: vars.map((v) => ({ ...v })) }));
    }
    this.#resolveFixups();
    const types = this.#entries.map((build) => build());
    const strings = new BtfStringTable();
    const btf = new Btf(types, strings);
    const ids = this.#ids;
    return {
      btf,
      functions: this.#functionIds,
      variables: this.#variableIds,
      typeIdOf: (metadataId) => {
        const n = mod.metadata.get(metadataId);
        return n?.kind === 'specialized' ? ids.get(n) ?? 0 : 0;
      },
    };
  }

  #add(build: () => BtfType, di?: DiNode): number {
    this.#entries.push(build);
    const id = this.#entries.length;
    if (di !== undefined) this.#ids.set(di, id);
    return id;
  }

  #idOf(di: DiNode | undefined): number {
    return di === undefined ? 0 : (this.#ids.get(di) ?? 0);
  }

  #subprogramOf(fn: IrFunction): DiNode | undefined {
    const sp = resolveMetadata(this.#mod, fn.attachments['dbg']);
    return sp?.kind === 'specialized' && sp.name === 'DISubprogram' ? sp : undefined;
  }

  // --- functions -------------------------------------------------------------------------------------------

  #function(fn: IrFunction, sp: DiNode): void {
    const argNames = new Map<number, string>();
    for (const node of tupleField(this.#mod, sp, 'retainedNodes')) {
      if (node?.name !== 'DILocalVariable') continue;
      const arg = intField(node, 'arg');
      if (arg === 0) continue;
      this.#visit(diField(this.#mod, node, 'type'));
      argNames.set(arg, nameOf(node));
    }
    const proto = this.#subroutine(diField(this.#mod, sp, 'type'), argNames);
    const linkage: BtfFuncLinkage = hasFlag(sp, 'spFlags', 'DISPFlagLocalToUnit') ? 'static' : 'global';
    this.#functionIds.set(fn.name, this.#func(sp, proto, linkage));

    const referenced = referencedGlobals(fn);
    for (const name of referenced) {
      const callee = this.#mod.functions.find((f) => f.name === name);
      if (callee !== undefined) this.#externFunction(callee);
    }
    // clang-19's -emit-llvm output already carries its CO-RE relocations as `@"llvm.t:k:off$access"` globals
    // (in instruction order, as BTFDebug meets them while emitting)
    for (const name of referenced) {
      const g = this.#mod.globals.find((x) => x.name === name);
      if (g === undefined) continue;
      const root = resolveMetadata(this.#mod, g.attachments['llvm.preserve.access.index']);
      if (root?.kind === 'specialized') this.#visit(root);
    }
    // the wasm clang's output still has the intrinsics BPFAbstractMemberAccess would turn into relocations:
    // their `!llvm.preserve.access.index` types are the relocations' root types (or already inside them)
    for (const b of fn.blocks) {
      for (const i of b.instructions) {
        if (i.op !== 'call' || i.callee.kind !== 'global' || !/^llvm\.(bpf\.)?preserve\./.test(i.callee.name)) continue;
        const root = resolveMetadata(this.#mod, i.attachments['llvm.preserve.access.index']);
        if (root?.kind === 'specialized') this.#visit(root);
      }
    }
    for (const id of this.#options.coreTypes?.get(fn.name) ?? []) {
      const root = this.#mod.metadata.get(id);
      if (root?.kind === 'specialized') this.#visit(root);
    }
  }

  /** FUNC for `sp` plus the decl tags on it and on its parameters. */
  #func(sp: DiNode, proto: number, linkage: BtfFuncLinkage): number {
    const name = nameOf(sp);
    const id = this.#add(() => ({ kind: 'func', name, type: proto, linkage }));
    for (const node of tupleField(this.#mod, sp, 'retainedNodes')) {
      if (node?.name !== 'DILocalVariable') continue;
      const arg = intField(node, 'arg');
      if (arg !== 0) this.#declTags(node, id, arg - 1);
    }
    this.#declTags(sp, id, -1);
    return id;
  }

  /** A declared (extern) function: a kfunc call, or a function named in a global's initialiser. */
  #externFunction(fn: IrFunction): void {
    if (fn.defined || fn.name.startsWith('llvm.') || this.#externFunctions.has(fn.name)) return;
    const sp = this.#subprogramOf(fn);
    if (sp === undefined || hasFlag(sp, 'spFlags', 'DISPFlagDefinition')) return;
    this.#externFunctions.add(fn.name);
    const proto = this.#subroutine(diField(this.#mod, sp, 'type'), undefined);
    const id = this.#func(sp, proto, 'extern');
    if (fn.section !== undefined) this.#datasec(fn.section).push({ type: id, offset: 0, size: 0 });
  }

  // --- globals ---------------------------------------------------------------------------------------------

  #globals(maps: boolean): void {
    const mod = this.#mod;
    for (const g of mod.globals) {
      const slot = this.#options.globals.get(g.name);
      const section = slot?.section ?? g.section ?? '';
      if (maps !== section.startsWith('.maps')) continue;
      // a private constant in .rodata (not a mergeable string or constant) still gets its DATASEC
      if (section === '.rodata' && g.linkage.includes('private') && !this.#datasecs.has(section)) this.#datasecs.set(section, []);
      const gve = resolveMetadata(mod, g.attachments['dbg']);
      const dv = gve?.kind === 'specialized' ? diField(mod, gve, 'var') : undefined;
      if (dv === undefined) continue;
      const type = diField(mod, dv, 'type');
      const typeId = maps ? this.#mapDefinition(type) : this.#visit(type);
      const linkage = varLinkage(g);
      if (linkage === undefined) continue;
      const id = this.#add(() => ({ kind: 'var', name: g.name, type: typeId, linkage }));
      this.#variableIds.set(g.name, id);
      this.#declTags(dv, id, -1);
      if (section === '') continue;
      // clang writes the offset as a REL relocation's addend: against the section symbol for a static
      // variable (the offset), against the variable's own symbol for a global one (0)
      const offset = linkage === 'static' ? (slot?.offset ?? 0) : 0;
      this.#datasec(section).push({ type: id, offset, size: slot?.size ?? 0 });
      if (g.initializer !== undefined) {
        for (const name of functionsIn(g.initializer)) {
          const f = mod.functions.find((x) => x.name === name);
          if (f !== undefined) this.#externFunction(f);
        }
      }
    }
  }

  #datasec(name: string): BtfVarSecinfo[] {
    let list = this.#datasecs.get(name);
    if (list === undefined) this.#datasecs.set(name, (list = []));
    return list;
  }

  /**
   * A `.maps` definition: its members' types are visited in full first (so `__type(key, struct k)` brings in
   * `struct k`, not a FWD), nested `__array(values, struct inner)` definitions likewise; then the struct.
   */
  #mapDefinition(type: DiNode | undefined, depth = 0): number {
    if (type === undefined) return 0;
    const known = this.#ids.get(type);
    if (known !== undefined || depth > 8) return known ?? 0;
    let t: DiNode | undefined = type;
    while (t?.name === 'DIDerivedType' && ['DW_TAG_typedef', 'DW_TAG_const_type', 'DW_TAG_volatile_type', 'DW_TAG_restrict_type'].includes(enumField(t, 'tag') ?? '')) {
      t = diField(this.#mod, t, 'baseType');
    }
    if (t?.name !== 'DICompositeType' || enumField(t, 'tag') !== 'DW_TAG_structure_type' || hasFlag(t, 'flags', 'DIFlagFwdDecl')) return 0;
    for (const member of tupleField(this.#mod, t, 'elements')) {
      if (member === undefined) continue;
      const base = diField(this.#mod, member, 'baseType');
      const inner = innerMapStruct(this.#mod, base);
      if (inner !== undefined) this.#mapDefinition(inner, depth + 1);
      this.#visit(base);
    }
    return this.#visit(type);
  }

  // --- types -----------------------------------------------------------------------------------------------

  /**
   * The BTF id of DI type `ty`, adding it (and what it refers to) on first sight. `checkPointer` is set below
   * a struct member, `seenPointer` once a pointer was crossed there: then named struct pointees are deferred.
   */
  #visit(ty: DiNode | undefined, checkPointer = false, seenPointer = false): number {
    if (ty === undefined) return 0;
    const known = this.#ids.get(ty);
    if (known !== undefined) {
      if (!checkPointer || !seenPointer) this.#chaseDeferred(ty, checkPointer, seenPointer);
      return known;
    }
    switch (ty.name) {
      case 'DIBasicType':
        return this.#basic(ty);
      case 'DISubroutineType':
        return this.#subroutine(ty, undefined);
      case 'DICompositeType':
        return this.#composite(ty);
      case 'DIDerivedType':
        return this.#derived(ty, checkPointer, seenPointer);
      default:
        return 0;
    }
  }

  /**
   * `ty` is known, but a type below it may have been deferred as a pointee (`struct s1 { _t *c; }` defers
   * `struct t` behind the typedef `_t`; a later `struct s2 { _t c; }` needs `struct t` in full): walk the
   * known derived types down to the first unknown one and visit it.
   */
  #chaseDeferred(ty: DiNode, checkPointer: boolean, seenPointer: boolean): void {
    let d: DiNode | undefined = ty.name === 'DIDerivedType' ? ty : undefined;
    for (let steps = 0; d !== undefined && steps < 64; steps++) {
      const base = diField(this.#mod, d, 'baseType');
      if (base === undefined) return;
      if (this.#ids.has(base)) {
        d = base.name === 'DIDerivedType' ? base : undefined;
        continue;
      }
      if (checkPointer && enumField(d, 'tag') === 'DW_TAG_pointer_type' && !this.#hasTypeTags(d)) {
        seenPointer = true;
        if (this.#isForwardCandidate(base)) return;
      }
      this.#visit(base, checkPointer, seenPointer);
      return;
    }
  }

  #basic(ty: DiNode): number {
    const name = nameOf(ty);
    const bits = bitsOf(ty);
    const size = Math.ceil(bits / 8);
    switch (enumField(ty, 'encoding')) {
      case 'DW_ATE_boolean':
        return this.#add(() => ({ kind: 'int', name, size, encoding: 'bool', bitOffset: intField(ty, 'offset'), bits }), ty);
      case 'DW_ATE_signed':
      case 'DW_ATE_signed_char':
        return this.#add(() => ({ kind: 'int', name, size, encoding: 'signed', bitOffset: intField(ty, 'offset'), bits }), ty);
      case 'DW_ATE_unsigned':
      case 'DW_ATE_unsigned_char':
        return this.#add(() => ({ kind: 'int', name, size, encoding: 'none', bitOffset: intField(ty, 'offset'), bits }), ty);
      case 'DW_ATE_float':
        return this.#add(() => ({ kind: 'float', name, size }), ty);
      default:
        return 0; // no BTF for other encodings (complex, decimal, ...)
    }
  }

  /**
   * FUNC_PROTO of a DISubroutineType. With `argNames` it is a defined function's own prototype: not shared
   * with function-pointer types (so not recorded for `ty`), and its parameters are named.
   */
  #subroutine(ty: DiNode | undefined, argNames: ReadonlyMap<number, string> | undefined): number {
    const types = ty === undefined ? [] : tupleField(this.#mod, ty, 'types');
    const ret = types[0];
    const params = types.slice(1);
    const id = this.#add(
      () => ({
        kind: 'func_proto',
        name: '',
        returnType: this.#idOf(ret),
        params: params.map((p, i) => (p === undefined ? { name: '', type: 0 } : { name: argNames?.get(i + 1) ?? '', type: this.#idOf(p) })),
      }),
      argNames === undefined ? ty : undefined,
    );
    for (const t of types) this.#visit(t);
    return id;
  }

  #composite(ty: DiNode): number {
    switch (enumField(ty, 'tag')) {
      case 'DW_TAG_structure_type':
      case 'DW_TAG_union_type': {
        const isUnion = enumField(ty, 'tag') === 'DW_TAG_union_type';
        if (hasFlag(ty, 'flags', 'DIFlagFwdDecl')) {
          const name = nameOf(ty);
          return this.#add(() => ({ kind: 'fwd', name, fwdKind: isUnion ? 'union' : 'struct' }), ty);
        }
        return this.#struct(ty, isUnion);
      }
      case 'DW_TAG_array_type':
        return this.#array(ty);
      case 'DW_TAG_enumeration_type':
        return this.#enum(ty);
      default:
        return 0;
    }
  }

  #struct(ty: DiNode, isUnion: boolean): number {
    const name = nameOf(ty);
    const members = tupleField(this.#mod, ty, 'elements').filter((m): m is DiNode => m?.name === 'DIDerivedType');
    const bitfields = members.some((m) => hasFlag(m, 'flags', 'DIFlagBitField'));
    const id = this.#add(
      () => ({
        kind: isUnion ? 'union' : 'struct',
        name,
        size: Math.ceil(bitsOf(ty) / 8),
        kindFlag: bitfields,
        members: members.map((m) => ({
          name: nameOf(m),
          type: this.#idOf(diField(this.#mod, m, 'baseType')),
          bitOffset: intField(m, 'offset'),
          bitfieldSize: bitfields && hasFlag(m, 'flags', 'DIFlagBitField') ? bitsOf(m) : 0,
        })),
      }),
      ty,
    );
    this.#structs.push({ name, id });
    this.#declTags(ty, id, -1);
    members.forEach((m, i) => {
      this.#visit(m);
      this.#declTags(m, id, i);
    });
    return id;
  }

  #array(ty: DiNode): number {
    let elem = this.#visit(diField(this.#mod, ty, 'baseType'));
    const ranges = tupleField(this.#mod, ty, 'elements');
    for (let i = ranges.length - 1; i >= 0; i--) {
      const r = ranges[i];
      if (r?.name !== 'DISubrange') continue;
      const count = bigIntField(r, 'count');
      const nelems = count >= 0n ? Number(count) : 0;
      const inner = elem;
      elem = this.#add(() => ({ kind: 'array', name: '', type: inner, indexType: this.#arrayIndexType, nelems }), i === 0 ? ty : undefined);
    }
    if (this.#arrayIndexType === 0) {
      this.#arrayIndexType = this.#add(() => ({ kind: 'int', name: '__ARRAY_SIZE_TYPE__', size: 4, encoding: 'none', bitOffset: 0, bits: 32 }));
    }
    return elem;
  }

  #enum(ty: DiNode): number {
    const name = nameOf(ty);
    const base = diField(this.#mod, ty, 'baseType');
    const enc = base === undefined ? undefined : enumField(base, 'encoding');
    const signed = enc === 'DW_ATE_signed' || enc === 'DW_ATE_signed_char';
    const bits = base === undefined ? 32 : bitsOf(base);
    const size = Math.ceil(bitsOf(ty) / 8);
    const values = tupleField(this.#mod, ty, 'elements')
      .filter((e): e is DiNode => e?.name === 'DIEnumerator')
      .map((e) => ({ name: nameOf(e), value: bigIntField(e, 'value') }));
    if (bits <= 32) {
      return this.#add(
        () => ({
          kind: 'enum',
          name,
          size,
          signed,
          values: values.map((v) => ({ name: v.name, value: Number(signed ? BigInt.asIntN(32, v.value) : BigInt.asUintN(32, v.value)) })),
        }),
        ty,
      );
    }
    return this.#add(
      () => ({
        kind: 'enum64',
        name,
        size,
        signed,
        values: values.map((v) => ({ name: v.name, value: signed ? BigInt.asIntN(64, v.value) : BigInt.asUintN(64, v.value) })),
      }),
      ty,
    );
  }

  #derived(ty: DiNode, checkPointer: boolean, seenPointer: boolean): number {
    const tag = enumField(ty, 'tag') ?? '';
    const base = diField(this.#mod, ty, 'baseType');
    if (tag === 'DW_TAG_atomic_type') return this.#visit(base, checkPointer, seenPointer);
    if (checkPointer && !seenPointer) seenPointer = tag === 'DW_TAG_pointer_type' && !this.#hasTypeTags(ty);
    const kind = DERIVED_KINDS[tag] as RefKind | undefined;
    const name = nameOf(ty);
    if (checkPointer && seenPointer && base !== undefined && kind !== undefined && this.#isForwardCandidate(base)) {
      // decided at the end: the struct of that name if one is emitted, else a FWD
      const pointee = { type: 0 };
      const id = this.#add(() => ({ kind, name, type: pointee.type }), ty);
      const list = this.#fixups.get(base) ?? [];
      list.push({ derived: ty, pointee });
      this.#fixups.set(base, list);
      return id;
    }
    let id = 0;
    if (kind === 'ptr') {
      const tagged = this.#typeTags(ty, undefined);
      id = this.#add(() => ({ kind: 'ptr', name, type: tagged ?? this.#idOf(base) }), ty);
    } else if (kind !== undefined) {
      id = this.#add(() => ({ kind, name, type: this.#idOf(base) }), ty);
      if (kind === 'typedef') this.#declTags(ty, id, -1);
    } else if (tag !== 'DW_TAG_member') {
      return 0;
    }
    if (tag === 'DW_TAG_member') this.#visit(base, true, false);
    else this.#visit(base, checkPointer, seenPointer);
    return id;
  }

  #isForwardCandidate(ty: DiNode): boolean {
    const tag = enumField(ty, 'tag');
    return (
      ty.name === 'DICompositeType' &&
      (tag === 'DW_TAG_structure_type' || tag === 'DW_TAG_union_type') &&
      nameOf(ty) !== '' &&
      !hasFlag(ty, 'flags', 'DIFlagFwdDecl')
    );
  }

  #hasTypeTags(ty: DiNode): boolean {
    return annotationsOf(this.#mod, ty).some((a) => a.kind === 'btf_type_tag');
  }

  /**
   * `int __tag1 __tag2 *p`: TYPE_TAG __tag1 -> base, TYPE_TAG __tag2 -> __tag1, and the PTR points at the
   * last; undefined when `ty` has no type tags. `baseId` overrides the base (a deferred pointee).
   */
  #typeTags(ty: DiNode, baseId: number | undefined): number | undefined {
    const tags = annotationsOf(this.#mod, ty).filter((a) => a.kind === 'btf_type_tag');
    if (tags.length === 0) return undefined;
    const base = diField(this.#mod, ty, 'baseType');
    let id = 0;
    tags.forEach((t, i) => {
      const prev = id;
      id = this.#add(() => ({ kind: 'type_tag', name: t.value, type: i === 0 ? (baseId ?? this.#idOf(base)) : prev, attribute: false }));
    });
    return id;
  }

  #declTags(node: DiNode, target: number, componentIdx: number): void {
    for (const a of annotationsOf(this.#mod, node)) {
      if (a.kind !== 'btf_decl_tag') continue;
      this.#add(() => ({ kind: 'decl_tag', name: a.value, type: target, componentIdx, attribute: false }));
    }
  }

  /** Deferred pointees: the first struct/union emitted under that name, else a new FWD. */
  #resolveFixups(): void {
    for (const [composite, list] of this.#fixups) {
      const name = nameOf(composite);
      let target = this.#structs.find((s) => s.name === name)?.id;
      if (target === undefined) {
        const fwdKind = enumField(composite, 'tag') === 'DW_TAG_union_type' ? 'union' : 'struct';
        target = this.#add(() => ({ kind: 'fwd', name, fwdKind }));
      }
      for (const { derived, pointee } of list) pointee.type = this.#typeTags(derived, target) ?? target;
    }
  }
}

/** BTF VAR linkage from IR linkage; undefined for linkages BTFDebug skips (private, linkonce, common, ...). */
function varLinkage(g: GlobalVariable): 'static' | 'global' | 'extern' | undefined {
  const words = g.linkage;
  if (words.includes('internal')) return 'static';
  const other = ['private', 'linkonce', 'linkonce_odr', 'common', 'appending', 'available_externally'];
  if (words.some((w) => other.includes(w))) return undefined;
  return g.initializer !== undefined ? 'global' : 'extern';
}

/** `__array(values, struct inner)`: the struct behind `struct inner *values[]`, else undefined. */
function innerMapStruct(mod: IrModule, ty: DiNode | undefined): DiNode | undefined {
  if (ty?.name !== 'DICompositeType' || enumField(ty, 'tag') !== 'DW_TAG_array_type') return undefined;
  let t = diField(mod, ty, 'baseType');
  for (let i = 0; t?.name === 'DIDerivedType' && i < 8; i++) t = diField(mod, t, 'baseType');
  return t?.name === 'DICompositeType' && enumField(t, 'tag') === 'DW_TAG_structure_type' ? t : undefined;
}

/** Names of the globals and functions an IR function's instructions mention. */
function referencedGlobals(fn: IrFunction): Set<string> {
  const out = new Set<string>();
  const walk = (x: unknown, depth: number): void => {
    if (x === null || typeof x !== 'object' || depth > 32) return;
    if (Array.isArray(x)) {
      for (const e of x) walk(e, depth + 1);
      return;
    }
    const o = x as { kind?: unknown; name?: unknown };
    if (o.kind === 'global' && typeof o.name === 'string') out.add(o.name);
    for (const [k, v] of Object.entries(o)) if (k !== 'records' && k !== 'attachments' && k !== 'at') walk(v, depth + 1);
  };
  for (const b of fn.blocks) for (const i of b.instructions as readonly Instruction[]) walk(i, 0);
  return out;
}

/** Function names inside a global's initialiser (prog-array `.values = { &prog }`). */
function functionsIn(v: Value): string[] {
  switch (v.kind) {
    case 'global':
      return [v.name];
    case 'array':
    case 'struct':
    case 'vector':
      return v.elements.flatMap((e) => functionsIn(e.value));
    default:
      return [];
  }
}
