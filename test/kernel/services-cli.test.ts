// `tsbpf services --pin DIR` on a load balancer in the kernel: the test object loaded, its maps filled and
// pinned under a temporary bpffs directory, packets sent with BPF_PROG_TEST_RUN (new connections, follow-ups,
// replies), then the CLI's numbers compared with what was sent and where TypeScript says each flow went.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { LB_PROGRAM } from '../../compiler/services/index.ts';
import { loadCollection, mapUpdate, pinCollection, progTestRun } from '../../loader/index.ts';
import { parsePacket } from '../../simulator/packet/index.ts';
import { repoRoot } from '../corpora.ts';
import { clientPacket, compileTestLb, contents, fillMaps, predictedBackend, replyPacket, testServices, type FlowSpec } from '../compiler/services/lb-harness.ts';
import { available, clang19, kernelBpf } from '../support/require.ts';

interface ServiceJson {
  vip: string;
  port: number;
  packets: number;
  connections: number;
  drops: number;
  backends: { address: string; port: number; state: string; weight: number; tableEntries: number; liveConnections: number; packets: number; replies: number }[];
}

const tsbpf = (...args: string[]) => {
  const r = spawnSync(join(repoRoot, 'node_modules/.bin/tsx'), [join(repoRoot, 'cli/main.ts'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe.runIf(available('tsbpf services in the kernel', kernelBpf, clang19))('tsbpf services in the kernel', () => {
  it('shows the packets, connections and replies sent to a pinned load balancer, per service and backend', async () => {
    const services = testServices({ web: { backends: [{ address: '10.1.0.1', port: 8080 }, { address: '10.1.0.2', port: 8080, weight: 2 }, { address: '10.1.0.3', port: 8080 }, { address: '10.1.0.4', port: 8080, state: 'drained' }] } });
    const maps = contents(services);
    const spec = readObject(await compileTestLb('native'));
    const coll = loadCollection(spec);
    const dir = mkdtempSync('/sys/fs/bpf/tsbpf-services-');
    try {
      fillMaps(maps, (m, k, v) => mapUpdate(coll.maps.get(m)!, k, v));
      pinCollection(coll, dir);
      const prog = coll.programs.get(LB_PROGRAM)!;
      const flows: FlowSpec[] = Array.from({ length: 24 }, (_, i) => ({ client: `203.0.113.${i + 1}`, sport: 40000 + i, vip: '10.96.0.10', dport: 80, payload: 'hi' }));
      const dns: FlowSpec[] = Array.from({ length: 5 }, (_, i) => ({ client: '198.51.100.1', sport: 50000 + i, vip: '10.96.0.11', dport: 53, protocol: 'udp', payload: 'q' }));
      const want = new Map<string, { packets: number; replies: number; connections: number }>();
      const sent = (b: { address: string; port: number }, packets: number, replies: number, connections: number) => {
        const k = `${b.address}:${b.port}`;
        const w = want.get(k) ?? { packets: 0, replies: 0, connections: 0 };
        want.set(k, { packets: w.packets + packets, replies: w.replies + replies, connections: w.connections + connections });
      };
      for (const f of [...flows, ...dns]) {
        const out = parsePacket(progTestRun(prog, { data: clientPacket(f) }).data);
        const b = predictedBackend(services, maps, f);
        expect(out.ipv4!.dst).toBe(b.address);
        sent(b, 1, 0, 1);
        // web: a follow-up on the same connection and the backend's reply through the SNAT port
        if (f.vip === '10.96.0.10') {
          progTestRun(prog, { data: clientPacket({ ...f, flags: ['ack'], payload: 'more' }) });
          progTestRun(prog, { data: replyPacket(b.address, b.port, out.tcp!.sport) });
          sent(b, 1, 1, 0);
        }
      }
      const r = tsbpf('services', '--pin', dir, '--json');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const status = JSON.parse(r.stdout) as ServiceJson[];
      const web = status.find((s) => s.vip === '10.96.0.10')!;
      const udp = status.find((s) => s.vip === '10.96.0.11')!;
      expect(web).toMatchObject({ packets: 48, connections: 24, drops: 0 });
      expect(udp).toMatchObject({ packets: 5, connections: 5, drops: 0 });
      expect(web.backends.map((b) => [b.address, b.state, b.weight])).toEqual([
        ['10.1.0.1', 'active', 1],
        ['10.1.0.2', 'active', 2],
        ['10.1.0.3', 'active', 1],
        ['10.1.0.4', 'drained', 1],
      ]);
      expect(web.backends[3]!.tableEntries).toBe(0);
      expect(web.backends.reduce((n, b) => n + b.tableEntries, 0)).toBe(251);
      for (const b of [...web.backends, ...udp.backends]) {
        const w = want.get(`${b.address}:${b.port}`) ?? { packets: 0, replies: 0, connections: 0 };
        expect({ packets: b.packets, replies: b.replies, live: b.liveConnections }, `${b.address}:${b.port}`).toEqual({ packets: w.packets, replies: w.replies, live: w.connections });
      }
      expect(new Set(flows.map((f) => predictedBackend(services, maps, f).address)).size).toBeGreaterThan(1);
      const text = tsbpf('services', '--pin', dir);
      expect(text.stdout).toContain('service 0 10.96.0.10:80/tcp maglev snat M=251 removed→reset: 48 packets');
      expect(text.stdout).toMatch(/10\.1\.0\.4:8080 drained weight 1 entries 0 \(0\.0%\): 0 connections/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      coll.close();
    }
  }, 60_000);

  it('says when the directory holds no load balancer', () => {
    const dir = mkdtempSync('/sys/fs/bpf/tsbpf-services-empty-');
    try {
      const r = tsbpf('services', '--pin', dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no pinned load-balancer maps/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
