// The Kafka matcher as C, pasted into a policy program: kafka_judge(ruleset, w, len, next) reads the request at the
// start of the per-CPU window `w` (L7_WINDOW bytes, a power of two the caller defines; `len` of them payload) and
// returns rule index + 1, 0 (no rule) or -1 (cannot see), with *next = 4 + size. It follows judgeKafka
// (kafka-judge.ts) step for step: the same layouts, the same limits (KAFKA_MAX_TOPICS names, KAFKA_PARSE_STEPS
// names and partitions, varints of at most 2 bytes, empty tagged fields).
//
// Verifier-facing shape: every read is w[off & (L7_WINDOW - 1)] after a check that off is below len, so each access
// is inside the window whatever the verifier knows of `off` (len goes through a volatile stack slot so that clang,
// which knows the caller's len <= L7_WINDOW, keeps the masks). The header parse and the rules are straight-line
// code. The topic walk is a loop of KAFKA_PARSE_STEPS calls of one subprogram (kafka_step: its code once), each
// reading one topic name or skipping one partition; it is emitted with bounded loops (linux-6.18) only: unrolled,
// seed's verification exceeds its 131,072 processed instructions, so topic rules under seed are a PolicyError.
import { PolicyError } from '../dsl/policy-error.ts';
import { KAFKA_MAX_TOPICS, KAFKA_PARSE_STEPS, KAFKA_TOPIC_API_KEYS } from './kafka-api.ts';
import type { KafkaMatch } from './kafka-rules.ts';

export interface KafkaRuleset {
  readonly id: number;
  readonly rules: readonly KafkaMatch[];
}

export interface KafkaMatcherOptions {
  readonly window: number;
  readonly loops: boolean;
}

/**
 * Estimated instructions (clang-19 -O2, rounded up from measurements) of the header parse, of the topic walk
 * (present when a rule set has a topic rule), and of each piece of a rule set. The budget keeps the matcher within
 * what a seed program (4096 instructions in all) can spend on it.
 */
export const KAFKA_INSN_COST = { header: 120, topicWalk: 800, ruleset: 12, rule: 24, byte: 6, slotCompare: 8 } as const;
export const KAFKA_INSN_BUDGET = { seed: 2500, loops: 20000 } as const;
/** rules per rule set (each needs its own code) */
export const KAFKA_MAX_RULES = 64;
/** the earliest a topic name can start: size, header with a null client id, an int32 topic count */
const FIRST_TOPIC_OFFSET = 4 + 10 + 4 + 2;

const utf8 = new TextEncoder();

function maskOf(keys: Iterable<number>): [bigint, bigint] {
  let lo = 0n;
  let hi = 0n;
  for (const k of keys) {
    if (k < 64) lo |= 1n << BigInt(k);
    else if (k < 128) hi |= 1n << BigInt(k - 64);
  }
  return [lo, hi];
}

function hex(v: bigint): string {
  return `0x${v.toString(16)}ULL`;
}

/** `w` bytes from `off` equal `bytes` (length checked by the caller), byte by byte. */
function bytesEqual(off: string, bytes: Uint8Array): string {
  if (bytes.length === 0) return '1';
  return [...bytes].map((b, i) => `kafka_b(w, ${off} + ${i}) == 0x${b.toString(16)}`).join(' && ');
}

function comment(s: string): string {
  return s.replace(/\*\//g, '* /').replace(/[\r\n]+/g, ' ');
}

const PRELUDE = (window: number, loops: boolean): string => `/* ---- Kafka request matcher (compiler/l7/kafka-c.ts; layouts and limits: docs/l7-kafka.md) ---- */
#if L7_WINDOW != ${window}
#error "kafka matcher generated for a window of ${window} bytes"
#endif
#define KAFKA_MAX_TOPICS ${KAFKA_MAX_TOPICS}
#define KAFKA_PARSE_STEPS ${KAFKA_PARSE_STEPS}
#define KAFKA_LOOP ${loops ? '_Pragma("clang loop unroll(disable)")' : '_Pragma("unroll")'}
#define KAFKA_YES 1
#define KAFKA_NO 0
#define KAFKA_UNKNOWN 2

struct kafka_req {
	__u32 key, ver;			/* api_key, api_version as unsigned 16-bit */
	__u32 cid_known, cid_null, cid_len;	/* client id at byte 14 */
	__u32 body;			/* offset after the client id */
	__u32 tlayout;			/* 1: the topic names of this key and version are read */
};

/* the topic array walk, one kafka_step at a time; scalars only (its address goes to a subprogram) */
struct kafka_walk {
	__u32 lim, off, flex, parts, prec, pfix, uuid, phase, txn, pre;
	__s32 left, pleft;
	__u32 tcomplete, tn;		/* all topics read; names read */
	__u32 to0, tl0, to1, tl1, to2, tl2, to3, tl3;	/* names: offset, length (the latest in slot 0) */
};

/* v >= k as 0 or 1 without a branch, for 0 <= v <= 15 and 1 <= k <= 16: the verifier then sees one path with
 * an unknown 0/1 rather than one path per version */
#define KAFKA_GE(v, k) (((v) + 16 - (k)) >> 4)

static __always_inline __u32 kafka_b(const __u8 *w, __u32 off)
{
	return w[off & (L7_WINDOW - 1)];
}

static __always_inline int kafka_key_in(__u32 key, __u64 lo, __u64 hi)
{
	if (key < 64)
		return (lo >> key) & 1;
	if (key < 128)
		return (hi >> (key - 64)) & 1;
	return 0;
}

/* tagged fields closing a struct: only an empty set (one 0 byte) is followed */
static __always_inline int kafka_tags0(const __u8 *w, __u32 lim, __u32 *off)
{
	if (*off + 1 > lim || kafka_b(w, *off) != 0)
		return 0;
	*off += 1;
	return 1;
}

/* a nullable length or count (-1 = null): compact (uvarint of at most 2 bytes, minus 1) when flex, else int16
 * (wide = 0) or int32 (wide = 1); 0 when it cannot be read or is below -1 */
static __always_inline int kafka_len(const __u8 *w, __u32 lim, __u32 flex, __u32 wide, __u32 *off, __s32 *n)
{
	__u32 o = *off, b0, b1, v;

	if (flex) {
		if (o + 1 > lim)
			return 0;
		b0 = kafka_b(w, o);
		if (b0 < 0x80) {
			*n = (__s32)b0 - 1;
			*off = o + 1;
			return 1;
		}
		if (o + 2 > lim)
			return 0;
		b1 = kafka_b(w, o + 1);
		if (b1 >= 0x80)
			return 0;
		*n = (__s32)((b0 & 0x7f) | (b1 << 7)) - 1;
		*off = o + 2;
		return 1;
	}
	if (wide) {
		if (o + 4 > lim)
			return 0;
		v = (kafka_b(w, o) << 24) | (kafka_b(w, o + 1) << 16) | (kafka_b(w, o + 2) << 8) | kafka_b(w, o + 3);
		*n = (__s32)v;
		*off = o + 4;
	} else {
		if (o + 2 > lim)
			return 0;
		v = (kafka_b(w, o) << 8) | kafka_b(w, o + 1);
		*n = (__s32)(__s16)v;
		*off = o + 2;
	}
	return *n >= -1;
}

/* one step of the topic array, a subprogram (its code once, called KAFKA_PARSE_STEPS times): a topic name (and its
 * partition count), or one partition skipped; 0 = go on, 1 = every topic read, -1 = stop (cannot see further) */
static __attribute__((noinline)) int kafka_step(const __u8 *w, struct kafka_walk *k)
{
	__u32 off = k->off, lim = k->lim, flex = k->flex;
	__s32 n;

	if (k->phase == 2) {
		/* the start: header tagged fields, transactional_id, fixed fields, the topic count */
		if (flex && !kafka_tags0(w, lim, &off))
			return -1;
		if (k->txn) {
			if (!kafka_len(w, lim, flex, 0, &off, &n))
				return -1;
			if (n > 0)
				off += n;
		}
		off += k->pre;
		if (!kafka_len(w, lim, flex, 1, &off, &n))
			return -1;
		if (n <= 0) {
			k->tcomplete = 1;
			return 1;
		}
		k->left = n;
		k->phase = 0;
	} else if (k->phase == 0) {
		if (k->tn >= KAFKA_MAX_TOPICS)
			return -1;
		off += k->uuid;
		if (!kafka_len(w, lim, flex, 0, &off, &n) || n < 0 || off + n > lim)
			return -1;
		/* names shift in (the latest in slot 0): no store through a computed field address, which unprivileged
		 * verification refuses when the address differs between paths */
		k->to3 = k->to2;
		k->tl3 = k->tl2;
		k->to2 = k->to1;
		k->tl2 = k->tl1;
		k->to1 = k->to0;
		k->tl1 = k->tl0;
		k->to0 = off;
		k->tl0 = n;
		k->tn += 1;
		off += n;
		k->left -= 1;
		if (k->left == 0) {
			k->tcomplete = 1;
			return 1;
		}
		if (k->parts) {
			if (!kafka_len(w, lim, flex, 1, &off, &n) || n < 0)
				return -1;
			k->pleft = n;
			if (n > 0)
				k->phase = 1;
			else if (flex && !kafka_tags0(w, lim, &off))
				return -1;
		} else if (flex && !kafka_tags0(w, lim, &off)) {
			return -1;
		}
	} else {
		if (k->prec) {
			off += 4;
			if (!kafka_len(w, lim, flex, 1, &off, &n))
				return -1;
			if (n > 0)
				off += n;
		} else {
			off += k->pfix;
		}
		if (flex && !kafka_tags0(w, lim, &off))
			return -1;
		k->pleft -= 1;
		if (k->pleft == 0) {
			k->phase = 0;
			if (flex && !kafka_tags0(w, lim, &off))
				return -1;
		}
	}
	k->off = off;
	return 0;
}

/* the topic names of Produce v0-v11, Fetch v0-v12 and Metadata v0-v12 (kafkaTopics in kafka-judge.ts); every read
 * of the body happens in kafka_step, at offsets it loads from the walk */
static __always_inline void kafka_topics(const __u8 *w, __u32 lim, struct kafka_req *q, struct kafka_walk *k)
{
	__u32 key = q->key, v = q->ver, steps;
	int r;

	k->lim = lim;
	if (key == 0 && v <= 11) {
		k->flex = KAFKA_GE(v, 9);
		k->txn = KAFKA_GE(v, 3);
		k->pre = 6;
		k->parts = 1;
		k->prec = 1;
	} else if (key == 1 && v <= 12) {
		k->flex = KAFKA_GE(v, 12);
		k->pre = 12 + 4 * KAFKA_GE(v, 3) + KAFKA_GE(v, 4) + 8 * KAFKA_GE(v, 7);
		k->parts = 1;
		k->pfix = 16 + 4 * KAFKA_GE(v, 9) + 4 * KAFKA_GE(v, 12) + 8 * KAFKA_GE(v, 5);
	} else if (key == 3 && v <= 12) {
		k->flex = KAFKA_GE(v, 9);
		k->uuid = 16 * KAFKA_GE(v, 10);
	} else {
		return;
	}
	q->tlayout = 1;
	if (!q->cid_known)
		return;
	k->off = q->body;
	k->phase = 2;
	if (kafka_step(w, k) != 0)
		return;
	KAFKA_LOOP
	for (steps = 0; steps < KAFKA_PARSE_STEPS; steps++) {
		r = kafka_step(w, k);
		if (r != 0)
			break;
	}
}

/* size, api key and version, client id; -1 when even the api key cannot be seen */
static __always_inline int kafka_header(const __u8 *w, __u32 len, __u32 *next, __u32 *limp, struct kafka_req *q)
{
	volatile __u32 opaque_len = len;
	__u32 size, lim, n;

	/* through the stack, so that clang forgets what the caller knows of len (len <= L7_WINDOW) and keeps every
	 * read's mask: the verifier bounds reads by the mask, not by comparisons with len */
	len = opaque_len;
	if (len < 4)
		return -1;
	size = (kafka_b(w, 0) << 24) | (kafka_b(w, 1) << 16) | (kafka_b(w, 2) << 8) | kafka_b(w, 3);
	if (size < 10 || size > 0x7fffffff)
		return -1;
	*next = size + 4;
	lim = len < size + 4 ? len : size + 4;
	if (lim < 8)
		return -1;
	q->key = (kafka_b(w, 4) << 8) | kafka_b(w, 5);
	q->ver = (kafka_b(w, 6) << 8) | kafka_b(w, 7);
	if (lim >= 14) {
		n = (kafka_b(w, 12) << 8) | kafka_b(w, 13);
		/* the body offset by arithmetic, 14 + (n or 0 when null): never a constant the verifier would carry */
		q->body = 14 + (n & ((n >> 15) - 1));
		if (n == 0xffff) {
			q->cid_known = 1;
			q->cid_null = 1;
		} else if (n < 0x8000 && 14 + n <= lim) {
			q->cid_known = 1;
			q->cid_len = n;
		}
	}
	*limp = lim;
	return 0;
}
`;

function topicTri(name: string, i: number, bytes: Uint8Array): string {
  const slot = (j: number): string => `(k.tn > ${j} && !(k.tl${j} == ${bytes.length} && ${bytesEqual(`k.to${j}`, bytes)}))`;
  return [
    `\t\tint t${i} = KAFKA_UNKNOWN; /* topic ${comment(name)} */`,
    `\t\tif (${Array.from({ length: KAFKA_MAX_TOPICS }, (_, j) => slot(j)).join(' ||\n\t\t    ')})`,
    `\t\t\tt${i} = KAFKA_NO;`,
    `\t\telse if (k.tcomplete)`,
    `\t\t\tt${i} = k.tn > 0 ? KAFKA_YES : KAFKA_NO;`,
  ].join('\n');
}

function rulesetC(rs: KafkaRuleset): string {
  const out: string[] = [`\tcase ${rs.id}: {`, '\t\tint unknown = 0;'];
  const cids = new Map<string, number>();
  const topics = new Map<string, number>();
  for (const r of rs.rules) {
    if (r.clientId !== undefined && !cids.has(r.clientId)) cids.set(r.clientId, cids.size);
    if (r.topic !== undefined && !topics.has(r.topic)) topics.set(r.topic, topics.size);
  }
  for (const [c, i] of cids) {
    const b = utf8.encode(c);
    out.push(`\t\tint c${i} = q.cid_known && !q.cid_null && q.cid_len == ${b.length} && ${bytesEqual('14', b)}; /* client id ${comment(c)} */`);
  }
  for (const [t, i] of topics) {
    out.push(topicTri(t, i, utf8.encode(t)));
  }
  rs.rules.forEach((r, idx) => {
    const cond: string[] = [];
    if (r.apiKeys !== undefined) {
      const [lo, hi] = maskOf(r.apiKeys);
      cond.push(`kafka_key_in(q.key, ${hex(lo)}, ${hex(hi)})`);
    }
    if (r.apiVersion !== undefined) cond.push(`q.ver == ${r.apiVersion}`);
    out.push(`\t\t/* rule ${idx + 1}: ${comment(r.where)} */`);
    out.push(`\t\tif (${cond.length === 0 ? '1' : cond.join(' && ')}) {`);
    out.push('\t\t\tint s = KAFKA_YES;');
    if (r.clientId !== undefined) out.push(`\t\t\tif (!q.cid_known)\n\t\t\t\ts = KAFKA_UNKNOWN;\n\t\t\telse if (!c${cids.get(r.clientId)})\n\t\t\t\ts = KAFKA_NO;`);
    if (r.topic !== undefined) {
      const t = `t${topics.get(r.topic)}`;
      out.push(`\t\t\tif (topic_keyed && ${t} != KAFKA_YES && s != KAFKA_NO)\n\t\t\t\ts = ${t};`);
    }
    out.push(`\t\t\tif (s == KAFKA_YES)\n\t\t\t\treturn ${idx + 1};\n\t\t\tif (s == KAFKA_UNKNOWN)\n\t\t\t\tunknown = 1;`);
    out.push('\t\t}');
  });
  out.push('\t\treturn unknown ? -1 : 0;', '\t}');
  return out.join('\n');
}

/** Throws PolicyError at the first rule that does not fit: the window, the rule count, seed, or the instruction budget. */
function checkFits(rulesets: readonly KafkaRuleset[], options: KafkaMatcherOptions): void {
  const budget = options.loops ? KAFKA_INSN_BUDGET.loops : KAFKA_INSN_BUDGET.seed;
  const profile = options.loops ? 'linux-6.18' : 'seed';
  let total = KAFKA_INSN_COST.header;
  let walk = false;
  for (const rs of rulesets) {
    total += KAFKA_INSN_COST.ruleset;
    if (rs.rules.length > KAFKA_MAX_RULES) {
      const r = rs.rules[KAFKA_MAX_RULES]!;
      throw new PolicyError(`${r.where}: more than ${KAFKA_MAX_RULES} kafka rules on one port`, r.at);
    }
    const cids = new Set<string>();
    const topics = new Set<string>();
    for (const r of rs.rules) {
      total += KAFKA_INSN_COST.rule;
      if (r.clientId !== undefined) {
        const n = utf8.encode(r.clientId).length;
        if (14 + n > options.window) {
          throw new PolicyError(`${r.where}: clientID of ${n} bytes does not fit the L7 window of ${options.window} bytes (at most ${options.window - 14})`, r.at);
        }
        if (!cids.has(r.clientId)) total += n * KAFKA_INSN_COST.byte + KAFKA_INSN_COST.rule;
        cids.add(r.clientId);
      }
      if (r.topic !== undefined) {
        if (!options.loops) {
          // measured (test/compiler/l7/kafka-c.test.ts): under seed, which keeps every scalar precise, verifying the
          // unrolled topic walk takes ~95,000 processed instructions for one topic rule and passes 131,072 with a
          // few; with bounded loops (linux-6.18) it takes ~35,000-110,000 of 1,000,000
          throw new PolicyError(`${r.where}: kafka topic rules need profile linux-6.18 (under seed, verifying the topic walk exceeds 131072 processed instructions)`, r.at);
        }
        if (!walk) total += KAFKA_INSN_COST.topicWalk;
        walk = true;
        const n = r.topic.length;
        if (FIRST_TOPIC_OFFSET + n > options.window) {
          throw new PolicyError(`${r.where}: topic of ${n} bytes does not fit the L7 window of ${options.window} bytes (at most ${options.window - FIRST_TOPIC_OFFSET})`, r.at);
        }
        if (!topics.has(r.topic)) total += KAFKA_MAX_TOPICS * (n * KAFKA_INSN_COST.byte + KAFKA_INSN_COST.slotCompare);
        topics.add(r.topic);
      }
      if (total > budget) {
        throw new PolicyError(
          `${r.where}: the kafka rules up to this one need about ${total} instructions, over the matcher's budget of ${budget} under profile ${profile} (fewer rules, client ids or topics, or shorter names)`,
          r.at,
        );
      }
    }
  }
}

/**
 * C defining `kafka_judge(ruleset, w, len, next)` for these rule sets (ids ≥ 1; another id → 0). Throws
 * PolicyError naming the rule when the rule sets do not fit the window or the profile's budget.
 */
export function generateKafkaMatcherC(rulesets: readonly KafkaRuleset[], options: KafkaMatcherOptions): string {
  const { window } = options;
  if (!Number.isInteger(window) || window < 64 || window > 1024 || (window & (window - 1)) !== 0) {
    throw new RangeError(`kafka matcher: window ${window} is not a power of two from 64 to 1024`);
  }
  const ids = new Set<number>();
  for (const rs of rulesets) {
    if (!Number.isInteger(rs.id) || rs.id < 1 || rs.id > 0xffffffff || ids.has(rs.id)) throw new RangeError(`kafka matcher: rule set id ${rs.id} is not a new integer from 1`);
    ids.add(rs.id);
  }
  checkFits(rulesets, options);
  const withTopics = rulesets.filter((rs) => rs.rules.some((r) => r.topic !== undefined)).map((rs) => rs.id);
  const [tlo, thi] = maskOf(KAFKA_TOPIC_API_KEYS);
  const body = rulesets.map((rs) => rulesetC(rs)).join('\n');
  return `${PRELUDE(window, options.loops)}
static __always_inline int kafka_judge(__u32 ruleset, const __u8 *w, __u32 len, __u32 *next)
{
	struct kafka_req q = {};
	struct kafka_walk k = {};
	__u32 lim = 0, nx = 0;
	int topic_keyed, h;

	*next = 0;
	switch (ruleset) {
${rulesets.map((rs) => `\tcase ${rs.id}:`).join('\n')}
		break;
	default:
		return 0;
	}
	h = kafka_header(w, len, &nx, &lim, &q);
	*next = nx;
	if (h < 0)
		return -1;
	/* name slots start at a non-constant offset: an unprivileged verifier refuses one pointer addition that sees a
	 * constant on one path and an unknown on another */
	k.to0 = k.to1 = k.to2 = k.to3 = lim;
	topic_keyed = kafka_key_in(q.key, ${hex(tlo)}, ${hex(thi)});
${withTopics.length === 0 ? '' : `\tif (topic_keyed && (${withTopics.map((id) => `ruleset == ${id}`).join(' || ')}))\n\t\tkafka_topics(w, lim, &q, &k);\n`}	switch (ruleset) {
${body}
	}
	return 0;
}
/* ---- end of Kafka request matcher ---- */
`;
}
