// fast-check arbitraries of HTTP/1.x request payloads for the model-based tests of the HTTP matcher: requests
// built from the rules (their methods, paths, hosts, headers, matching and just missing), and the odd cases a
// datapath meets: header names in any case and order, blanks around values, ports on hosts, long paths,
// keep-alive pipelined pairs, truncated requests, chunked bodies, absolute-form targets, bare LF.
import fc from 'fast-check';
import type { HttpMatch } from '../../../compiler/l7/http-rules.ts';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** a string in random letter case */
const anyCase = (s: string) =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => Array.from(s, (c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const segment = fc.stringMatching(/^[a-z0-9._-]{1,12}$/);
const blanks = fc.constantFrom('', '', '', ' ', '  ', '\t', ' \t ', '    ');

function methodArb(rules: readonly HttpMatch[]): fc.Arbitrary<string> {
  const fromRules = rules.flatMap((r) => r.methods ?? []);
  const others = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'get', 'PROPFIND', 'ABCDEFGHIJKLMNOP', 'G'];
  return fc.oneof(fc.constantFrom(...(fromRules.length > 0 ? fromRules : others)), fc.constantFrom(...others));
}

function pathArb(rules: readonly HttpMatch[]): fc.Arbitrary<string> {
  const variants: fc.Arbitrary<string>[] = [fc.array(segment, { maxLength: 4 }).map((s) => `/${s.join('/')}`)];
  for (const r of rules) {
    const p = r.path;
    if (p === undefined) continue;
    if (p.kind === 'exact') variants.push(fc.constantFrom(p.value, p.value.slice(0, -1), `${p.value}/`, `${p.value}?q=1`));
    else if (p.kind === 'prefix') variants.push(segment.map((s) => `${p.value}${s}`), fc.constantFrom(p.value, p.value.slice(0, -1)));
    else {
      variants.push(
        fc.tuple(fc.array(segment, { minLength: p.parts.length, maxLength: p.parts.length }), segment).map(([segs, tail]) => {
          const core = p.parts.map((part, i) => (i === 0 ? part : `${segs[i]}${part}`)).join('');
          return p.rest ? `${core}${tail}` : core;
        }),
        fc.constantFrom(p.parts.join(''), p.parts.join('x/y')),
      );
    }
  }
  // long paths reach past the window
  const long = fc.integer({ min: 40, max: 300 }).map((n) => `/${'a'.repeat(n)}`);
  return fc.oneof({ weight: 8, arbitrary: fc.oneof(...variants) }, { weight: 1, arbitrary: long });
}

function hostArb(rules: readonly HttpMatch[]): fc.Arbitrary<string> {
  const names = ['example.com', 'api.example.org', 'localhost', '[::1]'];
  const variants: fc.Arbitrary<string>[] = [fc.constantFrom(...names)];
  for (const r of rules) {
    const h = r.host;
    if (h === undefined) continue;
    if (h.kind === 'exact') variants.push(fc.constantFrom(h.value, `x${h.value}`, h.value.slice(1)).chain(anyCase));
    else variants.push(segment.map((s) => `${s}${h.value}`).chain(anyCase), fc.constant(h.value.slice(1)), fc.constant(h.value));
  }
  const port = fc.constantFrom('', '', ':80', ':8080', ':65535', ':123456', ':', ':x1');
  return fc.tuple(fc.oneof(...variants), port).map(([h, p]) => `${h}${p}`);
}

interface HeaderLine {
  readonly name: string;
  readonly value: string;
}

function headerArb(rules: readonly HttpMatch[]): fc.Arbitrary<HeaderLine> {
  const ruleHeaders = rules.flatMap((r) => r.headers);
  const variants: fc.Arbitrary<HeaderLine>[] = [
    fc.record({ name: fc.constantFrom('User-Agent', 'Accept', 'X-Other', 'Cookie'), value: fc.stringMatching(/^[ -~]{0,30}$/) }),
    fc.record({ name: anyCase('host'), value: hostArb(rules) }),
    fc.record({ name: fc.constantFrom('X', 'Hostname', 'Content-Lengths'), value: fc.constantFrom('1', 'a') }),
  ];
  for (const h of ruleHeaders) {
    const values = h.value === undefined ? ['', 'yes', '1'] : [h.value, `${h.value}x`, h.value.slice(1), h.value.toUpperCase()];
    variants.push(fc.record({ name: anyCase(h.name), value: fc.constantFrom(...values) }));
  }
  return fc.tuple(fc.oneof(...variants), blanks, blanks).map(([h, a, b]) => ({ name: h.name, value: `${a}${h.value}${b}` }));
}

/** One request: its bytes (header block and body). */
function requestArb(rules: readonly HttpMatch[]): fc.Arbitrary<Uint8Array> {
  const body = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ headers: [] as HeaderLine[], bytes: '' }) },
    {
      weight: 8,
      arbitrary: fc
        .integer({ min: 0, max: 40 })
        .chain((n) => fc.tuple(anyCase('content-length'), blanks, blanks).map(([name, a, b]) => ({ headers: [{ name, value: `${a}${n}${b}` }], bytes: 'b'.repeat(n) }))),
    },
    { weight: 1, arbitrary: fc.constant({ headers: [{ name: 'Transfer-Encoding', value: ' chunked' }], bytes: '5\r\nhello\r\n0\r\n\r\n' }) },
    { weight: 1, arbitrary: fc.constantFrom('-1', '1234567890', '', '0x10', '12 3').map((v) => ({ headers: [{ name: 'Content-Length', value: ` ${v}` }], bytes: '' })) },
    { weight: 1, arbitrary: fc.constant({ headers: [{ name: 'Content-Length', value: ' 2' }, { name: 'content-length', value: ' 2' }], bytes: 'xx' }) },
  );
  const target = fc.oneof({ weight: 12, arbitrary: pathArb(rules) }, { weight: 1, arbitrary: fc.constantFrom('http://example.com/public/a', '*', 'example.com:443') });
  const version = fc.oneof({ weight: 20, arbitrary: fc.constantFrom('HTTP/1.1', 'HTTP/1.0') }, { weight: 1, arbitrary: fc.constantFrom('HTTP/2.0', 'HTTP/1.1 ', 'HTTP/1.2') });
  const eol = fc.oneof({ weight: 30, arbitrary: fc.constant('\r\n') }, { weight: 1, arbitrary: fc.constant('\n') });
  return fc
    .record({
      method: methodArb(rules),
      sep: fc.oneof({ weight: 30, arbitrary: fc.constant(' ') }, { weight: 1, arbitrary: fc.constant('  ') }),
      target,
      version,
      headers: fc.oneof({ weight: 6, arbitrary: fc.array(headerArb(rules), { maxLength: 5 }) }, { weight: 1, arbitrary: fc.array(headerArb(rules), { maxLength: 9 }) }),
      body,
      eol,
      colonBlank: fc.boolean(),
    })
    .chain((r) =>
      fc.shuffledSubarray([...r.headers, ...r.body.headers], { minLength: r.headers.length + r.body.headers.length }).map((headers) => {
        const lines = [`${r.method}${r.sep}${r.target} ${r.version}`, ...headers.map((h) => `${h.name}:${r.colonBlank ? ' ' : ''}${h.value}`)];
        const eols = lines.map((_, i) => (i === lines.length - 1 ? r.eol : '\r\n'));
        return enc(`${lines.map((l, i) => l + eols[i]).join('')}\r\n${r.body.bytes}`);
      }),
    );
}

/** A short request built for one rule (its first method, a path it accepts, its host and headers). */
function matching(rules: readonly HttpMatch[]): fc.Arbitrary<Uint8Array> {
  if (rules.length === 0) return fc.constant(enc('GET / HTTP/1.1\r\n\r\n'));
  return fc.tuple(fc.integer({ min: 0, max: rules.length - 1 }), segment, fc.boolean()).map(([i, seg, keep]) => {
    const r = rules[i]!;
    const p = r.path;
    const path =
      p === undefined ? `/${seg}` : p.kind === 'exact' ? p.value : p.kind === 'prefix' ? `${p.value}${seg}` : p.parts.map((x, k) => (k === 0 ? x : `${seg}${x}`)).join('') + (p.rest ? seg : '');
    const host = r.host === undefined ? 'example.net' : r.host.kind === 'exact' ? r.host.value : `${seg}${r.host.value}`;
    const headers = r.headers.map((h) => `${h.name}: ${h.value ?? 'on'}\r\n`).join('');
    const drop = keep ? '' : 'X-Dropped: 1\r\n';
    return enc(`${r.methods?.[0] ?? 'GET'} ${path} HTTP/1.1\r\nHost: ${host}\r\n${headers}${drop}\r\n`);
  });
}

/**
 * A TCP payload starting with a request: one request, a keep-alive pipelined pair, a request truncated
 * anywhere, or random bytes.
 */
export function arbitraryHttpRequest(rules: readonly HttpMatch[]): fc.Arbitrary<Uint8Array> {
  const one = requestArb(rules);
  return fc.oneof(
    { weight: 10, arbitrary: one },
    { weight: 3, arbitrary: fc.tuple(one, one).map(([a, b]) => concat([a, b])) },
    { weight: 1, arbitrary: one.chain((a) => fc.integer({ min: 0, max: a.length }).map((n) => a.subarray(0, n))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }) },
    // the rules' own hosts and headers, with nothing else: the matches
    { weight: 4, arbitrary: matching(rules) },
  );
}
