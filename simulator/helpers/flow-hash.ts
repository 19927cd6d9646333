// What bpf_get_hash_recalc returns when the skb has no hash yet: the kernel dissects the flow and hashes
// its addresses and ports with a seed chosen at boot (so its values differ from boot to boot). The
// simulator hashes the same fields with a fixed seed: deterministic, non-zero and equal for the packets of
// one flow, but not the kernel's values (tests compare the hash's properties, never its value).

/** FNV-1a over the flow's fields (IPv4/IPv6 addresses, protocol, ports); 1 instead of 0, as the kernel does. */
export function flowHash(frame: Uint8Array, l3At: number): number {
  let h = 0x811c9dc5;
  const mix = (b: number) => {
    h = Math.imul(h ^ (b & 0xff), 0x01000193);
  };
  let at = l3At < 0 ? 0 : 14;
  let proto = l3At < 0 ? frame[0]! >> 4 === 6 ? 0x86dd : 0x0800 : (frame[12]! << 8) | frame[13]!;
  if (l3At >= 0) {
    while ((proto === 0x8100 || proto === 0x88a8) && at + 4 <= frame.length) {
      proto = (frame[at + 2]! << 8) | frame[at + 3]!;
      at += 4;
    }
  }
  let l4 = -1;
  let ipProto = 0;
  if (proto === 0x0800 && at + 20 <= frame.length) {
    for (let i = 12; i < 20; i++) mix(frame[at + i]!);
    ipProto = frame[at + 9]!;
    const fragmented = ((frame[at + 6]! & 0x3f) | frame[at + 7]!) !== 0;
    if (!fragmented) l4 = at + (frame[at]! & 15) * 4;
  } else if (proto === 0x86dd && at + 40 <= frame.length) {
    for (let i = 8; i < 40; i++) mix(frame[at + i]!);
    ipProto = frame[at + 6]!;
    l4 = at + 40;
  } else {
    for (let i = 0; i < Math.min(frame.length, 14); i++) mix(frame[i]!);
  }
  mix(ipProto);
  if (l4 >= 0 && (ipProto === 6 || ipProto === 17) && l4 + 4 <= frame.length) for (let i = 0; i < 4; i++) mix(frame[l4 + i]!);
  const v = h >>> 0;
  return v === 0 ? 1 : v;
}
