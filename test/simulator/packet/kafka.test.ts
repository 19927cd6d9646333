import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c, kafka, parseKafkaRequest } from '../../../simulator/packet/index.ts';
import { hex, unhex } from './python.ts';

describe('kafka', () => {
  it('crc32c matches the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });

  it('encodes a Metadata v4 request byte for byte', () => {
    const bytes = kafka.request({ apiKey: 'metadata', apiVersion: 4, correlationId: 7, clientId: 'app', topics: ['orders'] });
    expect(hex(bytes)).toBe(
      hex(
        unhex(`0000001a  0003 0004 00000007 0003 617070
               00000001 0006 6f7264657273
               01`),
      ),
    );
  });

  it('encodes a Fetch v4 request byte for byte', () => {
    const bytes = kafka.request({ apiKey: 'fetch', correlationId: 1, clientId: null, topics: [{ name: 't', partitions: [{ partition: 2, fetchOffset: 5n, maxBytes: 1024 }] }] });
    expect(hex(bytes)).toBe(
      hex(
        unhex(`00000036 0001 0004 00000001 ffff
               ffffffff 000001f4 00000001 7fffffff 00
               00000001 0001 74 00000001 00000002 0000000000000005 00000400`),
      ),
    );
  });

  it('encodes a Produce v3 request with a record batch whose CRC-32C checks', () => {
    const bytes = kafka.request({ apiKey: 'produce', correlationId: 9, clientId: 'p', topics: [{ name: 'orders', partitions: [{ partition: 0, records: ['hello'] }] }] });
    const v = new DataView(bytes.buffer);
    expect(v.getInt32(0)).toBe(bytes.length - 4);
    expect(v.getInt16(4)).toBe(0);
    expect(v.getInt16(6)).toBe(3);
    // header (4+2+2+4+2+1) + transactional id (2) + acks (2) + timeout (4) + topic array (4+2+6) + partition array (4) + partition (4)
    const batchSizeAt = 4 + 11 + 2 + 2 + 4 + 12 + 4 + 4;
    const batchSize = v.getInt32(batchSizeAt);
    const batch = bytes.subarray(batchSizeAt + 4);
    expect(batch.length).toBe(batchSize);
    expect(new DataView(batch.buffer, batch.byteOffset).getInt32(8)).toBe(batch.length - 12);
    expect(batch[16]).toBe(2);
    expect(new DataView(batch.buffer, batch.byteOffset).getUint32(17)).toBe(crc32c(batch.subarray(21)));
    // The last record: value 'hello', then a zero header count.
    expect(new TextDecoder().decode(batch.subarray(batch.length - 6, batch.length - 1))).toBe('hello');
    expect(batch[batch.length - 1]).toBe(0);
  });

  it('parses the header and topics of every request it encodes (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...([[0, 3], [0, 8], [1, 0], [1, 4], [1, 7], [1, 11], [3, 0], [3, 1], [3, 4], [3, 8]] as const)),
        fc.integer({ min: -0x80000000, max: 0x7fffffff }),
        fc.option(fc.string({ maxLength: 20 }), { nil: null }),
        fc.array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        ([apiKey, apiVersion], correlationId, clientId, topics) => {
          const parsed = parseKafkaRequest(kafka.request({ apiKey, apiVersion, correlationId, clientId, topics }));
          expect(parsed.errors).toEqual([]);
          expect(parsed.request).toMatchObject({ apiKey, apiVersion, correlationId, clientId, topics, complete: true });
        },
      ),
    );
  });

  it('reports truncated and garbage requests without throwing', () => {
    const req = kafka.request({ apiKey: 'produce', topics: ['a'] });
    const cut = parseKafkaRequest(req.subarray(0, 20));
    expect(cut.request?.complete).toBe(false);
    expect(cut.errors.length).toBeGreaterThan(0);
    expect(parseKafkaRequest(Uint8Array.of(0, 0)).errors).toEqual(['kafka: 2 bytes is too short for the size field']);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => void parseKafkaRequest(b)));
  });

  it('refuses versions it does not encode unless given the body', () => {
    expect(() => kafka.request({ apiKey: 'produce', apiVersion: 9 })).toThrow(/version 9 is not encoded/);
    expect(() => kafka.request({ apiKey: 18 })).toThrow(/api key 18/);
    const raw = kafka.request({ apiKey: 18, apiVersion: 3, body: Uint8Array.of(1, 2) });
    expect(parseKafkaRequest(raw).request).toMatchObject({ apiKey: 18, apiVersion: 3, complete: true });
  });
});
