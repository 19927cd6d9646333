// The hot helpers answered from the VM's registers (int32 halves) for a table whose calls nobody records (a
// batch: HelperEnv.unrecorded): map lookup, update and delete, the clock, the PRNG, the CPU id and
// bpf_skb_load_bytes. Each computes what kernelHelpers' function computes; whenever a check would fail
// (not a map, an argument out of bounds, a missing context) it declines and the call takes the ordinary
// path, which makes the fault with its message.
import { SimMap } from '../maps/index.ts';
import { REGION_BASE, type Region, type RegisterHalves } from '../vm/index.ts';
import type { HelperEnv } from './helper-env.ts';

const EFAULT = 14;

/** The offset found by the last plain() (a module variable: no allocation per argument). */
let at = 0;

/**
 * The region `size` bytes at the address (alo, ahi) lie in, when memory.check would allow the access (sets
 * `at`); undefined when it would not, or when the region has an access rule (a context).
 */
function plain(regions: readonly (Region | undefined)[], alo: number, ahi: number, size: number, write: boolean): Region | undefined {
  const r = ahi > 0 && ahi < regions.length ? regions[ahi] : undefined;
  if (r === undefined || r.kind === 'map' || r.access !== undefined || (write && !r.writable)) return undefined;
  const o = (alo >>> 0) - REGION_BASE;
  if (o < r.start || o + size > r.end) return undefined;
  at = o;
  return r;
}

/** r0 = `n` (a small integer, negative for -errno) as RegisterFile.set stores it. */
function setR0(regs: RegisterHalves, n: number): void {
  regs.lo[0] = n | 0;
  regs.hi[0] = n < 0 ? -1 : 0;
}

/** r0 = `v` (a 64-bit value) as RegisterFile.set stores it. */
function setR0Big(regs: RegisterHalves, v: bigint): void {
  const u = BigInt.asUintN(64, v);
  regs.lo[0] = Number(BigInt.asIntN(32, u));
  regs.hi[0] = Number(BigInt.asIntN(32, u >> 32n));
}

/** The map r1 points to (offset 0 of a map region), undefined when it is not one. */
function mapOf(regs: RegisterHalves): SimMap | undefined {
  if (regs.lo[1] !== (REGION_BASE | 0)) return undefined;
  const h = regs.hi[1]!;
  const regions = regs.memory.regions;
  const m = h > 0 && h < regions.length ? regions[h]?.map : undefined;
  return m instanceof SimMap ? m : undefined;
}

/** HelperDispatch.fast for kernelHelpers over `env`. */
export function registerHelpers(env: HelperEnv): (id: number, regs: RegisterHalves) => boolean {
  return (id, regs) => {
    const { lo, hi } = regs;
    switch (id) {
      case 1: {
        const m = mapOf(regs);
        const k = m === undefined ? undefined : plain(regs.memory.regions, lo[2]!, hi[2]!, m.keySize, false);
        if (k === undefined) return false;
        const v = m!.lookupRegion(k.bytes, at, env.cpu);
        if (v === undefined) {
          lo[0] = 0;
          hi[0] = 0;
        } else {
          lo[0] = REGION_BASE | 0;
          hi[0] = v.id;
        }
        return true;
      }
      case 2: {
        const m = mapOf(regs);
        if (m === undefined) return false;
        const regions = regs.memory.regions;
        const k = plain(regions, lo[2]!, hi[2]!, m.keySize, false);
        if (k === undefined) return false;
        const ko = at;
        const v = plain(regions, lo[3]!, hi[3]!, m.valueSize, false);
        if (v === undefined) return false;
        const flags = hi[4] !== 0 ? -1 : lo[4]! >>> 0;
        setR0(regs, m.update(k.bytes.subarray(ko, ko + m.keySize), v.bytes.subarray(at, at + m.valueSize), flags, env.cpu));
        return true;
      }
      case 3: {
        const m = mapOf(regs);
        const k = m === undefined ? undefined : plain(regs.memory.regions, lo[2]!, hi[2]!, m.keySize, false);
        if (k === undefined) return false;
        setR0(regs, m!.delete(k.bytes.subarray(at, at + m!.keySize)));
        return true;
      }
      case 5:
      case 125:
      case 160:
      case 208:
        setR0Big(regs, env.now());
        return true;
      case 7:
        lo[0] = env.random() | 0;
        hi[0] = 0;
        return true;
      case 8:
        setR0(regs, env.cpu);
        return true;
      case 26: {
        // bpf_skb_load_bytes(skb, offset, to, len)
        const p = env.packet;
        const len = lo[4]! >>> 0;
        if (p === undefined || env.contextKind !== 'skb' || len === 0) return false;
        const to = plain(regs.memory.regions, lo[3]!, hi[3]!, len, true);
        if (to === undefined) return false;
        const offset = lo[2]! >>> 0;
        const dst = to.bytes;
        if (offset > 0x7fffffff || offset + len > p.length) {
          dst.fill(0, at, at + len);
          setR0(regs, -EFAULT);
          return true;
        }
        const src = p.region.bytes;
        const from = p.data + offset;
        if (len <= 64) for (let i = 0; i < len; i++) dst[at + i] = src[from + i]!;
        else dst.set(src.subarray(from, from + len), at);
        setR0(regs, 0);
        return true;
      }
      default:
        return false;
    }
  };
}
