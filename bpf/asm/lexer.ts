// Internal: splits one line of assembly into tokens, and a cursor to read them with errors that point at a column.
//
// Shared by both syntaxes. A word is an identifier, a register (`r1`, `w1`, `%r1`) or a mnemonic; a number is
// decimal or `0x` hex, without sign (the parser reads `-` and `+`); everything else is punctuation, longest match
// first (`s>>=` before `s>`, `<<=` before `<=`). `#`, `//` and `;` start a comment that runs to the end of the line.
import { AsmSyntaxError } from './asm-syntax-error.ts';

export type TokenKind = 'word' | 'number' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based */
  readonly column: number;
}

// Longest first. The `s`-prefixed operators are llvm's signed comparisons and signed arithmetic.
const PUNCT = [
  's>>=',
  '<<=',
  '>>=',
  's>=',
  's<=',
  's/=',
  's%=',
  's>',
  's<',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '==',
  '!=',
  '>=',
  '<=',
  '<<',
  '>>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '<',
  '>',
  '=',
  '(',
  ')',
  '[',
  ']',
  ',',
  ':',
  '!',
];

const isWordStart = (c: string): boolean => /[A-Za-z_.$]/.test(c);
const isWordChar = (c: string): boolean => /[A-Za-z0-9_.$]/.test(c);

/** Tokens of `text` (one line), with columns counted from 1; `line` is only for errors. */
export function tokenize(text: string, line: number): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#' || c === ';' || text.startsWith('//', i)) break;
    const column = i + 1;
    // `s>` and friends, but not the start of a word such as `skb` or `s8`
    const signedOp = c === 's' && !isWordChar(text[i + 1] ?? ' ') && (i === 0 || !isWordChar(text[i - 1]!));
    const percentWord = c === '%' && isWordStart(text[i + 1] ?? ' ');
    if (!percentWord && (signedOp || !isWordStart(c))) {
      const op = PUNCT.find((p) => text.startsWith(p, i));
      if (op !== undefined && (op[0] !== 's' || signedOp)) {
        out.push({ kind: 'punct', text: op, column });
        i += op.length;
        continue;
      }
    }
    if (isWordStart(c) || percentWord) {
      let j = i + 1;
      while (j < text.length && isWordChar(text[j]!)) j++;
      out.push({ kind: 'word', text: text.slice(i, j), column });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]+)/.exec(text.slice(i))!;
      let j = i + m[0].length;
      if (j < text.length && isWordChar(text[j]!)) {
        while (j < text.length && isWordChar(text[j]!)) j++;
        throw new AsmSyntaxError(line, column, `malformed number '${text.slice(i, j)}'`);
      }
      out.push({ kind: 'number', text: m[0], column });
      i = j;
      continue;
    }
    throw new AsmSyntaxError(line, column, `unexpected character '${c}'`);
  }
  return out;
}

/** Reads the tokens of one line front to back; every `expect…` names what it wanted when it fails. */
export class Cursor {
  readonly line: number;
  readonly tokens: readonly Token[];
  /** column just past the last token, for "found end of line" errors */
  readonly endColumn: number;
  #pos = 0;

  constructor(tokens: readonly Token[], line: number, endColumn: number) {
    this.tokens = tokens;
    this.line = line;
    this.endColumn = endColumn;
  }

  get position(): number {
    return this.#pos;
  }

  set position(p: number) {
    this.#pos = p;
  }

  peek(ahead = 0): Token | undefined {
    return this.tokens[this.#pos + ahead];
  }

  atEnd(): boolean {
    return this.#pos >= this.tokens.length;
  }

  next(): Token | undefined {
    const t = this.tokens[this.#pos];
    if (t !== undefined) this.#pos++;
    return t;
  }

  /** Whether the next token is the punctuation or word `text` (words compared case-insensitively). */
  is(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    if (t === undefined) return false;
    return t.kind === 'word' ? t.text.toLowerCase() === text : t.text === text;
  }

  /** Consume `text` if it is next. */
  accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.#pos++;
    return true;
  }

  expect(text: string, what = `'${text}'`): Token {
    if (!this.is(text)) this.fail(what);
    return this.next()!;
  }

  expectEnd(): void {
    if (!this.atEnd()) this.fail('end of line');
  }

  /** An error at the next token (or the end of the line): `expected WHAT, found 'TOKEN'`. */
  fail(what: string, at: Token | undefined = this.peek()): never {
    throw this.error(`expected ${what}, found ${describe(at)}`, at);
  }

  error(reason: string, at: Token | undefined = this.peek()): AsmSyntaxError {
    return new AsmSyntaxError(this.line, at?.column ?? this.endColumn, reason);
  }
}

const describe = (t: Token | undefined): string => (t === undefined ? 'end of line' : `'${t.text}'`);

/** A cursor over `text`, or undefined for a line with nothing but blanks and comments. */
export function cursorFor(text: string, line: number): Cursor | undefined {
  const tokens = tokenize(text, line);
  if (tokens.length === 0) return undefined;
  const last = tokens[tokens.length - 1]!;
  return new Cursor(tokens, line, last.column + last.text.length);
}
