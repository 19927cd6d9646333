// A program that did not load: either the kernel's verifier rejected it (`rejected`, with the verifier's
// reason, the instruction and its C source line) or it could not be put to the kernel at all (`not-loadable`:
// unknown program type, missing attach target, unsupported relocation, a map it needs failed, …).
//
//   load program xdp_fw (section xdp): instruction 12: invalid access to packet, off=14 size=4
//     at xdp_firewall.c:31: if (ip->protocol == IPPROTO_TCP)
import { VerifierError } from '../sys/index.ts';

export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

export interface ProgramLoadErrorOptions {
  readonly program: string;
  readonly section: string;
  readonly verdict: 'rejected' | 'not-loadable';
  readonly reason: string;
  readonly insn?: number | undefined;
  readonly source?: SourcePosition | undefined;
  readonly cause?: unknown;
}

export class ProgramLoadError extends Error {
  readonly program: string;
  readonly section: string;
  /** `rejected`: PROG_LOAD failed with a verifier log; `not-loadable`: anything else */
  readonly verdict: 'rejected' | 'not-loadable';
  /** the kernel's reason (last meaningful log line) or why the program could not be loaded */
  readonly reason: string;
  /** the instruction (slot index) the verifier's reason concerns */
  readonly insn: number | undefined;
  /** the source line of that instruction, from line info */
  readonly source: SourcePosition | undefined;
  /** the verifier log (empty when not rejected by the verifier) */
  readonly log: readonly string[];

  constructor(options: ProgramLoadErrorOptions) {
    const where = options.insn === undefined ? '' : `instruction ${options.insn}: `;
    const src = options.source;
    const at = src === undefined ? '' : `\n  at ${src.file}:${src.line}: ${src.text.trim()}`;
    super(
      `load program ${options.program} (section ${options.section}): ${where}${options.reason}${at}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'ProgramLoadError';
    this.program = options.program;
    this.section = options.section;
    this.verdict = options.verdict;
    this.reason = options.reason;
    this.insn = options.insn;
    this.source = src;
    this.log = options.cause instanceof VerifierError ? options.cause.log : [];
  }

  /** The last `n` lines of the verifier log. */
  logTail(n = 20): readonly string[] {
    return this.log.slice(-n);
  }
}

/** A map that exists (pinned, or given by fd) but does not match the object's definition. */
export class MapCompatibilityError extends TypeError {
  readonly map: string;
  readonly differences: readonly string[];
  constructor(map: string, source: string, differences: readonly string[]) {
    super(`map ${map}: cannot reuse ${source}: ${differences.join(', ')}`);
    this.name = 'MapCompatibilityError';
    this.map = map;
    this.differences = differences;
  }
}
