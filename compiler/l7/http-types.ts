// HTTP/1.x rules as users write them on a port (`ports: [{ port: 80, http: [...] }]`). A request passes when any
// rule of its port matches; every field given must hold. Matched in BPF within the policy's window (docs/l7.md).
import type { SourcePosition } from '../dsl/source-position.ts';

/** A required header: `'X-Token'` (present) or `'X-Token: abc'` (present with exactly this value). Header names
 * compare case-insensitively, values exactly (after trimming surrounding blanks). */
export type HttpHeaderInput = string | { readonly name: string; readonly value?: string };

export interface HttpRuleInput {
  /** exact method (`GET`), or a set of them; absent = any */
  readonly method?: string | readonly string[];
  // `/exact`, `/prefix/*` (a trailing `*` = any rest), `/a/*/b` (an inner `*` = one segment without `/`)
  readonly path?: string;
  /** `exact.example` or `*.suffix.example` (case-insensitive, port ignored) */
  readonly host?: string;
  readonly headers?: readonly HttpHeaderInput[];
  readonly at?: SourcePosition;
}
