// Program contexts the simulator builds (XDP, TC, socket filter): public API.
export { PacketBuffer, WriteWatch, XDP_FRAME_SIZE, XDP_PACKET_HEADROOM } from './packet-buffer.ts';
export { XDP_ACTIONS, XDP_MAX_LINEAR, XdpContext, type XdpContextOptions } from './xdp-context.ts';
export { ETH_HLEN, ethTypeTrans, SKB_HEADROOM, SkbContext, TC_ACTIONS, type SkbContextOptions } from './skb-context.ts';
