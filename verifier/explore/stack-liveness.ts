// Stack slot liveness (the kernel's REG_LIVE_READ / REG_LIVE_WRITTEN marks on stack slots, mark_reg_read and
// propagate_liveness): a read of a slot marks it read in the stored states up the path, until one whose
// segment wrote the slot whole. A stored state whose continuation never read a slot ignores it when compared.
//
//   stored A ──(writes fp-8 whole)──▶ stored B ──▶ current: reads fp-8 and fp-16
//   B gets fp-8 and fp-16 read; A gets only fp-16 (its fp-8 is overwritten before anything reads it)
import type { VerifierState } from '../state/index.ts';
import type { Checkpoint } from './precision.ts';

const has = (w: readonly [number, number], spi: number): boolean => (w[spi >> 5]! & (1 << (spi & 31))) !== 0;

/** The slots bytes fp+off .. fp+off+size-1 touch. */
function slotsOf(off: number, size: number): number[] {
  const out: number[] = [];
  if (size <= 0) return out;
  const first = Math.floor((-(off + size - 1) - 1) / 8);
  const last = Math.floor((-off - 1) / 8);
  for (let spi = Math.max(first, 0); spi <= last && spi < 64; spi++) out.push(spi);
  return out;
}

/** Marks slot spi of frame f read in the stored states up the path from `parent` (mark_reg_read). */
function markUp(parent: Checkpoint | undefined, uid: number, f: number, spi: number): void {
  for (let cp = parent; cp !== undefined; cp = cp.parent) {
    const frame = cp.state.frames[f];
    if (frame === undefined || frame.uid !== uid || cp.isRead(f, spi)) return;
    cp.markRead(f, spi);
    if (has(frame.written, spi)) return;
  }
}

/** What a path does to the stack, for the stored states above it. */
export class StackLiveness {
  /** the path's last stored state */
  parent: Checkpoint | undefined = undefined;

  constructor(private readonly state: () => VerifierState) {}

  /** `size` bytes at fp+off of frame f are read. */
  read(f: number, off: number, size: number): void {
    const frame = this.state().frames[f];
    if (frame === undefined) return;
    for (const spi of slotsOf(off, size)) {
      if (!has(frame.written, spi)) markUp(this.parent, frame.uid, f, spi);
    }
  }

  /** `size` bytes at fp+off of frame f are written: only a whole 8-byte slot screens reads. */
  write(f: number, off: number, size: number): void {
    if (size !== 8 || off % 8 !== 0) return;
    const frame = this.state().frames[f];
    if (frame === undefined) return;
    const spi = (-off - 8) / 8;
    if (spi >= 0 && spi < 64) frame.written[spi >> 5]! |= 1 << (spi & 31);
  }
}

/** propagate_liveness: the slots `hit`'s continuation reads are read by the pruned path too. */
export function propagateLiveness(hit: Checkpoint, state: VerifierState, parent: Checkpoint | undefined): void {
  hit.state.frames.forEach((_, f) => {
    const frame = state.frames[f];
    if (frame === undefined) return;
    for (let spi = 0; spi < 64; spi++) if (hit.isRead(f, spi)) markUp(parent, frame.uid, f, spi);
  });
}

/** A new stored state starts a new segment: nothing is written since it. */
export function clearWritten(state: VerifierState): void {
  for (const f of state.frames) f.written = [0, 0];
}
