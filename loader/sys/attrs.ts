// bpf(2) attribute layouts: ONE table, encoded and decoded with DataView. No offset appears anywhere
// else in tsbpf; commands name fields, this file knows where they live.
//
// bpf(2) takes `union bpf_attr` (include/uapi/linux/bpf.h): one anonymous struct per command group,
// all starting at offset 0. We pass only the member a command uses, sized as the table says; the
// kernel zero-fills the rest and rejects non-zero bytes it does not know (E2BIG).
//
//   union bpf_attr                      our layouts                      commands
//   +------------------------------+
//   | struct { map_type, …  }  96 B | ── mapCreateAttr ─────────────── BPF_MAP_CREATE
//   | struct { map_fd, key, … } 32 B | ── mapElemAttr ──────────────── BPF_MAP_{LOOKUP,UPDATE,DELETE}_ELEM,
//   |                              |                                   BPF_MAP_GET_NEXT_KEY, BPF_MAP_FREEZE
//   | struct { … } batch       56 B | ── mapBatchAttr ─────────────── BPF_MAP_{LOOKUP,LOOKUP_AND_DELETE,UPDATE,DELETE}_BATCH
//   | struct { prog_type, … } 168 B | ── progLoadAttr ─────────────── BPF_PROG_LOAD
//   | struct { pathname, … }   24 B | ── objAttr ──────────────────── BPF_OBJ_PIN, BPF_OBJ_GET
//   | struct { target_fd, … }  32 B | ── progAttachAttr ───────────── BPF_PROG_ATTACH, BPF_PROG_DETACH
//   | struct { … } test        80 B | ── testRunAttr ──────────────── BPF_PROG_TEST_RUN
//   | struct { start_id, … }   16 B | ── getIdAttr ────────────────── BPF_*_GET_NEXT_ID, BPF_*_GET_FD_BY_ID
//   | struct { … } info        16 B | ── infoAttr ─────────────────── BPF_OBJ_GET_INFO_BY_FD
//   | struct { btf, … }        40 B | ── btfLoadAttr ──────────────── BPF_BTF_LOAD
//   | struct { … } link_create 64 B | ── linkCreateAttr ───────────── BPF_LINK_CREATE
//   | struct { … } link_update 16 B | ── linkUpdateAttr ───────────── BPF_LINK_UPDATE
//   | struct { … } link_detach  4 B | ── linkDetachAttr ───────────── BPF_LINK_DETACH
//   | struct { … } query       64 B | ── progQueryAttr ────────────── BPF_PROG_QUERY
//   +------------------------------+
//   struct bpf_prog_info 232 B, struct bpf_map_info 104 B, struct bpf_link_info 64 B: the `info`
//   buffers BPF_OBJ_GET_INFO_BY_FD fills (progInfoLayout, mapInfoLayout, linkInfoLayout).
//
// A row is `[name, byte offset, type, aliases?]`. Types: u32, s32, u64, ptr (an aligned_u64 holding a
// user address), char[N] (NUL-terminated name), u8[N] (raw bytes), pad[N] (explicit padding, always
// zero). Rows are contiguous: each starts where the previous ends, and they add up to the struct size
// (checked when this module loads, by test/loader/sys/attrs.test.ts, and against the running kernel's
// BTF by test/kernel/sys-attrs-btf.ts). Aliases name the other members of a union at that
// offset; encode() accepts them too.
import type { BpfCommandName } from './cmd.ts';
import { addressOf } from './syscall.ts';

export type FieldType = 'u32' | 's32' | 'u64' | 'ptr' | `char[${number}]` | `u8[${number}]` | `pad[${number}]`;

/** One table row: name, byte offset, type, other names of the same union slot. */
export type Row = readonly [name: string, offset: number, type: FieldType, aliases?: readonly string[]];

export type FieldKind = 'u32' | 's32' | 'u64' | 'ptr' | 'char' | 'u8' | 'pad';

/** A parsed row. */
export interface Field {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly kind: FieldKind;
  readonly aliases: readonly string[];
}

export interface Layout<R extends readonly Row[] = readonly Row[]> {
  /** Our name for the struct: `map_create`, `bpf_prog_info`. */
  readonly name: string;
  /** The kernel structure it mirrors. */
  readonly mirrors: string;
  /** How test/kernel finds it in BTF: a union bpf_attr member name, or a struct name. */
  readonly btf: { readonly attrMember: string } | { readonly struct: string };
  readonly commands: readonly BpfCommandName[];
  readonly size: number;
  readonly fields: readonly Field[];
  readonly rows: R;
}

const SCALAR_SIZE = { u32: 4, s32: 4, u64: 8, ptr: 8 } as const;

function parseType(type: FieldType): { kind: FieldKind; size: number } {
  if (type === 'u32' || type === 's32' || type === 'u64' || type === 'ptr') {
    return { kind: type, size: SCALAR_SIZE[type] };
  }
  const m = /^(char|u8|pad)\[(\d+)\]$/.exec(type);
  if (!m) throw new TypeError(`attr layout: bad field type ${type}`);
  return { kind: m[1] as FieldKind, size: Number(m[2]) };
}

/** Problems with a layout's rows: gaps, overlaps, misalignment, duplicate names, wrong total. */
export function layoutProblems(layout: Pick<Layout, 'name' | 'size' | 'fields'>): string[] {
  const problems: string[] = [];
  let end = 0;
  const names = new Set<string>();
  for (const f of layout.fields) {
    if (f.offset !== end) problems.push(`${layout.name}.${f.name || 'pad'}: offset ${f.offset}, expected ${end}`);
    const align = f.kind === 'u64' || f.kind === 'ptr' ? 8 : f.kind === 'u32' || f.kind === 's32' ? 4 : 1;
    if (f.offset % align !== 0) problems.push(`${layout.name}.${f.name}: offset ${f.offset} not ${align}-aligned`);
    if (f.size <= 0) problems.push(`${layout.name}.${f.name || 'pad'}: size ${f.size}`);
    for (const n of f.kind === 'pad' ? [] : [f.name, ...f.aliases]) {
      if (names.has(n)) problems.push(`${layout.name}: duplicate field name ${n}`);
      names.add(n);
    }
    end = f.offset + f.size;
  }
  if (end !== layout.size) problems.push(`${layout.name}: fields end at ${end}, struct size is ${layout.size}`);
  return problems;
}

function layout<const R extends readonly Row[]>(
  name: string,
  mirrors: string,
  btf: Layout['btf'],
  commands: readonly BpfCommandName[],
  size: number,
  rows: R,
): Layout<R> {
  const fields = rows.map(([fieldName, offset, type, aliases]): Field => {
    const { kind, size: fieldSize } = parseType(type);
    if ((kind === 'pad') !== (fieldName === '')) throw new TypeError(`attr layout ${name}: only padding is unnamed`);
    return { name: fieldName, offset, size: fieldSize, kind, aliases: aliases ?? [] };
  });
  const result: Layout<R> = { name, mirrors, btf, commands, size, fields, rows };
  const problems = layoutProblems(result);
  if (problems.length > 0) throw new TypeError(`attr layout ${name}: ${problems.join('; ')}`);
  return result;
}

// ─── union bpf_attr members ──────────────────────────────────────────────────────────────────────

/** union bpf_attr, anonymous struct "used by BPF_MAP_CREATE command". */
export const mapCreateAttr = layout(
  'map_create',
  'union bpf_attr { struct { __u32 map_type; … __u32 excl_prog_hash_size; }; } (BPF_MAP_CREATE)',
  { attrMember: 'map_type' },
  ['BPF_MAP_CREATE'],
  96,
  [
    ['map_type', 0, 'u32'],
    ['key_size', 4, 'u32'],
    ['value_size', 8, 'u32'],
    ['max_entries', 12, 'u32'],
    ['map_flags', 16, 'u32'],
    ['inner_map_fd', 20, 'u32'],
    ['numa_node', 24, 'u32'],
    ['map_name', 28, 'char[16]'], // BPF_OBJ_NAME_LEN
    ['map_ifindex', 44, 'u32'],
    ['btf_fd', 48, 'u32'],
    ['btf_key_type_id', 52, 'u32'],
    ['btf_value_type_id', 56, 'u32'],
    ['btf_vmlinux_value_type_id', 60, 'u32'],
    ['map_extra', 64, 'u64'],
    ['value_type_btf_obj_fd', 72, 's32'],
    ['map_token_fd', 76, 's32'],
    ['excl_prog_hash', 80, 'ptr'],
    ['excl_prog_hash_size', 88, 'u32'],
    ['', 92, 'pad[4]'],
  ],
);

/** union bpf_attr, anonymous struct "used by BPF_MAP_*_ELEM commands" (value and next_key share 16). */
export const mapElemAttr = layout(
  'map_elem',
  'union bpf_attr { struct { __u32 map_fd; __aligned_u64 key; union { value; next_key; }; __u64 flags; }; }',
  { attrMember: 'map_fd' },
  ['BPF_MAP_LOOKUP_ELEM', 'BPF_MAP_UPDATE_ELEM', 'BPF_MAP_DELETE_ELEM', 'BPF_MAP_GET_NEXT_KEY', 'BPF_MAP_FREEZE'],
  32,
  [
    ['map_fd', 0, 'u32'],
    ['', 4, 'pad[4]'],
    ['key', 8, 'ptr'],
    ['value', 16, 'ptr', ['next_key']],
    ['flags', 24, 'u64'],
  ],
);

/**
 * union bpf_attr, struct batch "used by BPF_MAP_*_BATCH commands". Not in LAYOUTS (whose list the sys tests
 * pin); test/kernel/maps.test.ts checks it against the kernel's BTF.
 */
export const mapBatchAttr = layout(
  'map_batch',
  'union bpf_attr { struct { __aligned_u64 in_batch; … __u64 flags; } batch; }',
  { attrMember: 'batch' },
  ['BPF_MAP_LOOKUP_BATCH', 'BPF_MAP_LOOKUP_AND_DELETE_BATCH', 'BPF_MAP_UPDATE_BATCH', 'BPF_MAP_DELETE_BATCH'],
  56,
  [
    ['in_batch', 0, 'ptr'],
    ['out_batch', 8, 'ptr'],
    ['keys', 16, 'ptr'],
    ['values', 24, 'ptr'],
    ['count', 32, 'u32'],
    ['map_fd', 36, 'u32'],
    ['elem_flags', 40, 'u64'],
    ['flags', 48, 'u64'],
  ],
);

/** union bpf_attr, anonymous struct "used by BPF_PROG_LOAD command". */
export const progLoadAttr = layout(
  'prog_load',
  'union bpf_attr { struct { __u32 prog_type; … __s32 keyring_id; }; } (BPF_PROG_LOAD)',
  { attrMember: 'prog_type' },
  ['BPF_PROG_LOAD'],
  168,
  [
    ['prog_type', 0, 'u32'],
    ['insn_cnt', 4, 'u32'],
    ['insns', 8, 'ptr'],
    ['license', 16, 'ptr'],
    ['log_level', 24, 'u32'],
    ['log_size', 28, 'u32'],
    ['log_buf', 32, 'ptr'],
    ['kern_version', 40, 'u32'],
    ['prog_flags', 44, 'u32'],
    ['prog_name', 48, 'char[16]'],
    ['prog_ifindex', 64, 'u32'],
    ['expected_attach_type', 68, 'u32'],
    ['prog_btf_fd', 72, 'u32'],
    ['func_info_rec_size', 76, 'u32'],
    ['func_info', 80, 'ptr'],
    ['func_info_cnt', 88, 'u32'],
    ['line_info_rec_size', 92, 'u32'],
    ['line_info', 96, 'ptr'],
    ['line_info_cnt', 104, 'u32'],
    ['attach_btf_id', 108, 'u32'],
    ['attach_prog_fd', 112, 'u32', ['attach_btf_obj_fd']],
    ['core_relo_cnt', 116, 'u32'],
    ['fd_array', 120, 'ptr'],
    ['core_relos', 128, 'ptr'],
    ['core_relo_rec_size', 136, 'u32'],
    ['log_true_size', 140, 'u32'], // written back by the kernel
    ['prog_token_fd', 144, 's32'],
    ['fd_array_cnt', 148, 'u32'],
    ['signature', 152, 'ptr'],
    ['signature_size', 160, 'u32'],
    ['keyring_id', 164, 's32'],
  ],
);

/** union bpf_attr, anonymous struct "anonymous struct used by BPF_OBJ_* commands". */
export const objAttr = layout(
  'obj',
  'union bpf_attr { struct { __aligned_u64 pathname; __u32 bpf_fd; __u32 file_flags; __s32 path_fd; }; }',
  { attrMember: 'pathname' },
  ['BPF_OBJ_PIN', 'BPF_OBJ_GET'],
  24,
  [
    ['pathname', 0, 'ptr'],
    ['bpf_fd', 8, 'u32'],
    ['file_flags', 12, 'u32'],
    ['path_fd', 16, 's32'],
    ['', 20, 'pad[4]'],
  ],
);

/** union bpf_attr, anonymous struct "anonymous struct used by BPF_PROG_ATTACH/DETACH commands". */
export const progAttachAttr = layout(
  'prog_attach',
  'union bpf_attr { struct { union { target_fd; target_ifindex; }; … __u64 expected_revision; }; }',
  { attrMember: 'target_fd' },
  ['BPF_PROG_ATTACH', 'BPF_PROG_DETACH'],
  32,
  [
    ['target_fd', 0, 'u32', ['target_ifindex']],
    ['attach_bpf_fd', 4, 'u32'],
    ['attach_type', 8, 'u32'],
    ['attach_flags', 12, 'u32'],
    ['replace_bpf_fd', 16, 'u32'],
    ['relative_fd', 20, 'u32', ['relative_id']],
    ['expected_revision', 24, 'u64'],
  ],
);

/** union bpf_attr, `struct { … } test` "anonymous struct used by BPF_PROG_TEST_RUN command". */
export const testRunAttr = layout(
  'test',
  'union bpf_attr { struct { __u32 prog_fd; __u32 retval; … __u32 batch_size; } test; }',
  { attrMember: 'test' },
  ['BPF_PROG_TEST_RUN'],
  80,
  [
    ['prog_fd', 0, 'u32'],
    ['retval', 4, 'u32'], // out
    ['data_size_in', 8, 'u32'],
    ['data_size_out', 12, 'u32'], // in: buffer size; out: actual size
    ['data_in', 16, 'ptr'],
    ['data_out', 24, 'ptr'],
    ['repeat', 32, 'u32'],
    ['duration', 36, 'u32'], // out: average ns per run
    ['ctx_size_in', 40, 'u32'],
    ['ctx_size_out', 44, 'u32'], // in: buffer size; out: actual size
    ['ctx_in', 48, 'ptr'],
    ['ctx_out', 56, 'ptr'],
    ['flags', 64, 'u32'],
    ['cpu', 68, 'u32'],
    ['batch_size', 72, 'u32'],
    ['', 76, 'pad[4]'],
  ],
);

/** union bpf_attr, anonymous struct "anonymous struct used by BPF_*_GET_*_ID". */
export const getIdAttr = layout(
  'get_id',
  'union bpf_attr { struct { union { start_id; prog_id; map_id; btf_id; link_id; }; __u32 next_id; … }; }',
  { attrMember: 'start_id' },
  [
    'BPF_PROG_GET_NEXT_ID',
    'BPF_MAP_GET_NEXT_ID',
    'BPF_PROG_GET_FD_BY_ID',
    'BPF_MAP_GET_FD_BY_ID',
    'BPF_BTF_GET_FD_BY_ID',
    'BPF_LINK_GET_FD_BY_ID',
  ],
  16,
  [
    ['start_id', 0, 'u32', ['prog_id', 'map_id', 'btf_id', 'link_id']],
    ['next_id', 4, 'u32'],
    ['open_flags', 8, 'u32'],
    ['fd_by_id_token_fd', 12, 's32'],
  ],
);

/** union bpf_attr, `struct { … } info` "anonymous struct used by BPF_OBJ_GET_INFO_BY_FD". */
export const infoAttr = layout(
  'info',
  'union bpf_attr { struct { __u32 bpf_fd; __u32 info_len; __aligned_u64 info; } info; }',
  { attrMember: 'info' },
  ['BPF_OBJ_GET_INFO_BY_FD'],
  16,
  [
    ['bpf_fd', 0, 'u32'],
    ['info_len', 4, 'u32'], // in: buffer size; out: bytes the kernel filled
    ['info', 8, 'ptr'],
  ],
);

/** union bpf_attr, anonymous struct "anonymous struct for BPF_BTF_LOAD". */
export const btfLoadAttr = layout(
  'btf_load',
  'union bpf_attr { struct { __aligned_u64 btf; __aligned_u64 btf_log_buf; … __s32 btf_token_fd; }; }',
  { attrMember: 'btf' },
  ['BPF_BTF_LOAD'],
  40,
  [
    ['btf', 0, 'ptr'],
    ['btf_log_buf', 8, 'ptr'],
    ['btf_size', 16, 'u32'],
    ['btf_log_size', 20, 'u32'],
    ['btf_log_level', 24, 'u32'],
    ['btf_log_true_size', 28, 'u32'], // written back by the kernel
    ['btf_flags', 32, 'u32'],
    ['btf_token_fd', 36, 's32'],
  ],
);

/**
 * union bpf_attr, `struct { … } link_create` "struct used by BPF_LINK_CREATE command". The union at
 * 16 has one variant per link kind; we model tcx/netkit/cgroup (relative_fd|relative_id,
 * expected_revision) and target_btf_id, and leave the other variants as padding.
 */
export const linkCreateAttr = layout(
  'link_create',
  'union bpf_attr { struct { union { prog_fd; map_fd; }; union { target_fd; target_ifindex; }; … } link_create; }',
  { attrMember: 'link_create' },
  ['BPF_LINK_CREATE'],
  64,
  [
    ['prog_fd', 0, 'u32', ['map_fd']],
    ['target_fd', 4, 'u32', ['target_ifindex']],
    ['attach_type', 8, 'u32'],
    ['flags', 12, 'u32'],
    ['relative_fd', 16, 'u32', ['relative_id', 'target_btf_id']], // tcx, netkit, cgroup; tracing
    ['', 20, 'pad[4]'],
    ['expected_revision', 24, 'u64'], // tcx, netkit, cgroup
    ['', 32, 'pad[32]'], // rest of the per-link-kind union (kprobe_multi, uprobe_multi, …)
  ],
);

/** union bpf_attr, `struct { … } link_update` "struct used by BPF_LINK_UPDATE command". */
export const linkUpdateAttr = layout(
  'link_update',
  'union bpf_attr { struct { __u32 link_fd; union { new_prog_fd; new_map_fd; }; __u32 flags; union { old_prog_fd; old_map_fd; }; } link_update; }',
  { attrMember: 'link_update' },
  ['BPF_LINK_UPDATE'],
  16,
  [
    ['link_fd', 0, 'u32'],
    ['new_prog_fd', 4, 'u32', ['new_map_fd']],
    ['flags', 8, 'u32'],
    ['old_prog_fd', 12, 'u32', ['old_map_fd']],
  ],
);

/** union bpf_attr, `struct { … } query` "anonymous struct used by BPF_PROG_QUERY command". */
export const progQueryAttr = layout(
  'query',
  'union bpf_attr { struct { union { target_fd; target_ifindex; }; __u32 attach_type; __u32 query_flags; __u32 attach_flags; __aligned_u64 prog_ids; union { prog_cnt; count; }; __u32 :32; __aligned_u64 prog_attach_flags; __aligned_u64 link_ids; __aligned_u64 link_attach_flags; __u64 revision; } query; }',
  { attrMember: 'query' },
  ['BPF_PROG_QUERY'],
  64,
  [
    ['target_fd', 0, 'u32', ['target_ifindex']],
    ['attach_type', 4, 'u32'],
    ['query_flags', 8, 'u32'],
    ['attach_flags', 12, 'u32'],
    ['prog_ids', 16, 'ptr'],
    ['prog_cnt', 24, 'u32', ['count']],
    ['', 28, 'pad[4]'],
    ['prog_attach_flags', 32, 'ptr'],
    ['link_ids', 40, 'ptr'],
    ['link_attach_flags', 48, 'ptr'],
    ['revision', 56, 'u64'],
  ],
);

/** union bpf_attr, `struct { __u32 link_fd; } link_detach`. */
export const linkDetachAttr = layout(
  'link_detach',
  'union bpf_attr { struct { __u32 link_fd; } link_detach; }',
  { attrMember: 'link_detach' },
  ['BPF_LINK_DETACH'],
  4,
  [['link_fd', 0, 'u32']],
);

// ─── info structures filled by BPF_OBJ_GET_INFO_BY_FD ────────────────────────────────────────────

/** struct bpf_prog_info (include/uapi/linux/bpf.h). */
export const progInfoLayout = layout(
  'bpf_prog_info',
  'struct bpf_prog_info',
  { struct: 'bpf_prog_info' },
  ['BPF_OBJ_GET_INFO_BY_FD'],
  232,
  [
    ['type', 0, 'u32'],
    ['id', 4, 'u32'],
    ['tag', 8, 'u8[8]'], // BPF_TAG_SIZE
    ['jited_prog_len', 16, 'u32'],
    ['xlated_prog_len', 20, 'u32'],
    ['jited_prog_insns', 24, 'ptr'],
    ['xlated_prog_insns', 32, 'ptr'],
    ['load_time', 40, 'u64'], // ns since boot
    ['created_by_uid', 48, 'u32'],
    ['nr_map_ids', 52, 'u32'],
    ['map_ids', 56, 'ptr'],
    ['name', 64, 'char[16]'],
    ['ifindex', 80, 'u32'],
    ['gpl_compatible', 84, 'u32'], // __u32 gpl_compatible:1; the other 31 bits are padding
    ['netns_dev', 88, 'u64'],
    ['netns_ino', 96, 'u64'],
    ['nr_jited_ksyms', 104, 'u32'],
    ['nr_jited_func_lens', 108, 'u32'],
    ['jited_ksyms', 112, 'ptr'],
    ['jited_func_lens', 120, 'ptr'],
    ['btf_id', 128, 'u32'],
    ['func_info_rec_size', 132, 'u32'],
    ['func_info', 136, 'ptr'],
    ['nr_func_info', 144, 'u32'],
    ['nr_line_info', 148, 'u32'],
    ['line_info', 152, 'ptr'],
    ['jited_line_info', 160, 'ptr'],
    ['nr_jited_line_info', 168, 'u32'],
    ['line_info_rec_size', 172, 'u32'],
    ['jited_line_info_rec_size', 176, 'u32'],
    ['nr_prog_tags', 180, 'u32'],
    ['prog_tags', 184, 'ptr'],
    ['run_time_ns', 192, 'u64'],
    ['run_cnt', 200, 'u64'],
    ['recursion_misses', 208, 'u64'],
    ['verified_insns', 216, 'u32'],
    ['attach_btf_obj_id', 220, 'u32'],
    ['attach_btf_id', 224, 'u32'],
    ['', 228, 'pad[4]'], // the struct is __attribute__((aligned(8)))
  ],
);

/** struct bpf_map_info (include/uapi/linux/bpf.h). */
export const mapInfoLayout = layout(
  'bpf_map_info',
  'struct bpf_map_info',
  { struct: 'bpf_map_info' },
  ['BPF_OBJ_GET_INFO_BY_FD'],
  104,
  [
    ['type', 0, 'u32'],
    ['id', 4, 'u32'],
    ['key_size', 8, 'u32'],
    ['value_size', 12, 'u32'],
    ['max_entries', 16, 'u32'],
    ['map_flags', 20, 'u32'],
    ['name', 24, 'char[16]'],
    ['ifindex', 40, 'u32'],
    ['btf_vmlinux_value_type_id', 44, 'u32'],
    ['netns_dev', 48, 'u64'],
    ['netns_ino', 56, 'u64'],
    ['btf_id', 64, 'u32'],
    ['btf_key_type_id', 68, 'u32'],
    ['btf_value_type_id', 72, 'u32'],
    ['btf_vmlinux_id', 76, 'u32'],
    ['map_extra', 80, 'u64'],
    ['hash', 88, 'ptr'],
    ['hash_size', 96, 'u32'],
    ['', 100, 'pad[4]'], // the struct is __attribute__((aligned(8)))
  ],
);

/** struct bpf_link_info (include/uapi/linux/bpf.h): the common head; the per-kind union is padding. */
export const linkInfoLayout = layout(
  'bpf_link_info',
  'struct bpf_link_info',
  { struct: 'bpf_link_info' },
  ['BPF_OBJ_GET_INFO_BY_FD'],
  64,
  [
    ['type', 0, 'u32'],
    ['id', 4, 'u32'],
    ['prog_id', 8, 'u32'],
    ['', 12, 'pad[4]'],
    ['', 16, 'pad[48]'], // union { raw_tracepoint, tracing, cgroup, iter, netns, xdp, tcx, … }
  ],
);

/** Every layout, for table-wide checks. */
export const LAYOUTS: readonly Layout[] = [
  mapCreateAttr,
  mapElemAttr,
  progLoadAttr,
  objAttr,
  progAttachAttr,
  testRunAttr,
  getIdAttr,
  infoAttr,
  btfLoadAttr,
  linkCreateAttr,
  linkUpdateAttr,
  linkDetachAttr,
  progQueryAttr,
  mapBatchAttr,
  progInfoLayout,
  mapInfoLayout,
  linkInfoLayout,
];

// ─── encode / decode ─────────────────────────────────────────────────────────────────────────────

type NamesOf<R extends Row> = R[2] extends `pad[${number}]`
  ? never
  : R extends readonly [infer N extends string, number, FieldType, readonly (infer A extends string)[]]
    ? N | A
    : R[0];

type InputOf<T extends FieldType> = T extends 'u32' | 's32'
  ? number
  : T extends 'u64'
    ? number | bigint
    : T extends 'ptr'
      ? Uint8Array | bigint | null
      : T extends `char[${number}]`
        ? string
        : T extends `u8[${number}]`
          ? Uint8Array
          : never;

type OutputOf<T extends FieldType> = T extends 'u32' | 's32'
  ? number
  : T extends 'u64' | 'ptr'
    ? bigint
    : T extends `char[${number}]`
      ? string
      : T extends `u8[${number}]`
        ? Uint8Array
        : never;

/** The values `encode` accepts for a layout: any subset of its fields (by name or alias). */
export type AttrInput<L extends Layout> = { [R in L['rows'][number] as NamesOf<R>]?: InputOf<R[2]> | undefined };

/** What `decode` returns for a layout: every named field (aliases not repeated). */
export type AttrOutput<L extends Layout> = {
  [R in L['rows'][number] as R[2] extends `pad[${number}]` ? never : R[0]]: OutputOf<R[2]>;
};

/** Buffers whose addresses an encoded attr holds: reachable exactly as long as the attr is. */
const referenced = new WeakMap<Uint8Array, Uint8Array[]>();

const lookupCache = new WeakMap<Layout, Map<string, Field>>();

function fieldsByName(l: Layout): Map<string, Field> {
  let m = lookupCache.get(l);
  if (!m) {
    m = new Map();
    for (const f of l.fields) {
      if (f.kind === 'pad') continue;
      m.set(f.name, f);
      for (const a of f.aliases) m.set(a, f);
    }
    lookupCache.set(l, m);
  }
  return m;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const U64_MAX = (1n << 64n) - 1n;

function writeField(view: DataView, bytes: Uint8Array, where: string, f: Field, value: unknown, refs: Uint8Array[]): void {
  const bad = (what: string): never => {
    throw new RangeError(`${where}: ${what}`);
  };
  switch (f.kind) {
    case 'u32':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
        bad(`${String(value)} is not a u32`);
      }
      view.setUint32(f.offset, value as number, true);
      return;
    case 's32':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) {
        bad(`${String(value)} is not an s32`);
      }
      view.setInt32(f.offset, value as number, true);
      return;
    case 'u64': {
      const v = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value;
      if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) bad(`${String(value)} is not a u64`);
      view.setBigUint64(f.offset, v as bigint, true);
      return;
    }
    case 'ptr': {
      let address: bigint;
      if (value === null) address = 0n;
      else if (typeof value === 'bigint') address = value;
      else if (value instanceof Uint8Array) {
        address = value.byteLength === 0 ? 0n : addressOf(value);
        refs.push(value);
      } else return bad(`${String(value)} is not a pointer (Uint8Array, bigint or null)`);
      view.setBigUint64(f.offset, address, true);
      return;
    }
    case 'char': {
      if (typeof value !== 'string') return bad(`${String(value)} is not a string`);
      const s = encoder.encode(value);
      if (s.length >= f.size) bad(`"${value}" is ${s.length} bytes, at most ${f.size - 1} fit`);
      bytes.set(s, f.offset);
      return;
    }
    case 'u8':
      if (!(value instanceof Uint8Array) || value.length > f.size) bad(`expected at most ${f.size} bytes`);
      bytes.set(value as Uint8Array, f.offset);
      return;
    case 'pad':
      return bad('padding cannot be written');
  }
}

/**
 * Encodes `values` into a zeroed buffer of `layout.size` bytes. Pointer fields take a Uint8Array
 * (its address is written, and the buffer is kept alive as long as the returned attr), a raw
 * address, or null.
 *
 * @example
 * const attr = encode(mapElemAttr, { map_fd: 3, key, value });
 */
export function encode<L extends Layout>(layout: L, values: AttrInput<L>): Uint8Array {
  const bytes = new Uint8Array(layout.size);
  const view = new DataView(bytes.buffer);
  const byName = fieldsByName(layout);
  const refs: Uint8Array[] = [];
  for (const [name, value] of Object.entries(values as Record<string, unknown>)) {
    if (value === undefined) continue;
    const f = byName.get(name);
    if (!f) throw new TypeError(`${layout.name}: no field ${name}`);
    writeField(view, bytes, `${layout.name}.${name}`, f, value, refs);
  }
  if (refs.length > 0) referenced.set(bytes, refs);
  return bytes;
}

/** Decodes every named field of `layout` from `bytes` (which may be longer than the layout). */
export function decode<L extends Layout>(layout: L, bytes: Uint8Array): AttrOutput<L> {
  if (bytes.byteLength < layout.size) {
    throw new RangeError(`${layout.name}: ${bytes.byteLength} bytes, the layout needs ${layout.size}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Record<string, unknown> = {};
  for (const f of layout.fields) {
    switch (f.kind) {
      case 'u32':
        out[f.name] = view.getUint32(f.offset, true);
        break;
      case 's32':
        out[f.name] = view.getInt32(f.offset, true);
        break;
      case 'u64':
      case 'ptr':
        out[f.name] = view.getBigUint64(f.offset, true);
        break;
      case 'char': {
        const raw = bytes.subarray(f.offset, f.offset + f.size);
        const nul = raw.indexOf(0);
        out[f.name] = decoder.decode(nul < 0 ? raw : raw.subarray(0, nul));
        break;
      }
      case 'u8':
        out[f.name] = bytes.slice(f.offset, f.offset + f.size);
        break;
      case 'pad':
        break;
    }
  }
  return out as AttrOutput<L>;
}

/** The buffers whose addresses `encode` wrote into `attr` (for tests). */
export function referencedBuffers(attr: Uint8Array): readonly Uint8Array[] {
  return referenced.get(attr) ?? [];
}
