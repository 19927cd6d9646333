// The standalone harness of the HTTP matcher: a tc program that copies the packet's bytes after a 14-byte
// Ethernet header (the TCP payload stand-in) into a per-CPU window with bpf_skb_load_bytes, calls http_judge
// with the rule set named by the frame's first byte, stores *next in the `http_next` array and returns the
// judge's result. Shared by the simulator test and the kernel sample.
import { buildC } from '../../../compiler/build-c.ts';
import { generateHttpMatcherC } from '../../../compiler/l7/http-c.ts';
import type { HttpMatch } from '../../../compiler/l7/http-rules.ts';

export const PAYLOAD_OFFSET = 14;

export function httpWrapperC(matcher: string, window: number): string {
  return `#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#define L7_WINDOW ${window}
struct http_win { __u8 b[L7_WINDOW]; } __attribute__((aligned(8)));
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct http_win); } http_window SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); } http_next SEC(".maps");
${matcher}
SEC("tc")
int judge(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct http_win *b = bpf_map_lookup_elem(&http_window, &zero);
	__u32 *out = bpf_map_lookup_elem(&http_next, &zero);
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (!b || !out || data + 1 > end)
		return -2;
	__u32 ruleset = *(__u8 *)data;
#pragma unroll
	for (int k = 0; k < L7_WINDOW / 8; k++)
		((__u64 *)b->b)[k] = 0;
	__u32 len = skb->len > ${PAYLOAD_OFFSET} ? skb->len - ${PAYLOAD_OFFSET} : 0;
	if (len > L7_WINDOW)
		len = L7_WINDOW;
	if (len > 0 && bpf_skb_load_bytes(skb, ${PAYLOAD_OFFSET}, b->b, len) < 0)
		return -3;
	__u32 next = 0;
	int r = http_judge(ruleset, b->b, len, &next);
	*out = next;
	return r;
}
char _license[] SEC("license") = "GPL";
`;
}

/** The frame the wrapper reads: rule set id, 13 filler bytes, then the payload. */
export function httpFrame(ruleset: number, payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(PAYLOAD_OFFSET + payload.length);
  f[0] = ruleset;
  f[12] = 0x88;
  f[13] = 0xb5; // a local experimental EtherType: nothing parses the rest
  f.set(payload, PAYLOAD_OFFSET);
  return f;
}

export async function buildHttpWrapper(rulesets: readonly { id: number; rules: readonly HttpMatch[] }[], window: number, loops: boolean, seedBudget?: number): Promise<Uint8Array> {
  const matcher = generateHttpMatcherC(rulesets, { window, loops, ...(seedBudget !== undefined ? { seedBudget } : {}) });
  return buildC(httpWrapperC(matcher, window), 'native', { cFile: 'http-wrapper.c' });
}
