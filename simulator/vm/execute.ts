// The dispatch loop: one switch over CompiledProgram's handler numbers (the opcode byte, HANDLER's numbers
// for variants, FUSED's for a few frequent sequences run in one dispatch: fuse.ts), hot cases first,
// registers as int32 halves in two Int32Arrays, memory accesses through resolve() (the region by tag, then
// bounds and permissions; a context's access rule once per field, Region.allowed; its packet pointers as
// data, Region.pointers; 64-bit adds in int32 arithmetic, SIGN). primeExecute() runs every
// case once before the first program, so V8's optimized code for this function survives the programs that
// follow.
// Hot state lives in locals; the slow paths (calls, helpers, exit from a subprogram) are RunState methods
// and the loop re-reads pc, code and the budget after them.
import { CODE_TAG } from './compiled-program.ts';
import { bswap32, mul64, OUT, sdiv64, smod64, udiv64, umod64 } from './int64.ts';
import { allowedBit, describeAddress, LENGTH_FIELD, REGION_BASE, signed, type Region } from './memory.ts';
import type { RunState } from './run-state.ts';
import { AccessFault, LoopFault } from './run-signals.ts';
import { primeExecute } from './prime-execute.ts';

/** whether primeExecute() has run (it runs execute() itself) */
let primed = false;

const TWO32 = 4294967296;
/**
 * x ^ SIGN < y ^ SIGN is x < y as unsigned 32-bit numbers, in int32 arithmetic: a 64-bit add's carry out of
 * the low half without a double (V8 computes (a >>> 0) + (b >>> 0) in floating point).
 */
const SIGN = -0x8000_0000;

/** Offset into the region found by the last resolve() (a module variable: no allocation per access). */
export let resolvedOffset = 0;

/**
 * The region holding `size` bytes at (lo[reg] + off, hi[reg]); sets resolvedOffset. Throws an AccessFault
 * when the access is refused.
 */
export function resolve(regions: readonly (Region | undefined)[], alo: number, ahi: number, off: number, size: number, write: boolean): Region {
  let a = (alo >>> 0) + off;
  let h = ahi;
  if (a >= TWO32) {
    a -= TWO32;
    h = (h + 1) | 0;
  } else if (a < 0) {
    a += TWO32;
    h = (h - 1) | 0;
  }
  const rg = h > 0 && h < regions.length ? regions[h] : undefined;
  const o = a - REGION_BASE;
  if (rg !== undefined && o >= rg.start && o + size <= rg.end && (rg.writable || !write)) {
    // no access rule, or a pure one (a context's) that allowed this access before
    const allowed = rg.allowed;
    if (rg.access === undefined || (allowed !== undefined && (allowed[o]! & allowedBit(size, write)) !== 0)) {
      rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
      resolvedOffset = o;
      return rg;
    }
  }
  return resolveSlow(rg, h, a, o, size, write);
}

function resolveSlow(rg: Region | undefined, h: number, a: number, o: number, size: number, write: boolean): Region {
  // the BigInt address only for a fault's message: regions with an access rule (contexts) pass through here on every access
  if (rg !== undefined) {
    if (!(rg.kind === 'stack' && o < rg.start && o >= 0 && o + size <= rg.end)) {
      const why = rg.check(o, size, write);
      if (why === undefined) {
        if (rg.allowed !== undefined) rg.allowed[o] = rg.allowed[o]! | allowedBit(size, write);
        rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
        resolvedOffset = o;
        return rg;
      }
    }
  }
  return refuse(rg, h, a, o, size, write);
}

/** The fault of a refused access. */
function refuse(rg: Region | undefined, h: number, a: number, o: number, size: number, write: boolean): never {
  const address = (BigInt(h >>> 0) << 32n) | BigInt(a);
  const what = `invalid ${write ? 'write' : 'read'} of ${size} byte${size === 1 ? '' : 's'}`;
  if (rg === undefined) {
    const where = h === CODE_TAG ? `address 0x${address.toString(16)} (a function address)` : describeAddress(address);
    throw new AccessFault('memory', `${what} at ${where}`, undefined, undefined, size, address);
  }
  if (rg.kind === 'stack' && o < rg.start && o >= 0 && o + size <= rg.end) {
    throw new AccessFault(
      'stack',
      `${what} at ${rg.name}${signed(o - rg.end)}: stack overflow: the call chain's combined stack would exceed its limit`,
      rg.name,
      o,
      size,
      address,
    );
  }
  const why = rg.check(o, size, write);
  const shown = rg.kind === 'stack' ? `${rg.name}${signed(o - rg.end)}` : `${rg.name}${signed(o)}`;
  throw new AccessFault('memory', `${what} at ${shown}: ${why}`, rg.name, o, size, address);
}

/** The dispatch loop. Hot state lives in locals; slow paths sync it through `st`. */
export function execute(st: RunState): 'exit' | 'ld_abs' {
  if (!primed) {
    primed = true;
    primeExecute();
  }
  const lo = st.lo;
  const hi = st.hi;
  const regions = st.memory.regions;
  const tracing = st.tracing;
  // the fused code (superinstructions, fuse.ts) unless every instruction is traced; both in the
  // interpreter's layout (the registers in each slot's first word: fuse.ts stepped())
  let code = tracing ? st.prog.stepped : st.prog.fused;
  let pc = st.pc | 0;
  let left = st.left;
  let slot = 0;
  try {
    for (;;) {
      slot = pc; // first: a budget fault names the instruction that did not run
      if (--left < 0) {
        throw new LoopFault('budget', `instruction budget of ${st.budget} exhausted (a runaway loop?)`);
      }
      const at = pc << 2;
      const w = code[at]!; // handler | dst << 8 | src << 12
      const h = w & 0xff;
      const d = (w >> 8) & 15;
      const s = (w >> 12) & 15;
      pc++;
      if (tracing) st.record(slot);
      switch (h) {
        // Cases in order of how often programs execute them (measured over the fixtures and example policies).
        // V8 makes one jump table of a switch whose cases are all number literals (so each case is a literal,
        // named in a comment where it is not the opcode). Opcodes: BPF_CLASS in the low 3 bits (4 ALU,
        // 7 ALU64, 5 JMP, 6 JMP32, 1 LDX, 2 ST, 3 STX, 0 LD), BPF_X (register operand) 0x08, the op in the high
        // nibble; HANDLER (compiled-program.ts) numbers the variants.
        case 0xb4:
          lo[d] = code[at + 3]!;
          hi[d] = 0;
          break;
        case 0xbf:
        case 0xd1: // addrSpaceCast
          lo[d] = lo[s]!;
          hi[d] = hi[s]!;
          break;
        case 0x61: {
          // resolve()'s fast path inline (a call per access costs as much as the rest of the load)
          const ah = hi[s]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[s]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 4 > rg.end || !rg.plainLoad) {
            if (rg !== undefined && rg.pointers !== undefined && pointerLoad(rg, o, lo, hi, d)) break;
            rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 4, false);
            if (rg.load !== undefined && hookedLoad(rg, lo, hi, d, 4)) break;
            o = resolvedOffset;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          lo[d] = rg.view.getInt32(o, true);
          hi[d] = 0;
          break;
        }
        case 0x95:
          if (st.depth === st.baseDepth) {
            st.left = left;
            return 'exit';
          }
          st.returnFromCall();
          code = tracing ? st.prog.stepped : st.prog.fused;
          pc = st.pc | 0;
          break;
        case 0x02: {
          // FUSED.movAdd (fuse.ts; a literal, as V8 makes its jump table only of number literals)
          // rD = rS; rD += imm (next slot). Each part past the first counts against the budget as its own
          // dispatch would: with none left, only the first part runs and the next round faults on the second
          const l = lo[s]!;
          const u = hi[s]!;
          if (left === 0) {
            lo[d] = l;
            hi[d] = u;
            break;
          }
          left--;
          slot = pc++;
          const imm = code[at + 7]!;
          const t = (l + imm) | 0;
          lo[d] = t;
          hi[d] = (u + (imm >> 31) + ((t ^ SIGN) < (l ^ SIGN) ? 1 : 0)) | 0;
          break;
        }
        case 0x0a: case 0xaa: {
          // FUSED.movAddJgt, FUSED.movAddJle (fuse.ts; literals, as V8 makes its jump table only of number
          // literals): rD = rS; rD += imm; if rD > rX (or rD <= rX) goto (unsigned): the packet bounds check
          const l = lo[s]!;
          const u = hi[s]!;
          if (left < 2) {
            lo[d] = l;
            hi[d] = u;
            break;
          }
          left -= 2;
          slot = pc + 1;
          const imm = code[at + 7]!;
          const nl = (l + imm) | 0;
          const nh = (u + (imm >> 31) + ((nl ^ SIGN) < (l ^ SIGN) ? 1 : 0)) | 0;
          lo[d] = nl;
          hi[d] = nh;
          const x = (code[at + 9]! >> 4) & 15;
          const ah = nh >>> 0;
          const bh = hi[x]! >>> 0;
          const above = ah !== bh ? ah > bh : nl >>> 0 > lo[x]! >>> 0;
          pc = above === (h === 0x0a) ? code[at + 10]! : pc + 2;
          break;
        }
        case 0xb2: {
          // FUSED.counter (fuse.ts): rD = *(u64 *)(rS + off) as 0x79 does it; rD += imm or rD += rX (the next
          // slot's handler says which); *(u64 *)(rS + off) = rD when the region takes plain stores (rS is not
          // rD, so the address is the load's; else the next dispatch runs the store alone)
          const ah = hi[s]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[s]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 8 > rg.end || !rg.plainLoad) {
            rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 8, false);
            if (rg.load !== undefined && hookedLoad(rg, lo, hi, d, 8)) break;
            o = resolvedOffset;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
          const l = rg.view.getInt32(o, true);
          const u = rg.view.getInt32(o + 4, true);
          lo[d] = l;
          hi[d] = u;
          if (left === 0) break;
          left--;
          slot = pc++;
          const add = code[at + 4]!;
          let bl: number, bh: number;
          if ((add & 0xff) === 0x07) {
            bl = code[at + 7]!;
            bh = bl >> 31;
          } else {
            bl = lo[(add >> 12) & 15]!;
            bh = hi[(add >> 12) & 15]!;
          }
          const t = (l + bl) | 0;
          const th = (u + bh + ((t ^ SIGN) < (l ^ SIGN) ? 1 : 0)) | 0;
          lo[d] = t;
          hi[d] = th;
          if (left === 0 || !rg.plainStore) break;
          left--;
          slot = pc++;
          rg.view.setInt32(o, t, true);
          rg.view.setInt32(o + 4, th, true);
          break;
        }
        case 0x12:
          // FUSED.retImm (fuse.ts)
          // w0 = imm; exit
          lo[0] = code[at + 3]!;
          hi[0] = 0;
          if (left === 0) break;
          left--;
          slot = pc;
          if (st.depth === st.baseDepth) {
            st.left = left;
            return 'exit';
          }
          st.returnFromCall();
          code = tracing ? st.prog.stepped : st.prog.fused;
          pc = st.pc | 0;
          break;
        case 0x1a: {
          // FUSED.immStore (fuse.ts; a literal, as V8 makes its jump table only of number literals)
          // wD = imm; *(u32 *)(rX + off) = rD
          const v = code[at + 3]!;
          lo[d] = v;
          hi[d] = 0;
          if (left === 0) break;
          left--;
          slot = pc++;
          const x = code[at + 5]! & 15;
          const off = code[at + 6]!;
          const ah = hi[x]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[x]! ^ REGION_BASE) + off;
          if (rg === undefined || o < rg.start || o + 4 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[x]!, hi[x]!, off, 4, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 4, v, 0)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
          rg.view.setInt32(o, v, true);
          break;
        }
        case 0x22: {
          // FUSED.loadStore (fuse.ts; a literal, as V8 makes its jump table only of number literals)
          // wD = *(u32 *)(rS + off); *(u32 *)(rX + off2) = wY: a field copied. The load as 0x61 does it; the
          // store only on its fast path (else the next dispatch runs it alone, as the plain code would)
          const ah = hi[s]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[s]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 4 > rg.end || !rg.plainLoad) {
            if (rg !== undefined && rg.pointers !== undefined && pointerLoad(rg, o, lo, hi, d)) break;
            rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 4, false);
            if (rg.load !== undefined && hookedLoad(rg, lo, hi, d, 4)) break;
            o = resolvedOffset;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
          lo[d] = rg.view.getInt32(o, true);
          hi[d] = 0;
          if (left === 0) break;
          const x = code[at + 5]! & 15;
          const bh = hi[x]!;
          const wg = bh > 0 && bh < regions.length ? regions[bh] : undefined;
          const p = (lo[x]! ^ REGION_BASE) + code[at + 6]!;
          if (wg === undefined || p < wg.start || p + 4 > wg.end || !wg.plainStore) break;
          left--;
          slot = pc++;
          wg.lowWater = p < wg.lowWater ? p : wg.lowWater;
          wg.view.setInt32(p, lo[code[at + 5]! >> 4]!, true);
          break;
        }
        case 0x2a: case 0x32: {
          // FUSED.storeLoad, FUSED.storeStore (fuse.ts): *(u32 *)(rD + off) = wS, then a 4-byte load or store.
          // The first store as 0x63 does it; the second access only on its fast path (else the next dispatch
          // runs it alone, as the plain code would)
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 4 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 4, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 4, lo[s]!, hi[s]!)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
          rg.view.setInt32(o, lo[s]!, true);
          if (left === 0) break;
          const x = code[at + 5]! & 15;
          const y = code[at + 5]! >> 4;
          if (h === 0x2a) {
            // the load: wX = *(u32 *)(rY + off2)
            const bh = hi[y]!;
            const lg = bh > 0 && bh < regions.length ? regions[bh] : undefined;
            const p = (lo[y]! ^ REGION_BASE) + code[at + 6]!;
            if (lg === undefined || p < lg.start || p + 4 > lg.end || !lg.plainLoad) break;
            left--;
            slot = pc++;
            lg.lowWater = p < lg.lowWater ? p : lg.lowWater;
            lo[x] = lg.view.getInt32(p, true);
            hi[x] = 0;
          } else {
            // the store: *(u32 *)(rX + off2) = wY
            const bh = hi[x]!;
            const wg = bh > 0 && bh < regions.length ? regions[bh] : undefined;
            const p = (lo[x]! ^ REGION_BASE) + code[at + 6]!;
            if (wg === undefined || p < wg.start || p + 4 > wg.end || !wg.plainStore) break;
            left--;
            slot = pc++;
            wg.lowWater = p < wg.lowWater ? p : wg.lowWater;
            wg.view.setInt32(p, lo[y]!, true);
          }
          break;
        }
        case 0x4a: case 0x52: {
          // FUSED.storeMov, FUSED.storeImm (fuse.ts): *(u32 *)(rD + off) = wS as 0x63 does it, then rX = rY or
          // wX = imm (a store hook that took the store ends the dispatch: the next one runs the second part)
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 4 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 4, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 4, lo[s]!, hi[s]!)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
          rg.view.setInt32(o, lo[s]!, true);
          if (left === 0) break;
          left--;
          slot = pc++;
          const x = code[at + 5]! & 15;
          if (h === 0x4a) {
            const y = code[at + 5]! >> 4;
            lo[x] = lo[y]!;
            hi[x] = hi[y]!;
          } else {
            lo[x] = code[at + 7]!;
            hi[x] = 0;
          }
          break;
        }
        case 0x5a:
          // FUSED.immImm (fuse.ts): wD = imm; wX = imm2
          lo[d] = code[at + 3]!;
          hi[d] = 0;
          if (left === 0) break;
          left--;
          slot = pc++;
          lo[code[at + 5]! & 15] = code[at + 7]!;
          hi[code[at + 5]! & 15] = 0;
          break;
        case 0x82: case 0x9a: case 0xa2: {
          // FUSED.byteJne, FUSED.byteByte, FUSED.halfBytes (fuse.ts): rD = *(u8 *)(rS + off) as 0x71 does it,
          // then if wX != imm goto T, or a second byte load on its fast path (else the next dispatch runs it)
          // and for halfBytes wX <<= 8; wX |= wD
          const ah = hi[s]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[s]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 1 > rg.end || !rg.plainLoad) {
            rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 1, false);
            if (rg.load !== undefined && hookedLoad(rg, lo, hi, d, 1)) break;
            o = resolvedOffset;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
          lo[d] = rg.bytes[o]!;
          hi[d] = 0;
          if (left === 0) break;
          const x = code[at + 5]! & 15;
          if (h === 0x82) {
            left--;
            slot = pc++;
            if (lo[x] !== code[at + 7]) pc = code[at + 6]!;
            break;
          }
          const y = code[at + 5]! >> 4;
          const bh = hi[y]!;
          const lg = bh > 0 && bh < regions.length ? regions[bh] : undefined;
          const p = (lo[y]! ^ REGION_BASE) + code[at + 6]!;
          if (lg === undefined || p < lg.start || p + 1 > lg.end || !lg.plainLoad) break;
          left--;
          slot = pc++;
          lg.lowWater = p < lg.lowWater ? p : lg.lowWater;
          lo[x] = lg.bytes[p]!;
          hi[x] = 0;
          if (h === 0xa2 && left >= 2) {
            left -= 2;
            slot = pc + 1;
            pc += 2;
            lo[x] = (lo[x]! << 8) | lo[d]!;
          }
          break;
        }
        case 0x8a: {
          // FUSED.wordJne (fuse.ts): wD = *(u32 *)(rS + off) as 0x61 does it; if wX != imm goto T
          const ah = hi[s]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[s]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 4 > rg.end || !rg.plainLoad) {
            if (rg !== undefined && rg.pointers !== undefined && pointerLoad(rg, o, lo, hi, d)) break;
            rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 4, false);
            if (rg.load !== undefined && hookedLoad(rg, lo, hi, d, 4)) break;
            o = resolvedOffset;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
          lo[d] = rg.view.getInt32(o, true);
          hi[d] = 0;
          if (left === 0) break;
          left--;
          slot = pc++;
          if (lo[code[at + 5]! & 15] !== code[at + 7]) pc = code[at + 6]!;
          break;
        }
        case 0x92:
          // FUSED.andJne (fuse.ts): wD &= imm; if wX != imm goto T
          lo[d] = lo[d]! & code[at + 3]!;
          hi[d] = 0;
          if (left === 0) break;
          left--;
          slot = pc++;
          if (lo[code[at + 5]! & 15] !== code[at + 7]) pc = code[at + 6]!;
          break;
        case 0x3a: {
          // FUSED.lddwCall (fuse.ts): rD = imm64 (a map, most often); call helper (two slots on)
          lo[d] = code[at + 3]!;
          hi[d] = code[at + 2]!;
          pc++;
          if (left === 0) break;
          left--;
          slot = pc++;
          const id = code[at + 11]!;
          const fast = st.fastHelper;
          if (fast !== undefined && fast(id, st)) break;
          st.pc = pc;
          st.left = left;
          st.callHelper(id, true);
          code = tracing ? st.prog.stepped : st.prog.fused;
          pc = st.pc | 0;
          left = st.left;
          break;
        }
        case 0x42: {
          // FUSED.keyCall (fuse.ts): rD = rS; rD += imm; rX = imm64; call (a key on the stack, a map, a lookup)
          const l = lo[s]!;
          const u = hi[s]!;
          if (left === 0) {
            lo[d] = l;
            hi[d] = u;
            break;
          }
          left--;
          slot = pc++;
          const imm = code[at + 7]!;
          const t = (l + imm) | 0;
          lo[d] = t;
          hi[d] = (u + (imm >> 31) + ((t ^ SIGN) < (l ^ SIGN) ? 1 : 0)) | 0;
          if (left === 0) break;
          left--;
          slot = pc;
          const x = code[at + 9]! & 15;
          lo[x] = code[at + 11]!;
          hi[x] = code[at + 10]!;
          pc += 2;
          if (left === 0) break;
          left--;
          slot = pc++;
          const id = code[at + 19]!;
          const fast = st.fastHelper;
          if (fast !== undefined && fast(id, st)) break;
          st.pc = pc;
          st.left = left;
          st.callHelper(id, true);
          code = tracing ? st.prog.stepped : st.prog.fused;
          pc = st.pc | 0;
          left = st.left;
          break;
        }
        case 0x07: {
          const imm = code[at + 3]!;
          const l = lo[d]!;
          const t = (l + imm) | 0;
          lo[d] = t;
          hi[d] = (hi[d]! + (imm >> 31) + ((t ^ SIGN) < (l ^ SIGN) ? 1 : 0)) | 0;
          break;
        }
        case 0x71: {
          // resolve()'s fast path inline (a call per access costs as much as the rest of the load)
          const ah = hi[s]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[s]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 1 > rg.end || !rg.plainLoad) {
            rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 1, false);
            if (rg.load !== undefined && hookedLoad(rg, lo, hi, d, 1)) break;
            o = resolvedOffset;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          lo[d] = rg.bytes[o]!;
          hi[d] = 0;
          break;
        }
        case 0x63: {
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 4 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 4, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 4, lo[s]!, hi[s]!)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          rg.view.setInt32(o, lo[s]!, true);
          break;
        }
        case 0x56:
          if (lo[d] !== code[at + 3]) pc = code[at + 2]!;
          break;
        case 0x2d: case 0x25: case 0x35: case 0xa5: case 0xad: case 0xb5: case 0x3d: case 0xbd: {
          // unsigned: compare high halves, then low halves
          let blo: number, bhi: number;
          if ((h & 0x08) === 0) {
            blo = code[at + 3]!;
            bhi = blo >> 31;
          } else {
            blo = lo[s]!;
            bhi = hi[s]!;
          }
          const ah = hi[d]! >>> 0;
          const bh = bhi >>> 0;
          const c = ah !== bh ? (ah > bh ? 1 : -1) : (lo[d]! >>> 0) > (blo >>> 0) ? 1 : (lo[d]! >>> 0) < (blo >>> 0) ? -1 : 0;
          if (compare(h & 0xf0, c)) pc = code[at + 2]!;
          break;
        }
        case 0x85: {
          // a helper answered from the registers first (what callHelper tries first: it runs no callback, makes
          // no tail call and reads neither pc nor the budget), without syncing the hot state for the slow path
          const fast = st.fastHelper;
          if (fast !== undefined && fast(code[at + 3]!, st)) break;
          st.pc = pc;
          st.left = left;
          st.callHelper(code[at + 3]!, true);
          code = tracing ? st.prog.stepped : st.prog.fused;
          pc = st.pc | 0;
          left = st.left; // callbacks run by the helper count too
          break;
        }
        case 0x18:
          lo[d] = code[at + 3]!;
          hi[d] = code[at + 2]!;
          pc++;
          break;
        case 0x7b: {
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 8 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 8, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 8, lo[s]!, hi[s]!)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          rg.view.setInt32(o, lo[s]!, true);
          rg.view.setInt32(o + 4, hi[s]!, true);
          break;
        }
        case 0xbc:
          lo[d] = lo[s]!;
          hi[d] = 0;
          break;
        case 0x15: {
          const imm = code[at + 3]!;
          if (lo[d] === imm && hi[d] === imm >> 31) pc = code[at + 2]!;
          break;
        }
        case 0x79: {
          // resolve()'s fast path inline (a call per access costs as much as the rest of the load)
          const ah = hi[s]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[s]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 8 > rg.end || !rg.plainLoad) {
            rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 8, false);
            if (rg.load !== undefined && hookedLoad(rg, lo, hi, d, 8)) break;
            o = resolvedOffset;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          lo[d] = rg.view.getInt32(o, true);
          hi[d] = rg.view.getInt32(o + 4, true);
          break;
        }
        case 0x54:
          lo[d] = lo[d]! & code[at + 3]!;
          hi[d] = 0;
          break;
        case 0x64:
          lo[d] = lo[d]! << (code[at + 3]! & 31);
          hi[d] = 0;
          break;
        case 0x0f: {
          const l = lo[d]!;
          const t = (l + lo[s]!) | 0;
          lo[d] = t;
          hi[d] = (hi[d]! + hi[s]! + ((t ^ SIGN) < (l ^ SIGN) ? 1 : 0)) | 0;
          break;
        }
        case 0x4c:
          lo[d] = lo[d]! | lo[s]!;
          hi[d] = 0;
          break;
        case 0xb7: {
          const imm = code[at + 3]!;
          lo[d] = imm;
          hi[d] = imm >> 31;
          break;
        }
        case 0x16:
          if (lo[d] === code[at + 3]) pc = code[at + 2]!;
          break;
        case 0x55: {
          const imm = code[at + 3]!;
          if (lo[d] !== imm || hi[d] !== imm >> 31) pc = code[at + 2]!;
          break;
        }
        case 0x57: {
          const imm = code[at + 3]!;
          lo[d] = lo[d]! & imm;
          hi[d] = hi[d]! & (imm >> 31);
          break;
        }
        case 0xdb: // atomic, 8 bytes
        case 0xc3: // atomic, 4 bytes (the operation in the imm column)
          atomic(regions, lo, hi, code[at + 3]! | (h === 0xdb ? 0x10 : 0), d, s, code[at + 2]!);
          break;
        case 0xa6: case 0x26: case 0xae: case 0x2e: case 0x36: case 0x3e: case 0xb6: case 0xbe: {
          const a = lo[d]! >>> 0;
          const b = ((h & 0x08) === 0 ? code[at + 3]! : lo[s]!) >>> 0;
          if (compare(h & 0xf0, a > b ? 1 : a < b ? -1 : 0)) pc = code[at + 2]!;
          break;
        }
        case 0x05:
          pc = code[at + 2]!;
          break;
        case 0x1d:
          if (lo[d] === lo[s] && hi[d] === hi[s]) pc = code[at + 2]!;
          break;
        case 0x5d:
          if (lo[d] !== lo[s] || hi[d] !== hi[s]) pc = code[at + 2]!;
          break;
        case 0x66: case 0x6e: case 0x76: case 0x7e: case 0xc6: case 0xce: case 0xd6: case 0xde: {
          const a = lo[d]!;
          const b = (h & 0x08) === 0 ? code[at + 3]! : lo[s]!;
          if (compare(h & 0xf0, a > b ? 1 : a < b ? -1 : 0)) pc = code[at + 2]!;
          break;
        }
        case 0x28: case 0x20: case 0x30: case 0x40: case 0x48: case 0x50: {
          const packet = st.packet;
          if (packet === undefined) {
            throw new LoopFault('invalid', 'ld_abs/ld_ind need a packet (a socket filter or skb program: RunOptions.packet)');
          }
          const size = (h & 0x18) === 0x00 ? 4 : (h & 0x18) === 0x08 ? 2 : 1;
          const off = h >= 0x40 ? (lo[s]! + code[at + 3]!) | 0 : code[at + 3]!;
          const len = packet.end - packet.start;
          if (off < 0 || off + size > len) {
            st.left = left;
            return 'ld_abs';
          }
          const p = packet.start + off;
          lo[0] = size === 4 ? packet.view.getInt32(p, false) : size === 2 ? packet.view.getUint16(p, false) : packet.bytes[p]!;
          hi[0] = 0;
          break;
        }
        case 0xc5: case 0x65: case 0x6d: case 0x75: case 0x7d: case 0xcd: case 0xd5: case 0xdd: {
          // signed: high halves as int32, then low halves unsigned
          let blo: number, bhi: number;
          if ((h & 0x08) === 0) {
            blo = code[at + 3]!;
            bhi = blo >> 31;
          } else {
            blo = lo[s]!;
            bhi = hi[s]!;
          }
          const ah = hi[d]!;
          const c = ah !== bhi ? (ah > bhi ? 1 : -1) : (lo[d]! >>> 0) > (blo >>> 0) ? 1 : (lo[d]! >>> 0) < (blo >>> 0) ? -1 : 0;
          if (compare(h & 0xf0, c)) pc = code[at + 2]!;
          break;
        }
        case 0x69: {
          // resolve()'s fast path inline (a call per access costs as much as the rest of the load)
          const ah = hi[s]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[s]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 2 > rg.end || !rg.plainLoad) {
            rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 2, false);
            if (rg.load !== undefined && hookedLoad(rg, lo, hi, d, 2)) break;
            o = resolvedOffset;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          lo[d] = rg.view.getUint16(o, true);
          hi[d] = 0;
          break;
        }
        case 0x77:
          rsh64(lo, hi, d, code[at + 3]! & 63);
          break;
        case 0x1c:
          lo[d] = (lo[d]! - lo[s]!) | 0;
          hi[d] = 0;
          break;
        case 0x62: {
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 4 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 4, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 4, code[at + 3]!, code[at + 3]! >> 31)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          rg.view.setInt32(o, code[at + 3]!, true);
          break;
        }
        case 0x7a: {
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 8 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 8, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 8, code[at + 3]!, code[at + 3]! >> 31)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          rg.view.setInt32(o, code[at + 3]!, true);
          rg.view.setInt32(o + 4, code[at + 3]! >> 31, true);
          break;
        }
        case 0x67:
          lsh64(lo, hi, d, code[at + 3]! & 63);
          break;
        case 0x0c:
          lo[d] = (lo[d]! + lo[s]!) | 0;
          hi[d] = 0;
          break;
        case 0x6b: {
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 2 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 2, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 2, lo[s]!, hi[s]!)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          rg.view.setInt16(o, lo[s]!, true);
          break;
        }
        case 0x73: {
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 1 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 1, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 1, lo[s]!, hi[s]!)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          rg.bytes[o] = lo[s]!;
          break;
        }
        case 0x47: {
          const imm = code[at + 3]!;
          lo[d] = lo[d]! | imm;
          hi[d] = hi[d]! | (imm >> 31);
          break;
        }
        case 0x5f:
          lo[d] = lo[d]! & lo[s]!;
          hi[d] = hi[d]! & hi[s]!;
          break;
        case 0x94:
        case 0x9c: {
          const b = (h === 0x94 ? code[at + 3]! : lo[s]!) >>> 0;
          if (b !== 0) lo[d] = (lo[d]! >>> 0) % b | 0;
          hi[d] = 0;
          break;
        }
        case 0x74:
          lo[d] = lo[d]! >>> (code[at + 3]! & 31);
          hi[d] = 0;
          break;
        case 0x6a: {
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 2 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 2, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 2, code[at + 3]!, code[at + 3]! >> 31)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          rg.view.setInt16(o, code[at + 3]!, true);
          break;
        }
        case 0x72: {
          const ah = hi[d]!;
          let rg = ah > 0 && ah < regions.length ? regions[ah] : undefined;
          let o = (lo[d]! ^ REGION_BASE) + code[at + 2]!;
          if (rg === undefined || o < rg.start || o + 1 > rg.end || !rg.plainStore) {
            rg = resolve(regions, lo[d]!, hi[d]!, code[at + 2]!, 1, true);
            o = resolvedOffset;
            if (rg.store !== undefined && rg.store(o, 1, code[at + 3]!, code[at + 3]! >> 31)) break;
          } else rg.lowWater = o < rg.lowWater ? o : rg.lowWater; // a store either way: feedback from any run
          rg.bytes[o] = code[at + 3]!;
          break;
        }
        case 0x8d: {
          const th = hi[d]!;
          const tl = lo[d]!;
          st.pc = pc;
          st.left = left;
          if (th === CODE_TAG) {
            if (!st.prog.functions.includes(tl)) throw new LoopFault('invalid', `callx to slot ${tl}, which does not start a function`);
            st.localCall(tl);
          } else if (th === 0 && tl >= 0 && st.helpers.has(tl)) {
            st.callHelper(tl);
            code = tracing ? st.prog.stepped : st.prog.fused;
            left = st.left;
          } else {
            throw new LoopFault('helper', `callx r${d} = 0x${st.regs.get(d).toString(16)}: neither a function address nor a known helper id`);
          }
          pc = st.pc | 0;
          break;
        }
        default:
          pc = executeCold(st, regions, lo, hi, code, h, at, d, s, pc) | 0;
      }
    }
  } finally {
    st.slot = slot;
    st.left = left;
  }
}

/**
 * The cases programs rarely execute, out of execute()'s switch: a smaller hot function is compiled sooner and
 * better by V8. Returns the next pc.
 */
function executeCold(st: RunState, regions: readonly (Region | undefined)[], lo: Int32Array, hi: Int32Array, code: Int32Array, h: number, at: number, d: number, s: number, pc: number): number {
  switch (h) {
    case 0x4f:
      lo[d] = lo[d]! | lo[s]!;
      hi[d] = hi[d]! | hi[s]!;
      break;
    case 0x6c:
      lo[d] = lo[d]! << (lo[s]! & 31);
      hi[d] = 0;
      break;
    case 0x1e:
      if (lo[d] === lo[s]) pc = code[at + 2]!;
      break;
    case 0x84:
      lo[d] = -lo[d]! | 0;
      hi[d] = 0;
      break;
    case 0xb9: { // swap16
      const v = lo[d]!;
      lo[d] = ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
      hi[d] = 0;
      break;
    }
    case 0x04:
      lo[d] = (lo[d]! + code[at + 3]!) | 0;
      hi[d] = 0;
      break;
    case 0x44:
      lo[d] = lo[d]! | code[at + 3]!;
      hi[d] = 0;
      break;
    case 0xc4:
      lo[d] = lo[d]! >> (code[at + 3]! & 31);
      hi[d] = 0;
      break;
    case 0xc1: // swap32
      lo[d] = bswap32(lo[d]!);
      hi[d] = 0;
      break;
    case 0xc9: { // swap64
      const l = lo[d]!;
      lo[d] = bswap32(hi[d]!);
      hi[d] = bswap32(l);
      break;
    }
    case 0x5e:
      if (lo[d] !== lo[s]) pc = code[at + 2]!;
      break;
    case 0xe1: // callLocal
      st.pc = pc;
      st.localCall(code[at + 2]!);
      pc = st.pc | 0;
      break;
    case 0x1f: {
      const t = (lo[d]! >>> 0) - (lo[s]! >>> 0);
      lo[d] = t;
      hi[d] = (hi[d]! - hi[s]! - (t < 0 ? 1 : 0)) | 0;
      break;
    }
    case 0x27: {
      const imm = code[at + 3]!;
      mul64(lo[d]!, hi[d]!, imm, imm >> 31);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    }
    case 0xa7: {
      const imm = code[at + 3]!;
      lo[d] = lo[d]! ^ imm;
      hi[d] = hi[d]! ^ (imm >> 31);
      break;
    }
    case 0xc7:
      arsh64(lo, hi, d, code[at + 3]! & 63);
      break;
    case 0xac:
      lo[d] = lo[d]! ^ lo[s]!;
      hi[d] = 0;
      break;
    case 0x17: {
      const imm = code[at + 3]!;
      const t = (lo[d]! >>> 0) - (imm >>> 0);
      lo[d] = t;
      hi[d] = (hi[d]! - (imm >> 31) - (t < 0 ? 1 : 0)) | 0;
      break;
    }
    case 0x2f:
      mul64(lo[d]!, hi[d]!, lo[s]!, hi[s]!);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    case 0x37: {
      const imm = code[at + 3]!;
      udiv64(lo[d]!, hi[d]!, imm, imm >> 31);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    }
    case 0x3f:
      udiv64(lo[d]!, hi[d]!, lo[s]!, hi[s]!);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    case 0x11: {
      const imm = code[at + 3]!;
      sdiv64(lo[d]!, hi[d]!, imm, imm >> 31);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    }
    case 0x19:
      sdiv64(lo[d]!, hi[d]!, lo[s]!, hi[s]!);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    case 0x6f:
      lsh64(lo, hi, d, lo[s]! & 63);
      break;
    case 0x7f:
      rsh64(lo, hi, d, lo[s]! & 63);
      break;
    case 0x87: {
      const l = lo[d]!;
      lo[d] = -l | 0;
      hi[d] = (~hi[d]! + (l === 0 ? 1 : 0)) | 0;
      break;
    }
    case 0x97: {
      const imm = code[at + 3]!;
      umod64(lo[d]!, hi[d]!, imm, imm >> 31);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    }
    case 0x9f:
      umod64(lo[d]!, hi[d]!, lo[s]!, hi[s]!);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    case 0x31: {
      const imm = code[at + 3]!;
      smod64(lo[d]!, hi[d]!, imm, imm >> 31);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    }
    case 0x39:
      smod64(lo[d]!, hi[d]!, lo[s]!, hi[s]!);
      lo[d] = OUT[0]!;
      hi[d] = OUT[1]!;
      break;
    case 0xaf:
      lo[d] = lo[d]! ^ lo[s]!;
      hi[d] = hi[d]! ^ hi[s]!;
      break;
    case 0xcf:
      arsh64(lo, hi, d, lo[s]! & 63);
      break;
    case 0x51: { // movsx8to64
      const v = (lo[s]! << 24) >> 24;
      lo[d] = v;
      hi[d] = v >> 31;
      break;
    }
    case 0x59: { // movsx16to64
      const v = (lo[s]! << 16) >> 16;
      lo[d] = v;
      hi[d] = v >> 31;
      break;
    }
    case 0x99: { // movsx32to64
      const v = lo[s]!;
      lo[d] = v;
      hi[d] = v >> 31;
      break;
    }
    case 0x14:
      lo[d] = (lo[d]! - code[at + 3]!) | 0;
      hi[d] = 0;
      break;
    case 0x24:
      lo[d] = Math.imul(lo[d]!, code[at + 3]!);
      hi[d] = 0;
      break;
    case 0x2c:
      lo[d] = Math.imul(lo[d]!, lo[s]!);
      hi[d] = 0;
      break;
    case 0x34:
    case 0x3c: {
      const b = (h === 0x34 ? code[at + 3]! : lo[s]!) >>> 0;
      lo[d] = b === 0 ? 0 : ((lo[d]! >>> 0) / b) | 0;
      hi[d] = 0;
      break;
    }
    case 0x01:
    case 0x09: {
      const b = h === 0x01 ? code[at + 3]! : lo[s]!;
      lo[d] = b === 0 ? 0 : Math.trunc(lo[d]! / b) | 0;
      hi[d] = 0;
      break;
    }
    case 0x21:
    case 0x29: {
      const b = h === 0x21 ? code[at + 3]! : lo[s]!;
      if (b !== 0) lo[d] = lo[d]! % b | 0;
      hi[d] = 0;
      break;
    }
    case 0x5c:
      lo[d] = lo[d]! & lo[s]!;
      hi[d] = 0;
      break;
    case 0x7c:
      lo[d] = lo[d]! >>> (lo[s]! & 31);
      hi[d] = 0;
      break;
    case 0xa4:
      lo[d] = lo[d]! ^ code[at + 3]!;
      hi[d] = 0;
      break;
    case 0xcc:
      lo[d] = lo[d]! >> (lo[s]! & 31);
      hi[d] = 0;
      break;
    case 0x41: // movsx8to32
      lo[d] = (lo[s]! << 24) >> 24;
      hi[d] = 0;
      break;
    case 0x49: // movsx16to32
      lo[d] = (lo[s]! << 16) >> 16;
      hi[d] = 0;
      break;
    case 0xa1: // le16
      lo[d] = lo[d]! & 0xffff;
      hi[d] = 0;
      break;
    case 0xa9: // le32
      hi[d] = 0;
      break;
    case 0xb1: // le64
      break;
    case 0xd9: // mayGoto
      if (st.mayGoto === 0) pc = code[at + 2]!;
      else st.mayGoto--;
      break;
    case 0x45: {
      const imm = code[at + 3]!;
      if ((lo[d]! & imm) !== 0 || (hi[d]! & (imm >> 31)) !== 0) pc = code[at + 2]!;
      break;
    }
    case 0x4d:
      if ((lo[d]! & lo[s]!) !== 0 || (hi[d]! & hi[s]!) !== 0) pc = code[at + 2]!;
      break;
    case 0x46:
      if ((lo[d]! & code[at + 3]!) !== 0) pc = code[at + 2]!;
      break;
    case 0x4e:
      if ((lo[d]! & lo[s]!) !== 0) pc = code[at + 2]!;
      break;
    case 0xe9: // callKfunc
      throw new LoopFault('invalid', `kfunc calls (btf id ${code[at + 3]}) are not supported by the simulator`);
    case 0x81: {
      const rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 4, false);
      if (rg.load === undefined || !hookedLoad(rg, lo, hi, d, 4)) {
        const v = rg.view.getInt32(resolvedOffset, true);
        lo[d] = v;
        hi[d] = v >> 31;
      }
      break;
    }
    case 0x89: {
      const rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 2, false);
      if (rg.load === undefined || !hookedLoad(rg, lo, hi, d, 2)) {
        const v = rg.view.getInt16(resolvedOffset, true);
        lo[d] = v;
        hi[d] = v >> 31;
      }
      break;
    }
    case 0x91: {
      const rg = resolve(regions, lo[s]!, hi[s]!, code[at + 2]!, 1, false);
      if (rg.load === undefined || !hookedLoad(rg, lo, hi, d, 1)) {
        const v = rg.view.getInt8(resolvedOffset);
        lo[d] = v;
        hi[d] = v >> 31;
      }
      break;
    }
    default:
      throw new LoopFault('invalid', `cannot execute handler 0x${h.toString(16)}`);
  }
  return pc;
}

/**
 * A 4-byte load at `o` of a context's packet pointer field (Region.pointers) that its access rule allowed
 * before: what resolve() and the LoadHook would give, without either call. False for any other access.
 */
function pointerLoad(rg: Region, o: number, lo: Int32Array, hi: Int32Array, d: number): boolean {
  const p = rg.pointers!;
  if (o < rg.start || o + 4 > rg.end) return false;
  if (rg.access !== undefined) {
    const allowed = rg.allowed;
    if (allowed === undefined || (allowed[o]! & 4) === 0) return false;
  }
  const f = p.fields[o]!;
  if (f === 0) return false;
  rg.lowWater = o < rg.lowWater ? o : rg.lowWater;
  const w = p.window;
  if (f === LENGTH_FIELD) {
    lo[d] = w[2]! - w[1]!;
    hi[d] = 0;
  } else {
    lo[d] = ((REGION_BASE | 0) + w[f - 1]!) | 0; // int32 arithmetic (REGION_BASE itself is no int32: a double add)
    hi[d] = p.region.id;
  }
  return true;
}

/** A load from a region with a LoadHook: true when the hook gave the value (now in r`d`). */
export function hookedLoad(rg: Region, lo: Int32Array, hi: Int32Array, d: number, size: number): boolean {
  if (rg.loadReg !== undefined) return rg.loadReg(resolvedOffset, size, lo, hi, d);
  const v = rg.load!(resolvedOffset, size);
  if (v === undefined) return false;
  const u = BigInt.asUintN(64, v);
  lo[d] = Number(BigInt.asIntN(32, u));
  hi[d] = Number(BigInt.asIntN(32, u >> 32n));
  return true;
}

/** Whether comparison result `c` (-1, 0, 1) satisfies jump op `op` (the opcode's high nibble). */
function compare(op: number, c: number): boolean {
  switch (op) {
    case 0x20: // jgt
    case 0x60: // jsgt
      return c > 0;
    case 0x30: // jge
    case 0x70: // jsge
      return c >= 0;
    case 0xa0: // jlt
    case 0xc0: // jslt
      return c < 0;
    default: // 0xb0 jle, 0xd0 jsle
      return c <= 0;
  }
}

function lsh64(lo: Int32Array, hi: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  const l = lo[d]!;
  if (n < 32) {
    hi[d] = (hi[d]! << n) | (l >>> (32 - n));
    lo[d] = l << n;
  } else {
    hi[d] = l << (n - 32);
    lo[d] = 0;
  }
}

function rsh64(lo: Int32Array, hi: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  const h = hi[d]!;
  if (n < 32) {
    lo[d] = (lo[d]! >>> n) | (h << (32 - n));
    hi[d] = h >>> n;
  } else {
    lo[d] = h >>> (n - 32);
    hi[d] = 0;
  }
}

function arsh64(lo: Int32Array, hi: Int32Array, d: number, n: number): void {
  if (n === 0) return;
  const h = hi[d]!;
  if (n < 32) {
    lo[d] = (lo[d]! >>> n) | (h << (32 - n));
    hi[d] = h >> n;
  } else {
    lo[d] = h >> (n - 32);
    hi[d] = h >> 31;
  }
}

/** Atomic read-modify-write; `k` = (8-byte ? 0x10 : 0) + op (add, or, and, xor, xchg, cmpxchg) + (fetch ? 8 : 0). */
export function atomic(regions: readonly (Region | undefined)[], lo: Int32Array, hi: Int32Array, k: number, d: number, s: number, off: number): void {
  const wide = (k & 0x10) !== 0;
  const fetch = (k & 0x08) !== 0;
  const op = k & 0x07;
  const rg = resolve(regions, lo[d]!, hi[d]!, off, wide ? 8 : 4, true);
  const o = resolvedOffset;
  const v = rg.view;
  const oldLo = v.getInt32(o, true);
  const oldHi = wide ? v.getInt32(o + 4, true) : 0;
  let nLo = oldLo;
  let nHi = oldHi;
  const sLo = lo[s]!;
  const sHi = wide ? hi[s]! : 0;
  switch (op) {
    case 0: {
      const t = (oldLo >>> 0) + (sLo >>> 0);
      nLo = t | 0;
      nHi = (oldHi + sHi + (t >= TWO32 ? 1 : 0)) | 0;
      break;
    }
    case 1:
      nLo = oldLo | sLo;
      nHi = oldHi | sHi;
      break;
    case 2:
      nLo = oldLo & sLo;
      nHi = oldHi & sHi;
      break;
    case 3:
      nLo = oldLo ^ sLo;
      nHi = oldHi ^ sHi;
      break;
    case 4:
      nLo = sLo;
      nHi = sHi;
      break;
    case 5: {
      // compare with r0 (the low 32 bits for the 32-bit form); r0 gets the old value
      const equal = wide ? lo[0] === oldLo && hi[0] === oldHi : lo[0] === oldLo;
      if (equal) {
        nLo = sLo;
        nHi = sHi;
      }
      lo[0] = oldLo;
      hi[0] = oldHi;
      break;
    }
  }
  v.setInt32(o, nLo, true);
  if (wide) v.setInt32(o + 4, nHi, true);
  if (fetch && op !== 5) {
    lo[s] = oldLo;
    hi[s] = oldHi;
  }
}
