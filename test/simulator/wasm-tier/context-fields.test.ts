// registerContext() keeps the fields whose 4-byte loads give packet pointers, and only those the context's
// access rule lets a program read (a field it refuses must still fault, through the slow path).
import { describe, expect, it } from 'vitest';
import { contextLayout } from '../../../bpf/index.ts';
import { SkbContext, XdpContext } from '../../../simulator/context/index.ts';
import { packet } from '../../../simulator/packet/index.ts';
import { Memory } from '../../../simulator/vm/index.ts';
import { contextFields, registerContext } from '../../../simulator/wasm-tier/index.ts';
import { fieldSlot } from '../../../simulator/wasm-tier/context-fields.ts';

const frame = packet.eth().ipv4().tcp({ dport: 80 }).build();

describe('registerContext()', () => {
  it('keeps data, data_end and data_meta of an XDP context, and their loads agree with its hook', () => {
    const ctx = new XdpContext(new Memory(), frame);
    registerContext(ctx);
    const f = contextFields(ctx.region)!;
    expect(f.packet).toBe(ctx.packet);
    expect(f.fields).toEqual([
      { offset: 0, value: 'data' },
      { offset: 4, value: 'end' },
      { offset: 8, value: 'meta' },
    ]);
    expect(ctx.region.load!(4, 4)).toBe(ctx.packet.region.address(ctx.packet.end));
  });

  it('leaves out the fields a program type may not read', () => {
    const tc = new SkbContext(new Memory(), 'sched_cls', frame);
    const socket = new SkbContext(new Memory(), 'socket_filter', frame);
    registerContext(tc);
    registerContext(socket);
    const tcFields = contextFields(tc.region)!.fields;
    expect(tcFields.map((x) => x.value)).toEqual(expect.arrayContaining(['data', 'end', 'len']));
    for (const x of [...tcFields, ...contextFields(socket.region)!.fields]) {
      const owner = tcFields.includes(x) ? tc : socket;
      expect(owner.region.check(x.offset, 4, false)).toBeUndefined();
    }
    // socket filters read the packet with ld_abs, not through data/data_end
    expect(contextFields(socket.region)!.fields.map((x) => x.value)).not.toContain('data');
  });

  it('names the fields its hooks answer or intercept: the packet pointers, skb->len and skb->queue_mapping', () => {
    const xdp = new XdpContext(new Memory(), frame);
    const tc = new SkbContext(new Memory(), 'sched_cls', frame);
    registerContext(xdp);
    registerContext(tc);
    expect(contextFields(xdp.region)!.hooked).toEqual([0, 4, 8]);
    const layout = contextLayout('__sk_buff')!;
    const names = contextFields(tc.region)!.hooked.map((o) => layout.fields.find((f) => f.offset === o)?.name);
    expect([...names].sort()).toEqual(['data', 'data_end', 'data_meta', 'len', 'queue_mapping']);
    // a hooked field's load is the hook's, not its bytes
    for (const o of contextFields(tc.region)!.hooked.slice(0, 4)) expect(tc.region.load!(o, 4)).toBeDefined();
  });

  it('puts each field in the slot fieldSlot() names for its offset, whatever the kind and program type', () => {
    const contexts = [
      new XdpContext(new Memory(), frame),
      ...(['sched_cls', 'cgroup_skb', 'socket_filter'] as const).map((t) => new SkbContext(new Memory(), t, frame)),
    ];
    const kept: string[] = [];
    for (const ctx of contexts) {
      registerContext(ctx);
      const fields = contextFields(ctx.region)!.fields;
      fields.forEach((f, k) => expect(fieldSlot(f.offset)).toBe(k));
      kept.push(fields.map((f) => f.value).join(','));
    }
    // every readable pointer field is kept (cgroup skb may not read data_meta, socket filters only len)
    expect(kept).toEqual(['data,end,meta', 'len,data,end,meta', 'len,data,end', 'len']);
    expect(fieldSlot(12)).toBeUndefined();
  });

  it('knows nothing of a context that was not registered', () => {
    expect(contextFields(new XdpContext(new Memory(), frame).region)).toBeUndefined();
  });
});
