// Which helpers may take which map types as their map argument: the two switches of the kernel's
// check_map_func_compatibility() (kernel/bpf/verifier.c, Linux 6.18), as data. A call is refused with
// "cannot pass map_type %d into func %s#%d" when the map's type restricts its helpers and the helper is not
// among them, or when the helper restricts its map types and the map's is not among them. Map types and
// helpers absent from a table are unrestricted by that side.
//
// Map types and helpers are written by their short names (`prog_array`, `tail_call`), as in maptypes.ts and
// helpers.ts.
import type { ProgTypeName } from './progtypes.ts';

const PERF_OUTPUT = ['perf_event_read', 'perf_event_output', 'skb_output', 'perf_event_read_value', 'xdp_output'];
const RINGBUF = ['ringbuf_output', 'ringbuf_reserve', 'ringbuf_query', 'ringbuf_reserve_dynptr', 'ringbuf_submit_dynptr', 'ringbuf_discard_dynptr'];

/** First switch: map type -> the only helpers it may be passed to. */
export const MAP_TYPE_HELPERS: Readonly<Record<string, readonly string[]>> = {
  prog_array: ['tail_call'],
  perf_event_array: PERF_OUTPUT,
  ringbuf: RINGBUF,
  user_ringbuf: ['user_ringbuf_drain'],
  stack_trace: ['get_stackid'],
  cgroup_array: ['skb_under_cgroup', 'current_task_under_cgroup'],
  cgroup_storage: ['get_local_storage'],
  percpu_cgroup_storage: ['get_local_storage'],
  devmap: ['redirect_map', 'map_lookup_elem'],
  devmap_hash: ['redirect_map', 'map_lookup_elem'],
  cpumap: ['redirect_map'],
  xskmap: ['redirect_map', 'map_lookup_elem'],
  array_of_maps: ['map_lookup_elem'],
  hash_of_maps: ['map_lookup_elem'],
  // and map_update_elem / map_delete_elem where SOCKMAP_UPDATE_PROG_TYPES allows them
  sockmap: ['sk_redirect_map', 'sock_map_update', 'msg_redirect_map', 'sk_select_reuseport', 'map_lookup_elem'],
  sockhash: ['sk_redirect_hash', 'sock_hash_update', 'msg_redirect_hash', 'sk_select_reuseport', 'map_lookup_elem'],
  reuseport_sockarray: ['sk_select_reuseport'],
  queue: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
  stack: ['map_peek_elem', 'map_pop_elem', 'map_push_elem'],
  bloom_filter: ['map_peek_elem', 'map_push_elem'],
  sk_storage: ['sk_storage_get', 'sk_storage_delete', 'kptr_xchg'],
  inode_storage: ['inode_storage_get', 'inode_storage_delete', 'kptr_xchg'],
  task_storage: ['task_storage_get', 'task_storage_delete', 'kptr_xchg'],
  cgrp_storage: ['cgrp_storage_get', 'cgrp_storage_delete', 'kptr_xchg'],
};

/** Second switch: helper -> the only map types it accepts. */
export const HELPER_MAP_TYPES: Readonly<Record<string, readonly string[]>> = {
  tail_call: ['prog_array'],
  ...Object.fromEntries(PERF_OUTPUT.map((h) => [h, ['perf_event_array']])),
  ...Object.fromEntries(RINGBUF.map((h) => [h, ['ringbuf']])),
  user_ringbuf_drain: ['user_ringbuf'],
  get_stackid: ['stack_trace'],
  current_task_under_cgroup: ['cgroup_array'],
  skb_under_cgroup: ['cgroup_array'],
  redirect_map: ['devmap', 'devmap_hash', 'cpumap', 'xskmap'],
  sk_redirect_map: ['sockmap'],
  msg_redirect_map: ['sockmap'],
  sock_map_update: ['sockmap'],
  sk_redirect_hash: ['sockhash'],
  msg_redirect_hash: ['sockhash'],
  sock_hash_update: ['sockhash'],
  get_local_storage: ['cgroup_storage', 'percpu_cgroup_storage'],
  sk_select_reuseport: ['reuseport_sockarray', 'sockmap', 'sockhash'],
  map_pop_elem: ['queue', 'stack'],
  map_peek_elem: ['queue', 'stack', 'bloom_filter'],
  map_push_elem: ['queue', 'stack', 'bloom_filter'],
  map_lookup_percpu_elem: ['percpu_array', 'percpu_hash', 'lru_percpu_hash'],
  sk_storage_get: ['sk_storage'],
  sk_storage_delete: ['sk_storage'],
  inode_storage_get: ['inode_storage'],
  inode_storage_delete: ['inode_storage'],
  task_storage_get: ['task_storage'],
  task_storage_delete: ['task_storage'],
  cgrp_storage_get: ['cgrp_storage'],
  cgrp_storage_delete: ['cgrp_storage'],
};

/** may_update_sockmap: program types that may update and delete sockmap/sockhash entries with the map helpers. */
export const SOCKMAP_UPDATE_PROG_TYPES: readonly ProgTypeName[] = [
  'socket_filter', 'sched_cls', 'sched_act', 'xdp', 'sk_reuseport', 'flow_dissector', 'sk_lookup',
];

/**
 * The verifier's answer for passing a map of type `mapType` (short name) to `helper` (short name) in a
 * program of type `progType`: undefined when allowed, else the kernel's log lines.
 */
export function mapFuncIncompatibility(mapType: string, mapTypeId: number, helper: string, helperId: number, progType: ProgTypeName): string[] | undefined {
  const lines: string[] = [];
  let ok = true;
  const byMap = MAP_TYPE_HELPERS[mapType];
  if (byMap !== undefined && !byMap.includes(helper)) {
    ok = false;
    if ((mapType === 'sockmap' || mapType === 'sockhash') && (helper === 'map_update_elem' || helper === 'map_delete_elem')) {
      // sock_ops may delete (its updates go through the dedicated helpers); tracing iterators are not modelled
      if (SOCKMAP_UPDATE_PROG_TYPES.includes(progType) || (progType === 'sock_ops' && helper === 'map_delete_elem')) ok = true;
      else lines.push('cannot update sockmap in this context');
    }
  }
  const byHelper = HELPER_MAP_TYPES[helper];
  if (ok && byHelper !== undefined && !byHelper.includes(mapType)) ok = false;
  if (ok) return undefined;
  return [...lines, `cannot pass map_type ${mapTypeId} into func bpf_${helper}#${helperId}`];
}
