// Spill slot sharing: values spilled in parts of a function that never overlap reuse the same 8-byte slots,
// and the program still computes the same result.
import { describe, expect, it } from 'vitest';
import { generate, runIr } from './run-ir.ts';
import { xdpWindowPrologue } from '../xdp-window-ir.ts';

/** `phases` rounds of seven packet bytes, all live across a helper call, summed after it. */
function phasedSum(phases: number): string {
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  let body = '';
  let acc = '%s0_0';
  for (let p = 0; p < phases; p++) {
    body += names.map((n, k) => `  %p${p}_${k} = getelementptr i8, ptr %data, i64 ${k + p}\n  %${n}${p} = load i8, ptr %p${p}_${k}, align 1\n`).join('');
    body += `  %t${p} = call i64 inttoptr (i64 7 to ptr)()\n  %m${p} = and i64 %t${p}, 0\n  %s${p}_0 = add i64 %m${p}, ${p === 0 ? 0 : acc}\n`;
    body += names.map((n, k) => `  %z${p}_${k} = zext i8 %${n}${p} to i64\n  %s${p}_${k + 1} = add i64 %s${p}_${k}, %z${p}_${k}\n`).join('');
    acc = `%s${p}_7`;
  }
  return `
define i64 @f(ptr %ctx) section "xdp" {
${xdpWindowPrologue(16)}body:
${body}  ret i64 ${acc}
out:
  ret i64 0
}`;
}

describe('spill slot sharing', () => {
  it('gives values spilled in successive phases the same stack slots', () => {
    const one = generate(phasedSum(1))[0]!;
    const three = generate(phasedSum(3))[0]!;
    const spillOffsets = (f: typeof one): Set<number> =>
      new Set(f.instructions.flatMap((i) => (i.kind === 'stx' && i.dst === 10 && i.size === 8 ? [i.off] : [])));
    const stores = three.instructions.filter((i) => i.kind === 'stx' && i.dst === 10).length;
    expect(spillOffsets(one).size).toBeGreaterThan(0);
    // three times the spills in fewer than twice the slots (unshared, they would need three times)
    expect(stores).toBeGreaterThanOrEqual(3 * spillOffsets(one).size);
    expect(spillOffsets(three).size).toBeLessThan(2 * spillOffsets(one).size);
    expect(three.stackSize).toBeLessThan(2 * one.stackSize);
  });

  it('still computes the sum of every phase', () => {
    const packet = Uint8Array.from({ length: 64 }, (_, k) => k + 1);
    // phase p sums bytes p+1 .. p+7
    const expected = [0, 1, 2].reduce((n, p) => n + [1, 2, 3, 4, 5, 6, 7].reduce((m, k) => m + BigInt(k + p), 0n), 0n);
    expect(runIr(phasedSum(3), 'f', packet)).toBe(expected);
  });
});
