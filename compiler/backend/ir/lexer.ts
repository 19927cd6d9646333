// Tokens of LLVM textual IR. Follows LLVM's own lexer where it matters: an identifier, number or quoted
// string directly followed by `:` is a label token (block labels and metadata field names alike).

export type TokenKind =
  | 'local' // %x, %0, %"a b"            text: the name without %
  | 'global' // @x, @0, @"a b"           text: the name without @
  | 'metaref' // !12                     text: "12"
  | 'metaname' // !dbg, !DILocation, !llvm.dbg.cu   text: the name without !
  | 'metastring' // !"text"             text: the unescaped string
  | 'bang' // ! before {
  | 'attrgroup' // #0                    text: "0"
  | 'record' // #dbg_value               text: "dbg_value"
  | 'int' // 42, -7                       text: as written
  | 'float' // 1.5e+00, 0x3FF0000000000000, 0xK...
  | 'string' // "text"                   text: the unescaped string (escapes are bytes, decoded as UTF-8)
  | 'cstring' // c"GPL\00"               text: the unescaped bytes as latin-1
  | 'word' // keywords, types (i32), DW_TAG_x, x
  | 'label' // entry:, 12:, line:        text: without the colon
  | 'punct' // = , ( ) [ ] { } < > * | ... :
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
  /** Offsets in the source, for slicing raw text. */
  readonly start: number;
  readonly end: number;
}

const IDENT_START = /[-a-zA-Z$._]/;
const IDENT_CHAR = /[-a-zA-Z$._0-9]/;

/** Splits `text` into tokens. Throws a SyntaxError naming line:column on an invalid character. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;

  const fail = (msg: string, at: number): never => {
    throw new SyntaxError(`ir ${line}:${at - lineStart + 1}: ${msg}`);
  };
  const push = (kind: TokenKind, tokenText: string, start: number, end: number) => {
    // quoted text is unescaped byte by byte; names and strings are UTF-8 (c"..." stays bytes)
    const t = kind !== 'cstring' && text[start] !== undefined && /["%@!]/.test(text[start]!) && /[\x80-\xff]/.test(tokenText) ? utf8(tokenText) : tokenText;
    tokens.push({ kind, text: t, line, column: start - lineStart + 1, start, end });
  };
  const readIdent = (from: number): number => {
    let j = from;
    while (j < n && IDENT_CHAR.test(text[j]!)) j++;
    return j;
  };
  // A quoted string starting at text[from] === '"'; returns [unescaped, end offset].
  const readQuoted = (from: number): [string, number] => {
    let j = from + 1;
    let out = '';
    while (j < n && text[j] !== '"') {
      const c = text[j]!;
      if (c === '\n') fail('unterminated string', from);
      if (c === '\\') {
        if (text[j + 1] === '\\') {
          out += '\\';
          j += 2;
          continue;
        }
        const hex = text.slice(j + 1, j + 3);
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16));
          j += 3;
          continue;
        }
        out += c;
        j++;
        continue;
      }
      out += c;
      j++;
    }
    if (j >= n) fail('unterminated string', from);
    return [out, j + 1];
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === ';') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (c === '%' || c === '@') {
      const kind = c === '%' ? 'local' : 'global';
      if (text[i + 1] === '"') {
        const [s, end] = readQuoted(i + 1);
        push(kind, s, start, end);
        i = end;
      } else {
        const end = readIdent(i + 1);
        if (end === i + 1) fail(`expected a name after '${c}'`, i);
        push(kind, text.slice(i + 1, end), start, end);
        i = end;
      }
      continue;
    }
    if (c === '!') {
      const d = text[i + 1];
      if (d === '"') {
        const [s, end] = readQuoted(i + 1);
        push('metastring', s, start, end);
        i = end;
      } else if (d !== undefined && /[0-9]/.test(d)) {
        let end = i + 1;
        while (end < n && /[0-9]/.test(text[end]!)) end++;
        push('metaref', text.slice(i + 1, end), start, end);
        i = end;
      } else if (d !== undefined && /[-a-zA-Z$._\\]/.test(d)) {
        const end = readIdent(i + 1);
        push('metaname', text.slice(i + 1, end), start, end);
        i = end;
      } else {
        push('bang', '!', start, i + 1);
        i++;
      }
      continue;
    }
    if (c === '#') {
      const d = text[i + 1];
      if (d !== undefined && /[0-9]/.test(d)) {
        let end = i + 1;
        while (end < n && /[0-9]/.test(text[end]!)) end++;
        push('attrgroup', text.slice(i + 1, end), start, end);
        i = end;
      } else {
        const end = readIdent(i + 1);
        if (end === i + 1) fail("expected a record or attribute group after '#'", i);
        push('record', text.slice(i + 1, end), start, end);
        i = end;
      }
      continue;
    }
    if (c === '"') {
      const [s, end] = readQuoted(i);
      if (text[end] === ':') {
        push('label', s, start, end + 1);
        i = end + 1;
      } else {
        push('string', s, start, end);
        i = end;
      }
      continue;
    }
    if (c === 'c' && text[i + 1] === '"') {
      const [s, end] = readQuoted(i + 1);
      push('cstring', s, start, end);
      i = end;
      continue;
    }
    if (c === '.' && text.startsWith('...', i)) {
      push('punct', '...', start, i + 3);
      i += 3;
      continue;
    }
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      // hex floats: 0x3FF0..., 0xK..., 0xH..., 0xR...
      if (c === '0' && text[i + 1] === 'x') {
        let end = i + 2;
        if (/[KLMHR]/.test(text[end] ?? '')) end++;
        while (end < n && /[0-9a-fA-F]/.test(text[end]!)) end++;
        push('float', text.slice(i, end), start, end);
        i = end;
        continue;
      }
      let end = i + 1;
      while (end < n && /[0-9]/.test(text[end]!)) end++;
      let isFloat = false;
      if (text[end] === '.' && /[0-9]/.test(text[end + 1] ?? '')) {
        isFloat = true;
        end++;
        while (end < n && /[0-9]/.test(text[end]!)) end++;
      }
      if ((text[end] === 'e' || text[end] === 'E') && /[-+0-9]/.test(text[end + 1] ?? '')) {
        isFloat = true;
        end += 2;
        while (end < n && /[0-9]/.test(text[end]!)) end++;
      }
      if (!isFloat && text[end] === ':' && c !== '-') {
        push('label', text.slice(i, end), start, end + 1);
        i = end + 1;
        continue;
      }
      // an identifier that starts with digits (a label like `5.split:`) is read as a word
      if (!isFloat && end < n && IDENT_START.test(text[end]!) && text[end] !== '-') {
        const wend = readIdent(end);
        if (text[wend] === ':') {
          push('label', text.slice(i, wend), start, wend + 1);
          i = wend + 1;
          continue;
        }
      }
      push(isFloat ? 'float' : 'int', text.slice(i, end), start, end);
      i = end;
      continue;
    }
    if (IDENT_START.test(c)) {
      const end = readIdent(i);
      if (text[end] === ':') {
        push('label', text.slice(i, end), start, end + 1);
        i = end + 1;
      } else {
        push('word', text.slice(i, end), start, end);
        i = end;
      }
      continue;
    }
    if ('=,()[]{}<>*|:'.includes(c)) {
      push('punct', c, start, i + 1);
      i++;
      continue;
    }
    fail(`unexpected character '${c}'`, i);
  }
  tokens.push({ kind: 'eof', text: '', line, column: i - lineStart + 1, start: i, end: i });
  return tokens;
}

/** A string of byte values (one char per byte) decoded as UTF-8. */
function utf8(latin1: string): string {
  const bytes = new Uint8Array(latin1.length);
  for (let i = 0; i < latin1.length; i++) bytes[i] = latin1.charCodeAt(i) & 0xff;
  return new TextDecoder().decode(bytes);
}
