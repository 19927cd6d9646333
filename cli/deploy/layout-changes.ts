// Which pinned maps the new build cannot reuse (their shape differs), found before anything is loaded, so a
// deploy can say that connection tracking and counters will start afresh before it happens.
import type { ObjectSpec } from '../../bpf/index.ts';
import { mapGetInfo, openPinned } from '../../loader/index.ts';

/** One line per pinned map whose type, key or value size, capacity or flags the new object defines otherwise. */
export function layoutChanges(spec: ObjectSpec, pinned: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const m of spec.maps) {
    const path = pinned[m.name];
    if (path === undefined) {
      out.push(`map ${m.name} is new`);
      continue;
    }
    const fd = openPinned(path, { readOnly: true });
    try {
      const info = mapGetInfo(fd);
      const diff: string[] = [];
      const cmp = (what: string, old: number, next: number) => void (old !== next && diff.push(`${what} ${old} → ${next}`));
      cmp('type', info.type, m.type);
      cmp('key size', info.keySize, m.keySize);
      cmp('value size', info.valueSize, m.valueSize);
      cmp('max entries', info.maxEntries, m.maxEntries);
      cmp('flags', info.mapFlags, m.flags);
      if (diff.length > 0) out.push(`map ${m.name}: ${diff.join(', ')}`);
    } finally {
      fd.close();
    }
  }
  return out;
}
