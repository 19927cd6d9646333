import { describe, expect, it } from 'vitest';
import { httpMaxHeaderLines, judgeHttp, pathMatches } from '../../../compiler/l7/http-judge.ts';
import { normaliseHttpRule } from '../../../compiler/l7/http-rules.ts';

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const rules = [
  normaliseHttpRule({ method: 'GET', path: '/public/*' }, 'r0'),
  normaliseHttpRule({ method: ['PUT', 'POST'], path: '/v1/items', headers: ['X-Token: abc'] }, 'r1'),
  normaliseHttpRule({ host: '*.example.com', headers: ['X-Debug'] }, 'r2'),
  normaliseHttpRule({ host: 'api.example.org', method: 'DELETE' }, 'r3'),
];
const judge = (s: string, window = 256) => judgeHttp(rules, enc(s), window);

describe('judgeHttp', () => {
  it('matches the first rule that holds and says where the next request starts', () => {
    const get = 'GET /public/a.css HTTP/1.1\r\nHost: x\r\n\r\n';
    expect(judge(get)).toEqual({ kind: 'match', rule: 0, next: get.length });
    const put = 'PUT /v1/items HTTP/1.1\r\nx-token: abc\r\nContent-Length: 5\r\n\r\nhello';
    expect(judge(put)).toEqual({ kind: 'match', rule: 1, next: put.length });
    expect(judge('GET /private HTTP/1.1\r\n\r\n')).toEqual({ kind: 'no-match', next: 25 });
  });

  it('compares header names case-insensitively and values exactly after trimming blanks', () => {
    expect(judge('POST /v1/items HTTP/1.0\r\nX-TOKEN:\t abc \r\n\r\n')).toMatchObject({ kind: 'match', rule: 1 });
    expect(judge('POST /v1/items HTTP/1.0\r\nX-Token: ABC\r\n\r\n')).toMatchObject({ kind: 'no-match' });
    // the first line of a name is the one judged
    expect(judge('POST /v1/items HTTP/1.0\r\nX-Token: no\r\nX-Token: abc\r\n\r\n')).toMatchObject({ kind: 'no-match' });
  });

  it('compares hosts case-insensitively without the port', () => {
    expect(judge('OPTIONS / HTTP/1.1\r\nhost: WWW.Example.COM:8443\r\nx-debug: 1\r\n\r\n')).toMatchObject({ kind: 'match', rule: 2 });
    expect(judge('DELETE /x HTTP/1.1\r\nHost: api.example.org\r\n\r\n')).toMatchObject({ kind: 'match', rule: 3 });
    // the suffix needs a byte before it; a port of 6 digits is not a port
    expect(judge('OPTIONS / HTTP/1.1\r\nHost: .example.com\r\nX-Debug: 1\r\n\r\n')).toMatchObject({ kind: 'no-match' });
    expect(judge('DELETE /x HTTP/1.1\r\nHost: api.example.org:123456\r\n\r\n')).toMatchObject({ kind: 'no-match' });
  });

  it('judges the path on the whole target, query included', () => {
    expect(judge('PUT /v1/items?x=1 HTTP/1.1\r\nX-Token: abc\r\n\r\n')).toMatchObject({ kind: 'no-match' });
    expect(pathMatches({ kind: 'glob', parts: ['/a/', '/b'], rest: false }, '/a/x/b')).toBe(true);
    expect(pathMatches({ kind: 'glob', parts: ['/a/', '/b'], rest: false }, '/a//b')).toBe(false);
    expect(pathMatches({ kind: 'glob', parts: ['/a/', '/b'], rest: false }, '/a/x/y/b')).toBe(false);
    expect(pathMatches({ kind: 'glob', parts: ['/a/', '/b/'], rest: true }, '/a/x/b/c/d')).toBe(true);
    expect(pathMatches({ kind: 'glob', parts: ['/a/', ''], rest: true }, '/a/x')).toBe(true);
  });

  const cannot: [string, string, RegExp][] = [
    ['a request line without its end', 'GET /public/a HTTP/1.1', /no line end/],
    ['headers without the blank line', 'GET /public/a HTTP/1.1\r\nHost: x\r\n', /no line end/],
    ['a bare LF', 'GET /public/a HTTP/1.1\nHost: x\r\n\r\n', /LF without CR/],
    ['HTTP/2', 'GET /public/a HTTP/2.0\r\n\r\n', /not an HTTP\/1.0 or HTTP\/1.1/],
    ['an absolute-form target', 'GET http://x/public/a HTTP/1.1\r\n\r\n', /not a path/],
    ['a method of 16 bytes', 'ABCDEFGHIJKLMNOP /public/a HTTP/1.1\r\n\r\n', /no method/],
    ['a chunked body', 'POST /v1/items HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', /transfer-encoding/],
    ['two content lengths', 'POST /x HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nx', /content-length twice/],
    ['a content length of 10 digits', 'POST /x HTTP/1.1\r\nContent-Length: 1234567890\r\n\r\n', /1 to 9 digits/],
  ];
  it.each(cannot)('cannot see %s', (_name, s, reason) => {
    const j = judge(s);
    expect(j.kind).toBe('cannot-see');
    expect(j.kind === 'cannot-see' && j.reason).toMatch(reason);
  });

  it('looks only at the window and at most window/32 header lines', () => {
    const get = `GET /public/${'a'.repeat(100)} HTTP/1.1\r\n\r\n`;
    expect(judge(get, 128)).toMatchObject({ kind: 'match', rule: 0 });
    expect(judge(get, 64)).toMatchObject({ kind: 'cannot-see' });
    expect(httpMaxHeaderLines(256)).toBe(8);
    const lines = (n: number) => `GET /public/a HTTP/1.1\r\n${'A: 1\r\n'.repeat(n)}\r\n`;
    expect(judge(lines(7))).toMatchObject({ kind: 'match', rule: 0 });
    expect(judge(lines(8))).toMatchObject({ kind: 'cannot-see', reason: 'more than 7 header lines' });
  });

  it('judges the first of two pipelined requests and points at the second', () => {
    const a = 'GET /public/a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc';
    const b = 'DELETE /x HTTP/1.1\r\nHost: api.example.org\r\n\r\n';
    const j = judge(a + b);
    expect(j).toEqual({ kind: 'match', rule: 0, next: a.length });
    expect(judgeHttp(rules, enc(a + b).subarray(a.length), 256)).toMatchObject({ kind: 'match', rule: 3 });
  });
});
