// encodeKafkaRequest() against byte layouts written out by hand from the protocol definitions (RequestHeader.json,
// ApiVersionsRequest.json, MetadataRequest.json, ProduceRequest.json, FetchRequest.json).
import { describe, expect, it } from 'vitest';
import { encodeKafkaRequest } from '../../../compiler/l7/kafka-wire.ts';
import { parseKafkaRequest } from '../../../simulator/packet/index.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (...parts: (string | number[])[]): string =>
  parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1').toString('hex') : Buffer.from(p).toString('hex'))).join('');
const be16 = (v: number): number[] => [(v >> 8) & 255, v & 255];
const be32 = (v: number): number[] => [(v >>> 24) & 255, (v >> 16) & 255, (v >> 8) & 255, v & 255];

/** size + header v1 (or v2 with an empty tag section) */
function framed(key: number, version: number, corr: number, client: string | null, flexible: boolean, body: string): string {
  const header = bytes(be16(key), be16(version), be32(corr), client === null ? be16(0xffff) : be16(client.length), client ?? '', flexible ? [0] : []);
  return bytes(be32((header.length + body.length) / 2)) + header + body;
}

describe('encodeKafkaRequest()', () => {
  it('writes ApiVersions v0 as a bare header v1', () => {
    expect(hex(encodeKafkaRequest({ apiKey: 18, apiVersion: 0, correlationId: 1, clientId: 'app' }))).toBe(framed(18, 0, 1, 'app', false, ''));
  });

  it('writes ApiVersions v3 with header v2 and compact client software strings', () => {
    const b = encodeKafkaRequest({ apiKey: 18, apiVersion: 3, correlationId: 2, clientId: 'app', clientSoftwareName: 'ts', clientSoftwareVersion: '1' });
    // client_software_name: compact string (length + 1 = 3), version (2), empty tagged fields
    expect(hex(b)).toBe(framed(18, 3, 2, 'app', true, bytes([3], 'ts', [2], '1', [0])));
  });

  it('keeps the int16 client id length in flexible headers and writes header tagged fields', () => {
    const b = encodeKafkaRequest({ apiKey: 18, apiVersion: 3, correlationId: 0, clientId: null, headerTags: [{ tag: 1, data: Uint8Array.of(9) }] });
    expect(hex(b.subarray(12, 18))).toBe('ffff' + '01' + '01' + '01' + '09');
  });

  it('writes Metadata v1 with a null topic array for all topics and v0 with an empty one', () => {
    expect(hex(encodeKafkaRequest({ apiKey: 3, apiVersion: 1, correlationId: 0, clientId: 'c', topics: null }))).toBe(framed(3, 1, 0, 'c', false, bytes(be32(0xffffffff))));
    expect(hex(encodeKafkaRequest({ apiKey: 3, apiVersion: 0, correlationId: 0, clientId: 'c' }))).toBe(framed(3, 0, 0, 'c', false, bytes(be32(0))));
  });

  it('writes Metadata v4 and v8 with their booleans', () => {
    expect(hex(encodeKafkaRequest({ apiKey: 3, apiVersion: 4, correlationId: 0, clientId: 'c', topics: ['ab'] }))).toBe(framed(3, 4, 0, 'c', false, bytes(be32(1), be16(2), 'ab', [1])));
    expect(hex(encodeKafkaRequest({ apiKey: 3, apiVersion: 8, correlationId: 0, clientId: 'c', topics: ['ab'] }))).toBe(framed(3, 8, 0, 'c', false, bytes(be32(1), be16(2), 'ab', [1, 0, 0])));
  });

  it('writes Metadata v9 compact and v10+ with topic ids before the names', () => {
    expect(hex(encodeKafkaRequest({ apiKey: 3, apiVersion: 9, correlationId: 0, clientId: 'c', topics: ['ab'] }))).toBe(framed(3, 9, 0, 'c', true, bytes([2], [3], 'ab', [0], [1, 0, 0], [0])));
    const id = Uint8Array.from({ length: 16 }, (_, i) => i);
    // v11 drops include_cluster_authorized_operations
    expect(hex(encodeKafkaRequest({ apiKey: 3, apiVersion: 11, correlationId: 0, clientId: 'c', topics: [{ name: 'ab', id }] }))).toBe(
      framed(3, 11, 0, 'c', true, bytes([2], [...id], [3], 'ab', [0], [1, 0], [0])),
    );
  });

  it('writes Produce v0 and v3 (transactional id first) with int32 record lengths', () => {
    const records = Uint8Array.of(1, 2);
    const topic = { name: 'ab', partitions: [{ index: 5, records }] };
    const v0 = bytes(be16(1), be32(1000), be32(1), be16(2), 'ab', be32(1), be32(5), be32(2), [1, 2]);
    expect(hex(encodeKafkaRequest({ apiKey: 0, apiVersion: 0, correlationId: 0, clientId: 'c', acks: 1, timeoutMs: 1000, topics: [topic] }))).toBe(framed(0, 0, 0, 'c', false, v0));
    const v3 = bytes(be16(0xffff)) + v0;
    expect(hex(encodeKafkaRequest({ apiKey: 0, apiVersion: 3, correlationId: 0, clientId: 'c', acks: 1, timeoutMs: 1000, topics: [topic] }))).toBe(framed(0, 3, 0, 'c', false, v3));
  });

  it('writes Produce v9 with compact strings, arrays, bytes and tagged fields', () => {
    const b = encodeKafkaRequest({
      apiKey: 0,
      apiVersion: 9,
      correlationId: 0,
      clientId: 'c',
      transactionalId: 'tx',
      acks: -1,
      timeoutMs: 30000,
      topics: [{ name: 'ab', partitions: [{ index: 0, records: null }] }],
    });
    const body = bytes([3], 'tx', be16(0xffff), be32(30000), [2], [3], 'ab', [2], be32(0), [0], [0], [0], [0]);
    expect(hex(b)).toBe(framed(0, 9, 0, 'c', true, body));
  });

  it('writes Fetch v4 and v12 partitions with the fields of each version', () => {
    const v4 = bytes(be32(0xffffffff), be32(500), be32(1), be32(0x7fffffff), [0], be32(1), be16(2), 'ab', be32(1), be32(3), be32(0), be32(7), be32(1048576));
    const topics = [{ name: 'ab', partitions: [{ index: 3, fetchOffset: 7n }] }];
    expect(hex(encodeKafkaRequest({ apiKey: 1, apiVersion: 4, correlationId: 0, clientId: 'c', topics }))).toBe(framed(1, 4, 0, 'c', false, v4));
    const v12 = bytes(
      be32(0xffffffff), be32(500), be32(1), be32(0x7fffffff), [0], be32(0), be32(0xffffffff),
      [2], [3], 'ab', [2], be32(3), be32(0xffffffff), be32(0), be32(7), be32(0xffffffff), be32(0xffffffff), be32(0xffffffff), be32(1048576), [0], [0],
      [1], [1], [0],
    );
    expect(hex(encodeKafkaRequest({ apiKey: 1, apiVersion: 12, correlationId: 0, clientId: 'c', topics }))).toBe(framed(1, 12, 0, 'c', true, v12));
  });

  it('writes Fetch v13+ with topic ids and v15+ without replica_id', () => {
    const id = new Uint8Array(16).fill(0xaa);
    const v13 = encodeKafkaRequest({ apiKey: 1, apiVersion: 13, correlationId: 0, clientId: 'c', topics: [{ name: 'ab', id }] });
    const v15 = encodeKafkaRequest({ apiKey: 1, apiVersion: 15, correlationId: 0, clientId: 'c', topics: [{ name: 'ab', id }] });
    expect(hex(v13)).toContain('aa'.repeat(16));
    expect(hex(v13)).not.toContain(bytes('ab'));
    expect(v13.length - v15.length).toBe(4);
  });

  it('agrees with the simulator packet parser on the non-flexible versions it reads', () => {
    for (const [key, lo, hi] of [[0, 3, 8], [1, 0, 11], [3, 0, 8]] as const) {
      for (let v = lo; v <= hi; v++) {
        const b = encodeKafkaRequest({ apiKey: key, apiVersion: v, correlationId: 9, clientId: 'app', topics: ['orders', 'payments'] });
        const p = parseKafkaRequest(b);
        expect(p.errors, `key ${key} v${v}`).toEqual([]);
        expect(p.request).toMatchObject({ apiKey: key, apiVersion: v, correlationId: 9, clientId: 'app', topics: ['orders', 'payments'], complete: true });
      }
    }
  });

  it('refuses versions it does not encode and null names where the protocol has none', () => {
    expect(() => encodeKafkaRequest({ apiKey: 0, apiVersion: 12, correlationId: 0, clientId: null })).toThrow(/version 12 is not encoded/);
    expect(() => encodeKafkaRequest({ apiKey: 9, apiVersion: 1, correlationId: 0, clientId: null })).toThrow(/has no encoder/);
    expect(() => encodeKafkaRequest({ apiKey: 0, apiVersion: 9, correlationId: 0, clientId: null, topics: [{ name: null }] })).toThrow(/cannot be null/);
  });
});
