import { closeSync, fstatSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Fd, bindingAvailable, trackFds, type FdTracker } from '../../../loader/sys/index.ts';
import { available } from '../../support/require.ts';

// Fd closes through close(2) from the native binding; /dev/null stands in for a kernel object.
const ok = available('loader/sys Fd', bindingAvailable());

function isOpen(n: number): boolean {
  try {
    fstatSync(n);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!ok)('Fd', () => {
  it('close() closes the descriptor once; closing again does nothing', () => {
    const n = openSync('/dev/null', 'r');
    const fd = new Fd(n, 'null device');
    expect(fd.value).toBe(n);
    expect(String(fd)).toBe(`null device (fd ${n})`);
    fd.close();
    expect(isOpen(n)).toBe(false);
    expect(fd.closed).toBe(true);
    expect(() => fd.close()).not.toThrow();
    expect(String(fd)).toBe('null device (closed)');
  });

  it('throws a clear error when used after close', () => {
    const fd = new Fd(openSync('/dev/null', 'r'), 'map counters');
    fd.close();
    expect(() => fd.value).toThrow('map counters: file descriptor used after close');
  });

  it('is closed by `using` at the end of the block', () => {
    let n = -1;
    {
      using fd = new Fd(openSync('/dev/null', 'r'), 'scoped');
      n = fd.value;
      expect(isOpen(n)).toBe(true);
    }
    expect(isOpen(n)).toBe(false);
  });

  it('rejects numbers that are not descriptors', () => {
    expect(() => new Fd(-1, 'map x')).toThrow(RangeError);
    expect(() => new Fd(1.5)).toThrow(/1\.5 is not a file descriptor/);
  });

  it('reports a descriptor that something else closed', () => {
    const n = openSync('/dev/null', 'r');
    const fd = new Fd(n, 'stolen');
    closeSync(n);
    expect(() => fd.close()).toThrow(`stolen: close fd ${n}: bad file descriptor (closed elsewhere)`);
    expect(fd.closed).toBe(true);
  });
});

describe.skipIf(!ok)('trackFds()', () => {
  it('lists the Fds created while tracking that are still open', () => {
    const before = new Fd(openSync('/dev/null', 'r'), 'before');
    const tracker = trackFds();
    const a = new Fd(openSync('/dev/null', 'r'), 'a');
    const b = new Fd(openSync('/dev/null', 'r'), 'b');
    expect(tracker.open()).toEqual([a, b]);
    expect(() => tracker.assertAllClosed()).toThrow(/2 file descriptor\(s\) left open: a \(fd \d+\), b \(fd \d+\)/);
    a.close();
    b.close();
    expect(tracker.open()).toEqual([]);
    tracker.assertAllClosed();
    tracker.stop();
    const after = new Fd(openSync('/dev/null', 'r'), 'after');
    expect(tracker.open()).toEqual([]);
    after.close();
    before.close();
  });

  it('stops with `using`', () => {
    let kept: FdTracker;
    {
      using tracker = trackFds();
      kept = tracker;
      const inside = new Fd(openSync('/dev/null', 'r'), 'inside');
      expect(tracker.open()).toEqual([inside]);
      inside.close();
    }
    const outside = new Fd(openSync('/dev/null', 'r'), 'outside');
    expect(kept.open()).toEqual([]);
    outside.close();
  });
});
