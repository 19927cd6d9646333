// vitest globalSetup: after the whole suite, no BPF program, map or link created during the run may still
// exist. Test processes have exited by then, so anything left is pinned or attached: a leak into the kernel.
import { execFileSync } from 'node:child_process';

type Kind = 'prog' | 'map' | 'link';
const KINDS: Kind[] = ['prog', 'map', 'link'];

function list(kind: Kind): { id: number; name?: string; type?: string }[] {
  return JSON.parse(execFileSync('bpftool', ['-j', kind, 'list'], { encoding: 'utf8' })) as { id: number }[];
}

function usable(): boolean {
  if (process.geteuid?.() !== 0) return false;
  try {
    list('prog');
    return true;
  } catch {
    return false;
  }
}

export default function setup(): (() => Promise<void>) | undefined {
  if (!usable()) return undefined;
  const before = new Map(KINDS.map((k) => [k, new Set(list(k).map((o) => o.id))]));
  return async () => {
    let left: string[] = [];
    // The kernel frees objects asynchronously once their last reference goes: give it a moment.
    for (let attempt = 0; attempt < 10; attempt++) {
      left = KINDS.flatMap((k) =>
        list(k)
          .filter((o) => !before.get(k)!.has(o.id))
          .map((o) => `${k} ${o.id} ${o.type ?? ''} ${o.name ?? ''}`.trim()),
      );
      if (left.length === 0) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    // vitest reports an error thrown here but still exits 0: set the exit code as well.
    process.exitCode = 1;
    throw new Error(`the test suite left BPF objects in the kernel (pinned or attached):\n  ${left.join('\n  ')}`);
  };
}
