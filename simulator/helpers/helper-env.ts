// What the kernel helpers read and record during one run: the CPU, the clock, the PRNG, the context's
// packet, captured trace_printk output and the calls made.
import type { PacketBuffer } from '../context/index.ts';

export interface HelperCall {
  readonly id: number;
  readonly name: string;
  /** r1..r5 at the call */
  readonly args: readonly bigint[];
  /** r0 afterwards (undefined for a tail call that jumped) */
  ret?: bigint;
}

export interface HelperEnv {
  /** bpf_get_smp_processor_id, and the copy per-CPU maps use */
  readonly cpu: number;
  /** bpf_ktime_get_ns (and the boot/coarse variants) */
  now(): bigint;
  /** bpf_get_prandom_u32 */
  random(): number;
  /** captured bpf_trace_printk lines */
  readonly printk: string[];
  /** every helper call of the run, in order */
  readonly calls: HelperCall[];
  /** the context's packet, for skb_* and xdp_* helpers */
  readonly packet?: PacketBuffer;
  /** 'xdp' or 'skb' (which packet helpers apply) */
  readonly contextKind?: 'xdp' | 'skb';
}
