import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../compiler/dsl/policy-error.ts';
import { httpRuleFromCilium } from '../../../compiler/l7/http-cilium.ts';
import { normaliseHttpRule } from '../../../compiler/l7/http-rules.ts';

const convert = (node: unknown) => httpRuleFromCilium(node, 'cnp rule1 ingress 0 port 80 http 0');

describe('httpRuleFromCilium', () => {
  // the examples of Cilium's documentation (Layer 7 policies, the Star Wars demo)
  it('converts the documentation examples', () => {
    expect(convert({ method: 'POST', path: '/v1/request-landing' })).toEqual({ method: 'POST', path: '/v1/request-landing' });
    expect(convert({ method: 'GET', path: '/public' })).toEqual({ method: 'GET', path: '/public' });
    expect(convert({ method: 'GET', path: '/path1$' })).toEqual({ method: 'GET', path: '/path1' });
    expect(convert({ method: 'PUT', path: '/path2$', headers: ['X-My-Header: true'] })).toEqual({ method: 'PUT', path: '/path2', headers: ['X-My-Header: true'] });
  });

  it('reduces method alternatives to a set and .* to any method', () => {
    expect(convert({ method: 'GET|HEAD' })).toEqual({ method: ['GET', 'HEAD'] });
    expect(convert({ method: '^(GET|HEAD)$' })).toEqual({ method: ['GET', 'HEAD'] });
    expect(convert({ method: '.*' })).toEqual({});
  });

  it('reduces paths to exact strings, prefixes and one-segment globs', () => {
    expect(convert({ path: '/api/.*' })).toEqual({ path: '/api/*' });
    expect(convert({ path: '/file\\.txt' })).toEqual({ path: '/file.txt' });
    expect(convert({ path: '/a/[^/]+/b' })).toEqual({ path: '/a/*/b' });
    expect(convert({ path: '/a/[^/]+/.*' })).toEqual({ path: '/a/*/*' });
    expect(normaliseHttpRule(convert({ path: '/a/[^/]+/b' }), 'r').path).toEqual({ kind: 'glob', parts: ['/a/', '/b'], rest: false });
    expect(normaliseHttpRule(convert({ path: '/api/.*' }), 'r').path).toEqual({ kind: 'prefix', value: '/api/' });
  });

  it('reduces hosts to exact names and *.suffix', () => {
    expect(convert({ host: 'api\\.example\\.com' })).toEqual({ host: 'api.example.com' });
    expect(convert({ host: '.*\\.example\\.com' })).toEqual({ host: '*.example.com' });
    expect(convert({ host: '^.+\\.example\\.com$' })).toEqual({ host: '*.example.com' });
  });

  const cannot: [string, Record<string, unknown>, RegExp][] = [
    ['an unescaped dot in a host', { host: 'foo.bar.com' }, /http host "foo.bar.com" cannot be expressed: \. at 3 \(any character; write \\\. for a dot\)/],
    ['a character class in a path', { path: '/v[0-9]/x' }, /http path .* cannot be expressed/],
    ['a segment that may be empty', { path: '/a/[^/]*/b' }, /http path .* cannot be expressed: \[\^\/\]\* at 3 may be empty/],
    ['a segment inside a name', { path: '/a[^/]+/b' }, /must be a whole segment/],
    ['a last segment with nothing after', { path: '/a/[^/]+' }, /a last segment/],
    ['a one-or-more prefix', { path: '/a/.+' }, /http path .* cannot be expressed/],
    ['a method with a quantifier', { method: 'GE+T' }, /http method "GE\+T" cannot be expressed/],
    ['a relative path', { path: 'api/.*' }, /does not start with \//],
  ];
  it.each(cannot)('refuses %s, saying which field cannot be expressed', (_name, node, message) => {
    expect(() => convert(node)).toThrow(PolicyError);
    expect(() => convert(node)).toThrow(message);
  });

  it('says headerMatches is not supported yet, and refuses unknown fields and non-strings', () => {
    expect(() => convert({ headerMatches: [{ name: 'X', value: 'y' }] })).toThrow(/headerMatches is not supported yet/);
    expect(() => convert({ paths: '/x' })).toThrow(/unknown field paths/);
    expect(() => convert({ method: 1 })).toThrow(/http method: expected a string/);
    expect(() => convert({ headers: 'X-A' })).toThrow(/http headers: expected a list/);
    expect(() => convert('GET')).toThrow(/expected a mapping/);
  });
});
