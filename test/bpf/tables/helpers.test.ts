import { describe, expect, it } from 'vitest';
import {
  ARG_BASE,
  BPF_FUNC_MAX_ID,
  HELPERS,
  MEASURED_PROG_TYPES,
  RET_BASE,
  TYPE_FLAG,
  argAliasValue,
  helperAllowed,
  helperById,
  helperByName,
  mapTypeByName,
  mapTypesForHelper,
  progTypeByName,
  retAliasValue,
} from '../../../bpf/tables/index.ts';
import type { HelperArgKind, HelperSpec, ProgTypeName } from '../../../bpf/tables/index.ts';
import { available, kernelBpf } from '../../support/require.ts';
import { kernelBtf, loadKernelBtf } from './kernel-btf.ts';
import {
  addImm, call, closeFd, createMap, exit, insn, ldMapFd, loadOptions, loadProgram, movImm, movReg, verifierError,
} from './kernel-probe.ts';

/** Program types to check a helper's arguments in, most useful first. */
const PROBE_ORDER: readonly ProgTypeName[] = [
  'sched_cls', 'xdp', 'cgroup_skb', 'socket_filter', 'sock_ops', 'sk_msg', 'sk_skb', 'kprobe', 'cgroup_sock_addr',
  'lwt_xmit', 'lwt_seg6local', 'lwt_in', 'cgroup_sysctl', 'cgroup_sockopt', 'cgroup_sock', 'sk_lookup',
  'sk_reuseport', 'perf_event', 'cgroup_device', 'flow_dissector', 'syscall', 'tracepoint', 'raw_tracepoint',
];

/** key size, value size, max entries, flags of a map to pass where a helper wants a map of that type. */
const PROBE_MAPS: Readonly<Record<string, readonly [number, number, number, number]>> = {
  hash: [4, 8, 16, 0], array: [4, 8, 4, 0], prog_array: [4, 4, 4, 0], perf_event_array: [4, 4, 4, 0],
  ringbuf: [0, 0, 4096, 0], user_ringbuf: [0, 0, 4096, 0], stack_trace: [4, 64, 4, 0], cgroup_array: [4, 4, 4, 0],
  devmap: [4, 4, 4, 0], sockmap: [4, 4, 4, 0], sockhash: [4, 4, 4, 0], cpumap: [4, 4, 4, 0], xskmap: [4, 4, 4, 0],
  queue: [0, 8, 4, 0], reuseport_sockarray: [4, 4, 4, 0], percpu_hash: [4, 8, 4, 0],
};

/**
 * What "R<n> type=scalar expected=..." lists for each argument base kind; null: a scalar is accepted.
 * Kinds absent here are not checked.
 */
const MEM_LIKE = 'fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_';
const EXPECTED_REG_TYPES: Partial<Record<string, string | null>> = {
  ARG_ANYTHING: null,
  ARG_CONST_SIZE: null,
  ARG_CONST_SIZE_OR_ZERO: null,
  ARG_CONST_ALLOC_SIZE_OR_ZERO: null,
  ARG_PTR_TO_CTX: 'ctx',
  ARG_CONST_MAP_PTR: 'map_ptr',
  ARG_PTR_TO_MAP_KEY: MEM_LIKE,
  ARG_PTR_TO_MAP_VALUE: MEM_LIKE,
  ARG_PTR_TO_MEM: MEM_LIKE,
  ARG_PTR_TO_SPIN_LOCK: 'map_value, ptr_',
  ARG_PTR_TO_SOCK_COMMON: 'sock_common, sock, tcp_sock, xdp_sock',
  ARG_PTR_TO_BTF_ID_SOCK_COMMON: 'sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_',
  ARG_PTR_TO_BTF_ID: 'ptr_, trusted_ptr_, rcu_ptr_',
  ARG_PTR_TO_RINGBUF_MEM: 'ringbuf_mem',
  ARG_PTR_TO_PERCPU_BTF_ID: 'percpu_ptr_, percpu_rcu_ptr_, percpu_trusted_ptr_',
  ARG_PTR_TO_FUNC: 'func',
  ARG_PTR_TO_CONST_STR: 'map_value',
  ARG_PTR_TO_TIMER: 'map_value',
  ARG_KPTR_XCHG_DEST: 'map_value, ptr_',
  ARG_PTR_TO_DYNPTR: 'fp, dynptr_ptr',
};

describe('helpers table', () => {
  it('HELPERS lists ids 1..211 in order with unique names', () => {
    expect(HELPERS).toHaveLength(211);
    HELPERS.forEach((h, i) => expect(h.id).toBe(i + 1));
    expect(BPF_FUNC_MAX_ID).toBe(212);
    const names = new Set(HELPERS.map((h) => h.name));
    expect(names.size).toBe(HELPERS.length);
    for (const h of HELPERS) {
      expect(h.symbol).toBe(`bpf_${h.name}`);
      expect(h.enumName).toBe(`BPF_FUNC_${h.name}`);
      expect(h.name).toMatch(/^[a-z0-9_]+$/);
    }
  });

  it('helperById() and helperByName() agree on well-known helpers', () => {
    const facts: [string, number][] = [
      ['map_lookup_elem', 1],
      ['map_update_elem', 2],
      ['map_delete_elem', 3],
      ['probe_read', 4],
      ['ktime_get_ns', 5],
      ['trace_printk', 6],
      ['get_prandom_u32', 7],
      ['get_smp_processor_id', 8],
      ['skb_store_bytes', 9],
      ['l3_csum_replace', 10],
      ['l4_csum_replace', 11],
      ['tail_call', 12],
      ['get_current_pid_tgid', 14],
      ['redirect', 23],
      ['perf_event_output', 25],
      ['skb_load_bytes', 26],
      ['csum_diff', 28],
      ['skb_change_tail', 38],
      ['xdp_adjust_head', 44],
      ['redirect_map', 51],
      ['xdp_adjust_meta', 54],
      ['xdp_adjust_tail', 65],
      ['fib_lookup', 69],
      ['sk_lookup_tcp', 84],
      ['sk_lookup_udp', 85],
      ['sk_release', 86],
      ['spin_lock', 93],
      ['probe_read_kernel', 113],
      ['ringbuf_output', 130],
      ['ringbuf_reserve', 131],
      ['ringbuf_submit', 132],
      ['ringbuf_discard', 133],
      ['for_each_map_elem', 164],
      ['snprintf', 165],
      ['timer_init', 169],
      ['loop', 181],
      ['xdp_load_bytes', 189],
      ['cgrp_storage_delete', 211],
    ];
    for (const [name, id] of facts) {
      expect(helperByName(name)?.id, name).toBe(id);
      expect(helperByName(`bpf_${name}`)?.id, name).toBe(id);
      expect(helperByName(`BPF_FUNC_${name}`)?.id, name).toBe(id);
      expect(helperById(id)?.name).toBe(name);
    }
    expect(helperById(0)).toBeUndefined();
    expect(helperById(212)).toBeUndefined();
    expect(helperByName('no_such_helper')).toBeUndefined();
  });

  it('prototypes of the core networking helpers use the verifier vocabulary', () => {
    const proto = (name: string): string[] => {
      const h = helperByName(name);
      if (h === undefined) throw new Error(name);
      return [h.ret.text, ...h.args.map((a) => a.text)];
    };
    expect(proto('map_lookup_elem')).toEqual(['RET_PTR_TO_MAP_VALUE_OR_NULL', 'ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY']);
    expect(proto('map_update_elem')).toEqual([
      'RET_INTEGER', 'ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_PTR_TO_MAP_VALUE', 'ARG_ANYTHING',
    ]);
    expect(proto('tail_call')).toEqual(['RET_VOID', 'ARG_PTR_TO_CTX', 'ARG_CONST_MAP_PTR', 'ARG_ANYTHING']);
    expect(proto('skb_load_bytes')).toEqual([
      'RET_INTEGER', 'ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_CONST_SIZE',
    ]);
    expect(proto('skb_store_bytes')).toEqual([
      'RET_INTEGER', 'ARG_PTR_TO_CTX', 'ARG_ANYTHING', 'ARG_PTR_TO_MEM | MEM_RDONLY', 'ARG_CONST_SIZE', 'ARG_ANYTHING',
    ]);
    expect(proto('sk_lookup_tcp')[0]).toBe('RET_PTR_TO_SOCKET_OR_NULL');
    expect(proto('skc_lookup_tcp')[0]).toBe('RET_PTR_TO_SOCK_COMMON_OR_NULL');
    expect(proto('ringbuf_reserve')).toEqual([
      'RET_PTR_TO_RINGBUF_MEM_OR_NULL', 'ARG_CONST_MAP_PTR', 'ARG_CONST_ALLOC_SIZE_OR_ZERO', 'ARG_ANYTHING',
    ]);
    expect(proto('ringbuf_submit')).toEqual(['RET_VOID', 'ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE', 'ARG_ANYTHING']);
    expect(proto('spin_lock')).toEqual(['RET_VOID', 'ARG_PTR_TO_SPIN_LOCK']);
    expect(proto('loop')).toEqual(['RET_INTEGER', 'ARG_ANYTHING', 'ARG_PTR_TO_FUNC', 'ARG_PTR_TO_STACK_OR_NULL', 'ARG_ANYTHING']);

    const uninit = helperByName('skb_load_bytes')?.args[2];
    expect(uninit?.base).toBe('ARG_PTR_TO_MEM');
    expect(uninit?.flags).toEqual(['MEM_UNINIT', 'MEM_WRITE']);
    const strtolRes = helperByName('strtol')?.args[3];
    expect(strtolRes?.size).toBe(8);
    expect(strtolRes?.flags).toContain('MEM_FIXED_SIZE');
    expect(helperByName('skc_to_tcp_sock')?.ret.btfType).toBe('tcp_sock');
    expect(helperByName('get_current_task_btf')?.ret.flags).toEqual(['PTR_TRUSTED']);
  });

  it('C declarations are in the libbpf spelling', () => {
    expect(helperByName('map_update_elem')?.signature.text).toBe(
      'long bpf_map_update_elem(void *map, const void *key, const void *value, __u64 flags)',
    );
    expect(helperByName('map_lookup_elem')?.signature.ret).toBe('void *');
    expect(helperByName('xdp_adjust_head')?.signature.params[0]).toEqual({ type: 'struct xdp_md *', name: 'xdp_md' });
    expect(helperByName('skb_store_bytes')?.signature.params[0]?.type).toBe('struct __sk_buff *');
    expect(helperByName('trace_printk')?.signature.variadic).toBe(true);
    expect(helperByName('ktime_get_ns')?.signature.params).toEqual([]);
    for (const h of HELPERS) {
      expect(h.signature.text, h.name).not.toMatch(/\b(u8|u16|u32|u64|s32|s64|size_t)\b|struct (bpf_map|sk_buff|xdp_buff) /);
    }
  });

  it('every checked argument matches a C parameter of pointer type where the kind is a pointer', () => {
    const pointerKinds = new Set<string>([
      'ARG_CONST_MAP_PTR', 'ARG_PTR_TO_MAP_KEY', 'ARG_PTR_TO_MAP_VALUE', 'ARG_PTR_TO_MEM', 'ARG_PTR_TO_CTX',
      'ARG_PTR_TO_SPIN_LOCK', 'ARG_PTR_TO_SOCK_COMMON', 'ARG_PTR_TO_SOCKET', 'ARG_PTR_TO_BTF_ID',
      'ARG_PTR_TO_RINGBUF_MEM', 'ARG_PTR_TO_BTF_ID_SOCK_COMMON', 'ARG_PTR_TO_PERCPU_BTF_ID', 'ARG_PTR_TO_FUNC',
      'ARG_PTR_TO_STACK', 'ARG_PTR_TO_CONST_STR', 'ARG_PTR_TO_TIMER', 'ARG_KPTR_XCHG_DEST', 'ARG_PTR_TO_DYNPTR',
    ]);
    for (const h of HELPERS) {
      expect(h.args.length, h.name).toBe(h.signature.params.length);
      h.args.forEach((a, i) => {
        const c = h.signature.params[i]?.type ?? '';
        if (pointerKinds.has(a.base)) expect(c, `${h.name} arg ${i + 1}`).toContain('*');
        if (a.base === 'ARG_CONST_SIZE' || a.base === 'ARG_CONST_SIZE_OR_ZERO') {
          expect(c, `${h.name} arg ${i + 1}`).not.toContain('*');
        }
      });
    }
  });

  it('size arguments follow the memory argument they bound, as the verifier requires', () => {
    for (const h of HELPERS) {
      h.args.forEach((a, i) => {
        if (a.base !== 'ARG_CONST_SIZE' && a.base !== 'ARG_CONST_SIZE_OR_ZERO') return;
        const prev = h.args[i - 1];
        expect(prev?.base, `${h.name} arg ${i + 1}`).toBe('ARG_PTR_TO_MEM');
        expect(prev?.flags.includes('MEM_FIXED_SIZE'), `${h.name} arg ${i}`).toBe(false);
      });
      h.args.forEach((a, i) => {
        if (a.base === 'ARG_CONST_ALLOC_SIZE_OR_ZERO') expect(i, h.name).toBeGreaterThan(0);
      });
    }
  });

  it('argument and return kinds compose to the kernel values of the named combinations', () => {
    expect(argAliasValue('ARG_PTR_TO_UNINIT_MEM')).toBe(67141636);
    expect(argAliasValue('ARG_PTR_TO_MAP_VALUE_OR_NULL')).toBe(259);
    expect(argAliasValue('ARG_PTR_TO_FIXED_SIZE_MEM')).toBe(262148);
    expect(retAliasValue('RET_PTR_TO_RINGBUF_MEM_OR_NULL')).toBe(1286);
    expect(retAliasValue('RET_PTR_TO_BTF_ID_TRUSTED')).toBe(1048584);
    expect(helperByName('map_lookup_elem')?.ret.value).toBe(258);
  });

  it('gpl_only, pkt_access and might_sleep are set where the kernel sets them', () => {
    const gpl = (n: string): boolean | undefined => helperByName(n)?.gplOnly;
    expect(gpl('trace_printk')).toBe(true);
    expect(gpl('probe_read_kernel')).toBe(true);
    expect(gpl('perf_event_output')).toBe(true);
    expect(gpl('fib_lookup')).toBe(true);
    expect(gpl('timer_init')).toBe(true);
    expect(gpl('map_lookup_elem')).toBe(false);
    expect(gpl('redirect')).toBe(false);
    expect(gpl('ringbuf_output')).toBe(false);
    expect(gpl('loop')).toBe(false);
    expect(gpl('get_current_pid_tgid')).toBe(false);
    expect(helperByName('map_lookup_elem')?.pktAccess).toBe(true);
    expect(helperByName('csum_diff')?.pktAccess).toBe(true);
    expect(helperByName('skb_store_bytes')?.pktAccess).toBe(false);
    expect(helperByName('copy_from_user')?.mightSleep).toBe(true);
    expect(helperByName('probe_read_user')?.mightSleep).toBe(false);
  });

  it('helperAllowed() knows which networking program types may call which helper', () => {
    const yes: [string, string][] = [
      ['redirect_map', 'xdp'], ['xdp_adjust_head', 'xdp'], ['xdp_adjust_tail', 'xdp'], ['xdp_adjust_meta', 'xdp'],
      ['fib_lookup', 'xdp'], ['fib_lookup', 'sched_cls'], ['redirect', 'xdp'], ['redirect', 'sched_cls'],
      ['skb_store_bytes', 'sched_cls'], ['l3_csum_replace', 'sched_act'], ['l4_csum_replace', 'sched_cls'],
      ['skb_change_tail', 'sched_cls'], ['skb_load_bytes', 'socket_filter'], ['skb_load_bytes', 'cgroup_skb'],
      ['sk_lookup_tcp', 'xdp'], ['sk_release', 'sched_cls'], ['perf_event_output', 'xdp'],
      ['ringbuf_output', 'socket_filter'], ['map_lookup_elem', 'sk_skb'], ['tail_call', 'xdp'],
      ['get_socket_cookie', 'socket_filter'], ['csum_diff', 'xdp'], ['skb_store_bytes', 'sk_skb'],
      ['loop', 'xdp'], ['timer_init', 'sched_cls'], ['spin_lock', 'cgroup_skb'],
    ];
    for (const [h, p] of yes) expect(helperAllowed(h, p as never), `${h} in ${p}`).toBe(true);
    const no: [string, string][] = [
      ['skb_store_bytes', 'socket_filter'], ['skb_store_bytes', 'xdp'], ['xdp_adjust_head', 'sched_cls'],
      ['skb_load_bytes', 'xdp'], ['redirect_map', 'sched_cls'], ['l4_csum_replace', 'cgroup_skb'],
      ['probe_read', 'xdp'], ['get_stackid', 'sched_cls'], ['sk_lookup_tcp', 'socket_filter'],
      ['redirect', 'socket_filter'], ['fib_lookup', 'cgroup_skb'],
    ];
    for (const [h, p] of no) expect(helperAllowed(h, p as never), `${h} in ${p}`).toBe(false);
    expect(helperAllowed('map_lookup_elem', 'tracing')).toBeUndefined();
    expect(helperAllowed('no_such_helper', 'xdp')).toBe(false);
    for (const h of HELPERS) for (const p of h.progTypes) expect(MEASURED_PROG_TYPES).toContain(p);
  });
});

describe('helpers table against the kernel BTF', () => {
  const run = available('helpers table against the kernel BTF', kernelBtf);

  it.runIf(run)('enum bpf_func_id of the running kernel names the same helpers with the same ids', () => {
    const btf = loadKernelBtf();
    const e = btf.enumValues('bpf_func_id');
    expect(e).toBeDefined();
    const kernel = new Map([...(e ?? new Map<string, bigint>())].filter(([n]) => n.startsWith('BPF_FUNC_') && n !== 'BPF_FUNC_unspec'));
    for (const h of HELPERS) {
      const v = kernel.get(h.enumName);
      // A kernel newer than 6.18 may add helpers; it never renumbers them.
      expect(v, h.enumName).toBe(BigInt(h.id));
    }
    const maxId = Number(e?.get('__BPF_FUNC_MAX_ID') ?? 0n);
    expect(maxId).toBeGreaterThanOrEqual(BPF_FUNC_MAX_ID);
    if (maxId === BPF_FUNC_MAX_ID) expect(kernel.size).toBe(HELPERS.length);
  });

  it.runIf(run)('argument, return and flag bits equal the kernel enums', () => {
    const btf = loadKernelBtf();
    const args = btf.enumValues('bpf_arg_type');
    const rets = btf.enumValues('bpf_return_type');
    const flags = btf.enumValues('bpf_type_flag');
    for (const [name, value] of Object.entries(ARG_BASE)) {
      if (name === 'ARG_DONTCARE') continue;
      expect(args?.get(name), name).toBe(BigInt(value));
    }
    for (const [name, value] of Object.entries(RET_BASE)) expect(rets?.get(name), name).toBe(BigInt(value));
    for (const [name, value] of Object.entries(TYPE_FLAG)) expect(flags?.get(name), name).toBe(BigInt(value));
    for (const name of [
      'ARG_PTR_TO_MAP_VALUE_OR_NULL', 'ARG_PTR_TO_MEM_OR_NULL', 'ARG_PTR_TO_CTX_OR_NULL', 'ARG_PTR_TO_SOCKET_OR_NULL',
      'ARG_PTR_TO_STACK_OR_NULL', 'ARG_PTR_TO_BTF_ID_OR_NULL', 'ARG_PTR_TO_UNINIT_MEM', 'ARG_PTR_TO_FIXED_SIZE_MEM',
    ]) {
      expect(BigInt(argAliasValue(name) ?? -1), name).toBe(args?.get(name));
    }
    for (const name of [
      'RET_PTR_TO_MAP_VALUE_OR_NULL', 'RET_PTR_TO_SOCKET_OR_NULL', 'RET_PTR_TO_TCP_SOCK_OR_NULL',
      'RET_PTR_TO_SOCK_COMMON_OR_NULL', 'RET_PTR_TO_RINGBUF_MEM_OR_NULL', 'RET_PTR_TO_DYNPTR_MEM_OR_NULL',
      'RET_PTR_TO_BTF_ID_OR_NULL', 'RET_PTR_TO_BTF_ID_TRUSTED',
    ]) {
      expect(BigInt(retAliasValue(name) ?? -1), name).toBe(rets?.get(name));
    }
  });

  it.runIf(run)('every BTF type a prototype names exists in the kernel', () => {
    const btf = loadKernelBtf();
    for (const h of HELPERS) {
      for (const k of [h.ret, ...h.args]) {
        if (k.btfType !== undefined) expect(btf.struct(k.btfType), `${h.name}: struct ${k.btfType}`).toBeDefined();
      }
    }
  });
});

describe('helpers table against the kernel verifier', () => {
  const run = available('helpers table against the kernel verifier', kernelBpf);

  it.runIf(run)('each helper is offered to exactly the program types the table lists', () => {
    const wrong: string[] = [];
    for (const pt of MEASURED_PROG_TYPES) {
      const spec = progTypeByName(pt);
      if (spec === undefined) throw new Error(pt);
      for (const h of HELPERS) {
        const r = loadProgram(spec.id, [call(h.id), movImm(0, 0), exit()], loadOptions(pt));
        const offered = !/program of this type cannot use helper|unknown func|invalid func/.test(r.log);
        if (offered !== h.progTypes.includes(pt)) wrong.push(`${h.name} in ${pt}: kernel says ${offered}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.runIf(run)('gpl_only is what the kernel enforces for a non-GPL program', () => {
    const wrong: string[] = [];
    for (const h of HELPERS) {
      const pt = h.progTypes[0];
      if (pt === undefined) continue;
      const spec = progTypeByName(pt);
      if (spec === undefined) throw new Error(pt);
      const r = loadProgram(spec.id, [call(h.id), movImm(0, 0), exit()], { ...loadOptions(pt), license: 'Proprietary' });
      const gpl = /GPL-restricted/.test(r.log);
      if (gpl !== h.gplOnly) wrong.push(`${h.name}: kernel says gpl_only=${gpl}`);
    }
    expect(wrong).toEqual([]);
  });

  it.runIf(run)('argument kinds match the register types the verifier expects', () => {
    const maps = new Map<string, number>();
    const mapFor = (h: HelperSpec): number => {
      const m = mapTypesForHelper(h.name).find((t) => PROBE_MAPS[t.name] !== undefined) ?? mapTypeByName('hash');
      if (m === undefined) throw new Error('hash');
      let fd = maps.get(m.name);
      if (fd === undefined) {
        const [k, v, n, f] = PROBE_MAPS[m.name] ?? [4, 8, 16, 0];
        fd = createMap(m.id, k, v, n, f);
        maps.set(m.name, fd);
      }
      return fd;
    };
    // A register value of the kind (r6 holds the context, r10-64.. is initialised stack).
    const valid = (h: HelperSpec, kind: HelperArgKind, reg: number): Buffer[] | undefined => {
      switch (kind.base) {
        case 'ARG_PTR_TO_CTX':
          return [movReg(reg, 6)];
        case 'ARG_CONST_MAP_PTR':
          return [ldMapFd(reg, mapFor(h))];
        case 'ARG_PTR_TO_MAP_KEY':
        case 'ARG_PTR_TO_MAP_VALUE':
        case 'ARG_PTR_TO_MEM':
          return [movReg(reg, 10), addImm(reg, -64)];
        case 'ARG_CONST_SIZE':
        case 'ARG_CONST_SIZE_OR_ZERO':
        case 'ARG_CONST_ALLOC_SIZE_OR_ZERO':
          return [movImm(reg, 8)];
        case 'ARG_ANYTHING':
          return [movImm(reg, 0)];
        default:
          return undefined;
      }
    };
    const wrong: string[] = [];
    let checked = 0;
    try {
      for (const h of HELPERS) {
        const pt = PROBE_ORDER.find((p) => h.progTypes.includes(p));
        if (pt === undefined) continue;
        const spec = progTypeByName(pt);
        if (spec === undefined) throw new Error(pt);
        for (let i = 0; i < h.args.length; i++) {
          const kind = h.args[i] as HelperArgKind;
          const prog: Buffer[] = [movReg(6, 1)];
          for (let off = -64; off < 0; off += 8) prog.push(insn(0x7a, 10, 0, off, 0));
          let reachable = true;
          for (let j = 0; j < i; j++) {
            const v = valid(h, h.args[j] as HelperArgKind, j + 1);
            if (v === undefined) reachable = false;
            else prog.push(...v);
          }
          if (!reachable) break;
          prog.push(movImm(i + 1, 1)); // a non-null scalar where the argument goes
          for (let j = i + 1; j < 5; j++) prog.push(movImm(j + 1, 0));
          prog.push(call(h.id), movImm(0, 0), exit());
          const r = loadProgram(spec.id, prog, loadOptions(pt));
          // Checks that precede argument checking (sleepable-only helpers, helpers with an allowed() filter).
          if (/might sleep|not allowed in probe/.test(r.log)) break;
          const m = new RegExp(`R${i + 1} type=scalar expected=([^\\n]*)`).exec(r.log);
          const want = EXPECTED_REG_TYPES[kind.base];
          checked++;
          if (want === null) {
            if (m !== null) wrong.push(`${h.name} arg ${i + 1} ${kind.text}: kernel expects ${m[1]}`);
          } else if (want !== undefined && m?.[1] !== want) {
            wrong.push(`${h.name} arg ${i + 1} ${kind.text}: kernel expects ${m?.[1] ?? `a scalar (${verifierError(r.log)})`}`);
          }
        }
      }
    } finally {
      for (const fd of maps.values()) closeFd(fd);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });
});
