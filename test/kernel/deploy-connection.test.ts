// An open TCP connection across redeploys. The policy protects endpoint B (192.0.2.2) and is deployed in
// endpoint mode on A's end of the veth (what A sends is B's ingress, B's replies are its egress), with both
// directions default-deny: B's packets pass only as replies of a tracked connection, so connection tracking
// has to survive each update for the connection to live. One connection from A to B:7002 streams both ways
// (B pushes a 1 KiB chunk every 5 ms, A sends 16 bytes every 20 ms) while the policies change by rules only
// (generation flip), by code over the same maps (LINK_UPDATE), by map layout (new maps, conntrack kept) and by
// the first L7 rule (conntrack's values widen: its entries are copied).
// A second connection stays idle and B speaks first on it after each deploy: without the connection's
// tracking entry that message would be dropped, and nothing A sends would bring it back.
// After each deploy the stream still advances, in order, without a reset; the idle connection delivers B's
// message; new connections follow the new rules (7003 refused once removed, 7002 accepted); and the policy
// never dropped one of B's packets.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCounters } from '../../cli/deploy/counters.ts';
import { deployPolicies } from '../../cli/deploy/deploy.ts';
import { readState, stateId } from '../../cli/deploy/state.ts';
import { repoRoot } from '../corpora.ts';
import { deployHarness } from '../support/deploy-traffic.ts';
import { ADDR_B, lineReader, type LineReader } from '../support/netns.ts';
import { available, bpftool, clang19, kernelBpf } from '../support/require.ts';
import type { ChildProcess } from 'node:child_process';

const STREAM_SCRIPT = join(repoRoot, 'test/kernel/deploy-tcp-stream.mjs');

const web = (ports: readonly number[]) => `import { policy } from 'tsbpf';
export default policy({
  name: 'web',
  selector: { matchLabels: { app: 'b' } },
  ingress: [${ports.map((p) => `{ name: 'tcp-${p}', ports: [{ port: ${p} }] }`).join(', ')}],
  defaultDeny: ['ingress', 'egress'],
});
`;
// audit on another endpoint: the programs are built with audit support (a code change), the maps keep their shapes
const IDLE = `import { policy } from 'tsbpf';
export default policy({ name: 'idle', selector: { matchLabels: { app: 'idle' } }, audit: true, ingress: [{ name: 'tcp-9999', ports: [{ port: 9999 }] }] });
`;
// 150 ports: more policy entries than the first build's map holds, so the map layout changes
const MANY = `import { policy } from 'tsbpf';
export default policy({ name: 'many', selector: { matchLabels: { app: 'b' } }, ingress: [{ name: 'many-ports', ports: Array.from({ length: 150 }, (_, i) => ({ port: 20000 + 2 * i, protocol: 'UDP' as const })) }] });
`;

// the first L7 rule: conntrack's value grows (L7 stream fields), so its entries are copied into wider values
const HTTP = `import { policy } from 'tsbpf';
export default policy({ name: 'http', selector: { matchLabels: { app: 'b' } }, ingress: [{ name: 'get-8080', ports: [{ port: 8080, http: [{ method: 'GET' }] }] }] });
`;

interface StreamReport {
  readonly bytes: number;
  readonly chunks: number;
  readonly inOrder: boolean;
  readonly sent: number;
  readonly pokes: number;
  readonly error: string | null;
  readonly closed: boolean;
}

describe.runIf(available('open connections across redeploys', kernelBpf, clang19, bpftool))('an open TCP connection across redeploys', () => {
  let server: ChildProcess;
  let serverLines: LineReader;
  let client: ChildProcess;
  let clientLines: LineReader;

  const h = deployHarness({ name: 'deploy-conn', side: 'a', endpoints: 'endpoints.yaml' });

  beforeAll(async () => {
    writeFileSync(join(h.dir, 'web.ts'), web([7002, 7003]));
    writeFileSync(join(h.dir, 'idle.ts'), IDLE);
    writeFileSync(join(h.dir, 'many.ts'), MANY);
    writeFileSync(join(h.dir, 'http.ts'), HTTP);
    writeFileSync(join(h.dir, 'endpoints.yaml'), `endpoints:\n  - { ip: ${ADDR_B}, labels: { app: b } }\n  - { ip: 192.0.2.9, labels: { app: idle } }\n`);
    server = h.pair.spawn(h.pair.b, process.execPath, [STREAM_SCRIPT, 'server', ADDR_B, '7002', '7003']);
    serverLines = lineReader(server);
    expect(await serverLines.next(5000)).toBe('ready');
  });

  async function report(): Promise<StreamReport> {
    client.stdin!.write('report\n');
    return JSON.parse(await clientLines.next(5000)) as StreamReport;
  }

  /** The stream's report once it has moved `atLeast` chunks past `from` (or 3 s passed). */
  async function advanced(from: StreamReport, atLeast = 40): Promise<StreamReport> {
    let r = await report();
    for (let i = 0; i < 30 && r.chunks < from.chunks + atLeast; i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await report();
    }
    return r;
  }

  /** B writes first on the idle connection: its message must reach A. */
  async function poke(expected: number): Promise<void> {
    server.stdin!.write('poke\n');
    let r = await report();
    for (let i = 0; i < 20 && r.pokes < expected; i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await report();
    }
    expect(r.pokes).toBe(expected);
  }

  /** A new connection from A: `echoed`, or `timeout` when the SYN is dropped. */
  function connect(port: number): string {
    const code = `const c=require('net').connect(${port},'${ADDR_B}',()=>c.write('hi'));c.on('data',d=>{console.log(String(d)==='hi'?'echoed':'wrong');process.exit(0)});c.on('error',e=>{console.log(e.code);process.exit(0)});setTimeout(()=>{console.log('timeout');process.exit(0)},1000)`;
    return h.pair.exec(h.pair.a, process.execPath, ['-e', code]).trim();
  }

  const egressDrops = () => {
    const c = readCounters(readState(h.target.stateDir!, stateId(h.pair.a.iface, h.pair.a.name))!);
    return c.verdicts.filter((v) => v.direction === 'egress' && v.action === 'dropped').reduce((n, v) => n + v.packets, 0n);
  };

  it('keeps streaming across a rules-only update, new programs over the same maps, a map layout change and the first L7 rule', async () => {
    expect((await deployPolicies([join(h.dir, 'web.ts')], h.target)).action).toBe('fresh');
    client = h.pair.spawn(h.pair.a, process.execPath, [STREAM_SCRIPT, 'client', ADDR_B, '7002']);
    clientLines = lineReader(client);
    expect(await clientLines.next(5000)).toBe('connected');
    let last = await advanced({ bytes: 0, chunks: 0, inOrder: true, sent: 0, pokes: 0, error: null, closed: false });
    await poke(1);
    expect(last.chunks).toBeGreaterThanOrEqual(40);
    expect(connect(7003)).toBe('echoed');

    // 1. rules only: 7003 removed, through the generation flip
    writeFileSync(join(h.dir, 'web.ts'), web([7002]));
    const rules = await deployPolicies([join(h.dir, 'web.ts')], h.target);
    expect(rules.action).toBe('rules');
    await poke(2);
    expect(connect(7003)).toBe('timeout');
    expect(connect(7002)).toBe('echoed');
    let now = await advanced(last);
    expect(now).toMatchObject({ inOrder: true, error: null, closed: false });
    expect(now.chunks).toBeGreaterThanOrEqual(last.chunks + 40);
    last = now;

    // 2. code: new programs swapped in with LINK_UPDATE over the pinned maps
    const code = await deployPolicies([join(h.dir, 'idle.ts')], h.target);
    expect(code.action).toBe('code');
    expect(code.layoutChanges).toEqual([]);
    await poke(3);
    expect(connect(7003)).toBe('timeout');
    now = await advanced(last);
    expect(now).toMatchObject({ inOrder: true, error: null, closed: false });
    expect(now.chunks).toBeGreaterThanOrEqual(last.chunks + 40);
    last = now;

    // 3. layout: the policy map grows; conntrack (and the other state maps) carried over, said beforehand
    const plan = await deployPolicies([join(h.dir, 'many.ts')], { ...h.target, dryRun: true });
    expect(plan.layoutChanges).toEqual([expect.stringMatching(/^map policy: max entries 256 → \d+$/)]);
    expect(plan.carryOver?.kept).toEqual(expect.arrayContaining(['conntrack', 'fragments', 'verdict_counters']));
    expect(plan.warnings.join('\n')).toMatch(/layout changes \(map policy: .*kept: .*conntrack/);
    const ruleCount = () =>
      readCounters(readState(h.target.stateDir!, stateId(h.pair.a.iface, h.pair.a.name))!).rules.find((r) => r.policy === 'web' && r.rule === 'tcp-7002')!.packets;
    const countedBefore = ruleCount();
    const layout = await deployPolicies([join(h.dir, 'many.ts')], h.target);
    // the rule counters, in a new and larger map, carry on from where they were
    expect(ruleCount()).toBeGreaterThanOrEqual(countedBefore);
    expect(countedBefore).toBeGreaterThan(0n);
    expect(layout.action).toBe('code');
    expect(layout.carryOver?.lost).toEqual([]);
    await poke(4);
    expect(connect(7003)).toBe('timeout');
    expect(connect(7002)).toBe('echoed');
    now = await advanced(last);
    expect(now).toMatchObject({ inOrder: true, error: null, closed: false });
    expect(now.chunks).toBeGreaterThanOrEqual(last.chunks + 40);
    last = now;

    // 4. the first L7 rule: conntrack's values widen, its entries copied with the new fields at zero
    const l7 = await deployPolicies([join(h.dir, 'http.ts')], h.target);
    expect(l7.action).toBe('code');
    expect(l7.layoutChanges).toEqual(expect.arrayContaining([expect.stringMatching(/^map conntrack: value size 8 → \d+$/)]));
    expect(l7.carryOver).toMatchObject({ copied: ['conntrack'], lost: [] });
    await poke(5);
    expect(connect(7003)).toBe('timeout');
    now = await advanced(last);
    expect(now).toMatchObject({ inOrder: true, error: null, closed: false });
    expect(now.chunks).toBeGreaterThanOrEqual(last.chunks + 40);

    // A's side of the stream reached B all along, and the policy dropped none of B's packets (its replies)
    server.stdin!.write('report\n');
    const received = JSON.parse(await serverLines.next(5000)) as { received: number; streams: number; idle: number };
    expect(received.idle).toBe(1);
    expect(received.streams).toBe(1);
    expect(received.received).toBeGreaterThan(0);
    expect(received.received).toBeLessThanOrEqual((await report()).sent);
    expect(egressDrops()).toBe(0n);
    client.kill();
  });
});
