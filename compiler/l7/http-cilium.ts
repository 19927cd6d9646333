// A Cilium `rules.http[]` entry (CiliumNetworkPolicy YAML) → HttpRuleInput. Cilium's method, path and host are
// POSIX extended regular expressions matched against the whole value; the BPF matcher compares exact strings,
// prefixes and one-segment globs, so only the expressions that reduce to those are accepted:
//   method  GET | GET|HEAD | (GET|HEAD) | .*                 → exact method, set of methods, any
//   path    /v1/items | /a\.b | /public/.* | /a/[^/]+/b      → exact, prefix (/public/*), glob (/a/*/b)
//   host    api\.example\.com | .*\.example\.com             → exact, *.example.com
// `^` and `$` around an expression are accepted (full match is implied). Two narrowings: `.*\.example\.com`
// needs at least one byte before the dot here, and hosts compare case-insensitively (DNS names do). Anything else is a PolicyError saying
// which field cannot be expressed. `headers` are "Name" or "Name: value" strings, as ours; `headerMatches`
// (values from secrets, mismatch actions) is not supported yet.
import { PolicyError } from '../dsl/policy-error.ts';
import type { HttpRuleInput } from './http-types.ts';

const FIELDS = ['method', 'path', 'host', 'headers', 'headerMatches'];
/** characters a regular expression gives a meaning to; `\` before one of these (or `/`, `-`) is a literal */
const META = '.[]()*+?{}|^$\\';

function cannot(where: string, field: string, value: string, why: string): never {
  throw new PolicyError(`${where}: http ${field} ${JSON.stringify(value)} cannot be expressed: ${why}`, undefined);
}

/** Drops one leading `^` and one trailing unescaped `$`. */
function unanchor(re: string): string {
  let s = re.startsWith('^') ? re.slice(1) : re;
  if (s.endsWith('$') && !s.endsWith('\\$')) s = s.slice(0, -1);
  return s;
}

/**
 * Reads `re` as literal text with a few allowed constructs; `special(rest)` may consume a construct at the
 * current position (returning its replacement text and length) or return undefined.
 */
function literal(re: string, where: string, field: string, original: string, special: (rest: string, at: number) => [string, number] | undefined): string {
  let out = '';
  for (let i = 0; i < re.length; ) {
    const sp = special(re.slice(i), i);
    if (sp !== undefined) {
      out += sp[0];
      i += sp[1];
      continue;
    }
    const c = re[i]!;
    if (c === '\\') {
      const next = re[i + 1];
      if (next === undefined || !(META.includes(next) || next === '/' || next === '-')) cannot(where, field, original, `\\${next ?? ''} is not a literal character`);
      out += next;
      i += 2;
      continue;
    }
    if (META.includes(c)) {
      const hint = c === '.' ? ' (any character; write \\. for a dot)' : '';
      cannot(where, field, original, `${c} at ${i}${hint} is not an exact string, a prefix .* or a segment [^/]+`);
    }
    out += c;
    i++;
  }
  return out;
}

function methods(value: string, where: string): string | string[] | undefined {
  let re = unanchor(value);
  if (re === '.*') return undefined;
  if (re.startsWith('(') && re.endsWith(')')) re = re.slice(1, -1);
  const alternatives = re.split('|').map((a) => literal(a, where, 'method', value, () => undefined));
  if (alternatives.some((a) => a === '')) cannot(where, 'method', value, 'an empty alternative');
  return alternatives.length === 1 ? alternatives[0]! : alternatives;
}

function path(value: string, where: string): string | undefined {
  const re = unanchor(value);
  if (re === '.*') return undefined;
  const rest = re.endsWith('.*') && !re.endsWith('\\.*');
  const body = rest ? re.slice(0, -2) : re;
  const out = literal(body, where, 'path', value, (tail, at) => {
    if (tail.startsWith('[^/]+')) {
      // a whole segment: a slash before it, and a slash, the final .* or nothing after it
      const after = body.slice(at + 5);
      if (after === '' && !rest) cannot(where, 'path', value, 'a last segment [^/]+ without .* after it (a trailing * means any rest here)');
      if (!body.slice(0, at).endsWith('/') || !(after.startsWith('/') || (after === '' && rest))) {
        cannot(where, 'path', value, `[^/]+ at ${at} must be a whole segment between slashes (/a/[^/]+/b)`);
      }
      return ['*', 5];
    }
    if (tail.startsWith('[^/]*')) cannot(where, 'path', value, `[^/]* at ${at} may be empty; only a non-empty segment [^/]+ can`);
    if (tail.startsWith('\\*')) cannot(where, 'path', value, 'a literal * (a path * is a wildcard here)');
    return undefined;
  });
  if (!out.startsWith('/')) cannot(where, 'path', value, 'it does not start with /');
  return rest ? `${out}*` : out;
}

function host(value: string, where: string): string | undefined {
  const re = unanchor(value);
  if (re === '.*') return undefined;
  const suffix = re.startsWith('.*\\.') || re.startsWith('.+\\.');
  const name = literal(suffix ? re.slice(4) : re, where, 'host', value, () => undefined);
  if (!/^[A-Za-z0-9.-]+$/.test(name)) cannot(where, 'host', value, 'not a host name');
  return suffix ? `*.${name}` : name;
}

/** Cilium's `rules.http[]` entry → our rule input (validated again by normaliseHttpRule). */
export function httpRuleFromCilium(node: unknown, where: string): HttpRuleInput {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) throw new PolicyError(`${where}: http: expected a mapping (method, path, host, headers)`, undefined);
  const n = node as Record<string, unknown>;
  for (const key of Object.keys(n)) {
    if (!FIELDS.includes(key)) throw new PolicyError(`${where}: http: unknown field ${key} (fields: ${FIELDS.join(', ')})`, undefined);
  }
  const str = (field: string): string | undefined => {
    const v = n[field];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new PolicyError(`${where}: http ${field}: expected a string (a regular expression)`, undefined);
    return v;
  };
  if (Array.isArray(n['headerMatches']) ? n['headerMatches'].length > 0 : n['headerMatches'] !== undefined && n['headerMatches'] !== null) {
    throw new PolicyError(`${where}: http headerMatches is not supported yet (use headers: ["Name: value"])`, undefined);
  }
  const out: { -readonly [K in keyof HttpRuleInput]: HttpRuleInput[K] } = {};
  const m = str('method');
  if (m !== undefined) {
    const v = methods(m, where);
    if (v !== undefined) out.method = v;
  }
  const p = str('path');
  if (p !== undefined) {
    const v = path(p, where);
    if (v !== undefined) out.path = v;
  }
  const h = str('host');
  if (h !== undefined) {
    const v = host(h, where);
    if (v !== undefined) out.host = v;
  }
  const headers = n['headers'];
  if (headers !== undefined && headers !== null) {
    if (!Array.isArray(headers) || headers.some((x) => typeof x !== 'string')) throw new PolicyError(`${where}: http headers: expected a list of "Name" or "Name: value" strings`, undefined);
    if (headers.length > 0) out.headers = headers as string[];
  }
  return out;
}
