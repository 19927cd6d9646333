// Intrinsics lowered to instruction sequences, checked against a reference on packet-derived operands
// (so nothing folds at compile time): funnel shifts by a variable amount, saturating add/sub, bswap, ctpop, abs.
import { describe, expect, it } from 'vitest';
import { simulatorFor } from '../run-ir.ts';
import { xdpWindowPrologue } from '../../xdp-window-ir.ts';

/** A program reading a, b, c (iN, from packet bytes 0.., 8.., 16..) and returning zext(op) as i64. */
function program(bits: number, body: string): string {
  const t = `i${bits}`;
  return `
define i64 @f(ptr %ctx) section "xdp" {
${xdpWindowPrologue(24)}body:
  %pb = getelementptr i8, ptr %data, i64 8
  %pc = getelementptr i8, ptr %data, i64 16
  %a = load ${t}, ptr %data, align 1
  %b = load ${t}, ptr %pb, align 1
  %c = load ${t}, ptr %pc, align 1
${body}
  %z = zext ${t} %r to i64
  ret i64 %z
out:
  ret i64 0
}`;
}

function packet(bits: number, a: bigint, b: bigint, c: bigint): Uint8Array {
  const p = new Uint8Array(64);
  const v = new DataView(p.buffer);
  const put = (off: number, x: bigint): void => {
    for (let k = 0; k < bits / 8; k++) v.setUint8(off + k, Number((BigInt.asUintN(bits, x) >> BigInt(8 * k)) & 0xffn));
  };
  put(0, a);
  put(8, b);
  put(16, c);
  return p;
}

const SAMPLES = [0n, 1n, 3n, 7n, 8n, 13n, 31n, 32n, 63n, 0x7fn, 0x80n, 0xffn, 0x1234n, 0x8000n, 0xdeadbeefn, 0x123456789abcdef0n];

function check(bits: number, body: string, ref: (a: bigint, b: bigint, c: bigint) => bigint): void {
  // verified once by our verifier, then run unverified on every sample
  simulatorFor(program(bits, body), 'f');
  const sim = simulatorFor(program(bits, body), 'f', true);
  for (const [n, a] of SAMPLES.entries()) {
    const b = SAMPLES[(n * 7 + 3) % SAMPLES.length]!;
    for (const c of [0n, 1n, 5n, BigInt(bits - 1), BigInt(bits), BigInt(bits + 3)]) {
      const want = BigInt.asUintN(bits, ref(BigInt.asUintN(bits, a), BigInt.asUintN(bits, b), BigInt.asUintN(bits, c)));
      expect(sim.run('f', packet(bits, a, b, c)).retval, `${body.trim()} a=${a} b=${b} c=${c}`).toBe(want);
    }
  }
}

const fshl = (bits: number) => (a: bigint, b: bigint, c: bigint): bigint => {
  const s = c % BigInt(bits);
  return s === 0n ? a : (a << s) | (b >> (BigInt(bits) - s));
};
const fshr = (bits: number) => (a: bigint, b: bigint, c: bigint): bigint => {
  const s = c % BigInt(bits);
  return s === 0n ? b : (b >> s) | (a << (BigInt(bits) - s));
};

describe('bit intrinsics', () => {
  for (const bits of [8, 16, 32, 64]) {
    it(`llvm.fshl/fshr.i${bits} with a variable amount match the definition`, () => {
      check(bits, `  %r = call i${bits} @llvm.fshl.i${bits}(i${bits} %a, i${bits} %b, i${bits} %c)`, fshl(bits));
      check(bits, `  %r = call i${bits} @llvm.fshr.i${bits}(i${bits} %a, i${bits} %b, i${bits} %c)`, fshr(bits));
    });
  }

  for (const bits of [8, 16, 32, 64]) {
    it(`llvm.uadd.sat/usub.sat.i${bits} saturate at the type's bounds`, () => {
      const max = (1n << BigInt(bits)) - 1n;
      check(bits, `  %r = call i${bits} @llvm.uadd.sat.i${bits}(i${bits} %a, i${bits} %b)`, (a, b) => (a + b > max ? max : a + b));
      check(bits, `  %r = call i${bits} @llvm.usub.sat.i${bits}(i${bits} %a, i${bits} %b)`, (a, b) => (a > b ? a - b : 0n));
    });
  }

  it('llvm.bswap, llvm.ctpop and llvm.abs compute what they name', () => {
    const swap = (bits: number) => (a: bigint): bigint => {
      let r = 0n;
      for (let k = 0; k < bits / 8; k++) r = (r << 8n) | ((a >> BigInt(8 * k)) & 0xffn);
      return r;
    };
    for (const bits of [16, 32, 64]) check(bits, `  %r = call i${bits} @llvm.bswap.i${bits}(i${bits} %a)`, swap(bits));
    const pop = (a: bigint): bigint => BigInt([...a.toString(2)].filter((x) => x === '1').length);
    for (const bits of [8, 32, 64]) check(bits, `  %r = call i${bits} @llvm.ctpop.i${bits}(i${bits} %a)`, pop);
    for (const bits of [8, 16, 32, 64]) {
      check(bits, `  %r = call i${bits} @llvm.abs.i${bits}(i${bits} %a, i1 false)`, (a) => {
        const s = BigInt.asIntN(bits, a);
        return s < 0n ? -s : s;
      });
    }
  });
});
