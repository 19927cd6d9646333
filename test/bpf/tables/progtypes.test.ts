import { describe, expect, it } from 'vitest';
import {
  ATTACH_TYPES,
  CONTEXT_LAYOUTS,
  MAX_BPF_ATTACH_TYPE,
  MAX_BPF_PROG_TYPE,
  PROG_TYPES,
  SECTION_DEFS,
  attachTypeById,
  attachTypeByName,
  contextLayout,
  contextOf,
  ctxAccess,
  ctxFieldAccess,
  fieldAt,
  fieldByName,
  progTypeById,
  progTypeByName,
  sectionInfo,
  sockAccess,
} from '../../../bpf/tables/index.ts';
import type { ProgTypeName } from '../../../bpf/tables/index.ts';
import { available, kernelBpf } from '../../support/require.ts';
import { kernelBtf, loadKernelBtf } from './kernel-btf.ts';
import { exit, insn, loadOptions, loadProgram, movImm } from './kernel-probe.ts';

describe('program and attach types', () => {
  it('PROG_TYPES numbers 0..32 without gaps and names them both ways', () => {
    expect(PROG_TYPES.map((p) => p.id)).toEqual([...Array(MAX_BPF_PROG_TYPE).keys()]);
    for (const p of PROG_TYPES) {
      expect(p.enumName).toBe(`BPF_PROG_TYPE_${p.name.toUpperCase()}`);
      expect(progTypeByName(p.name)).toBe(p);
      expect(progTypeByName(p.enumName)).toBe(p);
      expect(progTypeById(p.id)).toBe(p);
    }
    expect(progTypeByName('xdp')?.id).toBe(6);
    expect(progTypeByName('sched_cls')?.id).toBe(3);
    expect(progTypeByName('socket_filter')?.id).toBe(1);
    expect(progTypeByName('cgroup_skb')?.id).toBe(8);
    expect(progTypeByName('netfilter')?.id).toBe(32);
  });

  it('ATTACH_TYPES numbers 0..57 without gaps', () => {
    expect(ATTACH_TYPES.map((a) => a.id)).toEqual([...Array(MAX_BPF_ATTACH_TYPE).keys()]);
    expect(new Set(ATTACH_TYPES.map((a) => a.name)).size).toBe(ATTACH_TYPES.length);
    expect(attachTypeByName('BPF_TCX_INGRESS')?.id).toBe(46);
    expect(attachTypeByName('TCX_EGRESS')?.id).toBe(47);
    expect(attachTypeByName('BPF_XDP')?.id).toBe(37);
    expect(attachTypeByName('BPF_CGROUP_INET_EGRESS')?.id).toBe(1);
    expect(attachTypeById(27)?.name).toBe('BPF_LSM_MAC');
  });

  it('every program type with a UAPI context names a layout the tables hold', () => {
    // Contexts made of kernel structures or architecture registers have no layout here.
    const noLayout = ['bpf_perf_event_data', 'bpf_raw_tracepoint_args', 'bpf_nf_ctx'];
    for (const p of PROG_TYPES) {
      if (p.context === undefined) continue;
      if (noLayout.includes(p.context)) expect(contextLayout(p.context), p.name).toBeUndefined();
      else expect(contextLayout(p.context), p.name).toBeDefined();
    }
    expect(contextOf('xdp')?.struct).toBe('xdp_md');
    expect(contextOf('sched_act')?.struct).toBe('__sk_buff');
    expect(contextOf('kprobe')).toBeUndefined();
  });
});

describe('section names', () => {
  const sec = (name: string): [string | undefined, string | undefined, string | undefined] => {
    const s = sectionInfo(name);
    return [s?.progType.name, s?.attachType?.name, s?.target];
  };

  it('sectionInfo() maps libbpf section names to program and attach types', () => {
    expect(sec('xdp')).toEqual(['xdp', 'BPF_XDP', '']);
    expect(sec('xdp.frags')).toEqual(['xdp', 'BPF_XDP', '']);
    expect(sectionInfo('xdp.frags')?.def.xdpFrags).toBe(true);
    expect(sec('xdp/devmap')).toEqual(['xdp', 'BPF_XDP_DEVMAP', '']);
    expect(sec('tc')).toEqual(['sched_cls', undefined, '']);
    expect(sec('classifier')).toEqual(['sched_cls', undefined, '']);
    expect(sec('action')).toEqual(['sched_act', undefined, '']);
    expect(sec('tcx/ingress')).toEqual(['sched_cls', 'BPF_TCX_INGRESS', '']);
    expect(sec('tcx/egress')).toEqual(['sched_cls', 'BPF_TCX_EGRESS', '']);
    expect(sec('tc/ingress')).toEqual(['sched_cls', 'BPF_TCX_INGRESS', '']);
    expect(sec('socket')).toEqual(['socket_filter', undefined, '']);
    expect(sec('cgroup_skb/ingress')).toEqual(['cgroup_skb', 'BPF_CGROUP_INET_INGRESS', '']);
    expect(sec('cgroup_skb/egress')).toEqual(['cgroup_skb', 'BPF_CGROUP_INET_EGRESS', '']);
    expect(sec('cgroup/skb')).toEqual(['cgroup_skb', undefined, '']);
    expect(sec('cgroup/sock')).toEqual(['cgroup_sock', 'BPF_CGROUP_INET_SOCK_CREATE', '']);
    expect(sec('cgroup/connect4')).toEqual(['cgroup_sock_addr', 'BPF_CGROUP_INET4_CONNECT', '']);
    expect(sec('sk_skb/stream_parser')).toEqual(['sk_skb', 'BPF_SK_SKB_STREAM_PARSER', '']);
    expect(sec('sk_skb/stream_verdict')).toEqual(['sk_skb', 'BPF_SK_SKB_STREAM_VERDICT', '']);
    expect(sec('sk_msg')).toEqual(['sk_msg', 'BPF_SK_MSG_VERDICT', '']);
    expect(sec('sockops')).toEqual(['sock_ops', 'BPF_CGROUP_SOCK_OPS', '']);
    expect(sec('flow_dissector')).toEqual(['flow_dissector', 'BPF_FLOW_DISSECTOR', '']);
    expect(sec('perf_event')).toEqual(['perf_event', undefined, '']);
    expect(sec('sk_lookup')).toEqual(['sk_lookup', 'BPF_SK_LOOKUP', '']);
    expect(sec('netfilter')).toEqual(['netfilter', 'BPF_NETFILTER', '']);
    expect(sec('syscall')).toEqual(['syscall', undefined, '']);
    expect(sectionInfo('syscall')?.def.sleepable).toBe(true);
  });

  it('prefix sections take a target after the slash', () => {
    expect(sec('kprobe/do_unlinkat')).toEqual(['kprobe', undefined, 'do_unlinkat']);
    expect(sec('kretprobe/do_unlinkat')).toEqual(['kprobe', undefined, 'do_unlinkat']);
    expect(sec('kprobe')).toEqual(['kprobe', undefined, '']);
    expect(sec('tracepoint/syscalls/sys_enter_openat')).toEqual(['tracepoint', undefined, 'syscalls/sys_enter_openat']);
    expect(sec('tp/sched/sched_switch')).toEqual(['tracepoint', undefined, 'sched/sched_switch']);
    expect(sec('raw_tracepoint/sched_switch')).toEqual(['raw_tracepoint', undefined, 'sched_switch']);
    expect(sec('raw_tp/sched_switch')).toEqual(['raw_tracepoint', undefined, 'sched_switch']);
    expect(sec('fentry/tcp_v4_rcv')).toEqual(['tracing', 'BPF_TRACE_FENTRY', 'tcp_v4_rcv']);
    expect(sec('fexit/tcp_v4_rcv')).toEqual(['tracing', 'BPF_TRACE_FEXIT', 'tcp_v4_rcv']);
    expect(sec('lsm/file_open')).toEqual(['lsm', 'BPF_LSM_MAC', 'file_open']);
    expect(sectionInfo('lsm.s/file_open')?.def.sleepable).toBe(true);
    expect(sectionInfo('fentry/x')?.def.attachBtf).toBe(true);
    expect(sec('uprobe//usr/bin/bash:readline')).toEqual(['kprobe', undefined, '/usr/bin/bash:readline']);
  });

  it('sectionInfo() rejects names no definition matches', () => {
    for (const name of ['', 'foo', 'xdp/foo', 'tc/foo', 'kprobex/foo', 'socket/1', 'sockopsx', 'cgroup_skb']) {
      expect(sectionInfo(name), name).toBeUndefined();
    }
  });

  it('every section definition names a known program and attach type', () => {
    for (const d of SECTION_DEFS) {
      expect(progTypeByName(d.progType), d.sec).toBeDefined();
      if (d.attachType !== null) expect(attachTypeByName(d.attachType), d.sec).toBeDefined();
      expect(sectionInfo(d.sec), d.sec).toBeDefined();
    }
  });
});

describe('context layouts', () => {
  it('struct xdp_md and struct __sk_buff members sit at their UAPI offsets', () => {
    const xdp = contextLayout('xdp_md');
    expect(xdp?.size).toBe(24);
    expect(fieldByName(xdp!, 'data')?.offset).toBe(0);
    expect(fieldByName(xdp!, 'data_end')?.offset).toBe(4);
    expect(fieldByName(xdp!, 'data_meta')?.offset).toBe(8);
    expect(fieldByName(xdp!, 'egress_ifindex')?.offset).toBe(20);
    const skb = contextLayout('__sk_buff');
    expect(skb?.size).toBe(192);
    const at = (n: string): number | undefined => fieldByName(skb!, n)?.offset;
    expect(at('len')).toBe(0);
    expect(at('mark')).toBe(8);
    expect(at('cb')).toBe(48);
    expect(fieldByName(skb!, 'cb')?.count).toBe(5);
    expect(at('tc_classid')).toBe(72);
    expect(at('data')).toBe(76);
    expect(at('data_end')).toBe(80);
    expect(at('data_meta')).toBe(140);
    expect(at('flow_keys')).toBe(144);
    expect(at('tstamp')).toBe(152);
    expect(at('wire_len')).toBe(160);
    expect(at('sk')).toBe(168);
    expect(at('gso_size')).toBe(176);
    expect(at('tstamp_type')).toBe(180);
    expect(at('hwtstamp')).toBe(184);
    expect(fieldAt(skb!, 50)?.name).toBe('cb');
    expect(fieldAt(skb!, 182)).toBeUndefined();
  });

  it('fields do not overlap except members of one union', () => {
    const unions: Record<string, string[]> = { bpf_sock_ops: ['args', 'reply', 'replylong'], bpf_sk_lookup: ['sk', 'cookie'] };
    for (const layout of Object.values(CONTEXT_LAYOUTS)) {
      const fields = layout.fields.filter((f) => !(unions[layout.struct] ?? []).slice(1).includes(f.name));
      let end = 0;
      for (const f of [...fields].sort((a, b) => a.offset - b.offset)) {
        if (layout.struct === 'bpf_flow_keys' && f.offset < end) continue; // ipv4/ipv6 address union
        expect(f.offset, `${layout.struct}.${f.name}`).toBeGreaterThanOrEqual(end);
        end = f.offset + f.size * f.count;
      }
      expect(end, layout.struct).toBeLessThanOrEqual(layout.size);
    }
  });
});

describe('context access rules', () => {
  const ok = (p: ProgTypeName, field: string, size: number, access: 'read' | 'write', attachType?: string): boolean => {
    const layout = contextOf(p);
    const f = layout === undefined ? undefined : fieldByName(layout, field);
    if (f === undefined) throw new Error(field);
    return ctxAccess(p, f.offset, size, access, attachType === undefined ? {} : { attachType })?.ok === true;
  };
  const yields = (p: ProgTypeName, field: string, size: number): string | undefined => {
    const f = fieldByName(contextOf(p)!, field)!;
    const r = ctxAccess(p, f.offset, size, 'read');
    return r?.ok === true ? r.yields : undefined;
  };

  it('xdp programs read packet pointers with 4-byte loads and write nothing', () => {
    expect(yields('xdp', 'data', 4)).toBe('pkt');
    expect(yields('xdp', 'data_end', 4)).toBe('pkt_end');
    expect(yields('xdp', 'data_meta', 4)).toBe('pkt_meta');
    expect(yields('xdp', 'ingress_ifindex', 4)).toBe('scalar');
    expect(ok('xdp', 'data', 2, 'read')).toBe(false);
    expect(ok('xdp', 'ingress_ifindex', 1, 'read')).toBe(false);
    expect(ok('xdp', 'data', 4, 'write')).toBe(false);
    expect(ok('xdp', 'egress_ifindex', 4, 'read')).toBe(false);
    expect(ok('xdp', 'egress_ifindex', 4, 'read', 'BPF_XDP_DEVMAP')).toBe(true);
    expect(ctxAccess('xdp', 2, 4, 'read')?.ok).toBe(false);
    expect(ctxAccess('xdp', 24, 4, 'read')?.ok).toBe(false);
  });

  it('tc programs write mark, priority, tc_index, tc_classid, cb, tstamp and queue_mapping only', () => {
    for (const f of ['mark', 'priority', 'tc_index', 'tc_classid', 'queue_mapping']) expect(ok('sched_cls', f, 4, 'write'), f).toBe(true);
    expect(ok('sched_cls', 'cb', 8, 'write')).toBe(true);
    expect(ok('sched_cls', 'cb', 1, 'write')).toBe(true);
    expect(ok('sched_cls', 'tstamp', 8, 'write')).toBe(true);
    expect(ok('sched_cls', 'tstamp', 4, 'write')).toBe(false);
    for (const f of ['len', 'protocol', 'data', 'hash', 'ifindex', 'wire_len']) expect(ok('sched_cls', f, 4, 'write'), f).toBe(false);
    expect(ok('sched_cls', 'mark', 2, 'write')).toBe(false);
    expect(ok('sched_cls', 'len', 1, 'read')).toBe(true);
    expect(ok('sched_cls', 'protocol', 2, 'read')).toBe(true);
    expect(ok('sched_cls', 'remote_ip4', 4, 'read')).toBe(false);
    expect(ok('sched_cls', 'tstamp_type', 1, 'read')).toBe(true);
    expect(ok('sched_act', 'mark', 4, 'write')).toBe(true);
    expect(yields('sched_cls', 'data', 4)).toBe('pkt');
    expect(yields('sched_cls', 'data_meta', 4)).toBe('pkt_meta');
    expect(yields('sched_cls', 'data_end', 4)).toBe('pkt_end');
    expect(yields('sched_cls', 'sk', 8)).toBe('sock_common_or_null');
  });

  it('socket filters cannot use direct packet access and write only cb', () => {
    expect(ok('socket_filter', 'data', 4, 'read')).toBe(false);
    expect(ok('socket_filter', 'data_end', 4, 'read')).toBe(false);
    expect(ok('socket_filter', 'len', 4, 'read')).toBe(true);
    expect(ok('socket_filter', 'cb', 4, 'write')).toBe(true);
    expect(ok('socket_filter', 'mark', 4, 'write')).toBe(false);
  });

  it('cgroup_skb, sk_skb and flow dissector programs have their own rules', () => {
    expect(yields('cgroup_skb', 'data', 4)).toBe('pkt');
    expect(ok('cgroup_skb', 'data_meta', 4, 'read')).toBe(false);
    expect(ok('cgroup_skb', 'remote_ip4', 4, 'read')).toBe(true);
    expect(ok('cgroup_skb', 'remote_ip4', 2, 'read')).toBe(false);
    expect(ok('cgroup_skb', 'mark', 4, 'write')).toBe(true);
    expect(ok('sk_skb', 'mark', 4, 'read')).toBe(false);
    expect(ok('sk_skb', 'tc_index', 4, 'write')).toBe(true);
    expect(yields('flow_dissector', 'flow_keys', 8)).toBe('flow_keys');
    expect(ok('flow_dissector', 'len', 4, 'read')).toBe(false);
    expect(ok('lwt_xmit', 'data_meta', 4, 'read')).toBe(false);
    expect(ctxAccess('kprobe', 0, 8, 'read')).toBeUndefined();
  });

  it('ctxFieldAccess() summarises the rules per field', () => {
    const tc = ctxFieldAccess('sched_cls');
    const mark = tc?.find((r) => r.field.name === 'mark');
    expect(mark?.readSizes).toEqual([1, 2, 4]);
    expect(mark?.writeSizes).toEqual([4]);
    expect(tc?.find((r) => r.field.name === 'data')?.yields).toBe('pkt');
    expect(ctxFieldAccess('kprobe')).toBeUndefined();
  });
});

describe('program tables against the kernel BTF', () => {
  const run = available('program tables against the kernel BTF', kernelBtf);

  it.runIf(run)('enum bpf_prog_type and enum bpf_attach_type match the running kernel', () => {
    const btf = loadKernelBtf();
    const progs = btf.enumValues('bpf_prog_type');
    for (const p of PROG_TYPES) expect(progs?.get(p.enumName), p.enumName).toBe(BigInt(p.id));
    const attach = btf.enumValues('bpf_attach_type');
    for (const a of ATTACH_TYPES) expect(attach?.get(a.name), a.name).toBe(BigInt(a.id));
    expect(Number(progs?.get('__MAX_BPF_PROG_TYPE'))).toBeGreaterThanOrEqual(MAX_BPF_PROG_TYPE);
    expect(Number(attach?.get('__MAX_BPF_ATTACH_TYPE'))).toBeGreaterThanOrEqual(MAX_BPF_ATTACH_TYPE);
  });

  it.runIf(run)('every context layout matches the kernel structure member by member', () => {
    const btf = loadKernelBtf();
    for (const layout of Object.values(CONTEXT_LAYOUTS)) {
      const k = btf.struct(layout.struct);
      expect(k, layout.struct).toBeDefined();
      expect(k?.size, `sizeof(struct ${layout.struct})`).toBe(layout.size);
      const named = (k?.members ?? []).filter((m) => m.name !== '' && m.name !== '(anon)');
      expect(named.map((m) => m.name), layout.struct).toEqual(layout.fields.map((f) => f.name));
      for (const f of layout.fields) {
        const m = named.find((x) => x.name === f.name);
        expect(m?.offset, `${layout.struct}.${f.name}`).toBe(f.offset);
        expect(m?.size, `sizeof ${layout.struct}.${f.name}`).toBe(f.size * f.count);
      }
    }
  });
});

describe('context access rules against the kernel verifier', () => {
  const run = available('context access rules against the kernel verifier', kernelBpf);
  const MODELLED: readonly ProgTypeName[] = [
    'socket_filter', 'sched_cls', 'sched_act', 'xdp', 'cgroup_skb', 'lwt_in', 'lwt_out', 'lwt_xmit',
    'lwt_seg6local', 'sk_skb', 'flow_dissector', 'sock_ops', 'sk_msg',
  ];
  const SIZE_BITS: Record<number, number> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };

  it.runIf(run)('ctxAccess() accepts exactly the loads and stores the verifier accepts', () => {
    const wrong: string[] = [];
    const check = (p: ProgTypeName, attach: { id: number; name?: string }): void => {
      const spec = progTypeByName(p);
      const layout = contextOf(p);
      if (spec === undefined || layout === undefined) throw new Error(p);
      for (let off = 0; off < layout.size + 8; off++) {
        for (const size of [1, 2, 4, 8]) {
          if (off % size !== 0) continue;
          for (const access of ['read', 'write'] as const) {
            const code = (access === 'read' ? 0x61 : 0x63) | (SIZE_BITS[size] ?? 0);
            const body = access === 'read' ? [insn(code, 0, 1, off)] : [movImm(2, 0), insn(code, 1, 2, off)];
            const r = loadProgram(spec.id, [...body, movImm(0, 0), exit()], { expectedAttachType: attach.id });
            const mine = ctxAccess(p, off, size, access, attach.name === undefined ? {} : { attachType: attach.name });
            if (r.ok !== (mine?.ok === true)) wrong.push(`${p} ${access} off=${off} size=${size}: kernel says ${r.ok}`);
          }
        }
      }
    };
    for (const p of MODELLED) check(p, { id: loadOptions(p).expectedAttachType ?? 0 });
    check('xdp', { id: 33, name: 'BPF_XDP_DEVMAP' });
    expect(wrong).toEqual([]);
  });
});

describe('socket pointer access rules', () => {
  it('sockAccess() allows narrow loads where the kernel does and no stores', () => {
    const sock = contextLayout('bpf_sock')!;
    const at = (n: string): number => fieldByName(sock, n)!.offset;
    expect(sockAccess(at('state'), 4, 'read').ok).toBe(true);
    expect(sockAccess(at('state'), 1, 'read').ok).toBe(true);
    expect(sockAccess(at('state') + 2, 2, 'read').ok).toBe(false);
    expect(sockAccess(at('src_ip4') + 2, 2, 'read').ok).toBe(true);
    expect(sockAccess(at('dst_port'), 2, 'read').ok).toBe(true);
    expect(sockAccess(at('dst_port'), 4, 'read').ok).toBe(true);
    expect(sockAccess(at('dst_port') + 2, 2, 'read').ok).toBe(false);
    expect(sockAccess(at('mark'), 2, 'read').ok).toBe(false);
    expect(sockAccess(at('mark'), 4, 'write').ok).toBe(false);
  });

  const run = available('socket pointer access rules against the kernel verifier', kernelBpf);

  it.runIf(run)('sockAccess() accepts exactly the loads the verifier accepts through bpf_sk_lookup_tcp()', () => {
    const SIZE_BITS: Record<number, number> = { 1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18 };
    const tc = progTypeByName('sched_cls')!.id;
    const wrong: string[] = [];
    for (let off = 0; off < 88; off++) {
      for (const size of [1, 2, 4, 8]) {
        if (off % size !== 0) continue;
        const prog = [
          insn(0xbf, 6, 1), // r6 = ctx
          ...[-40, -32, -24, -16, -8].map((o) => insn(0x7a, 10, 0, o, 0)), // zeroed tuple on the stack
          insn(0xbf, 2, 10), insn(0x07, 2, 0, 0, -40), // r2 = &tuple
          insn(0xbf, 1, 6), movImm(3, 12), movImm(4, -1), movImm(5, 0),
          insn(0x85, 0, 0, 0, 84), // bpf_sk_lookup_tcp
          insn(0x15, 0, 0, 3, 0), // if r0 == 0 goto out
          insn(0x61 | (SIZE_BITS[size] ?? 0), 7, 0, off), // r7 = *(size *)(r0 + off)
          insn(0xbf, 1, 0), insn(0x85, 0, 0, 0, 86), // bpf_sk_release(r0)
          movImm(0, 0), exit(), // out:
        ];
        const r = loadProgram(tc, prog);
        if (r.ok !== (sockAccess(off, size, 'read').ok)) wrong.push(`read off=${off} size=${size}: kernel says ${r.ok}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
