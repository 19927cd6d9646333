// The one error type of the assemblers and the test-case parser: a SyntaxError that knows where it happened.

/**
 * Malformed assembly (or `.data` test case) text, with the 1-based line and column it was found at.
 *
 * @example
 * assemble('r11 = 1') // throws AsmSyntaxError: line 1, column 1: expected an instruction, found 'r11'
 */
export class AsmSyntaxError extends SyntaxError {
  readonly line: number;
  readonly column: number;
  /** the message without the `line L, column C: ` prefix */
  readonly reason: string;
  constructor(line: number, column: number, reason: string, options?: ErrorOptions) {
    super(`line ${line}, column ${column}: ${reason}`, options);
    this.name = 'AsmSyntaxError';
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}
