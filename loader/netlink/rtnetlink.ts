// A minimal rtnetlink client: one NETLINK_ROUTE socket, one request at a time, each acknowledged.
//
//   using nl = RtNetlink.open();
//   const replies = nl.request('look up veth0', { type: RTM.GETLINK, header: { ifinfomsg: {} }, attrs: [attr.str(IFLA.IFNAME, 'veth0')] });
//
// Every request carries NLM_F_ACK; the kernel answers with zero or more messages and then an NLMSG_ERROR
// whose error is 0 (an acknowledgement) or -errno, with the kernel's own explanation in the extended ack
// (NETLINK_EXT_ACK) when it gives one. The socket is bound to the network namespace current when it was
// opened (see `inNetns`).
import { errnoCode, errnoMessage } from '../sys/index.ts';
import { encodeAttrs, attrsSize, parseAttrs, read, type NlAttr } from './attributes.ts';
import { NLMSG, NLM_F, NLMSGERR_ATTR, NETLINK_CAP_ACK, NETLINK_EXT_ACK, NETLINK_ROUTE, SOL_NETLINK } from './constants.ts';
import {
  AF_NETLINK,
  SOCK_RAW,
  SOL_SOCKET,
  sysBind,
  sysClose,
  sysRecv,
  sysSendto,
  sysSetsockopt,
  sysSetsockoptInt,
  sysSocket,
} from './libc.ts';
import { NL_LAYOUTS, nlDecode, nlEncode, nlEncodeInto, type NlLayoutName } from './layout.ts';

const SO_RCVTIMEO = 20;
const RECV_TIMEOUT_S = 10;
const HDR = NL_LAYOUTS.nlmsghdr.size;

/** A failed rtnetlink request: `attach xdp to veth0: device or resource busy (EBUSY): <kernel message>`. */
export class NetlinkError extends Error {
  readonly errno: number;
  readonly code: string;
  /** The kernel's extended-ack message, when it sent one. */
  readonly kernelMessage: string | undefined;
  constructor(context: string, errno: number, kernelMessage: string | undefined) {
    const hint = errno === 1 /* EPERM */ ? ' (needs CAP_NET_ADMIN in the network namespace)' : '';
    const why = `${errnoMessage(errno)} (${errnoCode(errno)})${hint}`;
    super(`${context}: ${why}${kernelMessage ? `: ${kernelMessage}` : ''}`);
    this.name = 'NetlinkError';
    this.errno = errno;
    this.code = errnoCode(errno);
    this.kernelMessage = kernelMessage;
  }
}

/** One received message: its header fields and the bytes after the header. */
export interface NlMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly body: Uint8Array;
}

/** The family header of a request: one of the fixed structs in layout.ts with its field values. */
export type FamilyHeader = Partial<Record<NlLayoutName, Readonly<Record<string, number>>>>;

/** One request: message type, extra nlmsg_flags (NLM_F_REQUEST and NLM_F_ACK are always set), body. */
export interface NlRequest {
  readonly type: number;
  readonly flags?: number;
  readonly header: FamilyHeader;
  readonly attrs?: readonly NlAttr[];
}

const align4 = (n: number): number => (n + 3) & ~3;

export class RtNetlink implements Disposable {
  #fd: number;
  #seq = Math.floor(Math.random() * 0x7fffffff);

  private constructor(fd: number) {
    this.#fd = fd;
  }

  /** Opens a NETLINK_ROUTE socket in the current network namespace, with extended and capped acks. */
  static open(): RtNetlink {
    const fd = sysSocket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, 'open netlink socket');
    try {
      sysSetsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1, 'netlink socket: enable extended ack');
      sysSetsockoptInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1, 'netlink socket: enable capped ack');
      const tv = new Uint8Array(16); // struct timeval { long tv_sec; long tv_usec; }
      new DataView(tv.buffer).setBigInt64(0, BigInt(RECV_TIMEOUT_S), true);
      sysSetsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 'netlink socket: set receive timeout');
      sysBind(fd, nlEncode('sockaddr_nl', { family: AF_NETLINK }), 'bind netlink socket');
    } catch (e) {
      sysClose(fd);
      throw e;
    }
    return new RtNetlink(fd);
  }

  /**
   * Sends one request (with NLM_F_REQUEST | NLM_F_ACK added to its flags) and returns the messages answering it, once the
   * kernel has acknowledged it. Throws a NetlinkError saying `context` when the kernel refuses.
   */
  request(context: string, request: NlRequest): NlMessage[] {
    if (this.#fd < 0) throw new Error(`${context}: netlink socket used after close`);
    const { type, flags = 0, header, attrs = [] } = request;
    const entries = Object.entries(header) as [NlLayoutName, Readonly<Record<string, number>>][];
    if (entries.length !== 1) throw new TypeError(`${context}: a request has exactly one family header`);
    const [name, values] = entries[0]!;
    const fixed = NL_LAYOUTS[name].size;
    const len = HDR + fixed + attrsSize(attrs);
    const msg = new Uint8Array(len);
    const seq = (this.#seq = (this.#seq + 1) & 0x7fffffff);
    nlEncodeInto('nlmsghdr', msg, 0, { len, type, flags: flags | NLM_F.REQUEST | NLM_F.ACK, seq });
    nlEncodeInto(name, msg, HDR, values);
    encodeAttrs(attrs, msg, HDR + fixed);
    sysSendto(this.#fd, msg, nlEncode('sockaddr_nl', { family: AF_NETLINK }), 0, `${context}: send netlink request`);
    return this.#collect(context, seq);
  }

  #collect(context: string, seq: number): NlMessage[] {
    const out: NlMessage[] = [];
    const buf = new Uint8Array(1 << 16);
    for (;;) {
      const n = sysRecv(this.#fd, buf, 0, `${context}: receive netlink reply`);
      if (n < 0) throw new Error(`${context}: no netlink reply within ${RECV_TIMEOUT_S} s`);
      let at = 0;
      while (at + HDR <= n) {
        const h = nlDecode('nlmsghdr', buf, at);
        const mlen = h['len']!;
        if (mlen < HDR || at + mlen > n) throw new RangeError(`${context}: malformed netlink message (length ${mlen})`);
        const body = buf.slice(at + HDR, at + mlen);
        at += align4(mlen);
        if (h['seq'] !== seq) continue; // a stale answer to an earlier request
        if (h['type'] === NLMSG.ERROR) {
          const e = nlDecode('nlmsgerr', body);
          const errno = -e['error']!;
          if (errno === 0) return out;
          throw new NetlinkError(context, errno, extackMessage(body, h['flags']!));
        }
        if (h['type'] === NLMSG.DONE) return out;
        out.push({ type: h['type']!, flags: h['flags']!, seq: h['seq']!, body });
      }
    }
  }

  close(): void {
    if (this.#fd < 0) return;
    const fd = this.#fd;
    this.#fd = -1;
    sysClose(fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** NLMSGERR_ATTR_MSG from an NLMSG_ERROR body, when the kernel attached one. */
function extackMessage(body: Uint8Array, flags: number): string | undefined {
  if ((flags & NLM_F.ACK_TLVS) === 0) return undefined;
  let at = NL_LAYOUTS.nlmsgerr.size;
  if ((flags & NLM_F.CAPPED) === 0) at = 4 + align4(nlDecode('nlmsgerr', body)['len']!);
  if (at > body.byteLength) return undefined;
  const msg = read.str(parseAttrs(body, at).get(NLMSGERR_ATTR.MSG));
  return msg === '' ? undefined : msg;
}
