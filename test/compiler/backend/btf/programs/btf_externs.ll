; ModuleID = 'test/compiler/backend/btf/programs/btf_externs.c'
source_filename = "test/compiler/backend/btf/programs/btf_externs.c"
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

@LINUX_KERNEL_VERSION = external dso_local local_unnamed_addr global i32, section ".kconfig", align 4, !dbg !0
@CONFIG_BPF_JIT = extern_weak dso_local local_unnamed_addr global i8, section ".kconfig", align 1, !dbg !17
@bpf_prog_active = external dso_local global i32, section ".ksyms", align 4, !dbg !20
@_license = dso_local global [4 x i8] c"GPL\00", section "license", align 1, !dbg !11
@llvm.compiler.used = appending global [2 x ptr] [ptr @_license, ptr @handle], section "llvm.metadata"

; Function Attrs: nounwind
define dso_local i32 @handle(ptr nocapture noundef readonly %0) #0 section "tp_btf/task_newtask" !dbg !28 {
    #dbg_value(ptr %0, !36, !DIExpression(), !38)
  %2 = load i64, ptr %0, align 8, !dbg !39, !tbaa !40
  %3 = inttoptr i64 %2 to ptr, !dbg !44
  %4 = tail call ptr @bpf_task_acquire(ptr noundef %3) #2, !dbg !45
    #dbg_value(ptr %4, !37, !DIExpression(), !38)
  %5 = icmp eq ptr %4, null, !dbg !46
  br i1 %5, label %7, label %6, !dbg !48

6:                                                ; preds = %1
  tail call void @bpf_task_release(ptr noundef nonnull %4) #2, !dbg !49
  br label %7, !dbg !49

7:                                                ; preds = %6, %1
  %8 = load i32, ptr @LINUX_KERNEL_VERSION, align 4, !dbg !50, !tbaa !51
  %9 = load i8, ptr @CONFIG_BPF_JIT, align 1, !dbg !53, !tbaa !54, !range !56, !noundef !57
  %10 = zext nneg i8 %9 to i32, !dbg !53
  %11 = add i32 %8, ptrtoint (ptr @bpf_prog_active to i32), !dbg !58
  %12 = add i32 %11, %10, !dbg !59
  ret i32 %12, !dbg !60
}

declare !dbg !61 dso_local ptr @bpf_task_acquire(ptr noundef) local_unnamed_addr #1 section ".ksyms"

declare !dbg !66 dso_local void @bpf_task_release(ptr noundef) local_unnamed_addr #1 section ".ksyms"

attributes #0 = { nounwind "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="v3" }
attributes #1 = { "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="v3" }
attributes #2 = { nounwind }

!llvm.dbg.cu = !{!2}
!llvm.module.flags = !{!22, !23, !24, !25, !26}
!llvm.ident = !{!27}

!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())
!1 = distinct !DIGlobalVariable(name: "LINUX_KERNEL_VERSION", scope: !2, file: !3, line: 7, type: !8, isLocal: false, isDefinition: false)
!2 = distinct !DICompileUnit(language: DW_LANG_C11, file: !3, producer: "Debian clang version 19.1.7 (3~deb12u1)", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug, retainedTypes: !4, globals: !10, splitDebugInlining: false, nameTableKind: None)
!3 = !DIFile(filename: "test/compiler/backend/btf/programs/btf_externs.c", directory: ".", checksumkind: CSK_MD5, checksum: "2fd15a8a415d287a138448ca728321e5")
!4 = !{!5, !8, !9}
!5 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !6, size: 64)
!6 = !DICompositeType(tag: DW_TAG_structure_type, name: "task_struct", file: !7, line: 45, flags: DIFlagFwdDecl)
!7 = !DIFile(filename: "bpf/include/bpf/bpf_helper_defs.h", directory: ".", checksumkind: CSK_MD5, checksum: "296537b235206f706094e6047630b243")
!8 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!9 = !DIBasicType(name: "long", size: 64, encoding: DW_ATE_signed)
!10 = !{!11, !0, !17, !20}
!11 = !DIGlobalVariableExpression(var: !12, expr: !DIExpression())
!12 = distinct !DIGlobalVariable(name: "_license", scope: !2, file: !3, line: 22, type: !13, isLocal: false, isDefinition: true)
!13 = !DICompositeType(tag: DW_TAG_array_type, baseType: !14, size: 32, elements: !15)
!14 = !DIBasicType(name: "char", size: 8, encoding: DW_ATE_signed_char)
!15 = !{!16}
!16 = !DISubrange(count: 4)
!17 = !DIGlobalVariableExpression(var: !18, expr: !DIExpression())
!18 = distinct !DIGlobalVariable(name: "CONFIG_BPF_JIT", scope: !2, file: !3, line: 8, type: !19, isLocal: false, isDefinition: false)
!19 = !DIBasicType(name: "_Bool", size: 8, encoding: DW_ATE_boolean)
!20 = !DIGlobalVariableExpression(var: !21, expr: !DIExpression())
!21 = distinct !DIGlobalVariable(name: "bpf_prog_active", scope: !2, file: !3, line: 9, type: !8, isLocal: false, isDefinition: false)
!22 = !{i32 7, !"Dwarf Version", i32 5}
!23 = !{i32 2, !"Debug Info Version", i32 3}
!24 = !{i32 1, !"wchar_size", i32 4}
!25 = !{i32 7, !"frame-pointer", i32 2}
!26 = !{i32 7, !"debug-info-assignment-tracking", i1 true}
!27 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!28 = distinct !DISubprogram(name: "handle", scope: !3, file: !3, line: 15, type: !29, scopeLine: 16, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !2, retainedNodes: !35)
!29 = !DISubroutineType(types: !30)
!30 = !{!8, !31}
!31 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !32, size: 64)
!32 = !DIDerivedType(tag: DW_TAG_typedef, name: "__u64", file: !33, line: 12, baseType: !34)
!33 = !DIFile(filename: "bpf/include/linux/types.h", directory: ".", checksumkind: CSK_MD5, checksum: "e1bd5bb06d7a8ce581c1ab2d483c00c8")
!34 = !DIBasicType(name: "unsigned long long", size: 64, encoding: DW_ATE_unsigned)
!35 = !{!36, !37}
!36 = !DILocalVariable(name: "ctx", arg: 1, scope: !28, file: !3, line: 15, type: !31)
!37 = !DILocalVariable(name: "t", scope: !28, file: !3, line: 17, type: !5)
!38 = !DILocation(line: 0, scope: !28)
!39 = !DILocation(line: 17, column: 65, scope: !28)
!40 = !{!41, !41, i64 0}
!41 = !{!"long long", !42, i64 0}
!42 = !{!"omnipotent char", !43, i64 0}
!43 = !{!"Simple C/C++ TBAA"}
!44 = !DILocation(line: 17, column: 43, scope: !28)
!45 = !DILocation(line: 17, column: 26, scope: !28)
!46 = !DILocation(line: 18, column: 6, scope: !47)
!47 = distinct !DILexicalBlock(scope: !28, file: !3, line: 18, column: 6)
!48 = !DILocation(line: 18, column: 6, scope: !28)
!49 = !DILocation(line: 19, column: 3, scope: !47)
!50 = !DILocation(line: 20, column: 9, scope: !28)
!51 = !{!52, !52, i64 0}
!52 = !{!"int", !42, i64 0}
!53 = !DILocation(line: 20, column: 32, scope: !28)
!54 = !{!55, !55, i64 0}
!55 = !{!"_Bool", !42, i64 0}
!56 = !{i8 0, i8 2}
!57 = !{}
!58 = !DILocation(line: 20, column: 30, scope: !28)
!59 = !DILocation(line: 20, column: 47, scope: !28)
!60 = !DILocation(line: 20, column: 2, scope: !28)
!61 = !DISubprogram(name: "bpf_task_acquire", scope: !3, file: !3, line: 11, type: !62, flags: DIFlagPrototyped, spFlags: DISPFlagOptimized, retainedNodes: !64)
!62 = !DISubroutineType(types: !63)
!63 = !{!5, !5}
!64 = !{!65}
!65 = !DILocalVariable(name: "p", arg: 1, scope: !61, file: !3, line: 11, type: !5)
!66 = !DISubprogram(name: "bpf_task_release", scope: !3, file: !3, line: 12, type: !67, flags: DIFlagPrototyped, spFlags: DISPFlagOptimized, retainedNodes: !69)
!67 = !DISubroutineType(types: !68)
!68 = !{null, !5}
!69 = !{!70}
!70 = !DILocalVariable(name: "p", arg: 1, scope: !66, file: !3, line: 12, type: !5)
