// HttpMatch rule sets → C: `http_judge(ruleset, w, len, next)`, pasted into the generated policy C after the
// includes. It implements the reference judge's reading of a request (http-judge.ts) over a window of
// L7_WINDOW bytes, for both verifier profiles from the same text:
// - seed (loops = false): every loop carries `#pragma unroll` over a constant bound, so no back-edges;
// - linux-6.18 (loops = true): the same loops stay loops (bounded by constants).
//
// How it stays small and verifiable without loops:
// 1. one pass over the window 8 bytes at a time marks the LF bytes in a bitmap (SWAR: no branch per byte);
// 2. the request line and at most httpMaxHeaderLines(window) more lines are then read in order, each line's end
//    taken as the lowest LF left in the bitmap (count trailing zeros through a de Bruijn table), each line start
//    compared as whole words against the header names of interest (Content-Length, Transfer-Encoding, Host,
//    the rules' headers), whose value positions are recorded;
// 3. values (Content-Length digits, Host without port, header values) are read once, and the rules compared as
//    words at the recorded offsets; inner * path segments (globs) end at the next '/' found in a second bitmap,
//    built in step 1 only when a rule has one.
// Everything that differs between paths through the code (positions, flags) goes through a per-CPU scratch map
// value and is read back with a volatile load, so the verifier sees unknown scalars at every join and prunes
// instead of exploring each combination (and seed's Spectre checks never see one pointer addition fed a
// constant on one path and a range on another). Variable offsets into `w` are masked or checked against
// constants first; those checks never change a verdict (a field that would not fit cannot be part of a complete
// header block inside the window).
// Instruction counts (clang-19 -O2, window 256): about 1,760 for the unrolled parser, plus 30 to 60 per rule and
// about 100 per header name the rules require; with loops about 700 in all. Seed programs get
// HTTP_SEED_BUDGET of their 4,096 (the policy datapath takes about 1,000).
import { PolicyError } from '../dsl/policy-error.ts';
import { httpMaxHeaderLines } from './http-judge.ts';
import type { HttpMatch } from './http-rules.ts';

export interface HttpMatcherOptions {
  /** L7_WINDOW: a power of two from 64 to 1024 */
  readonly window: number;
  /** true: bounded loops (linux-6.18); false: everything unrolled (seed) */
  readonly loops: boolean;
  /** instructions the unrolled matcher may take (default HTTP_SEED_BUDGET); the caller knows what its datapath leaves */
  readonly seedBudget?: number;
}

/** Instructions the HTTP matcher may take of a seed program (4096 in all, the rest is the policy datapath). */
export const HTTP_SEED_BUDGET = 2600;

/** 64-bit de Bruijn sequence B(2, 6): (bit * DEBRUIJN) >> 58 differs for each of the 64 single bits. */
const DEBRUIJN = 0x03f79d71b4ca8b09n;

/** The ctz table as 8 little-endian 64-bit words. */
function debruijnTable(): bigint[] {
  const table = new Array<number>(64);
  for (let i = 0n; i < 64n; i++) table[Number((((1n << i) * DEBRUIJN) & 0xffffffffffffffffn) >> 58n)] = Number(i);
  const words: bigint[] = [];
  for (let w = 0; w < 8; w++) {
    let v = 0n;
    for (let b = 7; b >= 0; b--) v = (v << 8n) | BigInt(table[w * 8 + b]!);
    words.push(v);
  }
  return words;
}

const enc = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}ULL`;

/**
 * A C condition: the `n` bytes at `w + off` (off a C expression, already known by the caller to satisfy
 * off + n <= L7_WINDOW) equal `bytes`; with `fold`, letters compare case-insensitively (the pattern is lower-case).
 * Words are read whole and may overlap: 8-byte words, the last one ending at off + n.
 */
export function cEqualAt(off: string, bytes: readonly number[], fold: boolean, fresh = false): string {
  const n = bytes.length;
  if (n === 0) return '1';
  const size = n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1;
  const type = { 8: '__u64', 4: '__u32', 2: '__u16', 1: '__u8' }[size];
  const starts: number[] = [];
  for (let s = 0; s + size <= n; s += size) starts.push(s);
  if (starts[starts.length - 1]! + size < n) starts.push(n - size);
  return starts
    .map((s) => {
      let pat = 0n;
      let or = 0n;
      for (let i = size - 1; i >= 0; i--) {
        const b = bytes[s + i]!;
        pat = (pat << 8n) | BigInt(b);
        or = (or << 8n) | (fold && b >= 97 && b <= 122 ? 0x20n : 0n);
      }
      const at = `*(${fresh ? 'volatile ' : ''}const ${type} *)(w + ${off}${s === 0 ? '' : ` + ${s}`})`;
      const lit = size === 8 ? hex64(pat) : `0x${pat.toString(16)}`;
      const orLit = size === 8 ? hex64(or) : `0x${or.toString(16)}`;
      return or === 0n ? `${at} == ${lit}` : `(${at} | ${orLit}) == ${lit}`;
    })
    .map((c) => `(${c})`)
    .join(' && ');
}

/** Header names the scan records: the parser's own three, then every rule header (lower-case). */
function trackedNames(rulesets: readonly { rules: readonly HttpMatch[] }[]): string[] {
  const names = ['content-length', 'transfer-encoding', 'host'];
  for (const rs of rulesets) for (const r of rs.rules) for (const h of r.headers) if (!names.includes(h.name)) names.push(h.name);
  return names;
}

export function generateHttpMatcherC(rulesets: readonly { id: number; rules: readonly HttpMatch[] }[], options: HttpMatcherOptions): string {
  const W = options.window;
  if (!Number.isInteger(W) || W < 64 || W > 1024 || (W & (W - 1)) !== 0) throw new RangeError(`http matcher: window ${W} is not a power of two from 64 to 1024`);
  const ids = rulesets.map((rs) => rs.id);
  if (ids.some((id) => !Number.isInteger(id) || id < 0 || id > 0xffffffff) || new Set(ids).size !== ids.length) {
    throw new RangeError(`http matcher: rule set ids must be distinct 32-bit unsigned integers (got ${ids.join(', ')})`);
  }
  const globs = rulesets.some((rs) => rs.rules.some((r) => r.path?.kind === 'glob'));
  if (!options.loops) checkSeedBudget(rulesets, W, options.seedBudget ?? HTTP_SEED_BUDGET);
  const names = trackedNames(rulesets);
  const lines = httpMaxHeaderLines(W);
  const loop = () => (options.loops ? '#pragma clang loop unroll(disable)' : '#pragma unroll');
  const valueHeaders = names.slice(3).filter((n) => rulesets.some((rs) => rs.rules.some((r) => r.headers.some((h) => h.name === n && h.value !== undefined))));
  const out: string[] = [];
  const emit = (...l: string[]) => out.push(...l);
  emit(
    `/* ---- HTTP/1.x matcher (tsbpf, issue 8): window ${W}, ${options.loops ? 'bounded loops' : 'unrolled (no loops)'} ---- */`,
    `#if L7_WINDOW != ${W}`,
    `#error "the HTTP matcher was generated for a window of ${W} bytes"`,
    '#endif',
    '/* a fresh read of a scratch field: the verifier sees an unknown scalar, never a constant some earlier test',
    '   implied on one path (seed refuses one pointer addition fed a constant on one path and a range on another) */',
    '#define HTTP_LOAD(f) (*(volatile __u32 *)&(f))',
    `#define HTTP_LINES ${lines} /* lines read after the request line, the blank one included */`,
    '',
    '/* per-CPU scratch: the LF bitmap and what the scan found (positions in w; 0 = not seen) */',
    'struct http_scratch {',
    '\t__u8 ctz[64]; /* bit positions by de Bruijn index */',
    '\t__u8 lf[L7_WINDOW / 8] __attribute__((aligned(8))); /* bit j of lf[k]: w[8k + j] is an LF not read yet */',
    ...(globs ? [`\t__u8 sl[${slashBytes(W)}] __attribute__((aligned(8))); /* bit j of sl[k]: w[8k + j] is '/'; zero slack for 8-byte reads */`] : []),
    '\t__u32 p;      /* start of the next line */',
    '\t__u32 ls;     /* start of the line being read */',
    '\t__u32 m;      /* the first blank: the method is w[0..m) */',
    '\t__u32 te;     /* the target is w[m + 1 .. te) */',
    '\t__u32 eoh;    /* bytes up to and including the blank line */',
    '\t__u32 bad;    /* cannot see */',
    '\t__u32 rs;     /* the rule set */',
    '\t__u32 tmp;    /* a value passed through memory (see HTTP_LOAD) */',
    ...names.map((n, i) => `\t__u32 h${i}s, h${i}e; /* ${n}: value start (after ":") and end (its CR) */`),
    '};',
    'struct {',
    '\t__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);',
    '\t__uint(max_entries, 1);',
    '\t__type(key, __u32);',
    '\t__type(value, struct http_scratch);',
    '} http_scratch SEC(".maps");',
    '',
    '/* count trailing zeros of x != 0: the lowest set bit times a de Bruijn sequence indexes a table that',
    '   http_judge writes into the scratch value (a table in .rodata would be global data, which seed forbids) */',
    'static __always_inline __u32 http_ctz(const struct http_scratch *st, __u64 x)',
    '{',
    `\treturn st->ctz[((x & -x) * ${hex64(DEBRUIJN)}) >> 58];`,
    '}',
    '',
    '/* takes the first LF left in the bitmap (lines are read in order, so it ends the line being read): its',
    '   position, or L7_WINDOW when none is left; laundered through the scratch value so that the paths through the',
    '   word search meet again in one verifier state */',
    'static __always_inline __u64 http_pop_lf(struct http_scratch *st)',
    '{',
    '\t__u64 x = 0, word = 0, r = L7_WINDOW;',
    '#pragma unroll',
    '\tfor (__u32 c = 0; c < L7_WINDOW / 64; c++) {',
    '\t\tif (x == 0) {',
    '\t\t\tx = *(const __u64 *)(st->lf + 8 * c);',
    '\t\t\tword = c;',
    '\t\t}',
    '\t}',
    '\tif (x != 0) {',
    '\t\tr = word * 64 + http_ctz(st, x);',
    '\t\tst->tmp = word; /* an unknown index to the verifier: seed refuses one pointer addition fed different constants */',
    '\t\t*(__u64 *)(st->lf + 8 * (HTTP_LOAD(st->tmp) & (L7_WINDOW / 64 - 1))) = x & (x - 1);',
    '\t}',
    '\tst->tmp = r;',
    '\treturn HTTP_LOAD(st->tmp);',
    '}',
    '',
    ...(globs ? nextSlashC(W) : []),
    '/* up to 3 blanks (SP, HTAB) off each end of the value w[*s..*e) (fields of the scratch value) */',
    'static __always_inline void http_trim(const __u8 *w, __u32 *s, __u32 *e)',
    '{',
    '\t__u64 a = HTTP_LOAD(*s), b = HTTP_LOAD(*e);',
    '#pragma unroll',
    '\tfor (int k = 0; k < 3; k++) {',
    '\t\t__u8 c = w[a & (L7_WINDOW - 1)];',
    '\t\tif (a < b && (c == 32 || c == 9))',
    '\t\t\ta++;',
    '\t}',
    '#pragma unroll',
    '\tfor (int k = 0; k < 3; k++) {',
    '\t\t__u8 c = w[(b - 1) & (L7_WINDOW - 1)];',
    '\t\tif (b > a && (c == 32 || c == 9))',
    '\t\t\tb--;',
    '\t}',
    '\t*s = a;',
    '\t*e = b;',
    '}',
    '',
    '/* returns 1 + the first matching rule, 0 when none matches (or the rule set is unknown), -1 when the request',
    '   cannot be read inside the window; *next = bytes from the request start to the next request */',
    'static __always_inline int http_judge(__u32 ruleset, const __u8 *w, __u32 len, __u32 *next)',
    '{',
    '\t__u32 zero = 0;',
    '\t*next = 0;',
    '\tswitch (ruleset) {',
    ...rulesets.map((rs) => `\tcase ${rs.id}:`),
    ...(rulesets.length > 0 ? ['\t\tbreak;'] : []),
    '\tdefault:',
    '\t\treturn 0;',
    '\t}',
    '\tstruct http_scratch *st = bpf_map_lookup_elem(&http_scratch, &zero);',
    '\tif (!st)',
    '\t\treturn -1;',
    '\t(void)len; /* bytes past len are zero: never LF, never part of a match */',
    '\tst->rs = ruleset;',
    ...names.map((_, i) => `\tst->h${i}s = 0;`),
    '\tst->bad = 0;',
    '\tst->eoh = 0;',
    ...debruijnTable().map((v, i) => `\t*(__u64 *)(st->ctz + ${8 * i}) = ${hex64(v)};`),
    '',
    '\t/* 1. the LF bitmap: per 8 bytes, 0x80 in each byte that was LF (an exact SWAR zero test: no borrow runs',
    '\t   between bytes), gathered into 8 bits by one multiplication */',
    loop(),
    `\tfor (__u32 k = 0; k < L7_WINDOW / 8; k++) {`,
    '\t\t__u64 v = *(const __u64 *)(w + 8 * k) ^ 0x0a0a0a0a0a0a0a0aULL;',
    '\t\t__u64 z = ~(((v & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL) | v) & 0x8080808080808080ULL;',
    '\t\t/* bit 8j + 7 times 2^(49 - 7j) lands on bit 56 + j; no two products share a bit, so nothing carries */',
    '\t\tst->lf[k] = (z * 0x0002040810204081ULL) >> 56;',
    ...(globs
      ? [
          '\t\tv = *(const __u64 *)(w + 8 * k) ^ 0x2f2f2f2f2f2f2f2fULL;',
          '\t\tz = ~(((v & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL) | v) & 0x8080808080808080ULL;',
          '\t\tst->sl[k] = (z * 0x0002040810204081ULL) >> 56;',
        ]
      : []),
    '\t}',
    '',
    '\t/* 2a. the request line: METHOD SP target SP HTTP/1.x CRLF, the method within the first 16 bytes */',
    '\t{',
    '\t\t__u64 lf = http_pop_lf(st);',
    '\t\tif (lf >= L7_WINDOW || lf < 12 || w[(HTTP_LOAD(st->tmp) - 1) & (L7_WINDOW - 1)] != 13)',
    '\t\t\treturn -1;',
    '\t\t__u64 v0 = *(const __u64 *)w ^ 0x2020202020202020ULL, v1 = *(const __u64 *)(w + 8) ^ 0x2020202020202020ULL;',
    '\t\tv0 = ~(((v0 & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL) | v0 | 0x7f7f7f7f7f7f7f7fULL);',
    '\t\tv1 = ~(((v1 & 0x7f7f7f7f7f7f7f7fULL) + 0x7f7f7f7f7f7f7f7fULL) | v1 | 0x7f7f7f7f7f7f7f7fULL);',
    '\t\tif ((v0 | v1) == 0)',
    '\t\t\treturn -1;',
    '\t\tst->m = v0 ? http_ctz(st, v0) >> 3 : 8 + (http_ctz(st, v1) >> 3);',
    '\t\tst->te = lf - 10;',
    '\t\tst->p = lf + 1;',
    '\t}',
    '\t{',
    '\t\t__u64 m = HTTP_LOAD(st->m), e0 = HTTP_LOAD(st->te) + 9;',
    '\t\tif (m == 0 || e0 < m + 11 || e0 >= L7_WINDOW)',
    '\t\t\treturn -1;',
    `\t\tif (!(${cEqualAt('e0 - 9', enc(' HTTP/1.'), false)}) || (w[e0 - 1] != '0' && w[e0 - 1] != '1'))`,
    '\t\t\treturn -1;',
    "\t\tif (w[(m + 1) & (L7_WINDOW - 1)] != '/')",
    '\t\t\treturn -1;',
    '\t}',
    '',
    '\t/* 2b. header lines up to the blank one: record the first line of each name of interest */',
    loop(),
    '\tfor (__u32 t = 0; t < HTTP_LINES; t++) {',
    '\t\t__u64 s = HTTP_LOAD(st->p);',
    '\t\t__u64 lf = http_pop_lf(st);',
    '\t\t/* lf again, unknown to clang: it would drop the mask below once it knows lf > s, and the verifier does',
    '\t\t   not learn lf >= 1 from that comparison */',
    '\t\t__u64 e = HTTP_LOAD(st->tmp) - 1;',
    '\t\tif (lf >= L7_WINDOW || lf <= s || w[e & (L7_WINDOW - 1)] != 13) {',
    '\t\t\tst->bad = 1;',
    '\t\t\tbreak;',
    '\t\t}',
    '\t\tst->p = lf + 1;',
    '\t\tst->ls = s; /* each name check reads it afresh: a run of range checks on one register could pin it to a constant */',
    '\t\tif (e == s) {',
    '\t\t\tst->eoh = lf + 1;',
    '\t\t\tbreak;',
    '\t\t}',
  );
  names.forEach((name, i) => {
    const pat = enc(`${name}:`);
    emit(
      `\t\tif (({ __u64 o = HTTP_LOAD(st->ls); o <= L7_WINDOW - ${pat.length} && ${cEqualAt('o', pat, true)}; })) { /* ${name} */`,
      i === 0 ? '\t\t\tif (st->h0s)\n\t\t\t\tst->bad = 1; /* content-length twice */' : i === 1 ? '\t\t\tst->bad = 1; /* transfer-encoding: a chunked body */' : `\t\t\tif (!st->h${i}s) {`,
      ...(i === 0 ? ['\t\t\tst->h0s = s + 15;', '\t\t\tst->h0e = e;'] : i === 1 ? [] : [`\t\t\t\tst->h${i}s = s + ${pat.length};`, `\t\t\t\tst->h${i}e = e;`, '\t\t\t}']),
      '\t\t}',
    );
  });
  emit(
    '\t}',
    '\tif (HTTP_LOAD(st->bad) || !HTTP_LOAD(st->eoh))',
    '\t\treturn -1;',
    '',
    '\t/* 3a. Content-Length: 1 to 9 digits once trimmed */',
    '\tst->tmp = 0;',
    '\tif (HTTP_LOAD(st->h0s)) {',
    '\t\thttp_trim(w, &st->h0s, &st->h0e);',
    '\t\t__u64 a = HTTP_LOAD(st->h0s), b = HTTP_LOAD(st->h0e), body = 0;',
    '\t\tif (b <= a || b - a > 9)',
    '\t\t\treturn -1;',
    '#pragma unroll',
    '\t\tfor (__u32 j = 0; j < 9; j++) {',
    '\t\t\tif (a + j < b) {',
    '\t\t\t\t__u64 d = (__u64)w[(a + j) & (L7_WINDOW - 1)] - 48;',
    '\t\t\t\tif (d > 9)',
    '\t\t\t\t\treturn -1;',
    '\t\t\t\tbody = body * 10 + d;',
    '\t\t\t}',
    '\t\t}',
    '\t\tst->tmp = body;',
    '\t}',
    '\t*next = HTTP_LOAD(st->eoh) + HTTP_LOAD(st->tmp);',
    '',
    '\t/* 3b. the host: trimmed, without a ":port" of up to 5 digits */',
    '\tif (HTTP_LOAD(st->h2s)) {',
    '\t\thttp_trim(w, &st->h2s, &st->h2e);',
    '\t\t__u64 a = HTTP_LOAD(st->h2s), b = HTTP_LOAD(st->h2e);',
    '\t\tst->tmp = b;',
    '#pragma unroll',
    '\t\tfor (__u32 j = 1; j <= 6; j++) {',
    '\t\t\tif (a + j > b)',
    '\t\t\t\tbreak;',
    '\t\t\t__u8 c = w[(b - j) & (L7_WINDOW - 1)];',
    "\t\t\tif (c == ':') {",
    '\t\t\t\tst->tmp = b - j;',
    '\t\t\t\tbreak;',
    '\t\t\t}',
    "\t\t\tif (c < '0' || c > '9')",
    '\t\t\t\tbreak;',
    '\t\t}',
    '\t\tst->h2e = HTTP_LOAD(st->tmp);',
    '\t}',
    ...valueHeaders.flatMap((n) => {
      const i = names.indexOf(n);
      return [`\tif (HTTP_LOAD(st->h${i}s)) /* ${n} */`, `\t\thttp_trim(w, &st->h${i}s, &st->h${i}e);`];
    }),
    '',
    '\t/* 4. the rules, first match wins (positions reloaded from the scratch value: unknown to the verifier) */',
    '\tswitch (HTTP_LOAD(st->rs)) {',
  );
  for (const rs of rulesets) {
    emit(`\tcase ${rs.id}:`);
    rs.rules.forEach((r, k) => {
      emit(`\t\tif (${ruleCondition(r, names)}) /* ${r.where.replace(/\*\//g, '* /')} */`, `\t\t\treturn ${k + 1};`);
    });
    emit('\t\treturn 0;');
  }
  emit('\t}', '\treturn 0;', '}', '/* ---- end of the HTTP matcher ---- */', '');
  return out.join('\n');
}

/** `n` bytes at w + (off) equal `bytes`, the offset checked against the window first (it is a fresh load, so
 * the check and the loads see the same value). */
function boundedEqual(off: string, bytes: readonly number[], fold: boolean): string {
  return `({ __u64 o = ${off}; o <= L7_WINDOW - ${bytes.length} && ${cEqualAt('o', bytes, fold, true)}; })`;
}

/**
 * One rule as a C condition over the scratch value `st` and the window `w`. Every read is volatile: clang would
 * otherwise keep values loaded for one rule in registers for the next, and the verifier would carry what each
 * failed comparison taught it into the next rule, one state per combination, instead of pruning.
 */
function ruleCondition(r: HttpMatch, names: readonly string[]): string {
  const f = (field: string) => `HTTP_LOAD(st->${field})`;
  const parts: string[] = [];
  if (r.methods !== undefined) {
    parts.push(`(${r.methods.map((m) => `(${f('m')} == ${m.length} && ${cEqualAt('0', enc(m), false, true)})`).join(' || ')})`);
  }
  if (r.path !== undefined && r.path.kind !== 'glob') {
    const v = enc(r.path.value);
    const len = `${f('te')} - ${f('m')} - 1 ${r.path.kind === 'exact' ? '==' : '>='} ${v.length}`;
    parts.push(`(${len} && ${boundedEqual(`${f('m')} + 1`, v, false)})`);
  }
  if (r.path?.kind === 'glob') parts.push(globCondition(r.path.parts, r.path.rest));
  if (r.host !== undefined) {
    const v = enc(r.host.value);
    const len = `${f('h2s')} && ${f('h2e')} - ${f('h2s')} ${r.host.kind === 'exact' ? '==' : '>'} ${v.length}`;
    parts.push(`(${len} && ${boundedEqual(r.host.kind === 'exact' ? f('h2s') : `${f('h2e')} - ${v.length}`, v, true)})`);
  }
  for (const h of r.headers) {
    const i = names.indexOf(h.name);
    if (h.value === undefined) parts.push(f(`h${i}s`));
    else {
      const v = enc(h.value);
      parts.push(`(${f(`h${i}s`)} && ${f(`h${i}e`)} - ${f(`h${i}s`)} == ${v.length} && ${boundedEqual(f(`h${i}s`), v, false)})`);
    }
  }
  return parts.length === 0 ? '1' : parts.join(' && ');
}

/** The slash bitmap's size: 56-bit chunks read as 8-byte words from any byte of the window stay inside it. */
const slashBytes = (W: number) => Math.ceil((W / 8 + 7 * (Math.ceil(W / 56) - 1) + 8) / 8) * 8;

/** http_next_slash(st, a): the first '/' at or after a (a < L7_WINDOW), or L7_WINDOW; 56 bits at a time. */
function nextSlashC(W: number): string[] {
  return [
    "/* the first '/' at or after a (a < L7_WINDOW), or L7_WINDOW when there is none (inner * path segments) */",
    'static __always_inline __u64 http_next_slash(struct http_scratch *st, __u64 a)',
    '{',
    '\t__u64 r = L7_WINDOW;',
    '\tif (a < L7_WINDOW) {',
    `\t\tconst __u8 *q = st->sl + ((a >> 3) & (L7_WINDOW / 8 - 1));`,
    '\t\t__u64 sh = a & 7, base = 0, x = 0;',
    '#pragma unroll',
    `\t\tfor (__u32 c = 0; c < ${Math.ceil(W / 56)}; c++) {`,
    '\t\t\t__u64 y = (*(const __u64 *)(q + 7 * c) >> sh) & 0x00ffffffffffffffULL;',
    '\t\t\tif (x == 0) {',
    '\t\t\t\tx = y;',
    '\t\t\t\tbase = 56 * c;',
    '\t\t\t}',
    '\t\t}',
    '\t\tif (x != 0)',
    '\t\t\tr = a + base + http_ctz(st, x);',
    '\t}',
    '\tst->tmp = r < L7_WINDOW ? r : L7_WINDOW;',
    '\treturn HTTP_LOAD(st->tmp);',
    '}',
    '',
  ];
}

/**
 * A glob path as a C condition: parts[0] at the target start, then for each later part the segment up to the
 * next '/' (non-empty), the part there; the target ends there unless `rest`. Positions pass through st->tmp.
 */
function globCondition(parts: readonly string[], rest: boolean): string {
  const body: string[] = ['({ __u64 a = HTTP_LOAD(st->m) + 1, te = HTTP_LOAD(st->te), ok = 0;'];
  const p0 = enc(parts[0]!);
  body.push(`if (te - a >= ${p0.length} && ${boundedEqual('a', p0, false)}) { a += ${p0.length}; ok = 1; }`);
  for (let i = 1; i < parts.length; i++) {
    const p = enc(parts[i]!);
    const last = i === parts.length - 1 && p.length === 0;
    body.push(
      `if (ok) { __u64 e = http_next_slash(st, a); ok = 0;`,
      last ? 'if (e > te) e = te;' : '',
      `if (e < ${last ? 'te + 1' : 'te'} && e > a && te - e >= ${p.length}${p.length > 0 ? ` && ${boundedEqual('e', p, false)}` : ''}) { a = e + ${p.length}; ok = 1; } }`,
    );
  }
  body.push(rest ? 'ok; })' : 'ok && a == te; })');
  return `(${body.filter((x) => x !== '').join(' ')})`;
}

/** 8-byte (or shorter) words cEqualAt compares for n bytes. */
const words = (n: number) => (n <= 8 ? (n === 1 || n === 2 || n === 4 || n === 8 ? 1 : 2) : Math.ceil(n / 8));

/**
 * Instructions of the unrolled matcher (loops = false), estimated from its parts; fitted to clang-19 -O2 builds
 * (test/compiler/l7/http-c.test.ts holds the estimate to within 15% of the real count). `base` is the parser
 * for the window; `rules[i][k]` what rule k of rule set i adds (with the header names it is the first to need).
 */
export function estimateHttpMatcherInsns(rulesets: readonly { rules: readonly HttpMatch[] }[], window: number): { base: number; rules: number[][] } {
  const calls = httpMaxHeaderLines(window) + 1;
  const base = Math.round(395 + 16.5 * (window / 8) + calls * (86 + 2.8 * (window / 64)));
  const named = new Set<string>();
  const valued = new Set<string>();
  let globbed = false;
  const rules = rulesets.map((rs) =>
    rs.rules.map((r) => {
      let n = 14;
      for (const m of r.methods ?? []) n += 5 + 2 * words(m.length);
      if (r.path !== undefined && r.path.kind !== 'glob') n += 10 + 5 * words(r.path.value.length);
      if (r.path?.kind === 'glob') {
        if (!globbed) n += Math.round(9 * (window / 8)) + 10;
        globbed = true;
        n += 12 + r.path.parts.reduce((a, p, i) => a + (i > 0 ? 50 : 0) + 8 + 5 * words(Math.max(p.length, 1)), 0);
      }
      if (r.host !== undefined) n += 14 + 5 * words(r.host.value.length);
      for (const h of r.headers) {
        if (!named.has(h.name)) {
          named.add(h.name);
          n += 10 + calls * (6 + 3 * words(h.name.length + 1));
        }
        if (h.value === undefined) n += 3;
        else {
          n += 12 + 5 * words(h.value.length);
          if (!valued.has(h.name)) {
            valued.add(h.name);
            n += 60;
          }
        }
      }
      return n;
    }),
  );
  return { base, rules };
}

/** Throws a PolicyError naming the first rule with which the unrolled matcher would pass its budget. */
function checkSeedBudget(rulesets: readonly { id: number; rules: readonly HttpMatch[] }[], W: number, budget: number): void {
  const { base, rules } = estimateHttpMatcherInsns(rulesets, W);
  const advice = 'use the linux-6.18 profile (bounded loops), a smaller l7 window or fewer HTTP rules';
  if (base > budget) {
    throw new PolicyError(`http rules: a window of ${W} bytes does not fit the seed profile: the HTTP parser alone needs about ${base} instructions, over the ${budget} it may take of the 4096 a seed program has; ${advice}`, undefined);
  }
  let total = base;
  rulesets.forEach((rs, i) =>
    rs.rules.forEach((r, k) => {
      total += rules[i]![k]!;
      if (total > budget) {
        throw new PolicyError(`${r.where}: http rules do not fit the seed profile: with this rule the HTTP matcher needs about ${total} instructions (window ${W}), over the ${budget} it may take of the 4096 a seed program has; ${advice}`, r.at);
      }
    }),
  );
}
