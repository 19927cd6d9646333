import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deployCommand } from '../../../cli/commands/deploy.ts';
import { deployPolicies } from '../../../cli/deploy/deploy.ts';

describe('deploy modes', () => {
  it('tsbpf deploy names tc and xdp as the modes for anything else, before building anything', async () => {
    await expect(deployCommand(['/nonexistent/policy.ts'], { iface: 'lo', mode: 'skb' })).rejects.toThrow(/^deploy --mode skb: the mode is tc or xdp$/);
  });

  it('deployPolicies() refuses --mode xdp in one line when L7 rules judge received packets, before compiling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-xdp-l7-'));
    try {
      const file = join(dir, 'web.ts');
      writeFileSync(file, `import { policy } from 'tsbpf';\nexport default policy({ name: 'web', host: true, ingress: [{ name: 'get', ports: [{ port: 80, http: [{ method: 'GET' }] }] }] });\n`);
      await expect(deployPolicies([file], { iface: 'lo', mode: 'xdp', stateDir: join(dir, 'state') })).rejects.toThrow(
        /^deploy --mode xdp: rule get has L7 rules on received packets \(ingress\), which need the tc datapath: deploy with --mode tc$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deploying services', () => {
  const SERVICE = `import { service } from 'tsbpf';\nexport const web = service({ name: 'web', vip: '10.96.0.10', port: 80, backends: [{ address: '10.1.0.5', port: 8080 }]MODE });\n`;

  it('deployPolicies() refuses --mode xdp for a file with services in one line, before building', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-xdp-svc-'));
    try {
      const file = join(dir, 'web.ts');
      writeFileSync(file, SERVICE.replace('MODE', ''));
      await expect(deployPolicies([file], { iface: 'lo', mode: 'xdp', stateDir: join(dir, 'state') })).rejects.toThrow(/^deploy --mode xdp: .*web\.ts exports services, whose load balancer must translate before the policy judges \(tcx, first\): deploy with --mode tc$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deployPolicies() refuses a DSR service, which only the north-south XDP program does, before compiling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-dsr-'));
    try {
      const file = join(dir, 'web.ts');
      writeFileSync(file, SERVICE.replace('MODE', ", mode: 'dsr'"));
      await expect(deployPolicies([file], { iface: 'lo', stateDir: join(dir, 'state') })).rejects.toThrow(/^deploy: service web has mode dsr, .*drop mode: 'dsr' to deploy it$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deployPolicies() refuses a backend with a next-hop MAC, which only the north-south XDP program uses, before compiling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-mac-'));
    try {
      const file = join(dir, 'web.ts');
      writeFileSync(file, SERVICE.replace("port: 8080 }", "port: 8080, mac: '02:00:00:00:00:fe' }").replace('MODE', ''));
      await expect(deployPolicies([file], { iface: 'lo', stateDir: join(dir, 'state') })).rejects.toThrow(/^deploy: service web gives backend 10\.1\.0\.5:8080 a next-hop mac, .*\(lb_xdp\).*: drop mac to deploy it$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deployPolicies() refuses a file that exports neither a policy nor a service', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsbpf-empty-'));
    try {
      const file = join(dir, 'none.ts');
      writeFileSync(file, 'export const x = 1;\n');
      await expect(deployPolicies([file], { iface: 'lo', stateDir: join(dir, 'state') })).rejects.toThrow(/none\.ts: exports no policy .* and no service$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
