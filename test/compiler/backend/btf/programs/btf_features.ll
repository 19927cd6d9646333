; ModuleID = 'test/compiler/backend/btf/programs/btf_features.c'
source_filename = "test/compiler/backend/btf/programs/btf_features.c"
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpf"

%union.u = type { i32 }
%struct.pointee = type { i32, i32 }
%struct.anon = type { ptr, ptr, ptr, ptr, ptr }

@tagged = dso_local local_unnamed_addr global i32 3, align 4, !dbg !0
@negv = dso_local local_unnamed_addr global i32 -1, align 4, !dbg !17
@uv = dso_local local_unnamed_addr global %union.u { i32 16909060 }, align 4, !dbg !19
@arr64 = dso_local local_unnamed_addr global [4 x i64] [i64 1, i64 2, i64 3, i64 4], align 8, !dbg !33
@pts = dso_local global [2 x %struct.pointee] [%struct.pointee { i32 1, i32 2 }, %struct.pointee { i32 3, i32 4 }], align 4, !dbg !38
@custom = dso_local global i32 7, section ".data.custom", align 4, !dbg !47
@hmap = dso_local global %struct.anon zeroinitializer, section ".maps", align 8, !dbg !119
@__const.prog.table = private unnamed_addr constant [4 x i32] [i32 5, i32 6, i32 7, i32 8], align 4
@prog.__tsbpf_fmt = internal constant [5 x i8] c"v %d\00", align 1, !dbg !59
@.str = private unnamed_addr constant [12 x i8] c"literal %d\0A\00", align 1, !dbg !111
@bigv = internal constant i64 4294967296, align 8, !dbg !148
@bss_buf = dso_local local_unnamed_addr global [10 x i8] zeroinitializer, align 1, !dbg !138
@tp = dso_local local_unnamed_addr global ptr null, align 8, !dbg !143
@_license = dso_local global [4 x i8] c"GPL\00", section "license", align 1, !dbg !116
@llvm.compiler.used = appending global [4 x ptr] [ptr @_license, ptr @custom, ptr @hmap, ptr @prog], section "llvm.metadata"

; Function Attrs: nounwind
define dso_local range(i32 0, 4) i32 @prog(ptr nocapture noundef readonly %0) #0 section "xdp" !dbg !61 {
  %2 = alloca [4 x i32], align 4, !DIAssignID !160
    #dbg_assign(i1 undef, !96, !DIExpression(), !160, ptr %2, !DIExpression(), !161)
    #dbg_value(ptr %0, !75, !DIExpression(), !161)
  %3 = tail call ptr inttoptr (i64 1 to ptr)(ptr noundef nonnull @hmap, ptr noundef nonnull @pts) #4, !dbg !162
    #dbg_value(ptr %3, !76, !DIExpression(), !161)
  call void @llvm.lifetime.start.p0(i64 16, ptr nonnull %2) #4, !dbg !163
  call void @llvm.memcpy.p0.p0.i64(ptr nonnull align 4 %2, ptr align 4 @__const.prog.table, i64 16, i1 true), !dbg !164, !DIAssignID !165
    #dbg_assign(i1 undef, !96, !DIExpression(), !165, ptr %2, !DIExpression(), !161)
  %4 = load i32, ptr @tagged, align 4, !dbg !166, !tbaa !168
  %5 = tail call i64 (ptr, i32, ...) inttoptr (i64 6 to ptr)(ptr noundef nonnull @prog.__tsbpf_fmt, i32 noundef 5, i32 noundef %4) #4, !dbg !166
  %6 = getelementptr inbounds i8, ptr %0, i64 12, !dbg !172
  %7 = load i32, ptr %6, align 4, !dbg !172, !tbaa !173
  %8 = and i32 %7, 3, !dbg !175
  %9 = zext nneg i32 %8 to i64, !dbg !176
  %10 = getelementptr inbounds [4 x i32], ptr %2, i64 0, i64 %9, !dbg !176
  %11 = load volatile i32, ptr %10, align 4, !dbg !176, !tbaa !168
  %12 = tail call i64 (ptr, i32, ...) inttoptr (i64 6 to ptr)(ptr noundef nonnull @.str, i32 noundef 12, i32 noundef %11) #4, !dbg !177
  %13 = load i32, ptr @negv, align 4, !dbg !178, !tbaa !168
  %14 = load volatile i64, ptr @bigv, align 8, !dbg !179, !tbaa !180
  %15 = trunc i64 %14 to i32, !dbg !182
  %16 = add nsw i32 %13, %15, !dbg !183
  %17 = load i8, ptr getelementptr inbounds (i8, ptr @uv, i64 1), align 1, !dbg !184, !tbaa !185
  %18 = zext i8 %17 to i32, !dbg !184
  %19 = add nsw i32 %16, %18, !dbg !186
  %20 = zext i32 %19 to i64, !dbg !178
  %21 = load i64, ptr getelementptr inbounds (i8, ptr @arr64, i64 16), align 8, !dbg !187, !tbaa !188
  %22 = add i64 %21, %20, !dbg !190
  %23 = load i32, ptr @custom, align 4, !dbg !191, !tbaa !168
  %24 = zext i32 %23 to i64, !dbg !191
  %25 = add i64 %22, %24, !dbg !192
  %26 = load i8, ptr getelementptr inbounds (i8, ptr @bss_buf, i64 3), align 1, !dbg !193, !tbaa !185
  %27 = sext i8 %26 to i64, !dbg !193
  %28 = add i64 %25, %27, !dbg !194
  %29 = load ptr, ptr @tp, align 8, !dbg !195, !tbaa !196
  %30 = icmp ne ptr %29, null, !dbg !195
  %31 = zext i1 %30 to i64, !dbg !198
  %32 = add i64 %28, %31, !dbg !199
  %33 = trunc i64 %32 to i32, !dbg !178
  %34 = tail call fastcc i32 @helper(ptr noundef %3, i32 noundef %33), !dbg !200
  %35 = and i32 %34, 3, !dbg !201
  call void @llvm.lifetime.end.p0(i64 16, ptr nonnull %2) #4, !dbg !202
  ret i32 %35, !dbg !203
}

; Function Attrs: mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.start.p0(i64 immarg, ptr nocapture) #1

; Function Attrs: mustprogress nocallback nofree nounwind willreturn memory(argmem: readwrite)
declare void @llvm.memcpy.p0.p0.i64(ptr noalias nocapture writeonly, ptr noalias nocapture readonly, i64, i1 immarg) #2

; Function Attrs: mustprogress nofree noinline norecurse nosync nounwind willreturn memory(argmem: read)
define internal fastcc i32 @helper(ptr noundef readonly %0, i32 noundef %1) unnamed_addr #3 !dbg !204 {
    #dbg_value(ptr %0, !208, !DIExpression(), !212)
    #dbg_value(i32 %1, !209, !DIExpression(), !212)
  %3 = icmp eq ptr %0, null, !dbg !213
  br i1 %3, label %10, label %4, !dbg !213

4:                                                ; preds = %2
  %5 = getelementptr inbounds i8, ptr %0, i64 16, !dbg !214
  %6 = load i8, ptr %5, align 8, !dbg !214
  %7 = and i8 %6, 1, !dbg !214
  %8 = zext nneg i8 %7 to i32, !dbg !214
  %9 = add nsw i32 %8, %1, !dbg !215
  br label %10, !dbg !213

10:                                               ; preds = %2, %4
  %11 = phi i32 [ %9, %4 ], [ %1, %2 ], !dbg !213
  ret i32 %11, !dbg !216
}

; Function Attrs: mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite)
declare void @llvm.lifetime.end.p0(i64 immarg, ptr nocapture) #1

attributes #0 = { nounwind "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="v3" }
attributes #1 = { mustprogress nocallback nofree nosync nounwind willreturn memory(argmem: readwrite) }
attributes #2 = { mustprogress nocallback nofree nounwind willreturn memory(argmem: readwrite) }
attributes #3 = { mustprogress nofree noinline norecurse nosync nounwind willreturn memory(argmem: read) "frame-pointer"="all" "no-trapping-math"="true" "stack-protector-buffer-size"="8" "target-cpu"="v3" }
attributes #4 = { nounwind }

!llvm.dbg.cu = !{!2}
!llvm.module.flags = !{!154, !155, !156, !157, !158}
!llvm.ident = !{!159}

!0 = !DIGlobalVariableExpression(var: !1, expr: !DIExpression())
!1 = distinct !DIGlobalVariable(name: "tagged", scope: !2, file: !3, line: 31, type: !6, isLocal: false, isDefinition: true, annotations: !152)
!2 = distinct !DICompileUnit(language: DW_LANG_C11, file: !3, producer: "Debian clang version 19.1.7 (3~deb12u1)", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug, enums: !4, retainedTypes: !15, globals: !16, splitDebugInlining: false, nameTableKind: None)
!3 = !DIFile(filename: "test/compiler/backend/btf/programs/btf_features.c", directory: ".", checksumkind: CSK_MD5, checksum: "f52d5209f68503f515948bca240c7e2c")
!4 = !{!5, !10}
!5 = !DICompositeType(tag: DW_TAG_enumeration_type, name: "neg", file: !3, line: 20, baseType: !6, size: 32, elements: !7)
!6 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!7 = !{!8, !9}
!8 = !DIEnumerator(name: "NEG_A", value: -1)
!9 = !DIEnumerator(name: "NEG_B", value: 2)
!10 = !DICompositeType(tag: DW_TAG_enumeration_type, name: "big", file: !3, line: 19, baseType: !11, size: 64, elements: !12)
!11 = !DIBasicType(name: "unsigned long", size: 64, encoding: DW_ATE_unsigned)
!12 = !{!13, !14}
!13 = !DIEnumerator(name: "BIG_A", value: 1)
!14 = !DIEnumerator(name: "BIG_B", value: 4294967296, isUnsigned: true)
!15 = !{!6}
!16 = !{!0, !17, !19, !33, !38, !47, !49, !59, !103, !111, !116, !119, !138, !143, !148}
!17 = !DIGlobalVariableExpression(var: !18, expr: !DIExpression())
!18 = distinct !DIGlobalVariable(name: "negv", scope: !2, file: !3, line: 33, type: !5, isLocal: false, isDefinition: true)
!19 = !DIGlobalVariableExpression(var: !20, expr: !DIExpression())
!20 = distinct !DIGlobalVariable(name: "uv", scope: !2, file: !3, line: 34, type: !21, isLocal: false, isDefinition: true)
!21 = distinct !DICompositeType(tag: DW_TAG_union_type, name: "u", file: !3, line: 18, size: 32, elements: !22)
!22 = !{!23, !27}
!23 = !DIDerivedType(tag: DW_TAG_member, name: "w", scope: !21, file: !3, line: 18, baseType: !24, size: 32)
!24 = !DIDerivedType(tag: DW_TAG_typedef, name: "__u32", file: !25, line: 10, baseType: !26)
!25 = !DIFile(filename: "bpf/include/linux/types.h", directory: ".", checksumkind: CSK_MD5, checksum: "e1bd5bb06d7a8ce581c1ab2d483c00c8")
!26 = !DIBasicType(name: "unsigned int", size: 32, encoding: DW_ATE_unsigned)
!27 = !DIDerivedType(tag: DW_TAG_member, name: "b", scope: !21, file: !3, line: 18, baseType: !28, size: 32)
!28 = !DICompositeType(tag: DW_TAG_array_type, baseType: !29, size: 32, elements: !31)
!29 = !DIDerivedType(tag: DW_TAG_typedef, name: "__u8", file: !25, line: 6, baseType: !30)
!30 = !DIBasicType(name: "unsigned char", size: 8, encoding: DW_ATE_unsigned_char)
!31 = !{!32}
!32 = !DISubrange(count: 4)
!33 = !DIGlobalVariableExpression(var: !34, expr: !DIExpression())
!34 = distinct !DIGlobalVariable(name: "arr64", scope: !2, file: !3, line: 35, type: !35, isLocal: false, isDefinition: true)
!35 = !DICompositeType(tag: DW_TAG_array_type, baseType: !36, size: 256, elements: !31)
!36 = !DIDerivedType(tag: DW_TAG_typedef, name: "__u64", file: !25, line: 12, baseType: !37)
!37 = !DIBasicType(name: "unsigned long long", size: 64, encoding: DW_ATE_unsigned)
!38 = !DIGlobalVariableExpression(var: !39, expr: !DIExpression())
!39 = distinct !DIGlobalVariable(name: "pts", scope: !2, file: !3, line: 36, type: !40, isLocal: false, isDefinition: true)
!40 = !DICompositeType(tag: DW_TAG_array_type, baseType: !41, size: 128, elements: !45)
!41 = distinct !DICompositeType(tag: DW_TAG_structure_type, name: "pointee", file: !3, line: 10, size: 64, elements: !42)
!42 = !{!43, !44}
!43 = !DIDerivedType(tag: DW_TAG_member, name: "a", scope: !41, file: !3, line: 10, baseType: !6, size: 32)
!44 = !DIDerivedType(tag: DW_TAG_member, name: "b", scope: !41, file: !3, line: 10, baseType: !6, size: 32, offset: 32)
!45 = !{!46}
!46 = !DISubrange(count: 2)
!47 = !DIGlobalVariableExpression(var: !48, expr: !DIExpression())
!48 = distinct !DIGlobalVariable(name: "custom", scope: !2, file: !3, line: 37, type: !6, isLocal: false, isDefinition: true)
!49 = !DIGlobalVariableExpression(var: !50, expr: !DIExpression())
!50 = distinct !DIGlobalVariable(name: "bpf_map_lookup_elem", scope: !2, file: !51, line: 56, type: !52, isLocal: true, isDefinition: true)
!51 = !DIFile(filename: "bpf/include/bpf/bpf_helper_defs.h", directory: ".", checksumkind: CSK_MD5, checksum: "296537b235206f706094e6047630b243")
!52 = !DIDerivedType(tag: DW_TAG_const_type, baseType: !53)
!53 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !54, size: 64)
!54 = !DISubroutineType(types: !55)
!55 = !{!56, !56, !57}
!56 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: null, size: 64)
!57 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !58, size: 64)
!58 = !DIDerivedType(tag: DW_TAG_const_type, baseType: null)
!59 = !DIGlobalVariableExpression(var: !60, expr: !DIExpression())
!60 = distinct !DIGlobalVariable(name: "__tsbpf_fmt", scope: !61, file: !3, line: 51, type: !99, isLocal: true, isDefinition: true)
!61 = distinct !DISubprogram(name: "prog", scope: !3, file: !3, line: 47, type: !62, scopeLine: 48, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !2, retainedNodes: !74)
!62 = !DISubroutineType(types: !63)
!63 = !{!6, !64}
!64 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !65, size: 64)
!65 = distinct !DICompositeType(tag: DW_TAG_structure_type, name: "xdp_md", file: !66, line: 515, size: 192, elements: !67)
!66 = !DIFile(filename: "bpf/include/linux/bpf.h", directory: ".", checksumkind: CSK_MD5, checksum: "f0ae5705b4eca7e1c286a7f2f752a7e0")
!67 = !{!68, !69, !70, !71, !72, !73}
!68 = !DIDerivedType(tag: DW_TAG_member, name: "data", scope: !65, file: !66, line: 516, baseType: !24, size: 32)
!69 = !DIDerivedType(tag: DW_TAG_member, name: "data_end", scope: !65, file: !66, line: 517, baseType: !24, size: 32, offset: 32)
!70 = !DIDerivedType(tag: DW_TAG_member, name: "data_meta", scope: !65, file: !66, line: 518, baseType: !24, size: 32, offset: 64)
!71 = !DIDerivedType(tag: DW_TAG_member, name: "ingress_ifindex", scope: !65, file: !66, line: 519, baseType: !24, size: 32, offset: 96)
!72 = !DIDerivedType(tag: DW_TAG_member, name: "rx_queue_index", scope: !65, file: !66, line: 520, baseType: !24, size: 32, offset: 128)
!73 = !DIDerivedType(tag: DW_TAG_member, name: "egress_ifindex", scope: !65, file: !66, line: 521, baseType: !24, size: 32, offset: 160)
!74 = !{!75, !76, !96}
!75 = !DILocalVariable(name: "ctx", arg: 1, scope: !61, file: !3, line: 47, type: !64)
!76 = !DILocalVariable(name: "h", scope: !61, file: !3, line: 49, type: !77)
!77 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !78, size: 64)
!78 = distinct !DICompositeType(tag: DW_TAG_structure_type, name: "holder", file: !3, line: 11, size: 384, elements: !79)
!79 = !{!80, !82, !85, !86, !87, !91}
!80 = !DIDerivedType(tag: DW_TAG_member, name: "p", scope: !78, file: !3, line: 12, baseType: !81, size: 64)
!81 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !41, size: 64)
!82 = !DIDerivedType(tag: DW_TAG_member, name: "n", scope: !78, file: !3, line: 13, baseType: !83, size: 64, offset: 64)
!83 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !84, size: 64)
!84 = !DICompositeType(tag: DW_TAG_structure_type, name: "never_defined", file: !3, line: 9, flags: DIFlagFwdDecl)
!85 = !DIDerivedType(tag: DW_TAG_member, name: "flag", scope: !78, file: !3, line: 14, baseType: !26, size: 1, offset: 128, flags: DIFlagBitField, extraData: i64 128)
!86 = !DIDerivedType(tag: DW_TAG_member, name: "kind", scope: !78, file: !3, line: 14, baseType: !26, size: 3, offset: 129, flags: DIFlagBitField, extraData: i64 128)
!87 = !DIDerivedType(tag: DW_TAG_member, name: "arr", scope: !78, file: !3, line: 15, baseType: !88, size: 192, offset: 160)
!88 = !DICompositeType(tag: DW_TAG_array_type, baseType: !6, size: 192, elements: !89)
!89 = !{!46, !90}
!90 = !DISubrange(count: 3)
!91 = !DIDerivedType(tag: DW_TAG_member, name: "tail", scope: !78, file: !3, line: 16, baseType: !92, offset: 352)
!92 = !DICompositeType(tag: DW_TAG_array_type, baseType: !93, elements: !94)
!93 = !DIBasicType(name: "char", size: 8, encoding: DW_ATE_signed_char)
!94 = !{!95}
!95 = !DISubrange(count: -1)
!96 = !DILocalVariable(name: "table", scope: !61, file: !3, line: 50, type: !97)
!97 = !DICompositeType(tag: DW_TAG_array_type, baseType: !98, size: 128, elements: !31)
!98 = !DIDerivedType(tag: DW_TAG_volatile_type, baseType: !6)
!99 = !DICompositeType(tag: DW_TAG_array_type, baseType: !100, size: 40, elements: !101)
!100 = !DIDerivedType(tag: DW_TAG_const_type, baseType: !93)
!101 = !{!102}
!102 = !DISubrange(count: 5)
!103 = !DIGlobalVariableExpression(var: !104, expr: !DIExpression())
!104 = distinct !DIGlobalVariable(name: "bpf_trace_printk", scope: !2, file: !51, line: 71, type: !105, isLocal: true, isDefinition: true)
!105 = !DIDerivedType(tag: DW_TAG_const_type, baseType: !106)
!106 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !107, size: 64)
!107 = !DISubroutineType(types: !108)
!108 = !{!109, !110, !24, null}
!109 = !DIBasicType(name: "long", size: 64, encoding: DW_ATE_signed)
!110 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !100, size: 64)
!111 = !DIGlobalVariableExpression(var: !112, expr: !DIExpression())
!112 = distinct !DIGlobalVariable(scope: null, file: !3, line: 52, type: !113, isLocal: true, isDefinition: true)
!113 = !DICompositeType(tag: DW_TAG_array_type, baseType: !93, size: 96, elements: !114)
!114 = !{!115}
!115 = !DISubrange(count: 12)
!116 = !DIGlobalVariableExpression(var: !117, expr: !DIExpression())
!117 = distinct !DIGlobalVariable(name: "_license", scope: !2, file: !3, line: 56, type: !118, isLocal: false, isDefinition: true)
!118 = !DICompositeType(tag: DW_TAG_array_type, baseType: !93, size: 32, elements: !31)
!119 = !DIGlobalVariableExpression(var: !120, expr: !DIExpression())
!120 = distinct !DIGlobalVariable(name: "hmap", scope: !2, file: !3, line: 29, type: !121, isLocal: false, isDefinition: true)
!121 = distinct !DICompositeType(tag: DW_TAG_structure_type, file: !3, line: 23, size: 320, elements: !122)
!122 = !{!123, !128, !133, !134, !137}
!123 = !DIDerivedType(tag: DW_TAG_member, name: "type", scope: !121, file: !3, line: 24, baseType: !124, size: 64)
!124 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !125, size: 64)
!125 = !DICompositeType(tag: DW_TAG_array_type, baseType: !6, size: 32, elements: !126)
!126 = !{!127}
!127 = !DISubrange(count: 1)
!128 = !DIDerivedType(tag: DW_TAG_member, name: "max_entries", scope: !121, file: !3, line: 25, baseType: !129, size: 64, offset: 64)
!129 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !130, size: 64)
!130 = !DICompositeType(tag: DW_TAG_array_type, baseType: !6, size: 512, elements: !131)
!131 = !{!132}
!132 = !DISubrange(count: 16)
!133 = !DIDerivedType(tag: DW_TAG_member, name: "key", scope: !121, file: !3, line: 26, baseType: !81, size: 64, offset: 128)
!134 = !DIDerivedType(tag: DW_TAG_member, name: "value", scope: !121, file: !3, line: 27, baseType: !135, size: 64, offset: 192)
!135 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !136, size: 64)
!136 = !DIDerivedType(tag: DW_TAG_typedef, name: "holder_t", file: !3, line: 21, baseType: !78)
!137 = !DIDerivedType(tag: DW_TAG_member, name: "pinning", scope: !121, file: !3, line: 28, baseType: !124, size: 64, offset: 256)
!138 = !DIGlobalVariableExpression(var: !139, expr: !DIExpression())
!139 = distinct !DIGlobalVariable(name: "bss_buf", scope: !2, file: !3, line: 38, type: !140, isLocal: false, isDefinition: true)
!140 = !DICompositeType(tag: DW_TAG_array_type, baseType: !93, size: 80, elements: !141)
!141 = !{!142}
!142 = !DISubrange(count: 10)
!143 = !DIGlobalVariableExpression(var: !144, expr: !DIExpression())
!144 = distinct !DIGlobalVariable(name: "tp", scope: !2, file: !3, line: 39, type: !145, isLocal: false, isDefinition: true)
!145 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !6, size: 64, annotations: !146)
!146 = !{!147}
!147 = !{!"btf_type_tag", !"user"}
!148 = !DIGlobalVariableExpression(var: !149, expr: !DIExpression())
!149 = distinct !DIGlobalVariable(name: "bigv", scope: !2, file: !3, line: 32, type: !150, isLocal: true, isDefinition: true)
!150 = !DIDerivedType(tag: DW_TAG_const_type, baseType: !151)
!151 = !DIDerivedType(tag: DW_TAG_volatile_type, baseType: !10)
!152 = !{!153}
!153 = !{!"btf_decl_tag", !"tagged_var"}
!154 = !{i32 7, !"Dwarf Version", i32 5}
!155 = !{i32 2, !"Debug Info Version", i32 3}
!156 = !{i32 1, !"wchar_size", i32 4}
!157 = !{i32 7, !"frame-pointer", i32 2}
!158 = !{i32 7, !"debug-info-assignment-tracking", i1 true}
!159 = !{!"Debian clang version 19.1.7 (3~deb12u1)"}
!160 = distinct !DIAssignID()
!161 = !DILocation(line: 0, scope: !61)
!162 = !DILocation(line: 49, column: 21, scope: !61)
!163 = !DILocation(line: 50, column: 2, scope: !61)
!164 = !DILocation(line: 50, column: 15, scope: !61)
!165 = distinct !DIAssignID()
!166 = !DILocation(line: 51, column: 2, scope: !167)
!167 = distinct !DILexicalBlock(scope: !61, file: !3, line: 51, column: 2)
!168 = !{!169, !169, i64 0}
!169 = !{!"int", !170, i64 0}
!170 = !{!"omnipotent char", !171, i64 0}
!171 = !{!"Simple C/C++ TBAA"}
!172 = !DILocation(line: 52, column: 70, scope: !61)
!173 = !{!174, !169, i64 12}
!174 = !{!"xdp_md", !169, i64 0, !169, i64 4, !169, i64 8, !169, i64 12, !169, i64 16, !169, i64 20}
!175 = !DILocation(line: 52, column: 86, scope: !61)
!176 = !DILocation(line: 52, column: 59, scope: !61)
!177 = !DILocation(line: 52, column: 2, scope: !61)
!178 = !DILocation(line: 53, column: 19, scope: !61)
!179 = !DILocation(line: 53, column: 31, scope: !61)
!180 = !{!181, !181, i64 0}
!181 = !{!"long", !170, i64 0}
!182 = !DILocation(line: 53, column: 26, scope: !61)
!183 = !DILocation(line: 53, column: 24, scope: !61)
!184 = !DILocation(line: 53, column: 38, scope: !61)
!185 = !{!170, !170, i64 0}
!186 = !DILocation(line: 53, column: 36, scope: !61)
!187 = !DILocation(line: 53, column: 48, scope: !61)
!188 = !{!189, !189, i64 0}
!189 = !{!"long long", !170, i64 0}
!190 = !DILocation(line: 53, column: 46, scope: !61)
!191 = !DILocation(line: 53, column: 59, scope: !61)
!192 = !DILocation(line: 53, column: 57, scope: !61)
!193 = !DILocation(line: 53, column: 68, scope: !61)
!194 = !DILocation(line: 53, column: 66, scope: !61)
!195 = !DILocation(line: 53, column: 82, scope: !61)
!196 = !{!197, !197, i64 0}
!197 = !{!"any pointer", !170, i64 0}
!198 = !DILocation(line: 53, column: 81, scope: !61)
!199 = !DILocation(line: 53, column: 79, scope: !61)
!200 = !DILocation(line: 53, column: 9, scope: !61)
!201 = !DILocation(line: 53, column: 95, scope: !61)
!202 = !DILocation(line: 54, column: 1, scope: !61)
!203 = !DILocation(line: 53, column: 2, scope: !61)
!204 = distinct !DISubprogram(name: "helper", scope: !3, file: !3, line: 41, type: !205, scopeLine: 42, flags: DIFlagPrototyped | DIFlagAllCallsDescribed, spFlags: DISPFlagLocalToUnit | DISPFlagDefinition | DISPFlagOptimized, unit: !2, retainedNodes: !207)
!205 = !DISubroutineType(types: !206)
!206 = !{!6, !77, !6}
!207 = !{!208, !209}
!208 = !DILocalVariable(name: "h", arg: 1, scope: !204, file: !3, line: 41, type: !77)
!209 = !DILocalVariable(name: "x", arg: 2, scope: !204, file: !3, line: 41, type: !6, annotations: !210)
!210 = !{!211}
!211 = !{!"btf_decl_tag", !"arg_tag"}
!212 = !DILocation(line: 0, scope: !204)
!213 = !DILocation(line: 43, column: 9, scope: !204)
!214 = !DILocation(line: 43, column: 16, scope: !204)
!215 = !DILocation(line: 43, column: 21, scope: !204)
!216 = !DILocation(line: 43, column: 2, scope: !204)
