// The standalone Kafka matcher proof's wrapper: a tc program that copies the frame's payload (after a 14-byte
// Ethernet header) into a per-CPU window, calls kafka_judge with the rule set named in the `io` map, and stores
// the result and `next` there (it also returns result + 1). Built with clang-19; run by the simulator and the kernel.
import { buildC } from '../../../compiler/build-c.ts';
import { generateKafkaMatcherC, type KafkaRuleset } from '../../../compiler/l7/kafka-c.ts';

export const WRAPPER_PROGRAM = 'kafka_wrap';
export const PAYLOAD_OFFSET = 14;

export function kafkaWrapperC(rulesets: readonly KafkaRuleset[], window: number, loops: boolean): string {
  return `#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define L7_WINDOW ${window}

struct window { __u64 q[L7_WINDOW / 8]; };
struct io { __u32 ruleset; __s32 verdict; __u32 next; __u32 len; };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct window);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct io);
} io SEC(".maps");

${generateKafkaMatcherC(rulesets, { window, loops })}

SEC("tc")
int ${WRAPPER_PROGRAM}(struct __sk_buff *skb)
{
	__u32 k = 0, len, next = 0, i;
	struct window *win = bpf_map_lookup_elem(&scratch, &k);
	struct io *out = bpf_map_lookup_elem(&io, &k);
	int v;

	if (!win || !out)
		return 0;
	len = skb->len > ${PAYLOAD_OFFSET} ? skb->len - ${PAYLOAD_OFFSET} : 0;
	if (len > L7_WINDOW)
		len = L7_WINDOW;
#pragma unroll
	for (i = 0; i < L7_WINDOW / 8; i++)
		win->q[i] = 0;
	if (len >= 1) {
		/* n = len, in a form the verifier bounds to [1, L7_WINDOW] */
		__u32 n = len - 1;

		barrier_var(n);
		n &= L7_WINDOW - 1;
		if (bpf_skb_load_bytes(skb, ${PAYLOAD_OFFSET}, win->q, n + 1) < 0)
			return 0;
	}
	v = kafka_judge(out->ruleset, (const __u8 *)win->q, len, &next);
	out->verdict = v;
	out->next = next;
	out->len = len;
	return v + 1;
}

char LICENSE[] SEC("license") = "GPL";
`;
}

export function buildKafkaWrapper(rulesets: readonly KafkaRuleset[], window: number, loops: boolean): Promise<Uint8Array> {
  return buildC(kafkaWrapperC(rulesets, window, loops), 'native', { cFile: `kafka-wrap-${window}-${loops ? 'loops' : 'unrolled'}.c` });
}

/** An Ethernet frame (experimental ethertype 0x88b5) carrying `payload`. */
export function kafkaFrame(payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(PAYLOAD_OFFSET + payload.length);
  f.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xb5]);
  f.set(payload, PAYLOAD_OFFSET);
  return f;
}

/** The io map's value: ruleset to judge with. */
export function ioValue(ruleset: number): Uint8Array {
  const v = new Uint8Array(16);
  new DataView(v.buffer).setUint32(0, ruleset, true);
  return v;
}

export function readIo(v: Uint8Array): { verdict: number; next: number; len: number } {
  const d = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return { verdict: d.getInt32(4, true), next: d.getUint32(8, true), len: d.getUint32(12, true) };
}
