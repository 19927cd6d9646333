// The initial contents of a policy's maps (`policy.maps.json`), computed from the PolicyModel: the IP → identity
// LPM tries, the protected identities, and the policy LPM trie with port ranges prefix-encoded (like Cilium's
// dport prefix). Keys and values are hex bytes in the layouts of the structs in the generated C (little-endian
// integers, addresses and ports in network order).
import { addressBytes, parsePrefix } from '../dsl/cidr.ts';
import type { Direction, ModelEntry, ModelSubject, PolicyModel } from '../dsl/policy-model.ts';

export interface MapContent {
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly entries: readonly { readonly key: string; readonly value: string }[];
}

export interface PolicyMaps {
  /** the generation these contents are keyed with (0 or 1; `config` names the live one) */
  readonly generation: number;
  /** per-rule counter slots of one generation (rule ids must stay below it) */
  readonly ruleSlots: number;
  readonly maps: Readonly<Record<string, MapContent>>;
  /** the L7 rulesets and settings the programs' matcher was generated from (absent: none); a hot update must
   * keep them, since the matcher is code, not map contents */
  readonly l7?: string;
}

/* Every rule-derived key starts with a generation, so a new rule set is written beside the live one and made
 * live by one write of `config` (see hot-update.ts).
 *
 * struct policy_key (20 bytes), an LPM trie key: the data after prefixlen is matched most significant byte first
 *   0: __u32 prefixlen   4: __u32 gen   8: __u32 local   12: __u32 remote   16: __u8 dir   17: __u8 proto   18: __be16 port
 * gen, local and remote always match in full; proto is wildcarded for rules without ports; port by a prefix.
 * struct ipcache4_key (12) / ipcache6_key (24): __u32 prefixlen (32 + address bits), __u32 gen, the address.
 * struct subject_key (8): __u32 gen, __u32 identity. */
export const POLICY_KEY_SIZE = 20;
/** bits of the key data before the protocol: generation, local, remote, direction */
const FIXED_BITS = 32 + 32 + 32 + 8;

const hex = (bytes: readonly number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

/** The fewest prefixes (value, leading bits fixed out of 16) covering [lo, hi] exactly. */
export function portRangePrefixes(lo: number, hi: number): { value: number; bits: number }[] {
  const out: { value: number; bits: number }[] = [];
  while (lo <= hi) {
    let size = 1;
    while (size < 65536 && lo % (size * 2) === 0 && lo + size * 2 - 1 <= hi) size *= 2;
    out.push({ value: lo, bits: 16 - Math.log2(size) });
    lo += size;
  }
  return out;
}

export function policyKeyBytes(e: Pick<ModelEntry, 'local' | 'remote' | 'direction' | 'protocol'>, prefixLen: number, port: number, generation = 0): number[] {
  return [...u32(prefixLen), ...u32(generation), ...u32(e.local), ...u32(e.remote), e.direction === 'ingress' ? 0 : 1, e.protocol, port >> 8, port & 0xff];
}

function headroom(n: number, min: number): number {
  return Math.max(min, 2 ** Math.ceil(Math.log2(Math.max(1, n) * 2)));
}

export function policyMapContents(model: PolicyModel, options: { generation?: number } = {}): PolicyMaps {
  const gen = options.generation ?? 0;
  const ip4: { key: string; value: string }[] = [];
  const ip6: { key: string; value: string }[] = [];
  for (const e of model.ipcache) {
    const p = parsePrefix(e.prefix);
    (p.family === 4 ? ip4 : ip6).push({ key: hex([...u32(32 + p.len), ...u32(gen), ...addressBytes(p.family, p.addr)]), value: hex(u32(e.identity)) });
  }
  const policy: { key: string; value: string }[] = [];
  for (const e of model.entries) {
    // struct policy_value { __u32 rule; __u16 deny; __u16 l7; }
    const l7 = e.l7 ?? 0;
    const value = hex([...u32(e.rule), e.deny ? 1 : 0, 0, l7 & 0xff, l7 >> 8]);
    if (e.anyProtocol) {
      policy.push({ key: hex(policyKeyBytes({ ...e, protocol: 0 }, FIXED_BITS, 0, gen)), value });
      continue;
    }
    for (const { value: port, bits } of portRangePrefixes(e.portLo, e.portHi)) {
      policy.push({ key: hex(policyKeyBytes(e, FIXED_BITS + 8 + bits, port, gen)), value });
    }
  }
  const subjects = model.subjects.map((s) => ({ key: hex([...u32(gen), ...u32(s.identity)]), value: hex([subjectMode(s, 'ingress'), subjectMode(s, 'egress'), s.audit ? 1 : 0, 0]) }));
  return {
    generation: gen,
    ruleSlots: ruleCounterSlots(model),
    ...(model.l7.rulesets.length > 0 ? { l7: JSON.stringify({ settings: model.l7.settings, rulesets: model.l7.rulesets.map((r) => [r.id, r.protocol, r.matches]) }) } : {}),
    maps: {
      config: { keySize: 4, valueSize: 4, maxEntries: 1, entries: [{ key: hex(u32(0)), value: hex(u32(gen)) }] },
      ipcache4: { keySize: 12, valueSize: 4, maxEntries: headroom(ip4.length, 64), entries: ip4 },
      ipcache6: { keySize: 24, valueSize: 4, maxEntries: headroom(ip6.length, 64), entries: ip6 },
      subjects: { keySize: 8, valueSize: 4, maxEntries: headroom(subjects.length, 64), entries: subjects },
      policy: { keySize: POLICY_KEY_SIZE, valueSize: 8, maxEntries: headroom(policy.length, 256), entries: policy },
    },
  };
}

/** Number of per-rule counter slots per generation: rule ids 1..n and 0 for default-deny, with headroom for
 * added rules (the map holds two generations: index generation * slots + rule id). */
export function ruleCounterSlots(model: PolicyModel): number {
  return headroom(model.rules.length + 1, 64);
}

export function hexBytes(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));
}

/** A subject's direction in the datapath: 0 not enforced, 1 rules with default deny, 2 rules only (no match passes). */
function subjectMode(s: ModelSubject, d: Direction): number {
  if (!s[d]) return 0;
  return s.defaultAllow?.includes(d) ? 2 : 1;
}
