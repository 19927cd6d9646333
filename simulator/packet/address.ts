// Addresses: IPv4 dotted quads, IPv6 text (RFC 4291 §2.2, with `::` and an embedded IPv4 tail; printed
// as RFC 5952 recommends) and MAC addresses (`aa:bb:cc:dd:ee:ff` or with dashes), to and from bytes.

/** An address as text or as its bytes. */
export type Address = string | Uint8Array | readonly number[];

function fromBytes(what: string, value: Uint8Array | readonly number[], size: number): Uint8Array {
  if (value.length !== size) throw new RangeError(`${what}: ${value.length} bytes (want ${size})`);
  const out = Uint8Array.from(value);
  if (out.some((b, i) => b !== value[i])) throw new RangeError(`${what}: bytes must be integers 0..255`);
  return out;
}

/** IPv4 address bytes from `10.0.0.1` or 4 bytes. */
export function ipv4Bytes(address: Address): Uint8Array {
  if (typeof address !== 'string') return fromBytes('ipv4 address', address, 4);
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new SyntaxError(`ipv4 address '${address}': want four decimal numbers 0..255 separated by dots`);
  }
  return Uint8Array.from(parts, Number);
}

/** IPv6 address bytes from text (`fe80::1`, `::ffff:10.0.0.1`) or 16 bytes. */
export function ipv6Bytes(address: Address): Uint8Array {
  if (typeof address !== 'string') return fromBytes('ipv6 address', address, 16);
  const bad = (why: string): SyntaxError => new SyntaxError(`ipv6 address '${address}': ${why}`);
  let text = address;
  const words: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4 !== null) {
    const b = ipv4Bytes(v4[2]!);
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    text = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw bad("more than one '::'");
  const parse = (s: string): number[] =>
    s === ''
      ? []
      : s.split(':').map((g) => {
          if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad(`bad group '${g}'`);
          return parseInt(g, 16);
        });
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const given = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    if (given > 7) throw bad("'::' stands for no group");
    words.push(...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail);
  } else {
    if (given !== 8) throw bad(`${given} groups (want 8)`);
    words.push(...head, ...tail);
  }
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** MAC address bytes from `aa:bb:cc:dd:ee:ff` (or `aa-bb-…`) or 6 bytes. */
export function macBytes(address: Address): Uint8Array {
  if (typeof address !== 'string') return fromBytes('mac address', address, 6);
  const parts = address.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new SyntaxError(`mac address '${address}': want six hex bytes separated by ':' or '-'`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** `10.0.0.1` from 4 bytes at `offset`. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return Array.from(bytes.subarray(offset, offset + 4)).join('.');
}

/**
 * RFC 5952 text of 16 bytes at `offset`: lower case, the first longest run (of two or more) of zero groups as
 * `::`, IPv4-mapped addresses as `::ffff:10.0.0.1`.
 */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const words = Array.from({ length: 8 }, (_, i) => (bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);
  // IPv4-mapped addresses in mixed notation (RFC 5952 §5).
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return `::ffff:${formatIpv4(bytes, offset + 12)}`;
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}

/** `aa:bb:cc:dd:ee:ff` from 6 bytes at `offset`. */
export function formatMac(bytes: Uint8Array, offset = 0): string {
  return Array.from(bytes.subarray(offset, offset + 6), (b) => b.toString(16).padStart(2, '0')).join(':');
}
