import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../compiler/dsl/policy-error.ts';
import { normaliseHttpRule } from '../../../compiler/l7/http-rules.ts';
import type { HttpRuleInput } from '../../../compiler/l7/http-types.ts';

describe('normaliseHttpRule', () => {
  it('keeps a method, or a set of them without duplicates', () => {
    expect(normaliseHttpRule({ method: 'GET' }, 'r').methods).toEqual(['GET']);
    expect(normaliseHttpRule({ method: ['GET', 'HEAD', 'GET'] }, 'r').methods).toEqual(['GET', 'HEAD']);
    expect(normaliseHttpRule({}, 'r')).toEqual({ where: 'r', headers: [] });
  });

  it('reads a path as exact, prefix (trailing *) or glob (inner * segments)', () => {
    expect(normaliseHttpRule({ path: '/v1/items' }, 'r').path).toEqual({ kind: 'exact', value: '/v1/items' });
    expect(normaliseHttpRule({ path: '/public/*' }, 'r').path).toEqual({ kind: 'prefix', value: '/public/' });
    expect(normaliseHttpRule({ path: '/a/*/b' }, 'r').path).toEqual({ kind: 'glob', parts: ['/a/', '/b'], rest: false });
    expect(normaliseHttpRule({ path: '/a/*/b/*' }, 'r').path).toEqual({ kind: 'glob', parts: ['/a/', '/b/'], rest: true });
  });

  it('lower-cases hosts and reads *.suffix as a suffix with its dot', () => {
    expect(normaliseHttpRule({ host: 'API.Example.com' }, 'r').host).toEqual({ kind: 'exact', value: 'api.example.com' });
    expect(normaliseHttpRule({ host: '*.example.com' }, 'r').host).toEqual({ kind: 'suffix', value: '.example.com' });
  });

  it('lower-cases header names and trims values, from strings and objects', () => {
    const r = normaliseHttpRule({ headers: ['X-Token', 'X-Env:  prod ', { name: 'X-Id', value: 'a b' }] }, 'r');
    expect(r.headers).toEqual([{ name: 'x-token' }, { name: 'x-env', value: 'prod' }, { name: 'x-id', value: 'a b' }]);
  });

  it('keeps the source position for messages', () => {
    const at = { file: 'p.ts', line: 3, column: 1 };
    expect(normaliseHttpRule({ method: 'GET', at }, 'r').at).toEqual(at);
  });

  const bad: [string, HttpRuleInput, RegExp][] = [
    ['an empty method list', { method: [] }, /http method: expected a method/],
    ['a method with a blank', { method: 'GE T' }, /"GE T" is not a method name/],
    ['a method longer than 15 bytes', { method: 'ABCDEFGHIJKLMNOP' }, /longer than 15/],
    ['a path without a leading slash', { path: 'v1' }, /must start with \//],
    ['a path with a blank', { path: '/a b' }, /blank or control/],
    ['a star inside a segment', { path: '/a*b' }, /inner \* must be a whole segment/],
    ['a host with a port', { host: 'example.com:80' }, /not a host name/],
    ['a host wildcard in the middle', { host: 'a.*.com' }, /not a host name/],
    ['a required Content-Length', { headers: ['Content-Length'] }, /content-length cannot be required/],
    ['the same header twice', { headers: ['X-A', 'x-a: 1'] }, /x-a is required twice/],
    ['an unknown field', { methods: 'GET' } as unknown as HttpRuleInput, /unknown field/],
  ];
  it.each(bad)('refuses %s with a PolicyError naming the rule and field', (_name, input, message) => {
    expect(() => normaliseHttpRule(input, 'policy api rule 2')).toThrow(PolicyError);
    expect(() => normaliseHttpRule(input, 'policy api rule 2')).toThrow(message);
    expect(() => normaliseHttpRule(input, 'policy api rule 2')).toThrow(/^policy api rule 2: http /);
  });

  it('gives JSON-safe data', () => {
    const r = normaliseHttpRule({ method: ['GET'], path: '/a/*/b', host: '*.x.io', headers: ['A: 1'] }, 'r');
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});
