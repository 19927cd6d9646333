// Which registers still hold r1 as the entry function received it (the context, in every run the runtime
// starts), before each instruction: a forward analysis over the function's control flow, facts met at a
// join only when every way in brings them. A load or store through such a register is most likely a
// context access, so the translator tries the context's own fast paths (context-fields.ts, context-bytes.ts)
// before the region table. That is an order, not a proof: each fast path still checks the address itself
// (a tail call's target receives whatever r1 its caller had), so a wrong guess costs time, never a result.
import { isCall, isJump, isStore } from './handlers.ts';

/**
 * Per slot of [first, end) (index slot - first), the registers holding the entry r1 before it runs (bit r);
 * 0 for a slot no path reaches. `code` is CompiledProgram.code; [first, end) the entry function.
 */
export function contextRegisters(code: Int32Array, first: number, end: number): Uint16Array {
  const n = end - first;
  const before = new Uint16Array(n);
  const reached = new Uint8Array(n);
  before[0] = 1 << 1;
  reached[0] = 1;
  // forward jumps settle in one pass in slot order; a backward jump that narrows its target goes round again
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < n; i++) {
      if (reached[i] === 0) continue;
      const s = first + i;
      const h = code[s * 4]!;
      if (h === 0xf9) continue; // an ld_imm64's second half: never run
      const out = after(code, s, before[i]!);
      const flow = (t: number): void => {
        const j = t - first;
        if (j < 0 || j >= n) return;
        const met = reached[j] === 0 ? out : before[j]! & out;
        if (reached[j] === 0 || met !== before[j]) {
          reached[j] = 1;
          before[j] = met;
          if (j <= i) changed = true;
        }
      };
      if (h === 0x95) continue;
      if (isJump(h) || h === 0xd9) flow(code[s * 4 + 2]!); // 0xd9: may_goto
      if (h !== 0x05) flow(s + (h === 0x18 ? 2 : 1));
    }
  }
  return before;
}

/** The registers holding the entry r1 after slot `s` ran, from `mask` before it. */
function after(code: Int32Array, s: number, mask: number): number {
  const at = s * 4;
  const h = code[at]!;
  const d = code[at + 1]! & 15;
  const src = code[at + 1]! >> 4;
  // calls leave r0..r5 to the callee or helper (r6..r9 are the caller's again afterwards)
  if (isCall(h)) return mask & ~0x3f;
  // ld_abs / ld_ind: r0, and r1..r5 as the kernel clobbers them
  if (h === 0x20 || h === 0x28 || h === 0x30 || h === 0x40 || h === 0x48 || h === 0x50) return mask & ~0x3f;
  // atomics: a fetch writes src, cmpxchg r0
  if (h === 0xc3 || h === 0xdb) return mask & ~((1 << src) | 1);
  if (isStore(h) || isJump(h) || h === 0x95) return mask;
  // a 64-bit register move copies the fact; anything else writing dst ends it
  if (h === 0xbf) return (mask & (1 << src)) !== 0 ? mask | (1 << d) : mask & ~(1 << d);
  return mask & ~(1 << d);
}
