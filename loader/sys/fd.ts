// File descriptors of kernel objects (maps, programs, links, BTF): closeable exactly once.
//
//   using map = mapCreate({ type: 2, keySize: 4, valueSize: 8, maxEntries: 1, name: 'counters' });
//   mapUpdate(map, key, value);          // uses map.value, the raw fd number
//   // leaving the block closes it; map.value now throws "map counters: used after close"
//
// Tests call `trackFds()` to see every Fd created while tracking, and fail when one is left open.
// An Fd that is garbage collected while still open is closed, with a process warning naming it.
import { closeFd } from './syscall.ts';
import { Errno } from './errors.ts';

// Node 20.0–20.3 lack Symbol.dispose; `using` and this module need it. The one polyfill in tsbpf.
(Symbol as { dispose?: symbol }).dispose ??= Symbol('Symbol.dispose');

interface Held {
  readonly fd: number;
  readonly label: string;
}

const leaks = new FinalizationRegistry<Held>((held) => {
  process.emitWarning(`${held.label}: fd ${held.fd} was garbage collected without close(); closing it`, {
    code: 'TSBPF_FD_LEAK',
  });
  closeFd(held.fd);
});

const trackers = new Set<Set<Fd>>();

/** An open file descriptor owned by this process. */
export class Fd {
  #fd: number;
  /** What the descriptor refers to, for messages: `map counters`, `program xdp_pass`. */
  readonly label: string;

  /** Takes ownership of `fd`. */
  constructor(fd: number, label = 'bpf object') {
    if (!Number.isInteger(fd) || fd < 0) throw new RangeError(`${label}: ${fd} is not a file descriptor`);
    this.#fd = fd;
    this.label = label;
    leaks.register(this, { fd, label }, this);
    for (const t of trackers) t.add(this);
  }

  /** The descriptor number; throws once closed. */
  get value(): number {
    if (this.#fd < 0) throw new Error(`${this.label}: file descriptor used after close`);
    return this.#fd;
  }

  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Closes the descriptor; closing again does nothing. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    leaks.unregister(this);
    for (const t of trackers) t.delete(this);
    const ret = closeFd(fd);
    if (ret === -Errno.EBADF) throw new Error(`${this.label}: close fd ${fd}: bad file descriptor (closed elsewhere)`);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  toString(): string {
    return this.#fd < 0 ? `${this.label} (closed)` : `${this.label} (fd ${this.#fd})`;
  }
}

/** Records the Fds created while it is active (test mode). */
export interface FdTracker {
  /** Tracked Fds that are still open. */
  open(): readonly Fd[];
  /** Throws an Error listing the tracked Fds still open. */
  assertAllClosed(): void;
  /** Stops tracking (the tracker keeps its current list). */
  stop(): void;
  [Symbol.dispose](): void;
}

/**
 * Starts recording every Fd created from now on, so a test can assert that it closed them all.
 *
 * @example
 * const fds = trackFds();
 * // … test …
 * fds.assertAllClosed();
 * fds.stop();
 */
export function trackFds(): FdTracker {
  const set = new Set<Fd>();
  trackers.add(set);
  const stop = (): void => {
    trackers.delete(set);
  };
  return {
    open: () => [...set],
    assertAllClosed: () => {
      if (set.size > 0) {
        throw new Error(`${set.size} file descriptor(s) left open: ${[...set].map(String).join(', ')}`);
      }
    },
    stop,
    [Symbol.dispose]: stop,
  };
}
