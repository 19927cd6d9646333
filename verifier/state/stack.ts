// The stack of one frame: the kernel's `struct bpf_stack_state` array, 8-byte slots from fp-8 down to fp-512.
//
//   slot i covers fp-8*(i+1) .. fp-8*i-1        byte j of a slot: fp-8*(i+1)+j
//   slot_type[8]: invalid | misc | zero | spill     spilled_ptr: the register spilled (all 8 bytes 'spill')
//
// Partial writes follow check_stack_write_fixed_off: a write that does not replace a whole spilled register
// scrubs the slot's spill into misc bytes first; 8-byte aligned writes of a register spill it.
import { cloneReg, type RegState } from './reg.ts';

export type SlotByte = 'invalid' | 'misc' | 'zero' | 'spill';

export interface StackSlot {
  types: SlotByte[];
  spilled?: RegState;
  /** bytes the spill covers from the slot's lowest address (a scalar may be spilled with 1, 2 or 4 bytes) */
  spillSize?: number;
}

export const MAX_BPF_STACK = 512;
export const SLOTS = MAX_BPF_STACK / 8;

export class StackState {
  slots: (StackSlot | undefined)[];
  /** deepest byte touched, as a positive depth (the kernel's stack_depth) */
  depth: number;

  constructor(slots: (StackSlot | undefined)[] = [], depth = 0) {
    this.slots = slots;
    this.depth = depth;
  }

  clone(): StackState {
    return new StackState(
      this.slots.map((s) =>
        s === undefined
          ? undefined
          : {
              types: [...s.types],
              // a spilled register is never changed in place: copies share it
              ...(s.spilled !== undefined ? { spilled: s.spilled, spillSize: s.spillSize ?? 8 } : {}),
            },
      ),
      this.depth,
    );
  }

  /** The slot index and byte index of fp+off (off < 0). */
  static locate(off: number): { spi: number; byte: number } {
    const spi = Math.floor((-off - 1) / 8);
    return { spi, byte: 7 - ((-off - 1) % 8) };
  }

  byteType(off: number): SlotByte {
    const { spi, byte } = StackState.locate(off);
    return this.slots[spi]?.types[byte] ?? 'invalid';
  }

  slotAt(off: number): StackSlot | undefined {
    return this.slots[StackState.locate(off).spi];
  }

  #slot(spi: number): StackSlot {
    let s = this.slots[spi];
    if (s === undefined) {
      s = { types: Array<SlotByte>(8).fill('invalid') };
      this.slots[spi] = s;
    }
    return s;
  }

  touch(off: number): void {
    this.depth = Math.max(this.depth, -off);
  }

  /**
   * Spill a register into the slot at fp+off (off 8-aligned): all 8 bytes, or (a scalar, save_register_state
   * with size < 8) its low `size` bytes. The register is kept whole (a fill of `size` bytes truncates it); the
   * slot's other bytes keep zero and uninitialised bytes and become misc otherwise (mark_stack_slot_misc).
   */
  spill(off: number, reg: RegState, size = 8): void {
    this.touch(off);
    const s = this.#slot(StackState.locate(off).spi);
    for (let i = 0; i < 8; i++) {
      const byte = StackState.locate(off + i).byte;
      if (i < size) s.types[byte] = 'spill';
      else if (s.types[byte] === 'spill') s.types[byte] = 'misc';
    }
    s.spilled = cloneReg(reg);
    s.spillSize = size;
  }

  /**
   * A write at a variable offset that may touch any byte of fp+min .. fp+end-1 (check_stack_write_var_off, as
   * root): every byte becomes misc, except that a zero written over zero bytes or over a spilled constant zero
   * keeps them. Spills in the range are scrubbed (their other bytes become misc here; the kernel keeps them as
   * spill bytes of an unreadable register). Returns whether the zero kept anything (then the written value was
   * relied on).
   */
  writeVarOff(min: number, end: number, zero: boolean): boolean {
    this.touch(min);
    let zeroUsed = false;
    for (let off = min; off < end; off++) {
      const { spi, byte } = StackState.locate(off);
      const s = this.#slot(spi);
      const spilled = s.spilled;
      if (zero && spilled !== undefined && s.types[byte] === 'spill' && spilled.kind === 'scalar' && spilled.s.varOff.mask === 0n && spilled.s.varOff.value === 0n) {
        zeroUsed = true;
        continue;
      }
      if (spilled !== undefined && s.types[byte] === 'spill') {
        s.types = s.types.map((b) => (b === 'spill' ? 'misc' : b));
        delete s.spilled;
        delete s.spillSize;
      }
      if (zero && s.types[byte] === 'zero') zeroUsed = true;
      else s.types[byte] = 'misc';
    }
    return zeroUsed;
  }

  /**
   * Write `size` bytes at fp+off with bytes of type `t` (misc or zero). A spill they break is scrubbed first
   * (scrub_spilled_slot: every initialised byte of its slot, zeros too, becomes misc).
   */
  writeBytes(off: number, size: number, t: 'misc' | 'zero'): void {
    this.touch(off);
    for (let i = 0; i < size; i++) {
      const { spi, byte } = StackState.locate(off + i);
      const s = this.#slot(spi);
      if (s.spilled !== undefined) {
        s.types = s.types.map((b) => (b === 'invalid' ? b : 'misc'));
        delete s.spilled;
        delete s.spillSize;
      }
      s.types[byte] = t;
    }
  }
}
