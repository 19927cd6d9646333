// The hot helpers answered from the VM's registers (int32 halves) for a table whose calls nobody records (a
// batch: HelperEnv.unrecorded): map lookup, update and delete, the clock, the PRNG, the CPU id,
// bpf_skb_load_bytes, bpf_skb_store_bytes and bpf_l3_csum_replace. Each computes what kernelHelpers'
// function computes; whenever a check would fail (not a map, an argument out of bounds, a missing context)
// it declines and the call takes the ordinary path, which makes the fault with its message.
import { SimMap } from '../maps/index.ts';
import { csumReplace2, csumReplace4, csumReplaceByDiff } from '../packet/index.ts';
import { REGION_BASE, type Region, type RegisterHalves } from '../vm/index.ts';
import type { HelperEnv } from './helper-env.ts';

const EFAULT = 14;
const EINVAL = 22;

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
  // a clock below 2^53 ns (285 years) converts without BigInt arithmetic
  const n = Number(v);
  if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) {
    regs.lo[0] = n | 0;
    regs.hi[0] = (n / 0x1_0000_0000) | 0;
    return;
  }
  const u = BigInt.asUintN(64, v);
  regs.lo[0] = Number(BigInt.asIntN(32, u));
  regs.hi[0] = Number(BigInt.asIntN(32, u >> 32n));
}

/**
 * The map r1 points to (offset 0 of a map region), undefined when it is not one. `known` holds, by region id,
 * the regions already seen to hold a SimMap (a region's map never changes): instanceof walks the prototype
 * chain, a sixth of a lookup's time.
 */
function mapOf(regs: RegisterHalves, known: (Region | undefined)[]): SimMap | undefined {
  if (regs.lo[1] !== (REGION_BASE | 0)) return undefined;
  const h = regs.hi[1]!;
  const regions = regs.memory.regions;
  const r = h > 0 && h < regions.length ? regions[h] : undefined;
  if (r === undefined) return undefined;
  if (known[h] === r) return r.map as SimMap;
  const m = r.map;
  if (!(m instanceof SimMap)) return undefined;
  known[h] = r;
  return m;
}

/** HelperDispatch.fast for kernelHelpers over `env`. */
export function registerHelpers(env: HelperEnv): (id: number, regs: RegisterHalves) => boolean {
  const known: (Region | undefined)[] = [];
  return (id, regs) => {
    const { lo, hi } = regs;
    switch (id) {
      case 1: {
        const m = mapOf(regs, known);
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
        const m = mapOf(regs, known);
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
        const m = mapOf(regs, known);
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
        if (len > 64) dst.set(src.subarray(from, from + len), at);
        else if (to === p.region) for (let i = 0; i < len; i++) dst[at + i] = src[from + i]!;
        else {
          // a header's worth: four bytes a step (the regions differ, so the copies cannot overlap)
          const sv = p.region.view;
          const dv = to.view;
          let i = 0;
          for (; i + 4 <= len; i += 4) dv.setInt32(at + i, sv.getInt32(from + i, true), true);
          for (; i < len; i++) dst[at + i] = src[from + i]!;
        }
        setR0(regs, 0);
        return true;
      }
      case 9: {
        // bpf_skb_store_bytes(skb, offset, from, len, flags)
        const p = env.packet;
        const len = lo[4]! >>> 0;
        if (p === undefined || env.contextKind !== 'skb' || len === 0) return false;
        if (hi[5] !== 0 || (lo[5]! & ~3) !== 0) {
          setR0(regs, -EINVAL);
          return true;
        }
        const offset = lo[2]! >>> 0;
        if (offset > 0xffff || offset + len > p.length) {
          setR0(regs, -EFAULT);
          return true;
        }
        const from = plain(regs.memory.regions, lo[3]!, hi[3]!, len, false);
        if (from === undefined) return false;
        const dst = p.region.bytes;
        const to = p.data + offset;
        // from the packet itself: a move that may overlap (the ordinary path copies the source first)
        if (from === p.region) dst.copyWithin(to, at, at + len);
        else if (len <= 64) for (let i = 0; i < len; i++) dst[to + i] = from.bytes[at + i]!;
        else dst.set(from.bytes.subarray(at, at + len), to);
        setR0(regs, 0);
        return true;
      }
      case 10: {
        // bpf_l3_csum_replace(skb, offset, from, to, flags): only the low 32 bits of `to` count, and of `from`
        // too unless flags' size is 0 (then all of `from` must be 0: left to the ordinary path)
        const p = env.packet;
        if (p === undefined || env.contextKind !== 'skb' || hi[3] !== 0) return false;
        const offset = lo[2]! >>> 0;
        if (hi[5] !== 0 || (lo[5]! & ~0xf) !== 0) {
          setR0(regs, -EINVAL);
          return true;
        }
        if (offset > 0xffff || (offset & 1) !== 0 || offset + 2 > p.length) {
          setR0(regs, -EFAULT);
          return true;
        }
        const bytes = p.region.bytes;
        const f = p.data + offset;
        // l3CsumReplace's cases on numbers (its flags are a bigint): the size in flags' low 4 bits
        const field = bytes[f]! | (bytes[f + 1]! << 8);
        const size = lo[5]! & 0xf;
        let out: number;
        if (size === 2) out = csumReplace2(field, lo[3]! >>> 0, lo[4]! >>> 0);
        else if (size === 4) out = csumReplace4(field, lo[3]! >>> 0, lo[4]! >>> 0);
        else if (size === 0 && lo[3] === 0) out = csumReplaceByDiff(field, lo[4]! >>> 0);
        else {
          setR0(regs, -EINVAL);
          return true;
        }
        bytes[f] = out & 0xff;
        bytes[f + 1] = out >> 8;
        setR0(regs, 0);
        return true;
      }
      default:
        return false;
    }
  };
}
