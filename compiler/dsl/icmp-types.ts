// ICMP and ICMPv6 type names (RFC 792, RFC 4443, RFC 4861), in Cilium's spelling (`EchoRequest`); the
// kebab-case spelling (`echo-request`) is accepted too.

export const ICMP_TYPE_NAMES: Readonly<Record<string, number>> = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  Redirect: 5,
  EchoRequest: 8,
  RouterAdvertisement: 9,
  RouterSelection: 10,
  TimeExceeded: 11,
  ParameterProblem: 12,
  Timestamp: 13,
  TimestampReply: 14,
};

export const ICMPV6_TYPE_NAMES: Readonly<Record<string, number>> = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
  MulticastListenerQuery: 130,
  MulticastListenerReport: 131,
  MulticastListenerDone: 132,
  RouterSolicitation: 133,
  RouterAdvertisement: 134,
  NeighborSolicitation: 135,
  NeighborAdvertisement: 136,
  Redirect: 137,
};

/** IPv6 neighbour discovery (router/neighbour solicitation and advertisement, redirect): always passes. */
export const ND_TYPES: readonly number[] = [133, 134, 135, 136, 137];

function camel(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase());
}

/** The type number of `type` for `family`, or undefined for an unknown name or a number outside 0..255. */
export function icmpTypeNumber(family: 4 | 6, type: number | string): number | undefined {
  if (typeof type === 'number') return Number.isInteger(type) && type >= 0 && type <= 255 ? type : undefined;
  const table = family === 4 ? ICMP_TYPE_NAMES : ICMPV6_TYPE_NAMES;
  return table[type] ?? table[camel(type)];
}
