// Test helper: fast byte-array equality (vitest's toEqual walks typed arrays element by element, which is
// slow for the 250 KB sections in the corpus). Reports the first differing offset.
import { expect } from 'vitest';

export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const n = Math.min(actual.length, expected.length);
  let at = -1;
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      at = i;
      break;
    }
  }
  if (at < 0 && actual.length !== expected.length) at = n;
  expect(at < 0 ? 'identical' : `first difference at byte 0x${at.toString(16)} (lengths ${actual.length} vs ${expected.length})`).toBe(
    'identical',
  );
}
