import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { http, packet, parseHttpRequest, parsePacket } from '../../../simulator/packet/index.ts';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('http', () => {
  it('request() writes the request line, headers in order and Content-Length for a body', () => {
    expect(text(http.request({ method: 'POST', path: '/api/v1', headers: { Host: 'svc', 'X-Id': '7' }, body: '{"a":1}' }))).toBe(
      'POST /api/v1 HTTP/1.1\r\nHost: svc\r\nX-Id: 7\r\nContent-Length: 7\r\n\r\n{"a":1}',
    );
    expect(text(http.request())).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(text(http.request({ version: 'HTTP/1.0', headers: [['A', '1'], ['A', '2']] }))).toBe('GET / HTTP/1.0\r\nA: 1\r\nA: 2\r\n\r\n');
  });

  it('request() refuses header injection and bad tokens', () => {
    expect(() => http.request({ headers: { X: 'a\r\nB: c' } })).toThrow(/line break/);
    expect(() => http.request({ method: 'GE T' })).toThrow(SyntaxError);
    expect(() => http.request({ headers: { 'Bad Name': 'x' } })).toThrow(/bad header name/);
  });

  it('parseHttpRequest reads back what request() wrote (fast-check)', () => {
    const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
    fc.assert(
      fc.property(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
        fc.stringMatching(/^\/[A-Za-z0-9/_.?=&-]{0,30}$/),
        fc.array(fc.tuple(token, fc.stringMatching(/^[ -~]{0,20}$/).map((s) => s.trim())), { maxLength: 5 }),
        fc.uint8Array({ maxLength: 100 }),
        (method, path, headers, body) => {
          const parsed = parseHttpRequest(http.request({ method, path, headers: headers.filter(([n]) => !/^(content-length|transfer-encoding)$/i.test(n)), body }));
          expect(parsed.errors).toEqual([]);
          expect(parsed.request).toMatchObject({ method, path, version: 'HTTP/1.1', complete: true });
          expect(parsed.request?.body).toEqual(body);
        },
      ),
    );
  });

  it('parseHttpRequest reports incomplete bodies and unreadable requests without throwing', () => {
    const req = http.request({ method: 'PUT', body: 'abcdef' });
    expect(parseHttpRequest(req.subarray(0, req.length - 2)).request?.complete).toBe(false);
    expect(parseHttpRequest(new TextEncoder().encode('GET /')).errors).toEqual(['http: no end of the header section (blank line)']);
    expect(parseHttpRequest(new TextEncoder().encode('NOT A REQUEST\r\n\r\n')).errors[0]).toMatch(/bad request line/);
    const chunked = new TextEncoder().encode('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    expect(parseHttpRequest(chunked).request?.complete).toBe(true);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => void parseHttpRequest(b)));
  });

  it('rides in a TCP segment and comes back out of parsePacket', () => {
    const bytes = packet.eth().ipv4().tcp({ dport: 80, flags: ['psh', 'ack'] }).payload(http.request({ path: '/admin', headers: { Host: 'x' } })).build();
    const p = parsePacket(bytes);
    expect(p.tcp?.valid).toBe(true);
    expect(parseHttpRequest(p.payload).request).toMatchObject({ method: 'GET', path: '/admin', headers: [['Host', 'x']] });
  });
});
