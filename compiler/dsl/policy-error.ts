// Errors and warnings about a policy, carrying the user's file and line.
import { formatPosition, type SourcePosition } from './source-position.ts';

/** An invalid policy; the message starts with `file:line:` when the position is known. */
export class PolicyError extends RangeError {
  readonly at: SourcePosition | undefined;
  constructor(message: string, at: SourcePosition | undefined, options?: ErrorOptions) {
    super(at === undefined ? message : `${formatPosition(at)}: ${message}`, options);
    this.name = 'PolicyError';
    this.at = at;
  }
}

export interface PolicyWarning {
  readonly message: string;
  readonly at?: SourcePosition;
}

export function formatWarning(w: PolicyWarning): string {
  return w.at === undefined ? w.message : `${formatPosition(w.at)}: ${w.message}`;
}
