// Vectors as clang-19's vectoriser leaves them: a vector load, a widening zext and an add reduction,
// scalarised element by element.
import { describe, expect, it } from 'vitest';
import { runIr } from '../run-ir.ts';
import { xdpWindowPrologue } from '../../xdp-window-ir.ts';

describe('vectors', () => {
  it('sums eight 16-bit words through load <8 x i16>, zext and llvm.vector.reduce.add', () => {
    const ir = `
define i64 @f(ptr %ctx) section "xdp" {
${xdpWindowPrologue(16)}body:
  %v = load <8 x i16>, ptr %data, align 2
  %w = zext <8 x i16> %v to <8 x i32>
  %x = add <8 x i32> %w, <i32 1, i32 1, i32 1, i32 1, i32 1, i32 1, i32 1, i32 1>
  %s = call i32 @llvm.vector.reduce.add.v8i32(<8 x i32> %x)
  %z = zext i32 %s to i64
  ret i64 %z
out:
  ret i64 0
}`;
    const packet = new Uint8Array(64);
    const view = new DataView(packet.buffer);
    let want = 0n;
    for (let k = 0; k < 8; k++) {
      view.setUint16(2 * k, 0xf000 + k * 0x111, true);
      want += BigInt(0xf000 + k * 0x111 + 1);
    }
    expect(runIr(ir, 'f', packet)).toBe(want);
  });
});
