// The reference evaluator's L7 step (docs/l7.md), written from the semantics and apart from the generated C: a
// TCP segment allowed at L3/L4 to a port whose every covering allow rule carries L7 rules gets the requests
// starting in it judged by the protocol's reference judge (judgeHttp / judgeKafka), against the union of those
// rules. The stream position (where the next request starts, per connection and policy direction) lives in
// the evaluator's state, as the datapath keeps it in its conntrack entry.
import type { L7Protocol } from '../dsl/policy-model.ts';
import type { L7Settings } from '../dsl/types.ts';
import { L7_PIPELINE } from '../cgen/generate-l7-c.ts';
import { L7_PROTOCOLS } from './protocols.ts';

/** Where the next request of one connection direction starts: a TCP sequence number, when known. */
export interface L7Stream {
  readonly next: number;
  readonly known: boolean;
}

/** One counted L7 outcome: an L7 rule's name, `(no rule)` (no rule matched) or `(cannot see)`. */
export interface L7Count {
  readonly slot: string;
  readonly allowed: boolean;
}

export const NO_RULE = '(no rule)';
export const CANNOT_SEE = '(cannot see)';

export interface L7SegmentInput {
  readonly protocol: L7Protocol;
  readonly matches: readonly unknown[];
  readonly names: readonly string[];
  readonly settings: L7Settings;
  readonly audit: boolean;
  readonly flags: string;
  readonly seq: number;
  readonly payload: Uint8Array;
  /** payload bytes present in the frame (fewer than payload.length when the frame was truncated) */
  readonly present: number;
  readonly stream: L7Stream | undefined;
}

export interface L7SegmentResult {
  /** refused: the segment is dropped or reset; else it passes */
  readonly outcome: 'pass' | 'audit' | 'unparseable-pass' | 'refused' | 'refused-unparseable';
  readonly stream: L7Stream;
  readonly counts: readonly L7Count[];
}

const u32 = (n: number) => n >>> 0;

/** Judges one segment; `stream` is the state before it. */
export function judgeL7Segment(s: L7SegmentInput): L7SegmentResult {
  const judge = L7_PROTOCOLS[s.protocol].judge;
  const window = s.settings.window;
  let start = u32(s.seq);
  let before: L7Stream = s.stream ?? { next: 0, known: false };
  if (s.flags.includes('S')) {
    start = u32(start + 1);
    before = { next: start, known: true };
  }
  const counts: L7Count[] = [];
  let refused = 0;
  let blind = false;
  let audited = false;
  let after: L7Stream = before;
  const plen = s.payload.length;
  if (plen > 0) {
    const delta = u32(before.next - start);
    if (!before.known || (delta | 0) < 0) blind = true;
    else if (delta < plen) {
      let pos = delta;
      let known = true;
      let done = false;
      for (let i = 0; i < L7_PIPELINE && !done && pos < plen; i++) {
        const n = Math.min(plen - pos, window);
        // the datapath copies n bytes from the frame: a truncated frame cannot be read
        const j = pos + n > s.present ? ({ kind: 'cannot-see', reason: 'truncated' } as const) : judge(s.matches, s.payload.subarray(pos), window);
        if (j.kind === 'cannot-see') {
          blind = true;
          done = true;
          break;
        }
        if (j.kind === 'no-match') {
          counts.push({ slot: NO_RULE, allowed: false });
          if (s.audit) audited = true;
          else {
            refused = 1;
            done = true;
            break;
          }
        } else counts.push({ slot: s.names[j.rule] ?? `#${j.rule}`, allowed: true });
        if (j.next === 0 || j.next > 0x7fffffff) {
          known = false;
          done = true;
        } else pos += j.next;
      }
      if (!done && pos < plen) blind = true;
      after = { next: u32(start + pos), known };
    }
  }
  if (blind && refused === 0) {
    const allow = s.settings.unparseable === 'allow';
    counts.push({ slot: CANNOT_SEE, allowed: allow || s.audit });
    if (!allow) {
      if (s.audit) audited = true;
      else refused = 2;
    }
  }
  if (refused !== 0) return { outcome: refused === 2 ? 'refused-unparseable' : 'refused', stream: before, counts };
  return {
    outcome: audited ? 'audit' : blind ? 'unparseable-pass' : 'pass',
    stream: blind ? { next: after.next, known: false } : after,
    counts,
  };
}
