// A few hand-built frames for kernel and oracle tests (the simulator's packet toolkit supersedes this).
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const ETH_SRC = [0x02, 0, 0, 0, 0, 1];
const ETH_DST = [0x02, 0, 0, 0, 0, 2];

function eth(type: number): number[] {
  return [...ETH_DST, ...ETH_SRC, type >> 8, type & 0xff];
}

function ipv4(proto: number, payload: number[], tos = 0): number[] {
  const total = 20 + payload.length;
  const h = new Uint8Array([0x45, tos, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  const c = checksum(h);
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...payload];
}

function ipv6(next: number, payload: number[]): number[] {
  const src = [0xfd, 0, ...new Array<number>(13).fill(0), 1];
  const dst = [0xfd, 0, ...new Array<number>(13).fill(0), 2];
  return [0x60, 0, 0, 0, payload.length >> 8, payload.length & 0xff, next, 64, ...src, ...dst, ...payload];
}

const udp = (dport: number, body: number[] = [1, 2, 3, 4]): number[] => {
  const len = 8 + body.length;
  return [0x30, 0x39, dport >> 8, dport & 0xff, len >> 8, len & 0xff, 0, 0, ...body];
};
const tcp = (dport: number): number[] => [0x30, 0x39, dport >> 8, dport & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0];

/** Named frames covering the parsing paths of the fixtures. */
export const samplePackets: Readonly<Record<string, Uint8Array>> = {
  ipv4_udp_53: new Uint8Array([...eth(0x0800), ...ipv4(17, udp(53))]),
  ipv4_tcp_80: new Uint8Array([...eth(0x0800), ...ipv4(6, tcp(80))]),
  ipv4_tos_0x10: new Uint8Array([...eth(0x0800), ...ipv4(17, udp(9), 0x10)]),
  ipv6_tcp_443: new Uint8Array([...eth(0x86dd), ...ipv6(6, tcp(443))]),
  ipv6_udp_53: new Uint8Array([...eth(0x86dd), ...ipv6(17, udp(53))]),
  truncated_ipv4: new Uint8Array([...eth(0x0800), 0x45, 0, 0]),
  arp: new Uint8Array([...eth(0x0806), ...new Array<number>(28).fill(0)]),
  runt_14: new Uint8Array(eth(0x0800)),
};
