// The L7 part of the policy datapath (docs/l7.md), pasted between the shared helpers and handle() when the
// model has L7 rulesets: the per-CPU scratch window, the per-rule L7 counters, the protocol matchers generated
// by compiler/l7, and l7_segment(), which judges the requests starting in a client->server TCP segment.
//
// Stream position: the conntrack entry of the connection's forward tuple remembers, per policy direction, the
// sequence number where the next request starts (set by the SYN; advanced by `next` of each judged request). A
// segment whose payload holds that position gets the request there judged, then the one after it, up to
// L7_PIPELINE requests; a segment wholly before it (a body, a retransmission) passes; a segment after it (a
// gap), a connection first seen without its SYN, or a request whose length is unknown cannot be seen.
import type { PolicyModel } from '../dsl/policy-model.ts';
import { L7_PROTOCOLS } from '../l7/protocols.ts';

/** requests judged in one segment; more follow the policy's `unparseable` */
export const L7_PIPELINE = 4;

/** Whether the matchers may use bounded loops: only when no profile of the model forbids them. */
export function l7Loops(model: Pick<PolicyModel, 'profiles'>): boolean {
  return !model.profiles.includes('seed');
}

export function generateL7C(model: PolicyModel): string {
  const { settings, rulesets, counterSlots } = model.l7;
  const options = { window: settings.window, loops: l7Loops(model) };
  const of = (protocol: 'http' | 'kafka') => rulesets.filter((r) => r.protocol === protocol).map((r) => ({ id: r.id, rules: r.matches }));
  const http = of('http');
  const kafka = of('kafka');
  const switchOf = (name: string, value: (r: (typeof rulesets)[number]) => number) =>
    [`static __always_inline __u32 ${name}(__u32 ruleset)`, '{', '\tswitch (ruleset) {', ...rulesets.map((r) => `\tcase ${r.id}: return ${value(r)};`), `\tdefault: return L7_SLOTS;`, '\t}', '}'].join('\n');
  const judge = (p: 'http' | 'kafka') => `${p}_judge(ruleset, sc->w, n, &next)`;
  const dispatch =
    http.length > 0 && kafka.length > 0
      ? `\tif (${kafka.map((r) => `ruleset == ${r.id}`).join(' || ')})\n\t\tr = ${judge('kafka')};\n\telse\n\t\tr = ${judge('http')};`
      : `\tr = ${judge(http.length > 0 ? 'http' : 'kafka')};`;
  return [
    `#define L7_WINDOW ${settings.window}`,
    `#define L7_PIPELINE ${L7_PIPELINE}`,
    `#define L7_UNPARSEABLE_ALLOW ${settings.unparseable === 'allow' ? 1 : 0}`,
    `#define L7_VIOLATION_RESET ${settings.violation === 'reset' ? 1 : 0}`,
    `#define L7_SLOTS ${Math.max(1, counterSlots)}`,
    `#define L7_KEY_COPY ${options.loops ? 0 : 1}`,
    '',
    '/* the request bytes a matcher looks at: a per-CPU buffer, too big for the stack */',
    'struct l7_scratch { __u8 w[L7_WINDOW]; } __attribute__((aligned(8)));',
    mapDef('l7_scratch', 'BPF_MAP_TYPE_PERCPU_ARRAY', '__u32', 'struct l7_scratch', 1),
    '/* per L7 rule slot (see the header comment): requests allowed and denied */',
    'struct l7_counter { __u64 allowed; __u64 denied; };',
    mapDef('l7_counters', 'BPF_MAP_TYPE_PERCPU_ARRAY', '__u32', 'struct l7_counter', Math.max(1, counterSlots)),
    '',
    ...(http.length > 0 ? [L7_PROTOCOLS.http.generateC(http, options)] : []),
    ...(kafka.length > 0 ? [L7_PROTOCOLS.kafka.generateC(kafka, options)] : []),
    '',
    '/* ruleset -> its first counter slot (no rule matched), and its cannot-see slot */',
    switchOf('l7_base', (r) => r.counterBase),
    switchOf('l7_blind', (r) => r.counterBase + r.rules.length + 1),
    L7_BODY.replace('DISPATCH', dispatch),
  ].join('\n');
}

function mapDef(name: string, type: string, key: string, value: string, max: number): string {
  return ['struct {', `\t__uint(type, ${type});`, `\t__uint(max_entries, ${max});`, `\t__type(key, ${key});`, `\t__type(value, ${value});`, `} ${name} SEC(".maps");`].join('\n');
}

const L7_BODY = String.raw`
/*
 * Judges the request at frame offset 'at', of which n bytes are in this segment: copies min(n, L7_WINDOW) of
 * them (bpf_skb_load_bytes works on non-linear packets) into the zeroed scratch window and runs the matcher.
 * A global function: the verifier checks it once, on its own, however many pipelined requests call it.
 * Returns (next << 32) | (matcher result + 1): 0 cannot see, 1 no rule matched, k + 2 rule k; next is the
 * request's length (0: unknown).
 */
__attribute__((noinline)) __u64 l7_judge_at(struct __sk_buff *skb, __u32 at, __u32 n, __u32 ruleset)
{
	__u32 zero = 0;
	__u32 next = 0;
	struct l7_scratch *sc = bpf_map_lookup_elem(&l7_scratch, &zero);
	if (!sc)
		return 0;
	if (n == 0)
		return 0;
	if (n > L7_WINDOW)
		n = L7_WINDOW;
	__builtin_memset(sc->w, 0, L7_WINDOW);
	/* (n - 1) masked, plus 1: a size the verifier sees in [1, L7_WINDOW] (n is, but a clamped copy may not be) */
	n = ((n - 1) & (L7_WINDOW - 1)) + 1;
	if (bpf_skb_load_bytes(skb, at, sc->w, n) < 0)
		return 0;
	int r;
DISPATCH
	/* the request's counter: its rule (allowed) or the ruleset's no-match slot (denied) */
	if (r >= 0) {
		__u32 slot = l7_base(ruleset) + r;
		struct l7_counter *c = bpf_map_lookup_elem(&l7_counters, &slot);
		/* both fields, no branch: a pointer offset chosen per path is refused without CAP_PERFMON */
		if (c) {
			c->allowed += r > 0;
			c->denied += r == 0;
		}
	}
	return ((__u64)next << 32) | (__u32)(r + 1);
}

static __always_inline void count_l7(__u32 slot, int allowed)
{
	struct l7_counter *c = bpf_map_lookup_elem(&l7_counters, &slot);
	if (c) {
		c->allowed += allowed != 0;
		c->denied += allowed == 0;
	}
}

/* a refused request: the segment is dropped, or (violation: reset) turned into a RST towards its receiver:
 * flags RST (and ACK if it had it), the TCP checksum patched; the receiver ignores an RST's payload */
static __always_inline int l7_refuse(struct __sk_buff *skb, struct pkt *p)
{
#if L7_VIOLATION_RESET
	__u8 fl[2];
	if (bpf_skb_load_bytes(skb, p->l4off + 12, fl, 2) < 0)
		return TC_ACT_SHOT;
	__u16 from = *(__u16 *)fl;
	fl[1] = (fl[1] & 0x10) | 0x04;
	__u16 to = *(__u16 *)fl;
	if (bpf_l4_csum_replace(skb, p->l4off + 16, from, to, 2) < 0)
		return TC_ACT_SHOT;
	if (bpf_skb_store_bytes(skb, p->l4off + 12, fl, 2, 0) < 0)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
#else
	return TC_ACT_SHOT;
#endif
}

/*
 * An allowed TCP segment to a port with L7 rules (client -> server): judge the requests starting in it.
 * arg = ruleset | direction << 16 | audit << 17.
 */
static __always_inline int l7_segment(struct __sk_buff *skb, struct pkt *p, __u32 arg)
{
	__u32 ruleset = arg & 0xffff;
	__u32 d = (arg >> 16) & 1;
	__u32 audit = (arg >> 17) & 1;
	__u32 len = skb->len;
	__u64 now = bpf_ktime_get_ns();
#if L7_KEY_COPY
	/* seed: a copy of the key (a second pointer into the frame's stack would be spilled and its slot reused) */
	struct ct_key kc = {};
	__builtin_memcpy(&kc, p, sizeof(kc));
	struct ct_key *k = &kc;
#else
	/* the forward key is the packet's own: struct pkt begins with a struct ct_key (no 40-byte copy on a stack
	 * the matcher's frames need) */
	struct ct_key *k = (struct ct_key *)p;
#endif
	struct ct_value nv = {};
	struct ct_value *cv = bpf_map_lookup_elem(&conntrack, k);
	if (cv)
		nv = *cv;
	nv.expires = now + lifetime(p);
	__u32 start = p->seq;
	/* the stream position of this direction (two fields, chosen by branches: no variable stack offsets) */
	__u32 old_next = d ? nv.l7_next[1] : nv.l7_next[0];
	__u32 old_known = d ? nv.l7_known[1] : nv.l7_known[0];
	if (p->tcp_flags & 0x02) {
		/* a SYN: the first request starts after it */
		start += 1;
		old_next = start;
		old_known = 1;
	}
	__u32 new_next = old_next, new_known = old_known;
	int refused = 0, blind = 0, audited = 0;
	__u32 plen = p->plen;
	if (plen > 0) {
		__u32 delta = old_next - start;
		if (!old_known || (__s32)delta < 0) {
			blind = 1;
		} else if (delta < plen) {
			__u32 pos = delta;
			int done = 0;
#pragma unroll
			for (int i = 0; i < L7_PIPELINE; i++) {
				if (!done && pos < plen) {
					__u64 j = l7_judge_at(skb, p->poff + pos, plen - pos, ruleset);
					__u32 nx = j >> 32;
					int r = (int)(__u32)j - 1;
					if (r < 0) {
						blind = 1;
						done = 1;
					} else {
						if (r == 0) {
							if (audit)
								audited = 1;
							else {
								refused = 1;
								done = 1;
							}
						}
						if (!done) {
							if (nx == 0 || nx > 0x7fffffff) {
								/* where the next request starts is unknown */
								new_known = 0;
								done = 1;
							} else {
								pos += nx;
							}
						}
					}
				}
			}
			/* more requests in this segment than L7_PIPELINE */
			if (!done && pos < plen)
				blind = 1;
			new_next = start + pos;
		}
		/* else: the segment lies before the next request (a body, a retransmission): it passes */
	}
	if (blind && !refused) {
		count_l7(l7_blind(ruleset), L7_UNPARSEABLE_ALLOW || audit);
		if (!L7_UNPARSEABLE_ALLOW) {
			if (audit)
				audited = 1;
			else
				refused = 2;
		}
	}
	if (refused) {
		/* the segment does not reach the receiver: the stream stays where it was */
		new_next = old_next;
		new_known = old_known;
#if L7_VIOLATION_RESET
		nv.expires = now + CT_TCP_CLOSING;
#endif
	} else if (blind) {
		new_known = 0;
	}
	if (d) {
		nv.l7_next[1] = new_next;
		nv.l7_known[1] = new_known;
	} else {
		nv.l7_next[0] = new_next;
		nv.l7_known[0] = new_known;
	}
	bpf_map_update_elem(&conntrack, k, &nv, BPF_ANY);
	remember(p, !refused);
	if (refused)
		return verdict(d, refused == 2 ? R_L7_UNPARSEABLE : R_L7_DENY, len, l7_refuse(skb, p));
	return verdict(d, audited ? R_AUDIT : blind ? R_L7_UNPARSEABLE : R_ALLOW, len, TC_ACT_OK);
}
`;
