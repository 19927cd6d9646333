// Exit codes shared by every command: 0 success, 1 the input was judged and failed, 2 usage or unreadable input.
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** An error the CLI prints as one readable line (no stack trace) before exiting with `code`. */
export class CliError extends Error {
  readonly code: number;
  constructor(message: string, code: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }
}
