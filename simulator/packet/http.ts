// HTTP/1.x requests as payload bytes (RFC 9112): a request line, header fields and an optional body,
// and a lenient parser for what L7 policies look at (method, path, version, headers, body).
//
//   GET /index.html HTTP/1.1\r\n
//   Host: example.com\r\n
//   \r\n

export interface HttpRequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly version?: string;
  /** In order; a record or name/value pairs (repeated names allowed). */
  readonly headers?: Readonly<Record<string, string>> | readonly (readonly [string, string])[];
  readonly body?: Uint8Array | string;
  /** Add `Content-Length` for a body when no such header is given (true by default). */
  readonly contentLength?: boolean;
}

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly version: string;
  readonly headers: readonly (readonly [string, string])[];
  /** The body bytes present (up to Content-Length when there is one). */
  readonly body: Uint8Array;
  /** Bytes of the request line and header section, the blank line included. */
  readonly headerLength: number;
  /** The whole body is present (per Content-Length, or the last chunk of a chunked body). */
  readonly complete: boolean;
}

export interface ParsedHttpRequest {
  readonly request?: HttpRequest;
  readonly errors: readonly string[];
}

const encoder = new TextEncoder();

function headerPairs(headers: HttpRequestOptions['headers']): (readonly [string, string])[] {
  if (headers === undefined) return [];
  return Array.isArray(headers) ? [...(headers as readonly (readonly [string, string])[])] : Object.entries(headers);
}

/**
 * The bytes of an HTTP/1.x request.
 *
 * @example
 * http.request({ method: 'POST', path: '/api', headers: { Host: 'svc' }, body: '{}' })
 */
function request(options: HttpRequestOptions = {}): Uint8Array {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/';
  const version = options.version ?? 'HTTP/1.1';
  if (/[\s]/.test(method) || method === '') throw new SyntaxError(`http request: bad method '${method}'`);
  if (/[\s]/.test(path)) throw new SyntaxError(`http request: path '${path}' contains white space`);
  const body = typeof options.body === 'string' ? encoder.encode(options.body) : (options.body ?? new Uint8Array(0));
  const headers = headerPairs(options.headers);
  for (const [name, value] of headers) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new SyntaxError(`http request: bad header name '${name}'`);
    if (/[\r\n]/.test(value)) throw new SyntaxError(`http request: header ${name}: value contains a line break`);
  }
  const hasLength = headers.some(([n]) => /^(content-length|transfer-encoding)$/i.test(n));
  if (options.body !== undefined && options.contentLength !== false && !hasLength) headers.push(['Content-Length', String(body.length)]);
  const head = `${method} ${path} ${version}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  const headBytes = encoder.encode(head);
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes);
  out.set(body, headBytes.length);
  return out;
}

export const http = { request } as const;

/** Finds the end of the header section: CRLF CRLF (or, leniently, LF LF). Returns the body's offset. */
function headerEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0x0a && bytes[i + 1] === 0x0a) return i + 2;
    if (bytes[i] === 0x0a && bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/**
 * Parses an HTTP/1.x request at the start of `bytes`. Never throws: a request that cannot be read has no
 * `request` and says why in `errors`; a body cut short gives `complete: false`.
 */
export function parseHttpRequest(bytes: Uint8Array): ParsedHttpRequest {
  const errors: string[] = [];
  const end = headerEnd(bytes);
  if (end < 0) return { errors: ['http: no end of the header section (blank line)'] };
  const text = new TextDecoder('latin1').decode(bytes.subarray(0, end));
  const lines = text.split(/\r?\n/).slice(0, -2);
  const first = lines.shift() ?? '';
  const m = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\S+) (HTTP\/\d\.\d)$/.exec(first);
  if (m === null) return { errors: [`http: bad request line '${first.slice(0, 80)}'`] };
  const headers: [string, string][] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
      errors.push(`http: bad header line '${line.slice(0, 80)}'`);
      continue;
    }
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  const find = (name: string): string | undefined => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  const rest = bytes.subarray(end);
  let body = rest;
  let complete = true;
  const length = find('content-length');
  if (/chunked/i.test(find('transfer-encoding') ?? '')) {
    complete = /(^|\r\n)0(;[^\r\n]*)?\r\n(.*\r\n)*\r\n$/.test(new TextDecoder('latin1').decode(rest));
  } else if (length !== undefined) {
    if (!/^\d+$/.test(length)) {
      errors.push(`http: bad content-length '${length}'`);
    } else {
      const n = Number(length);
      body = rest.subarray(0, n);
      complete = rest.length >= n;
    }
  }
  return {
    request: { method: m[1]!, path: m[2]!, version: m[3]!, headers, body: body.slice(), headerLength: end, complete },
    errors,
  };
}
