// What the kernel helpers read and record during one run: the CPU, the clock, the PRNG, the context's
// packet, captured trace_printk output, the calls made, the redirect target and the routes bpf_fib_lookup sees.
import type { PacketBuffer, SkbContext } from '../context/index.ts';
import type { FibTable } from './fib-table.ts';

export interface HelperCall {
  readonly id: number;
  readonly name: string;
  /** r1..r5 at the call */
  readonly args: readonly bigint[];
  /** r0 afterwards (undefined for a tail call that jumped) */
  ret?: bigint;
}

/** Where bpf_redirect / bpf_redirect_map sent the packet (the kernel's bpf_redirect_info). */
export interface RedirectTarget {
  readonly helper: 'bpf_redirect' | 'bpf_redirect_map';
  /** bpf_redirect's ifindex, or a devmap entry's ifindex */
  readonly ifindex?: number;
  /** bpf_redirect_map: the map, its type and the key */
  readonly map?: string;
  readonly mapType?: 'devmap' | 'devmap_hash' | 'cpumap' | 'xskmap';
  readonly key?: number;
  /** cpumap: the CPU (the key) */
  readonly cpu?: number;
  /** xskmap: the socket's queue (the key) */
  readonly queue?: number;
  /** BPF_F_BROADCAST with a devmap: every entry (BPF_F_EXCLUDE_INGRESS: but the ingress device) */
  readonly broadcast?: boolean;
  readonly excludeIngress?: boolean;
  /** bpf_redirect with BPF_F_INGRESS (TC) */
  readonly ingress?: boolean;
  readonly flags: bigint;
}

// packet, skb and fib may hold undefined: a batch's environment is cleared by assignment, as delete would turn
// the object into a dictionary and slow every helper's read of it.
export interface HelperEnv {
  /** bpf_get_smp_processor_id, and the copy per-CPU maps use */
  readonly cpu: number;
  /** bpf_ktime_get_ns (and the boot/coarse/tai variants) */
  now(): bigint;
  /** bpf_jiffies64; derived from now() at 250 Hz when absent */
  jiffies?(): bigint;
  /** bpf_get_prandom_u32 */
  random(): number;
  /** captured bpf_trace_printk lines */
  readonly printk: string[];
  /** every helper call of the run, in order (none when `unrecorded`) */
  readonly calls: HelperCall[];
  /**
   * Nobody reads `calls` (a batch without per-packet results): the table records no call and answers the
   * hot helpers from the VM's registers (register-helpers.ts).
   */
  readonly unrecorded?: boolean;
  /** the context's packet, for skb_* and xdp_* helpers */
  readonly packet?: PacketBuffer | undefined;
  /** 'xdp' or 'skb' (which packet helpers apply) */
  readonly contextKind?: 'xdp' | 'skb';
  /** the skb context (fields helpers change: protocol, hash) */
  readonly skb?: SkbContext | undefined;
  /** the ingress device (BPF_F_EXCLUDE_INGRESS) */
  readonly ingressIfindex?: number;
  /** records the redirect target (undefined clears it, as a failed bpf_redirect_map lookup does) */
  redirect?(target: RedirectTarget | undefined): void;
  /** the routes and neighbours bpf_fib_lookup consults; none by default (every lookup: not forwarded) */
  readonly fib?: FibTable | undefined;
}
