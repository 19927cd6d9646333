// rtnetlink message layouts: ONE table, encoded and decoded with DataView (host order, little endian on
// every architecture tsbpf supports). No other file in loader/netlink knows an offset inside a netlink
// message (libc.ts keeps the two socket-level structs, sockaddr_in and timeval, beside their calls).
//
// A netlink message is a header, a fixed family header, then attributes, each padded to 4 bytes:
//
//   0               4       6       8               12              16
//   +---------------+-------+-------+---------------+---------------+
//   | nlmsg_len     | type  | flags | nlmsg_seq     | nlmsg_pid     |   struct nlmsghdr (16 B)
//   +---------------+-------+-------+---------------+---------------+
//   | family header: struct ifinfomsg (16 B), struct tcmsg (20 B), …  |
//   +-------+-------+-----------------------+-------+-------+---------+
//   | nla_len | nla_type | value … | pad to 4 | nla_len | nla_type | … |   struct nlattr (4 B) + value
//   +---------------------------------------------------------------+
//
// nla_type bit 15 (NLA_F_NESTED) marks a value that is itself a list of attributes; nla_len counts the
// 4-byte attribute header and the value, not the padding.
//
// An error or acknowledgement (type NLMSG_ERROR) carries struct nlmsgerr: `int error` (0 for an ACK,
// else -errno) and the header of the request it answers; with NETLINK_CAP_ACK the request body is not
// echoed, and with NETLINK_EXT_ACK extra attributes follow (NLMSGERR_ATTR_MSG: the kernel's message).
//
// A row is `[name, offset, type]`; rows are contiguous and add up to the struct size (checked on load).

export type NlFieldType = 'u8' | 'u16' | 'u32' | 's32';

export type NlRow = readonly [name: string, offset: number, type: NlFieldType];

export interface NlLayout {
  /** The kernel structure it mirrors. */
  readonly mirrors: string;
  readonly size: number;
  readonly rows: readonly NlRow[];
}

const SIZE: Record<NlFieldType, number> = { u8: 1, u16: 2, u32: 4, s32: 4 };

function layout(mirrors: string, size: number, rows: readonly NlRow[]): NlLayout {
  let end = 0;
  for (const [name, offset, type] of rows) {
    if (offset !== end) throw new TypeError(`netlink layout ${mirrors}: ${name} at ${offset}, expected ${end}`);
    if (offset % SIZE[type] !== 0) throw new TypeError(`netlink layout ${mirrors}: ${name} misaligned`);
    end = offset + SIZE[type];
  }
  if (end !== size) throw new TypeError(`netlink layout ${mirrors}: fields end at ${end}, size is ${size}`);
  return { mirrors, size, rows };
}

/** The table. Names follow the kernel's, without the struct prefix. */
export const NL_LAYOUTS = {
  /** include/uapi/linux/netlink.h */
  nlmsghdr: layout('struct nlmsghdr', 16, [
    ['len', 0, 'u32'],
    ['type', 4, 'u16'],
    ['flags', 6, 'u16'],
    ['seq', 8, 'u32'],
    ['pid', 12, 'u32'],
  ]),
  /** include/uapi/linux/netlink.h: `int error` then the request's nlmsghdr */
  nlmsgerr: layout('struct nlmsgerr', 20, [
    ['error', 0, 's32'],
    ['len', 4, 'u32'],
    ['type', 8, 'u16'],
    ['flags', 10, 'u16'],
    ['seq', 12, 'u32'],
    ['pid', 16, 'u32'],
  ]),
  /** include/uapi/linux/netlink.h */
  nlattr: layout('struct nlattr', 4, [
    ['len', 0, 'u16'],
    ['type', 2, 'u16'],
  ]),
  /** include/uapi/linux/netlink.h; nl_pad is the u16 at 2 */
  sockaddr_nl: layout('struct sockaddr_nl', 12, [
    ['family', 0, 'u16'],
    ['pad', 2, 'u16'],
    ['pid', 4, 'u32'],
    ['groups', 8, 'u32'],
  ]),
  /** include/uapi/linux/rtnetlink.h */
  ifinfomsg: layout('struct ifinfomsg', 16, [
    ['family', 0, 'u8'],
    ['pad', 1, 'u8'],
    ['type', 2, 'u16'],
    ['index', 4, 's32'],
    ['flags', 8, 'u32'],
    ['change', 12, 'u32'],
  ]),
  /** include/uapi/linux/rtnetlink.h */
  tcmsg: layout('struct tcmsg', 20, [
    ['family', 0, 'u8'],
    ['pad1', 1, 'u8'],
    ['pad2', 2, 'u16'],
    ['ifindex', 4, 's32'],
    ['handle', 8, 'u32'],
    ['parent', 12, 'u32'],
    ['info', 16, 'u32'],
  ]),
} as const;

export type NlLayoutName = keyof typeof NL_LAYOUTS;

/** Writes `values` (missing fields stay zero) at `offset` of `buf`. */
export function nlEncodeInto(
  name: NlLayoutName,
  buf: Uint8Array,
  offset: number,
  values: Readonly<Record<string, number>>,
): void {
  const l = NL_LAYOUTS[name];
  const known = new Set(l.rows.map((r) => r[0]));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw new TypeError(`${l.mirrors}: no field ${key}`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (const [field, at, type] of l.rows) {
    const v = values[field] ?? 0;
    const o = offset + at;
    if (type === 'u8') dv.setUint8(o, v);
    else if (type === 'u16') dv.setUint16(o, v, true);
    else if (type === 'u32') dv.setUint32(o, v >>> 0, true);
    else dv.setInt32(o, v, true);
  }
}

/** A fresh buffer holding the struct. */
export function nlEncode(name: NlLayoutName, values: Readonly<Record<string, number>>): Uint8Array {
  const buf = new Uint8Array(NL_LAYOUTS[name].size);
  nlEncodeInto(name, buf, 0, values);
  return buf;
}

/** Reads the struct at `offset` of `buf`; RangeError when it does not fit. */
export function nlDecode(name: NlLayoutName, buf: Uint8Array, offset = 0): Record<string, number> {
  const l = NL_LAYOUTS[name];
  if (offset + l.size > buf.byteLength) {
    throw new RangeError(`${l.mirrors}: ${buf.byteLength - offset} bytes left, need ${l.size}`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Record<string, number> = {};
  for (const [field, at, type] of l.rows) {
    const o = offset + at;
    out[field] = type === 'u8' ? dv.getUint8(o) : type === 'u16' ? dv.getUint16(o, true) : type === 'u32' ? dv.getUint32(o, true) : dv.getInt32(o, true);
  }
  return out;
}
