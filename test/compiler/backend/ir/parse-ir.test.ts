// parseIr() over handwritten IR: every construct clang -O2 prints for BPF C, in LLVM 22 and LLVM 19 spelling,
// and syntax errors naming line:column.
import { describe, expect, it } from 'vitest';
import { opcodeOf, parseIr, type Instruction, type IrModule } from '../../../../compiler/backend/ir/index.ts';

const MODULE = String.raw`; ModuleID = 'x.c'
source_filename = "x.c"
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

%struct.anon = type { ptr, ptr, ptr, ptr }
%struct.hdr = type <{ i8, i16 }>
%struct.opaque = type opaque

@_license = dso_local global [4 x i8] c"GPL\00", section "license", align 1, !dbg !0
@m = dso_local global %struct.anon zeroinitializer, section ".maps", align 8
@cfg = internal constant { i32, [2 x i16] } { i32 7, [2 x i16] [i16 1, i16 -2] }, section ".rodata", align 4
@p = dso_local local_unnamed_addr global ptr getelementptr inbounds nuw (i8, ptr @cfg, i64 4), align 8
@q = dso_local global i64 ptrtoint (ptr @cfg to i64), align 8
@ext = external dso_local global i32, section ".kconfig", align 4
@llvm.compiler.used = appending global [2 x ptr] [ptr @_license, ptr @m], section "llvm.metadata"
@"llvm.task_struct:0:8$0:2" = external global i64, !llvm.preserve.access.index !7 #1

; Function Attrs: nounwind
define dso_local noundef i32 @prog(ptr noundef readonly captures(address_is_null) %ctx, i64 noundef range(i64 0, 10) %n) local_unnamed_addr #0 section "xdp" !dbg !3 {
entry:
  %k = alloca i32, align 4, !DIAssignID !9
    #dbg_assign(i1 poison, !8, !DIExpression(), !9, ptr %k, !DIExpression(), !5)
    #dbg_value(ptr %ctx, !8, !DIExpression(DW_OP_LLVM_fragment, 0, 32), !5)
  %d = getelementptr inbounds nuw i8, ptr %ctx, i64 4, !dbg !5
  %0 = load i32, ptr %d, align 4, !dbg !5, !tbaa !10
  %1 = load volatile i16, ptr %ctx, align 1
  %2 = load atomic i32, ptr %ctx acquire, align 4
  store atomic i32 %0, ptr %k syncscope("singlethread") release, align 4
  store volatile i32 0, ptr %k, align 4, !DIAssignID !11
  %3 = zext i32 %0 to i64
  %4 = inttoptr i64 %3 to ptr
  %5 = ptrtoint ptr %4 to i64
  %6 = trunc nuw i64 %5 to i16
  %7 = sext i16 %6 to i32
  %8 = add nuw nsw i32 %7, 1
  %9 = or disjoint i32 %8, 16
  %10 = lshr exact i32 %9, 2
  %11 = icmp samesign ugt i32 %10, %0
  %12 = select i1 %11, i1 true, i1 false
  %13 = call i64 inttoptr (i64 1 to ptr)(ptr noundef nonnull @m, ptr noundef nonnull %k) #2, !dbg !5
  %14 = tail call i16 @llvm.bswap.i16(i16 %6)
  %15 = atomicrmw add ptr %k, i32 1 seq_cst, align 4
  %16 = cmpxchg weak ptr %k, i32 0, i32 1 seq_cst monotonic, align 4
  %17 = extractvalue { i32, i1 } %16, 1
  %18 = insertvalue { i32, i1 } poison, i32 %0, 0
  %19 = freeze i32 %0
  %20 = call i32 @llvm.umin.i32(i32 %19, i32 64)
  notail call void @llvm.memcpy.p0.p0.i64(ptr align 4 %k, ptr align 4 @cfg, i64 4, i1 false)
  %21 = call ptr @llvm.preserve.struct.access.index.p0.p0(ptr elementtype(%struct.anon) %ctx, i32 1, i32 1), !dbg !5, !llvm.preserve.access.index !7
  %22 = load i64, ptr @"llvm.task_struct:0:8$0:2", align 8
  br i1 %12, label %sw, label %exit, !dbg !5

sw:                                               ; preds = %entry
  switch i16 %14, label %exit [
    i16 2048, label %exit
    i16 -31011, label %loop
  ]

loop:
  %i = phi i32 [ 0, %sw ], [ %inc, %loop ]
  %inc = add i32 %i, 1
  %c = icmp ult i32 %inc, 4
  br i1 %c, label %loop, label %exit, !llvm.loop !12

exit:                                             ; preds = %loop, %sw, %sw, %entry
  %r = phi i32 [ 1, %entry ], [ 2, %sw ], [ 2, %sw ], [ %inc, %loop ]
  ret i32 %r
}

declare !dbg !13 i32 @bpf_kfunc(ptr noundef) #1

; Function Attrs: mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.start.p0(i64 immarg, ptr nocapture) #1

define internal fastcc range(i64 0, 137438953472) i64 @mix(i64 noundef %0) unnamed_addr #0 {
  %2 = mul nuw nsw i64 %0, 31
  unreachable
}

attributes #0 = { nounwind "frame-pointer"="all" "no-jump-tables"="true" "target-cpu"="v3" }
attributes #1 = { mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite) }
attributes #2 = { nounwind }

!llvm.dbg.cu = !{!1}
!llvm.module.flags = !{!14}

!0 = !DIGlobalVariableExpression(var: !15, expr: !DIExpression())
!1 = distinct !DICompileUnit(language: DW_LANG_C11, file: !2, producer: "clang", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug, splitDebugInlining: false, nameTableKind: None)
!2 = !DIFile(filename: "x.c", directory: "/", checksumkind: CSK_MD5, checksum: "d46f")
!3 = distinct !DISubprogram(name: "prog", scope: !2, file: !2, line: 20, type: !4, scopeLine: 21, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !1)
!4 = !DISubroutineType(types: !{null, !6})
!5 = !DILocation(line: 22, column: 8, scope: !3, atomGroup: 1, atomRank: 2)
!6 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!7 = !DICompositeType(tag: DW_TAG_structure_type, name: "task_struct", file: !2, line: 3, size: 128, elements: !{})
!8 = !DILocalVariable(name: "k", scope: !3, file: !2, line: 21, type: !6)
!9 = distinct !DIAssignID()
!10 = !{!"int", !6, i64 0}
!11 = distinct !DIAssignID()
!12 = distinct !{!12, !16}
!13 = !DISubprogram(name: "bpf_kfunc", scope: !2, file: !2, line: 5, type: !4, flags: DIFlagPrototyped, spFlags: DISPFlagOptimized)
!14 = !{i32 7, !"Dwarf Version", i32 5}
!15 = distinct !DIGlobalVariable(name: "_license", scope: !1, file: !2, line: 30, type: !6, isLocal: false, isDefinition: true)
!16 = !{!"llvm.loop.unroll.disable"}
!17 = !DIEnumerator(name: "NEG", value: -1)
!18 = !DIExpression(DW_OP_constu, 5, DW_OP_stack_value)
`;

function allInstructions(mod: IrModule): Instruction[] {
  return mod.functions.flatMap((f) => f.blocks.flatMap((b) => b.instructions));
}

describe('parseIr()', () => {
  const mod = parseIr(MODULE);
  const prog = mod.functions.find((f) => f.name === 'prog')!;
  const insts = allInstructions(mod);
  const byResult = (name: string) => insts.find((i) => i.result === name)!;

  it('reads the module header and identified struct types', () => {
    expect(mod.sourceFilename).toBe('x.c');
    expect(mod.triple).toBe('bpf');
    expect(mod.datalayout).toBe('e-m:e-p:64:64-i64:64-i128:128-n32:64-S128');
    expect(mod.types.get('struct.anon')).toEqual({ kind: 'struct', packed: false, fields: Array(4).fill({ kind: 'ptr', addrspace: 0 }) });
    expect(mod.types.get('struct.hdr')).toEqual({ kind: 'struct', packed: true, fields: [{ kind: 'int', bits: 8 }, { kind: 'int', bits: 16 }] });
    expect(mod.types.get('struct.opaque')).toEqual({ kind: 'opaque' });
  });

  it('reads globals with linkage, section, align, initialisers and constant expressions', () => {
    const g = Object.fromEntries(mod.globals.map((x) => [x.name, x]));
    expect(g['_license']).toMatchObject({ linkage: ['dso_local'], section: 'license', align: 1, constant: false });
    expect(g['_license']!.initializer).toEqual({ kind: 'string', bytes: new Uint8Array([71, 80, 76, 0]) });
    expect(g['_license']!.attachments['dbg']).toEqual({ kind: 'ref', id: 0 });
    expect(g['m']!.initializer).toEqual({ kind: 'zeroinitializer' });
    expect(g['cfg']).toMatchObject({ constant: true, linkage: ['internal'], section: '.rodata' });
    expect(g['cfg']!.initializer).toEqual({
      kind: 'struct',
      packed: false,
      elements: [
        { type: { kind: 'int', bits: 32 }, value: { kind: 'int', value: 7n } },
        {
          type: { kind: 'array', length: 2, element: { kind: 'int', bits: 16 } },
          value: { kind: 'array', elements: [{ type: { kind: 'int', bits: 16 }, value: { kind: 'int', value: 1n } }, { type: { kind: 'int', bits: 16 }, value: { kind: 'int', value: -2n } }] },
        },
      ],
    });
    expect(g['p']!.initializer).toMatchObject({ kind: 'constexpr', expr: { op: 'getelementptr', flags: ['inbounds', 'nuw'], indices: [{ value: { kind: 'int', value: 4n } }] } });
    expect(g['q']!.initializer).toMatchObject({ kind: 'constexpr', expr: { op: 'ptrtoint', value: { value: { kind: 'global', name: 'cfg' } }, to: { kind: 'int', bits: 64 } } });
    expect(g['ext']).toMatchObject({ linkage: ['external', 'dso_local'], section: '.kconfig' });
    expect(g['ext']!.initializer).toBeUndefined();
    expect(g['llvm.task_struct:0:8$0:2']).toMatchObject({ attributes: ['#1'], attachments: { 'llvm.preserve.access.index': { kind: 'ref', id: 7 } } });
  });

  it('reads function definitions and declarations with their attributes', () => {
    expect(prog).toMatchObject({
      defined: true,
      linkage: ['dso_local'],
      returnAttrs: ['noundef'],
      returnType: { kind: 'int', bits: 32 },
      section: 'xdp',
      fnAttrs: ['local_unnamed_addr', '#0'],
      attachments: { dbg: { kind: 'ref', id: 3 } },
    });
    expect(prog.params).toEqual([
      { type: { kind: 'ptr', addrspace: 0 }, attrs: ['noundef', 'readonly', 'captures(address_is_null)'], name: 'ctx' },
      { type: { kind: 'int', bits: 64 }, attrs: ['noundef', 'range(i64 0, 10)'], name: 'n' },
    ]);
    expect(prog.blocks.map((b) => b.name)).toEqual(['entry', 'sw', 'loop', 'exit']);
    const kfunc = mod.functions.find((f) => f.name === 'bpf_kfunc')!;
    expect(kfunc).toMatchObject({ defined: false, attachments: { dbg: { kind: 'ref', id: 13 } }, blocks: [] });
    const lifetime = mod.functions.find((f) => f.name === 'llvm.lifetime.start.p0')!;
    expect(lifetime.params.map((p) => p.attrs)).toEqual([['immarg'], ['nocapture']]);
    const mix = mod.functions.find((f) => f.name === 'mix')!;
    expect(mix).toMatchObject({ callingConv: 'fastcc', linkage: ['internal'], returnAttrs: ['range(i64 0, 137438953472)'] });
    // LLVM 19 style: unnamed argument %0, unlabelled entry block numbered after it
    expect(mix.params[0]!.name).toBe('0');
    expect(mix.blocks[0]!.name).toBe('1');
    expect(mod.attributeGroups.get(0)).toEqual(['nounwind', '"frame-pointer"="all"', '"no-jump-tables"="true"', '"target-cpu"="v3"']);
    expect(mod.attributeGroups.get(1)).toContain('memory(argmem: readwrite)');
  });

  it('reads every instruction kind with its flags and operands', () => {
    expect(new Set(insts.map(opcodeOf))).toEqual(
      new Set(['alloca', 'getelementptr', 'load', 'store', 'zext', 'inttoptr', 'ptrtoint', 'trunc', 'sext', 'add', 'or', 'lshr', 'icmp', 'select', 'call', 'atomicrmw', 'cmpxchg', 'extractvalue', 'insertvalue', 'freeze', 'br', 'switch', 'phi', 'ret', 'mul', 'unreachable']),
    );
    expect(byResult('k')).toMatchObject({ op: 'alloca', type: { kind: 'int', bits: 32 }, align: 4, attachments: { DIAssignID: { kind: 'ref', id: 9 } } });
    expect(byResult('d')).toMatchObject({ op: 'getelementptr', flags: ['inbounds', 'nuw'], sourceType: { kind: 'int', bits: 8 }, base: { value: { kind: 'local', name: 'ctx' } }, dbg: 5 });
    expect(byResult('0')).toMatchObject({ op: 'load', type: { kind: 'int', bits: 32 }, align: 4, volatile: false, attachments: { tbaa: { kind: 'ref', id: 10 } } });
    expect(byResult('1')).toMatchObject({ op: 'load', volatile: true, align: 1 });
    expect(byResult('2')).toMatchObject({ op: 'load', atomic: { ordering: 'acquire' } });
    const stores = insts.filter((i) => i.op === 'store');
    expect(stores[0]).toMatchObject({ atomic: { ordering: 'release', syncscope: 'singlethread' }, align: 4 });
    expect(stores[1]).toMatchObject({ volatile: true, value: { value: { kind: 'int', value: 0n } } });
    expect(byResult('6')).toMatchObject({ op: 'trunc', flags: ['nuw'], to: { kind: 'int', bits: 16 } });
    expect(byResult('8')).toMatchObject({ op: 'add', flags: ['nuw', 'nsw'], lhs: { kind: 'local', name: '7' }, rhs: { kind: 'int', value: 1n } });
    expect(byResult('9')).toMatchObject({ op: 'or', flags: ['disjoint'] });
    expect(byResult('10')).toMatchObject({ op: 'lshr', flags: ['exact'] });
    expect(byResult('11')).toMatchObject({ op: 'icmp', flags: ['samesign'], predicate: 'ugt' });
    expect(byResult('12')).toMatchObject({ op: 'select', ifTrue: { value: { kind: 'int', value: 1n } }, ifFalse: { value: { kind: 'int', value: 0n } } });
    expect(byResult('13')).toMatchObject({
      op: 'call',
      callee: { kind: 'constexpr', expr: { op: 'inttoptr', value: { value: { kind: 'int', value: 1n } } } },
      args: [{ attrs: ['noundef', 'nonnull'], value: { kind: 'global', name: 'm' } }, { attrs: ['noundef', 'nonnull'], value: { kind: 'local', name: 'k' } }],
      fnAttrs: ['#2'],
      dbg: 5,
    });
    expect(byResult('14')).toMatchObject({ op: 'call', tail: 'tail', callee: { kind: 'global', name: 'llvm.bswap.i16' } });
    expect(byResult('15')).toMatchObject({ op: 'atomicrmw', operation: 'add', ordering: 'seq_cst', align: 4 });
    expect(byResult('16')).toMatchObject({ op: 'cmpxchg', weak: true, success: 'seq_cst', failure: 'monotonic' });
    expect(byResult('17')).toMatchObject({ op: 'extractvalue', indices: [1] });
    expect(byResult('18')).toMatchObject({ op: 'insertvalue', indices: [0], aggregate: { value: { kind: 'poison' } } });
    const memcpy = insts.find((i) => i.op === 'call' && i.tail === 'notail')!;
    expect(memcpy).toMatchObject({ args: [{ attrs: ['align 4'] }, { attrs: ['align 4'] }, {}, { value: { kind: 'int', value: 0n } }] });
    expect(byResult('21')).toMatchObject({
      args: [{ attrs: ['elementtype(%struct.anon)'] }, {}, {}],
      attachments: { 'llvm.preserve.access.index': { kind: 'ref', id: 7 } },
    });
    const sw = prog.blocks[1]!.instructions[0]!;
    expect(sw).toMatchObject({ op: 'switch', type: { kind: 'int', bits: 16 }, defaultTarget: 'exit', cases: [{ value: 2048n, target: 'exit' }, { value: -31011n, target: 'loop' }] });
    expect(byResult('i')).toMatchObject({ op: 'phi', incoming: [{ value: { kind: 'int', value: 0n }, block: 'sw' }, { value: { kind: 'local', name: 'inc' }, block: 'loop' }] });
    expect(prog.blocks[2]!.instructions.at(-1)).toMatchObject({ op: 'condbr', ifTrue: 'loop', ifFalse: 'exit', attachments: { 'llvm.loop': { kind: 'ref', id: 12 } } });
    expect(prog.blocks[3]!.instructions.at(-1)).toMatchObject({ op: 'ret', value: { value: { kind: 'local', name: 'r' } } });
  });

  it('attaches debug records to the instruction that follows them', () => {
    const d = byResult('d');
    expect(d.records.map((r) => r.kind)).toEqual(['assign', 'value']);
    expect(d.records[0]!.operands).toEqual([
      { kind: 'value', value: { type: { kind: 'int', bits: 1 }, value: { kind: 'poison' } } },
      { kind: 'ref', id: 8 },
      { kind: 'node', node: { kind: 'specialized', name: 'DIExpression', distinct: false, fields: {}, args: [] } },
      { kind: 'ref', id: 9 },
      { kind: 'value', value: { type: { kind: 'ptr', addrspace: 0 }, value: { kind: 'local', name: 'k' } } },
      { kind: 'node', node: { kind: 'specialized', name: 'DIExpression', distinct: false, fields: {}, args: [] } },
      { kind: 'ref', id: 5 },
    ]);
    expect(d.records[1]!.operands[2]).toEqual({
      kind: 'node',
      node: { kind: 'specialized', name: 'DIExpression', distinct: false, fields: {}, args: [{ kind: 'enum', value: 'DW_OP_LLVM_fragment' }, { kind: 'int', value: 0n }, { kind: 'int', value: 32n }] },
    });
  });

  it('reads the metadata graph generically: kinds, fields, flags, tuples, named metadata', () => {
    expect(mod.namedMetadata.get('llvm.dbg.cu')).toEqual([1]);
    expect(mod.metadata.get(1)).toMatchObject({ kind: 'specialized', name: 'DICompileUnit', distinct: true, fields: { language: { kind: 'enum', value: 'DW_LANG_C11' }, isOptimized: { kind: 'enum', value: 'true' } } });
    expect(mod.metadata.get(3)).toMatchObject({
      name: 'DISubprogram',
      fields: {
        name: { kind: 'string', value: 'prog' },
        line: { kind: 'int', value: 20n },
        flags: { kind: 'flags', value: ['DIFlagPrototyped', 'DIFlagAllCallsDescribed'] },
        spFlags: { kind: 'flags', value: ['DISPFlagDefinition', 'DISPFlagOptimized'] },
        unit: { kind: 'metadata', value: { kind: 'ref', id: 1 } },
      },
    });
    expect(mod.metadata.get(4)).toMatchObject({ fields: { types: { kind: 'metadata', value: { kind: 'node', node: { kind: 'tuple', operands: [{ kind: 'null' }, { kind: 'ref', id: 6 }] } } } } });
    expect(mod.metadata.get(5)).toMatchObject({ name: 'DILocation', fields: { line: { value: 22n }, column: { value: 8n }, atomGroup: { value: 1n } } });
    expect(mod.metadata.get(10)).toEqual({ kind: 'tuple', distinct: false, operands: [{ kind: 'string', value: 'int' }, { kind: 'ref', id: 6 }, { kind: 'value', value: { type: { kind: 'int', bits: 64 }, value: { kind: 'int', value: 0n } } }] });
    expect(mod.metadata.get(12)).toMatchObject({ kind: 'tuple', distinct: true });
    expect(mod.metadata.get(17)).toMatchObject({ fields: { value: { kind: 'int', value: -1n } } });
    expect(mod.metadata.get(18)).toMatchObject({ args: [{ kind: 'enum', value: 'DW_OP_constu' }, { kind: 'int', value: 5n }, { kind: 'enum', value: 'DW_OP_stack_value' }] });
  });

  it('reads floats, vectors, splats and inline asm so the subset check can name them', () => {
    const m = parseIr(`define double @f(double %x, <4 x i32> %v) {
  %a = fadd fast double %x, 1.500000e+00
  %b = fmul double %a, 0x3FF0000000000000
  %c = add <4 x i32> %v, splat (i32 3)
  %d = extractelement <4 x i32> %c, i64 0
  call void asm sideeffect "r0 = 0", "~{r0}"()
  %e = call i32 %fp(i32 1)
  ret double %b
}
`);
    const fi = allInstructions(m);
    expect(fi.map(opcodeOf)).toEqual(['fadd', 'fmul', 'add', 'extractelement', 'call', 'call', 'ret']);
    expect(fi[0]).toMatchObject({ flags: ['fast'], rhs: { kind: 'float', text: '1.500000e+00' } });
    expect(fi[2]).toMatchObject({ rhs: { kind: 'splat', element: { value: { kind: 'int', value: 3n } } } });
    expect(fi[4]).toMatchObject({ callee: { kind: 'asm', sideEffect: true, template: 'r0 = 0', constraints: '~{r0}' } });
    expect(fi[5]).toMatchObject({ callee: { kind: 'local', name: 'fp' } });
  });

  it('reads quoted names, numbered labels and explicit function types in calls', () => {
    const m = parseIr(`define i32 @"odd name"(ptr %0) {
  %2 = call i32 (ptr, ...) @printf(ptr %0, i32 1)
  br label %"a b"

"a b":
  br label %3

3:
  ret i32 %2
}
declare i32 @printf(ptr, ...)
`);
    expect(m.functions[0]!.name).toBe('odd name');
    expect(m.functions[0]!.blocks.map((b) => b.name)).toEqual(['1', 'a b', '3']);
    expect(m.functions[0]!.blocks[0]!.instructions[0]).toMatchObject({ type: { kind: 'function', varargs: true, params: [{ kind: 'ptr' }] } });
    expect(m.functions[1]).toMatchObject({ varargs: true, params: [{ name: '0' }] });
  });

  it('decodes escaped UTF-8 in names and metadata strings, and keeps c"..." as bytes', () => {
    const m = parseIr('@"caf\\C3\\A9" = global [2 x i8] c"\\C3\\A9"\n!0 = !{!"na\\C3\\AFve"}\n');
    expect(m.globals[0]!.name).toBe('café');
    expect(m.globals[0]!.initializer).toEqual({ kind: 'string', bytes: new Uint8Array([0xc3, 0xa9]) });
    expect(m.metadata.get(0)).toEqual({ kind: 'tuple', distinct: false, operands: [{ kind: 'string', value: 'naïve' }] });
  });

  it('names line:column in syntax errors', () => {
    expect(() => parseIr('define i32 @f() {\nentry:\n  %x = add i32 1,\n  ret i32 0\n}\n')).toThrow(/^ir 4:3: expected a value, found 'ret'$/);
    expect(() => parseIr('define i32 @f() {\nentry:\n  %x = frobnicate i32 1\n}\n')).toThrow(/^ir 3:8: unknown instruction 'frobnicate'$/);
    expect(() => parseIr('@g = global i32 0 ^\n')).toThrow(/^ir 1:19: unexpected character '\^'$/);
    expect(() => parseIr('define void @f() {\nentry:\n  %x = add i32 1, 2\n}\n')).toThrow(/^ir 4:1: block does not end with a terminator/);
    expect(() => parseIr('@s = global [2 x i8] c"ab\n')).toThrow(/^ir 1:23: unterminated string$/);
    expect(() => parseIr('define i32 @f() {\nentry:\n  ret i32 0\n')).toThrow(SyntaxError);
  });
});
