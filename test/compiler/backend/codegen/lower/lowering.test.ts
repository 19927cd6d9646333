// Lowering's shared registers: a 64-bit constant that needs `lddw` is loaded once per block however many
// operations use it (byte-parallel masks in unrolled loops), and the results stay right.
import { describe, expect, it } from 'vitest';
import { generate, runIr } from '../run-ir.ts';

// (x & M) ^ M, (y & M) + M, twice: four uses of M in one block
const IR = `
define internal i64 @f(i64 %x, i64 %y) {
  %a = and i64 %x, 9187201950435737471
  %b = xor i64 %a, 9187201950435737471
  %c = and i64 %y, 9187201950435737471
  %d = add i64 %c, 9187201950435737471
  %e = or i64 %b, %d
  ret i64 %e
}
define i64 @g(ptr %ctx) section "xdp" {
  %r = call i64 @f(i64 -1, i64 4294967296)
  ret i64 %r
}`;

describe('wide constants', () => {
  it('loads a 64-bit constant once per block for all its uses', () => {
    const f = generate(IR).find((fn) => fn.name === 'f')!;
    const loads = f.instructions.filter((i) => i.kind === 'lddw' && i.value === 0x7f7f7f7f7f7f7f7fn);
    expect(loads).toHaveLength(1);
  });

  it('computes the same value with the shared register', () => {
    const m = 0x7f7f7f7f7f7f7f7fn;
    const x = BigInt.asUintN(64, -1n);
    const y = 1n << 32n;
    expect(runIr(IR, 'g')).toBe(BigInt.asUintN(64, ((x & m) ^ m) | (((y & m) + m) & (2n ** 64n - 1n))));
  });
});
