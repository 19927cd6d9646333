// Context fields whose loads give packet pointers (xdp_md.data, __sk_buff.data_end, …): the kernel rewrites
// them (convert_ctx_access), the simulator's contexts answer them with a load hook, which the fast tier would
// reach through a call into JavaScript for every load. A context registered here tells the runtime which
// offsets those are and which PacketBuffer they follow, so it can keep their current values in linear memory
// (layout.ts: CTX_ID, CTX_FIELDS) and the wasm code can read them without leaving wasm.
import { contextLayout, fieldByName } from '../../bpf/index.ts';
import type { PacketBuffer, SkbContext, XdpContext } from '../context/index.ts';
import type { Region } from '../vm/index.ts';

/** What a 4-byte load at `offset` gives: a pointer into the packet, or its length. */
export interface ContextField {
  readonly offset: number;
  readonly value: 'data' | 'end' | 'meta' | 'len';
}

export interface ContextFields {
  readonly packet: PacketBuffer;
  /** the fields a 4-byte read of may happen (the context's access rule allows it) */
  readonly fields: readonly ContextField[];
  /**
   * The 4-byte fields the context's hooks answer or intercept: the packet pointers and skb->len (loads), and
   * skb->queue_mapping (a store the kernel drops at or above 0xffff). Every other field is its bytes.
   */
  readonly hooked: readonly number[];
}

const registered = new WeakMap<Region, ContextFields>();

/** The fields of context region `r`, when its context was registered. */
export function contextFields(r: Region): ContextFields | undefined {
  return registered.get(r);
}

/** The readable pointer fields per context kind and program type (the access rules depend on nothing else). */
const byType = new Map<string, { fields: readonly ContextField[]; hooked: readonly number[] }>();

/** Register an XDP or skb context (its hooks must answer these offsets as the table here says). */
export function registerContext(ctx: XdpContext | SkbContext): void {
  const key = ctx.kind === 'xdp' ? 'xdp' : `skb ${ctx.progType}`;
  let known = byType.get(key);
  if (known === undefined) {
    const all = candidates(ctx.kind);
    const hooked = all.map((f) => f.offset);
    if (ctx.kind === 'skb') hooked.push(fieldByName(contextLayout('__sk_buff')!, 'queue_mapping')!.offset);
    // the readable prefix in slot order (every program type's readable fields are one today; a field past a
    // hole would sit in another slot than fieldSlot() says, so it is left to the slow path)
    const readable = all.findIndex((f) => ctx.region.check(f.offset, 4, false) !== undefined);
    known = { fields: readable < 0 ? all : all.slice(0, readable), hooked };
    byType.set(key, known);
  }
  registered.set(ctx.region, { packet: ctx.packet, fields: known.fields, hooked: known.hooked });
}

/**
 * The CTX_FIELDS slot (layout.ts) of the field at `offset` of an XDP or skb context, undefined for an offset
 * that is no such field. Fixed by the offset alone, so the translator can read a field from its slot without
 * knowing the context's kind: a context's `fields` are in slot order and the runtime writes field k to slot
 * k. xdp_md: data 0, data_end 1, data_meta 2; __sk_buff: len 0 (every skb program type reads it), data 1,
 * data_end 2, data_meta 3 (the two kinds agree on offset 0: xdp_md.data and __sk_buff.len are both slot 0).
 */
export function fieldSlot(offset: number): number | undefined {
  return SLOTS.get(offset);
}

function candidates(kind: 'xdp' | 'skb'): ContextField[] {
  if (kind === 'xdp') {
    return [
      { offset: 0, value: 'data' },
      { offset: 4, value: 'end' },
      { offset: 8, value: 'meta' },
    ];
  }
  const layout = contextLayout('__sk_buff')!;
  const at = (name: string): number => fieldByName(layout, name)!.offset;
  return [
    { offset: at('len'), value: 'len' },
    { offset: at('data'), value: 'data' },
    { offset: at('data_end'), value: 'end' },
    { offset: at('data_meta'), value: 'meta' },
  ];
}

const SLOTS = new Map<number, number>();
for (const kind of ['xdp', 'skb'] as const) candidates(kind).forEach((f, k) => SLOTS.set(f.offset, k));
