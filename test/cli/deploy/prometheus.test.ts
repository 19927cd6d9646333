import { describe, expect, it } from 'vitest';
import { actionOf, sumPerCpu } from '../../../cli/deploy/counters.ts';
import { escapeLabelValue, formatExposition } from '../../../cli/deploy/prometheus.ts';

describe('formatExposition', () => {
  it('formatExposition() writes HELP and TYPE before the samples and ends with a newline', () => {
    const text = formatExposition([
      { name: 'tsbpf_x_total', help: 'x', type: 'counter', samples: [{ labels: { a: '1', b: '2' }, value: 5n }, { labels: {}, value: 0 }] },
    ]);
    expect(text).toBe('# HELP tsbpf_x_total x\n# TYPE tsbpf_x_total counter\ntsbpf_x_total{a="1",b="2"} 5\ntsbpf_x_total 0\n');
  });
  it('escapeLabelValue() escapes backslash, double quote and newline', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });
  it('formatExposition() refuses a metric name Prometheus would not parse', () => {
    expect(() => formatExposition([{ name: 'tsbpf-bad', help: '', type: 'gauge', samples: [] }])).toThrow(RangeError);
  });
});

describe('counters', () => {
  it('sumPerCpu() adds packets and bytes of every CPU of a struct counter value', () => {
    const v = new Uint8Array(3 * 16);
    const dv = new DataView(v.buffer);
    [1n, 2n, 3n].forEach((n, c) => {
      dv.setBigUint64(c * 16, n, true);
      dv.setBigUint64(c * 16 + 8, n * 100n, true);
    });
    expect(sumPerCpu(v, 3)).toEqual({ packets: 6n, bytes: 600n });
    expect(sumPerCpu(undefined, 3)).toEqual({ packets: 0n, bytes: 0n });
  });
  it("actionOf() uses Hubble's actions: denials are dropped, replies forwarded, audit stays audit", () => {
    expect(['deny', 'default-deny', 'malformed', 'fragment-unknown'].map(actionOf)).toEqual(['dropped', 'dropped', 'dropped', 'dropped']);
    expect(['allow', 'reply', 'neighbour', 'unselected'].map(actionOf)).toEqual(['forwarded', 'forwarded', 'forwarded', 'forwarded']);
    expect(actionOf('audit')).toBe('audit');
  });
});
