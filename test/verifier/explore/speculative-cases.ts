// Programs for the speculative-path and scalar-id tests (test/verifier/explore/speculative.test.ts, checked
// against the kernel by test/oracle/verifier-speculative.test.ts). XDP assembly unless C.
export const SPECULATIVE_ASM = {
  /** `if r0 == 0` is decided; its fall-through (a read of uninitialised stack) is only speculative */
  decidedBranch: 'r0 = 0\nif r0 == 0 goto +2\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit',
  /** the speculative fall-through stores into an uninitialised slot (a barrier after it) and would load it */
  storeAfterDecided: 'r0 = 0\nif r0 == 0 goto +3\nr1 = 5\n*(u64 *)(r10 - 8) = r1\nr1 = *(u64 *)(r1 + 0)\nr0 = 0\nexit',
  /** the speculative side stores 4 bytes over uninitialised ones (fp-8..fp-5): a barrier after the store */
  narrowStoreOverInvalid: 'r1 = 0\n*(u32 *)(r10 - 4) = r1\nr0 = 0\nif r0 == 0 goto +4\n*(u32 *)(r10 - 8) = r1\nr2 = 1\nr3 = 2\nr0 = 0\nexit',
  /** the same store over zero bytes (fp-4..fp-1) while fp-8..fp-5 stay uninitialised: no barrier */
  narrowStoreOverZero: 'r1 = 0\n*(u32 *)(r10 - 4) = r1\nr0 = 0\nif r0 == 0 goto +4\n*(u32 *)(r10 - 4) = r1\nr2 = 1\nr3 = 2\nr0 = 0\nexit',
  /** an unknown scalar stored with 4 bytes at a slot's start is a spill: a speculative store over it gets a barrier */
  narrowSpillBarrier: 'call 7\n*(u32 *)(r10 - 8) = r0\nr1 = 0\nif r1 == 0 goto +3\n*(u32 *)(r10 - 8) = r1\nr2 = 1\nr3 = 2\nr0 = 0\nexit',
  /** a 4-byte fill of a 4-byte spill keeps the bounds: the branch on it is decided, its other side never walked */
  narrowFillBounds: 'call 7\nr0 &= 7\n*(u32 *)(r10 - 8) = r0\nr2 = *(u32 *)(r10 - 8)\nif r2 > 7 goto +2\nr0 = 0\nexit\nr0 = *(u64 *)(r2 + 0)\nexit',
  /** for (i = 0; i < 4; i++): the exit is decided at i == 4, its speculative side goes round again */
  countedLoop: 'r1 = 0\nr1 += 1\nif r1 < 4 goto -2\nr0 = 0\nexit',
  /** r1 = r0, then r0 <= 8 bounds r1 too: packet + r1 is allowed (as root) */
  linkedCopy:
    'r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 4)\ncall 7\nr1 = r0\nif r0 > 8 goto +7\nr2 = r6\nr2 += r1\nr3 = r2\nr3 += 1\n' +
    'if r3 > r7 goto +2\nr0 = *(u8 *)(r2 + 0)\nr0 = 0\nr0 = 2\nexit',
  /** the copy is spilled and filled back after the bounds check */
  linkedSpill:
    'r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 4)\ncall 7\n*(u64 *)(r10 - 8) = r0\nif r0 > 8 goto +8\nr1 = *(u64 *)(r10 - 8)\nr2 = r6\n' +
    'r2 += r1\nr3 = r2\nr3 += 1\nif r3 > r7 goto +2\nr0 = *(u8 *)(r2 + 0)\nr0 = 0\nr0 = 2\nexit',
  /** w1 = w0 of a 64-bit random value: not the same value, so not narrowed (the packet read is refused) */
  unlinked32:
    'r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 4)\ncall 7\nw1 = w0\nif r0 > 8 goto +7\nr2 = r6\nr2 += r1\nr3 = r2\nr3 += 1\n' +
    'if r3 > r7 goto +2\nr0 = *(u8 *)(r2 + 0)\nr0 = 0\nr0 = 2\nexit',
} as const;

const TAIL_CALL_HEADER = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct progs { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); };
struct progs jmp_a SEC(".maps");
struct progs jmp_b SEC(".maps");
volatile const __u32 cfg = 0;
char _license[] SEC("license") = "GPL";
`;

export const TAIL_CALL_C = {
  /** one bpf_tail_call instruction reached with either prog array */
  twoArrays: `${TAIL_CALL_HEADER}SEC("tc") int prog(struct __sk_buff *skb) {
  bpf_tail_call(skb, (skb->mark & 1) ? (void *)&jmp_a : (void *)&jmp_b, 0);
  return 0;
}
`,
  /** cfg is a frozen constant: the verifier decides the branch, only its speculative side takes jmp_a */
  speculativeArray: `${TAIL_CALL_HEADER}SEC("tc") int prog(struct __sk_buff *skb) {
  bpf_tail_call(skb, cfg ? (void *)&jmp_a : (void *)&jmp_b, 0);
  return 0;
}
`,
} as const;
