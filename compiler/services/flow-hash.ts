// The flow hash the datapath computes to pick a Maglev entry (generate-lb-c.ts has the C twin; the two must
// agree so that TypeScript can say which backend a packet goes to). Inputs are the words as a little-endian
// BPF load reads them from the packet (network byte order in memory):
//   h = seed
//   h = fmix32(h ^ saddr); h = fmix32(h ^ daddr); h = fmix32(h ^ (sport << 16 | dport)); h = fmix32(h ^ proto)
// with fmix32 the MurmurHash3 32-bit finaliser.

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** a 4-byte IPv4 address (network order) as the datapath's little-endian load sees it */
export function loadU32(bytes: readonly number[] | Uint8Array): number {
  return (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
}

/** a port as the datapath's little-endian 16-bit load of its network-order bytes sees it */
export function loadPort(port: number): number {
  return ((port >> 8) | ((port & 0xff) << 8)) & 0xffff;
}

export interface Flow {
  /** IPv4 addresses, 4 bytes in network order */
  readonly saddr: readonly number[] | Uint8Array;
  readonly daddr: readonly number[] | Uint8Array;
  readonly sport: number;
  readonly dport: number;
  /** 6 (TCP) or 17 (UDP) */
  readonly proto: number;
}

export function flowHash(flow: Flow, seed: number): number {
  let h = seed >>> 0;
  h = fmix32(h ^ loadU32(flow.saddr));
  h = fmix32(h ^ loadU32(flow.daddr));
  h = fmix32(h ^ (((loadPort(flow.sport) << 16) | loadPort(flow.dport)) >>> 0));
  h = fmix32(h ^ flow.proto);
  return h;
}

export interface Flow6 {
  /** IPv6 addresses, 16 bytes in network order */
  readonly saddr: readonly number[] | Uint8Array;
  readonly daddr: readonly number[] | Uint8Array;
  readonly sport: number;
  readonly dport: number;
  readonly proto: number;
}

/** the IPv6 flow hash: each address as four little-endian 32-bit loads, in order */
export function flowHash6(flow: Flow6, seed: number): number {
  let h = seed >>> 0;
  for (const a of [flow.saddr, flow.daddr]) for (let i = 0; i < 16; i += 4) h = fmix32(h ^ loadU32([...a.slice(i, i + 4)]));
  h = fmix32(h ^ (((loadPort(flow.sport) << 16) | loadPort(flow.dport)) >>> 0));
  h = fmix32(h ^ flow.proto);
  return h;
}
