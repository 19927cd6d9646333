// The reference judge of HTTP/1.x requests: what the datapath must conclude about the request at the start of a
// TCP payload, written from the protocol (RFC 9112) and the rules below, not from the generated C.
//
// Only the first min(window, payload.length) bytes are looked at. The request:
//   request-line = method SP target SP "HTTP/1.0" | "HTTP/1.1" CRLF
//   header-line  = name ":" value CRLF          (at most httpMaxHeaderLines(window) - 1 of them)
//   blank line   = CRLF
// What the matcher reads, and what it cannot see (the policy's `unparseable` setting decides those):
// - lines end at CRLF; an LF without the CR before it, no CRLF, or no blank line inside the window: cannot see
// - the method is everything before the first blank, 1 to 15 bytes (no blank in the first 16 bytes: cannot see)
// - the target is everything between that blank and the " HTTP/1.x" ending the line; it must start with `/`
//   (absolute-form `http://host/...`, authority-form and `*` targets: cannot see, since a server may route
//   them by the authority rather than by Host). The path compared is the whole target, query included.
// - a header line belongs to name N when it starts with N and ":" (names case-insensitive, no blank before
//   ":"); the first line of a name is the one judged (later ones are ignored), except Content-Length: twice =
//   cannot see. Any Transfer-Encoding header: cannot see (chunked bodies have no length up front).
// - header values lose up to 3 blanks (SP, HTAB) at each end; a Content-Length must then be 1 to 9 digits
// - the host is the Host value without a ":port" of up to 5 digits, compared case-insensitively
// - `next` = bytes up to and including the blank line + Content-Length (0 without one)
// - paths compare case-sensitively: exact, prefix, or glob (an inner * is one or more bytes other than `/`)
// A rule matches when every field it gives holds; the first matching rule (lowest index) is the verdict.
import type { L7Judgement } from './judgement.ts';
import type { HttpMatch, HttpPathMatch } from './http-rules.ts';

const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;

/** Lines the matcher reads after the request line, the blank line included: window / 32, at least 4 (8 for
 * 256 bytes: a request of 7 headers averaging 32 bytes fills the window anyway). */
export function httpMaxHeaderLines(window: number): number {
  return Math.max(4, Math.floor(window / 32));
}

/** A parsed request: what the rules are judged on. */
export interface HttpRequestView {
  readonly method: Uint8Array;
  readonly target: Uint8Array;
  /** the Host without port, or undefined without a Host header */
  readonly host: Uint8Array | undefined;
  /** the first line of each header name (lower-case): its trimmed value */
  readonly headers: ReadonlyMap<string, Uint8Array>;
  readonly next: number;
}

const lower = (c: number) => (c >= 65 && c <= 90 ? c | 0x20 : c);
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

function trim(v: Uint8Array): Uint8Array {
  let a = 0;
  let b = v.length;
  for (let k = 0; k < 3 && a < b && (v[a] === SP || v[a] === HTAB); k++) a++;
  for (let k = 0; k < 3 && b > a && (v[b - 1] === SP || v[b - 1] === HTAB); k++) b--;
  return v.subarray(a, b);
}

/** The line's name (lower-case, before the first ":") or undefined when it has no ":". */
function headerName(line: Uint8Array): string | undefined {
  const colon = line.indexOf(58);
  return colon < 0 ? undefined : latin1(line.subarray(0, colon).map(lower));
}

/** Parses the request at the start of `payload`, or says why it cannot. */
export function parseHttpRequest(payload: Uint8Array, window: number): HttpRequestView | { cannotSee: string } {
  const bytes = payload.subarray(0, Math.min(window, payload.length));
  let p = 0;
  /** the next line [p, end) or a reason */
  const nextLine = (): Uint8Array | string => {
    const lf = bytes.indexOf(LF, p);
    if (lf < 0) return 'no line end inside the window';
    if (lf === p || bytes[lf - 1] !== CR) return 'a line ends with LF without CR';
    const line = bytes.subarray(p, lf - 1);
    p = lf + 1;
    return line;
  };
  const first = nextLine();
  if (typeof first === 'string') return { cannotSee: first };
  const sp = bytes.subarray(0, 16).indexOf(SP);
  if (sp < 1) return { cannotSee: 'no method of 1 to 15 bytes before a blank' };
  if (sp >= first.length) return { cannotSee: 'no blank in the request line' };
  const version = latin1(first.subarray(first.length - 9));
  if (first.length < sp + 11 || (version !== ' HTTP/1.0' && version !== ' HTTP/1.1')) return { cannotSee: 'not an HTTP/1.0 or HTTP/1.1 request line' };
  const target = first.subarray(sp + 1, first.length - 9);
  if (target[0] !== 47) return { cannotSee: 'the target is not a path (absolute-form, authority-form or *)' };
  const headers = new Map<string, Uint8Array>();
  let contentLength: Uint8Array | undefined;
  let end = -1;
  const lines = httpMaxHeaderLines(window);
  for (let t = 0; t < lines; t++) {
    const line = nextLine();
    if (typeof line === 'string') return { cannotSee: line };
    if (line.length === 0) {
      end = p;
      break;
    }
    const name = headerName(line);
    if (name === undefined) continue;
    const value = trim(line.subarray(name.length + 1));
    if (name === 'transfer-encoding') return { cannotSee: 'transfer-encoding (a chunked body)' };
    if (name === 'content-length') {
      if (contentLength !== undefined) return { cannotSee: 'content-length twice' };
      contentLength = value;
    }
    if (!headers.has(name)) headers.set(name, value);
  }
  if (end < 0) return { cannotSee: `more than ${lines - 1} header lines` };
  let length = 0;
  if (contentLength !== undefined) {
    if (!/^[0-9]{1,9}$/.test(latin1(contentLength))) return { cannotSee: 'content-length is not 1 to 9 digits' };
    length = Number(latin1(contentLength));
  }
  const hostValue = headers.get('host');
  return { method: first.subarray(0, sp), target, host: hostValue === undefined ? undefined : stripPort(hostValue), headers, next: end + length };
}

/** `example.com:8080` → `example.com`: a ":" followed by at most 5 digits up to the end. */
function stripPort(v: Uint8Array): Uint8Array {
  for (let j = 1; j <= 6 && j <= v.length; j++) {
    const c = v[v.length - j]!;
    if (c === 58) return v.subarray(0, v.length - j);
    if (c < 48 || c > 57) break;
  }
  return v;
}

function equalsFolded(a: Uint8Array, s: string): boolean {
  if (a.length !== s.length) return false;
  for (let i = 0; i < a.length; i++) if (lower(a[i]!) !== s.charCodeAt(i)) return false;
  return true;
}

export function pathMatches(path: HttpPathMatch, target: string): boolean {
  if (path.kind === 'exact') return target === path.value;
  if (path.kind === 'prefix') return target.startsWith(path.value);
  // glob: each inner * is one or more bytes other than '/'
  let at = 0;
  for (let i = 0; i < path.parts.length; i++) {
    const part = path.parts[i]!;
    if (i > 0) {
      const slash = target.indexOf('/', at);
      const segEnd = part === '' ? (slash < 0 ? target.length : slash) : slash;
      if (segEnd < 0 || segEnd === at) return false;
      at = segEnd;
    }
    if (!target.startsWith(part, at)) return false;
    at += part.length;
  }
  return path.rest || at === target.length;
}

function ruleMatches(rule: HttpMatch, r: HttpRequestView): boolean {
  if (rule.methods !== undefined && !rule.methods.includes(latin1(r.method))) return false;
  if (rule.path !== undefined && !pathMatches(rule.path, latin1(r.target))) return false;
  if (rule.host !== undefined) {
    if (r.host === undefined) return false;
    const v = rule.host.value;
    if (rule.host.kind === 'exact' && !equalsFolded(r.host, v)) return false;
    if (rule.host.kind === 'suffix' && !(r.host.length > v.length && equalsFolded(r.host.subarray(r.host.length - v.length), v))) return false;
  }
  for (const h of rule.headers) {
    const v = r.headers.get(h.name);
    if (v === undefined) return false;
    if (h.value !== undefined && latin1(v) !== h.value) return false;
  }
  return true;
}

export function judgeHttp(rules: readonly HttpMatch[], payload: Uint8Array, window: number): L7Judgement {
  const r = parseHttpRequest(payload, window);
  if ('cannotSee' in r) return { kind: 'cannot-see', reason: r.cannotSee };
  const rule = rules.findIndex((x) => ruleMatches(x, r));
  return rule < 0 ? { kind: 'no-match', next: r.next } : { kind: 'match', rule, next: r.next };
}
