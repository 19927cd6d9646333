// readCapture: a pcap or pcapng file, told apart by its first four bytes.
import { readPcap, type CaptureFile } from './pcap.ts';
import { readPcapng } from './pcapng.ts';

/** Reads a classic pcap or a pcapng file; throws a SyntaxError for anything else. */
export function readCapture(bytes: Uint8Array): CaptureFile {
  const first = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) : 0;
  return first === 0x0a0d0d0a ? readPcapng(bytes) : readPcap(bytes);
}
