// What the program must return (the kernel's check_return_code): the range per program type and attach type.
import type { ScalarState } from '../domains/index.ts';
import { typeStr, type RegState } from '../state/index.ts';
import { Reject, Unsupported } from './failure.ts';
import type { ProgramContext } from './memory.ts';

/** The return range the kernel enforces, or undefined when any value goes. */
export function returnRange(ctx: ProgramContext): readonly [number, number] | undefined {
  switch (ctx.progType) {
    case 'xdp':
    case 'sched_cls':
    case 'sched_act':
    case 'socket_filter':
      return undefined;
    case 'cgroup_skb':
      return ctx.attachType === 'BPF_CGROUP_INET_EGRESS' ? [0, 3] : [0, 1];
    default:
      throw new Unsupported(`return values of ${ctx.progType} programs`);
  }
}

/** R0 at the exit of the main program (or, with `range`, of a callback: `At callback return ...`). */
export function assertReturnValue(r0: RegState, ctx: ProgramContext, callback?: readonly [number, number]): void {
  if (r0.kind === 'not_init') throw new Reject('R0 !read_ok');
  const range = callback ?? returnRange(ctx);
  if (r0.kind === 'ptr') {
    if (callback !== undefined) throw new Reject(`At callback return the register R0 is not a known value (${typeStr(r0)})`);
    if (!ctx.profile.allowPtrLeaks) throw new Reject('R0 leaks addr as return value');
    if (range !== undefined) throw new Reject(`At program exit the register R0 is not a known value (${typeStr(r0)})`);
    return;
  }
  if (range === undefined) return;
  const s: ScalarState = r0.s;
  if (s.smin >= BigInt(range[0]) && s.smax <= BigInt(range[1])) return;
  let text = `At ${callback !== undefined ? 'callback return' : 'program exit'} the register R0 has`;
  if (s.smin > -(1n << 63n)) text += ` smin=${s.smin}`;
  if (s.smax < (1n << 63n) - 1n) text += ` smax=${s.smax}`;
  if (s.smin === -(1n << 63n) && s.smax === (1n << 63n) - 1n) text += ' unknown scalar value';
  throw new Reject(`${text} should have been in [${range[0]}, ${range[1]}]`);
}
