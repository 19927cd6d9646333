// The packet toolkit: builders and parsers for Ethernet, 802.1Q/802.1ad, ARP, IPv4, IPv6 (extension
// headers), TCP, UDP, ICMP, ICMPv6/NDP; HTTP/1.x and Kafka request payloads; Internet checksums and the
// kernel's checksum helpers in pure functions; pcap/pcapng; seeded packet generation.
//
//   import { packet, parsePacket, http } from '../simulator/packet/index.ts';
//   const syn = packet.eth().vlan({ id: 10 }).ipv4({ src: '10.0.0.1', dst: '10.0.0.2' })
//     .tcp({ dport: 22, flags: ['syn'], options: [{ kind: 'mss', value: 1460 }] }).build();
//   const get = packet.eth().ipv6().tcp({ dport: 80 }).payload(http.request({ path: '/admin' })).build();
//   parsePacket(syn).tcp?.valid // true
export { formatIpv4, formatIpv6, formatMac, ipv4Bytes, ipv6Bytes, macBytes, type Address } from './address.ts';
export { fold16, internetChecksum, pseudoHeaderSum, sum16, transportChecksum } from './checksum.ts';
export {
  CsumFlag,
  csumAdd,
  csumDiff,
  csumFold,
  csumFrom32to16,
  csumPartial,
  csumReplace2,
  csumReplace4,
  csumReplaceByDiff,
  csumSub,
  csumUpdate,
  l3CsumReplace,
  l4CsumReplace,
  type CsumDiffOptions,
  type CsumReplaceResult,
  type SkbCsumState,
} from './kernel-csum.ts';
export * from './layers.ts';
export { PacketBuilder, packet } from './packet-builder.ts';
export {
  parsePacket,
  type ParseOptions,
  type ParsedArp,
  type ParsedEth,
  type ParsedIcmp,
  type ParsedIcmpv6,
  type ParsedIpv4,
  type ParsedIpv6,
  type ParsedIpv6Extension,
  type ParsedNdpOption,
  type ParsedPacket,
  type ParsedTcp,
  type ParsedUdp,
  type ParsedVlan,
} from './parse-packet.ts';
export { http, parseHttpRequest, type HttpRequest, type HttpRequestOptions, type ParsedHttpRequest } from './http.ts';
export {
  KafkaApiKey,
  crc32c,
  kafka,
  parseKafkaRequest,
  type KafkaPartition,
  type KafkaRequestHeader,
  type KafkaRequestOptions,
  type KafkaTopic,
  type ParsedKafkaRequest,
} from './kafka.ts';
export { LinkType, readPcap, writePcap, type CaptureFile, type CapturedPacket, type PacketToWrite, type WritePcapOptions } from './pcap.ts';
export { readPcapng } from './pcapng.ts';
export { readCapture } from './read-capture.ts';
export { Rng, createRng } from './rng.ts';
export { PACKET_KINDS, randomPacket, type PacketKind, type RandomPacket, type RandomPacketOptions } from './random-packet.ts';
