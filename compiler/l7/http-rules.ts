// HttpRuleInput → HttpMatch: validated, normalised, JSON-safe matcher data for the reference judge and the C
// generator. Methods upper-case as written (HTTP methods are case-sensitive), hosts lower-case (DNS names are
// not), header names lower-case, paths as written.
import { PolicyError } from '../dsl/policy-error.ts';
import type { SourcePosition } from '../dsl/source-position.ts';
import type { HttpHeaderInput, HttpRuleInput } from './http-types.ts';

/**
 * A request path matcher. `exact`: the request target equals `value`; `prefix`: it starts with `value` (a rule
 * path ending in `*`); `glob`: `parts[0] seg parts[1] seg … parts[n-1]` where each `seg` is one or more bytes
 * other than `/`, followed by anything when `rest` (the rule path ended in `*`).
 */
export type HttpPathMatch =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'glob'; readonly parts: readonly string[]; readonly rest: boolean };

/** `exact`: the host equals `value`; `suffix`: it ends with `value` (which starts with `.`) after at least one byte. */
export interface HttpHostMatch {
  readonly kind: 'exact' | 'suffix';
  readonly value: string;
}

/** A required header: `name` lower-case; `value` absent = present with any value. */
export interface HttpHeaderMatch {
  readonly name: string;
  readonly value?: string;
}

export interface HttpMatch {
  /** for messages: `where` as given to normaliseHttpRule, and the rule's position in the policy file */
  readonly where: string;
  readonly at?: SourcePosition;
  /** absent = any method */
  readonly methods?: readonly string[];
  readonly path?: HttpPathMatch;
  readonly host?: HttpHostMatch;
  readonly headers: readonly HttpHeaderMatch[];
}

/** RFC 9110 token characters (methods and header names). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Bytes a path may hold: visible ASCII (no blanks, no controls, no `*` outside globs). */
const PATH_BYTES = /^[\x21-\x29\x2b-\x7e]*$/;
const HOST_LABELS = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** Header values compared exactly: visible ASCII and inner blanks. */
const VALUE_BYTES = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/;

/** Longest method the matcher reads (the request line's first blank must be within the first 16 bytes). */
export const HTTP_MAX_METHOD = 15;

function fail(where: string, field: string, why: string, at: HttpRuleInput['at']): never {
  throw new PolicyError(`${where}: http ${field}: ${why}`, at);
}

export function normaliseHttpRule(input: HttpRuleInput, where: string): HttpMatch {
  if (typeof input !== 'object' || input === null) fail(where, 'rule', 'expected an object', undefined);
  const at = input.at;
  for (const key of Object.keys(input)) {
    if (!['method', 'path', 'host', 'headers', 'at'].includes(key)) fail(where, key, 'unknown field (fields: method, path, host, headers)', at);
  }
  const out: { where: string; at?: SourcePosition; methods?: string[]; path?: HttpPathMatch; host?: HttpHostMatch; headers: HttpHeaderMatch[] } = { where, headers: [] };
  if (at !== undefined) out.at = at;
  if (input.method !== undefined) out.methods = normaliseMethods(input.method, where, at);
  if (input.path !== undefined) out.path = normalisePath(input.path, where, at);
  if (input.host !== undefined) out.host = normaliseHost(input.host, where, at);
  if (input.headers !== undefined) {
    if (!Array.isArray(input.headers)) fail(where, 'headers', 'expected a list', at);
    const seen = new Set<string>();
    for (const h of input.headers as readonly HttpHeaderInput[]) {
      const m = normaliseHeader(h, where, at);
      if (seen.has(m.name)) fail(where, 'headers', `header ${m.name} is required twice`, at);
      seen.add(m.name);
      out.headers.push(m);
    }
  }
  return out;
}

function normaliseMethods(method: string | readonly string[], where: string, at: HttpRuleInput['at']): string[] {
  const list = typeof method === 'string' ? [method] : Array.isArray(method) ? [...(method as readonly string[])] : undefined;
  if (list === undefined || list.length === 0) fail(where, 'method', 'expected a method or a non-empty list of methods', at);
  const out: string[] = [];
  for (const m of list) {
    if (typeof m !== 'string' || !TOKEN.test(m)) fail(where, 'method', `${JSON.stringify(m)} is not a method name`, at);
    if (m.length > HTTP_MAX_METHOD) fail(where, 'method', `${m} is longer than ${HTTP_MAX_METHOD} characters`, at);
    if (!out.includes(m)) out.push(m);
  }
  return out;
}

function normalisePath(path: string, where: string, at: HttpRuleInput['at']): HttpPathMatch {
  if (typeof path !== 'string' || !path.startsWith('/')) fail(where, 'path', `${JSON.stringify(path)} must start with /`, at);
  const rest = path.endsWith('*');
  const body = rest ? path.slice(0, -1) : path;
  const parts = body.split('*');
  for (const p of parts) {
    if (!PATH_BYTES.test(p)) fail(where, 'path', `${JSON.stringify(path)} holds a blank or control character`, at);
  }
  // an inner `*` is a whole segment: `/a/*/b`, not `/a*b`
  for (let i = 0; i < parts.length - 1; i++) {
    if (!parts[i]!.endsWith('/') || !(parts[i + 1]!.startsWith('/') || (i + 1 === parts.length - 1 && parts[i + 1] === '' && rest))) {
      fail(where, 'path', `${JSON.stringify(path)}: an inner * must be a whole segment (/a/*/b)`, at);
    }
  }
  if (parts.length === 1) return rest ? { kind: 'prefix', value: body } : { kind: 'exact', value: body };
  return { kind: 'glob', parts, rest };
}

function normaliseHost(host: string, where: string, at: HttpRuleInput['at']): HttpHostMatch {
  if (typeof host !== 'string') fail(where, 'host', 'expected a string', at);
  const h = host.toLowerCase();
  const suffix = h.startsWith('*.');
  const name = suffix ? h.slice(2) : h;
  if (!HOST_LABELS.test(name)) fail(where, 'host', `${JSON.stringify(host)} is not a host name or *.suffix`, at);
  return suffix ? { kind: 'suffix', value: `.${name}` } : { kind: 'exact', value: name };
}

function normaliseHeader(h: HttpHeaderInput, where: string, at: HttpRuleInput['at']): HttpHeaderMatch {
  let name: string;
  let value: string | undefined;
  if (typeof h === 'string') {
    const colon = h.indexOf(':');
    name = (colon < 0 ? h : h.slice(0, colon)).trim();
    if (colon >= 0) value = h.slice(colon + 1).trim();
  } else if (typeof h === 'object' && h !== null && typeof h.name === 'string') {
    name = h.name.trim();
    if (h.value !== undefined) {
      if (typeof h.value !== 'string') fail(where, 'headers', `header ${name}: the value must be a string`, at);
      value = h.value.trim();
    }
  } else fail(where, 'headers', `${JSON.stringify(h)} is not a header ("Name" or "Name: value")`, at);
  if (!TOKEN.test(name)) fail(where, 'headers', `${JSON.stringify(name)} is not a header name`, at);
  const lower = name.toLowerCase();
  // these steer the parser itself; a rule on them would be judged on what the matcher already rejects or strips
  if (['content-length', 'transfer-encoding', 'host'].includes(lower)) fail(where, 'headers', `${lower} cannot be required as a header (use host: for the host)`, at);
  if (value !== undefined && !VALUE_BYTES.test(value)) fail(where, 'headers', `header ${name}: the value must be visible ASCII, non-empty`, at);
  return value === undefined ? { name: lower } : { name: lower, value };
}
