// BPF_OBJ_GET_INFO_BY_FD for programs, maps and links, and BPF_*_GET_FD_BY_ID.
import {
  decode,
  encode,
  getIdAttr,
  infoAttr,
  linkInfoLayout,
  mapInfoLayout,
  progInfoLayout,
  type Layout,
} from './attrs.ts';
import type { BpfCommandName } from './cmd.ts';
import { Fd } from './fd.ts';
import { fdNumber, invoke } from './invoke.ts';

/** What BPF_OBJ_GET_INFO_BY_FD reports about a program (struct bpf_prog_info, the useful part). */
export interface ProgInfo {
  readonly type: number;
  readonly id: number;
  /** The program's tag (a hash of its instructions) as 16 hex digits, as bpftool prints it. */
  readonly tag: string;
  readonly name: string;
  readonly jitedProgLen: number;
  readonly xlatedProgLen: number;
  /** The instructions after the verifier's rewrites, when asked for with `xlatedInsns`. */
  readonly xlatedInsns: Uint8Array | undefined;
  readonly loadTime: bigint;
  readonly createdByUid: number;
  readonly mapIds: readonly number[];
  readonly ifindex: number;
  readonly gplCompatible: boolean;
  readonly btfId: number;
  readonly nrFuncInfo: number;
  readonly nrLineInfo: number;
  readonly runTimeNs: bigint;
  readonly runCnt: bigint;
  readonly verifiedInsns: number;
  readonly attachBtfObjId: number;
  readonly attachBtfId: number;
}

/** What BPF_OBJ_GET_INFO_BY_FD reports about a map (struct bpf_map_info). */
export interface MapInfo {
  readonly type: number;
  readonly id: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly mapFlags: number;
  readonly name: string;
  readonly ifindex: number;
  readonly btfId: number;
  readonly btfKeyTypeId: number;
  readonly btfValueTypeId: number;
  readonly btfVmlinuxValueTypeId: number;
  readonly mapExtra: bigint;
}

/** The common head of struct bpf_link_info. */
export interface LinkInfo {
  readonly type: number;
  readonly id: number;
  readonly progId: number;
}

/** Fills `layout` (an info struct) for `fd`; `extra` sets fields such as output array pointers. */
function getInfo<L extends Layout>(fd: Fd | number, layout: L, context: string, prepare?: (info: Uint8Array) => void): Uint8Array {
  const info = new Uint8Array(layout.size);
  prepare?.(info);
  const attr = encode(infoAttr, { bpf_fd: fdNumber(fd), info_len: info.byteLength, info });
  invoke('BPF_OBJ_GET_INFO_BY_FD', attr, context);
  return info;
}

function label(fd: Fd | number): string {
  return typeof fd === 'number' ? `fd ${fd}` : fd.label;
}

/**
 * Information about a loaded program. `xlatedInsns: true` also fetches the instructions as the
 * kernel rewrote them (needs CAP_SYS_ADMIN, else they read as absent).
 */
export function progGetInfo(fd: Fd | number, options: { readonly xlatedInsns?: boolean } = {}): ProgInfo {
  const context = `program info ${label(fd)}`;
  const first = decode(progInfoLayout, getInfo(fd, progInfoLayout, context));
  const mapIds = new Uint32Array(first.nr_map_ids);
  const xlated = options.xlatedInsns === true ? new Uint8Array(first.xlated_prog_len) : undefined;
  let info = first;
  if (mapIds.length > 0 || (xlated !== undefined && xlated.length > 0)) {
    // Second pass: the kernel copies at most as many ids/bytes as we announce.
    const raw = getInfo(fd, progInfoLayout, context, (buf) => {
      buf.set(
        encode(progInfoLayout, {
          nr_map_ids: mapIds.length,
          map_ids: new Uint8Array(mapIds.buffer),
          xlated_prog_len: xlated?.length ?? 0,
          xlated_prog_insns: xlated ?? null,
        }),
      );
    });
    info = decode(progInfoLayout, raw);
  }
  return {
    type: info.type,
    id: info.id,
    tag: [...info.tag].map((b) => b.toString(16).padStart(2, '0')).join(''),
    name: info.name,
    jitedProgLen: info.jited_prog_len,
    xlatedProgLen: first.xlated_prog_len,
    xlatedInsns: xlated?.subarray(0, Math.min(xlated.length, info.xlated_prog_len)),
    loadTime: info.load_time,
    createdByUid: info.created_by_uid,
    mapIds: [...mapIds.subarray(0, Math.min(mapIds.length, info.nr_map_ids))],
    ifindex: info.ifindex,
    gplCompatible: (info.gpl_compatible & 1) === 1,
    btfId: info.btf_id,
    nrFuncInfo: info.nr_func_info,
    nrLineInfo: info.nr_line_info,
    runTimeNs: info.run_time_ns,
    runCnt: info.run_cnt,
    verifiedInsns: info.verified_insns,
    attachBtfObjId: info.attach_btf_obj_id,
    attachBtfId: info.attach_btf_id,
  };
}

/** Information about a map. */
export function mapGetInfo(fd: Fd | number): MapInfo {
  const info = decode(mapInfoLayout, getInfo(fd, mapInfoLayout, `map info ${label(fd)}`));
  return {
    type: info.type,
    id: info.id,
    keySize: info.key_size,
    valueSize: info.value_size,
    maxEntries: info.max_entries,
    mapFlags: info.map_flags,
    name: info.name,
    ifindex: info.ifindex,
    btfId: info.btf_id,
    btfKeyTypeId: info.btf_key_type_id,
    btfValueTypeId: info.btf_value_type_id,
    btfVmlinuxValueTypeId: info.btf_vmlinux_value_type_id,
    mapExtra: info.map_extra,
  };
}

/** Information about a link (type, id, program id). */
export function linkGetInfo(fd: Fd | number): LinkInfo {
  const info = decode(linkInfoLayout, getInfo(fd, linkInfoLayout, `link info ${label(fd)}`));
  return { type: info.type, id: info.id, progId: info.prog_id };
}

const BY_ID: Record<'prog' | 'map' | 'link' | 'btf', BpfCommandName> = {
  prog: 'BPF_PROG_GET_FD_BY_ID',
  map: 'BPF_MAP_GET_FD_BY_ID',
  link: 'BPF_LINK_GET_FD_BY_ID',
  btf: 'BPF_BTF_GET_FD_BY_ID',
};

/** Opens a kernel object by its id (from info or `bpftool … show`). */
export function objGetFdById(kind: 'prog' | 'map' | 'link' | 'btf', id: number): Fd {
  const attr = encode(getIdAttr, { start_id: id });
  const what = kind === 'prog' ? 'program' : kind;
  return new Fd(invoke(BY_ID[kind], attr, `open ${what} id ${id}`), `${what} id ${id}`);
}
