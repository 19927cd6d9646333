// IP addresses and prefixes as plain data: family, the address as a bigint (32 or 128 bits) and a prefix length.
// Parsing is strict (no leading zeros in IPv4 octets, host bits must be zero in a CIDR) so that typos in a
// policy become errors instead of silently different prefixes.

export type Family = 4 | 6;

export interface Prefix {
  readonly family: Family;
  /** the network address, host bits zero */
  readonly addr: bigint;
  readonly len: number;
}

export function familyBits(family: Family): number {
  return family === 4 ? 32 : 128;
}

function parseIpv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIpv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let v = 0n;
  for (const g of [...head, ...new Array<number>(missing).fill(0), ...tail]) v = (v << 16n) | BigInt(g);
  return v;
}

/** An address, or undefined when `s` is not one. */
export function parseAddress(s: string): { family: Family; addr: bigint } | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return { family: 4, addr: v4 };
  const v6 = parseIpv6(s);
  if (v6 !== undefined) return { family: 6, addr: v6 };
  return undefined;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a full-length prefix); throws RangeError with the reason. */
export function parsePrefix(s: string): Prefix {
  const slash = s.indexOf('/');
  const ip = parseAddress(slash < 0 ? s : s.slice(0, slash));
  if (ip === undefined) throw new RangeError(`invalid CIDR ${JSON.stringify(s)}: not an IPv4 or IPv6 address`);
  const bits = familyBits(ip.family);
  let len = bits;
  if (slash >= 0) {
    const l = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(l) || Number(l) > bits) throw new RangeError(`invalid CIDR ${JSON.stringify(s)}: prefix length must be 0 to ${bits}`);
    len = Number(l);
  }
  const host = (1n << BigInt(bits - len)) - 1n;
  if ((ip.addr & host) !== 0n) throw new RangeError(`invalid CIDR ${JSON.stringify(s)}: host bits are set (did you mean ${formatPrefix({ family: ip.family, addr: ip.addr & ~host, len })}?)`);
  return { family: ip.family, addr: ip.addr, len };
}

/** Whether `inner` lies within `outer` (same family, at least as long, same leading bits). */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || inner.len < outer.len) return false;
  const shift = BigInt(familyBits(outer.family) - outer.len);
  return inner.addr >> shift === outer.addr >> shift;
}

export function addressInPrefix(p: Prefix, family: Family, addr: bigint): boolean {
  return prefixContains(p, { family, addr, len: familyBits(family) });
}

export function formatAddress(family: Family, addr: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((addr >> BigInt(i * 16)) & 0xffffn).toString(16));
  // the longest run of zero groups (at least two) becomes '::'
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function formatPrefix(p: Prefix): string {
  return `${formatAddress(p.family, p.addr)}/${p.len}`;
}

/** The address as network-order bytes (4 or 16). */
export function addressBytes(family: Family, addr: bigint): number[] {
  const n = family === 4 ? 4 : 16;
  const out = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--, addr >>= 8n) out[i] = Number(addr & 0xffn);
  return out;
}
