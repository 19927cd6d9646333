// Python 3 as an independent oracle for checksums and file layouts (its struct and socket modules). Tests
// that use it skip with a printed reason where python3 is missing; it is not a kernel facility, so
// TSBPF_REQUIRE_KERNEL does not apply.
import { execFileSync } from 'node:child_process';

export const python3: { readonly ok: boolean; readonly reason: string } = (() => {
  try {
    execFileSync('python3', ['-c', 'import struct, socket, json'], { stdio: 'ignore' });
    return { ok: true, reason: '' };
  } catch {
    return { ok: false, reason: 'python3 is not available' };
  }
})();

export function pythonAvailable(suite: string): boolean {
  if (!python3.ok) console.warn(`${suite}: skipped: ${python3.reason}`);
  return python3.ok;
}

/** Runs `script` with `input` as JSON on standard input; returns what it prints, parsed as JSON. */
export function runPython(script: string, input: unknown): unknown {
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(input), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString('utf8')) as unknown;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/**
 * A Python checker: for each packet (hex, Ethernet or raw IP), the IPv4 header checksum and the
 * TCP/UDP/ICMP/ICMPv6 checksum verified from scratch: [ipOk, l4Ok, protocol], with null where absent.
 */
export const PY_VERIFY = String.raw`
import sys, json, struct, socket
def fold(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return s
def check(p, raw):
    off = 0
    if not raw:
        et = struct.unpack('!H', p[12:14])[0]; off = 14
        while et in (0x8100, 0x88a8):
            et = struct.unpack('!H', p[off+2:off+4])[0]; off += 4
    else:
        et = 0x0800 if p[0] >> 4 == 4 else 0x86dd
    if et == 0x0800:
        ihl = (p[off] & 15) * 4
        ip_ok = fold(p[off:off+ihl]) == 0xffff
        tot = struct.unpack('!H', p[off+2:off+4])[0]
        proto = p[off+9]
        seg = p[off+ihl:off+tot]
        pseudo = p[off+12:off+20] + struct.pack('!BBH', 0, proto, len(seg))
    elif et == 0x86dd:
        ip_ok = None
        plen = struct.unpack('!H', p[off+4:off+6])[0]
        nh = p[off+6]; src = p[off+8:off+24]; dst = p[off+24:off+40]
        q = off + 40; end = off + 40 + plen
        while nh in (0, 43, 44, 60):
            if nh == 44: nnh = p[q]; q += 8
            else:
                ln = (p[q+1] + 1) * 8
                if nh == 43 and p[q+3] > 0 and p[q+2] in (0, 2, 4):
                    addrs = [p[q+8+16*i:q+24+16*i] for i in range((ln - 8) // 16)]
                    dst = addrs[0] if p[q+2] == 4 else addrs[-1]
                nnh = p[q]; q += ln
            nh = nnh
        proto = nh; seg = p[q:end]
        pseudo = src + dst + struct.pack('!IxxxB', len(seg), proto)
        socket.inet_ntop(socket.AF_INET6, src)
    else:
        return [None, None, None]
    if proto == 1: return [ip_ok, fold(seg) == 0xffff, proto]
    if proto in (6, 17, 58): return [ip_ok, fold(pseudo + seg) == 0xffff, proto]
    return [ip_ok, None, proto]
cases = json.load(sys.stdin)
print(json.dumps([check(bytes.fromhex(c['hex']), c.get('raw', False)) for c in cases]))
`;
