// `tsbpf deploy` of a file that exports services and a policy: the load balancer runs first on the tcx hooks of
// side B's veth (VIP → backend on received packets, backend → VIP on the replies), the policy after it judges
// the translated packets. Real TCP connections and UDP queries from side A to the VIPs reach the backends
// (addresses on side B's loopback, each answering with its own address); /metrics counts exactly the packets
// that crossed the link (IPv6 off, static neighbours: nothing else does). A redeploy with a backend inserted
// first and one drained updates the maps in place: every backend keeps its id (the new one goes past the end),
// an open connection keeps its backend and the counters their backend; 20 services more replace the programs (LINK_UPDATE), an open
// connection keeps its backend, a new service answers, the counters go on; `undeploy --all` leaves no program,
// map, link or pin.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinnedLbStatus } from '../../cli/commands/services.ts';
import { interfaceStatus } from '../../cli/commands/status.ts';
import { topSamples } from '../../cli/commands/top.ts';
import { renderTopFrame } from '../../cli/deploy/top-frame.ts';
import { deployPolicies, undeployAll } from '../../cli/deploy/deploy.ts';
import { mapGetInfo, openPinned } from '../../loader/index.ts';
import { ADDR_A, ADDR_B, lineReader } from '../support/netns.ts';
import { bpfObjectsLeft, deployHarness } from '../support/deploy-traffic.ts';
import { available, bpftool, clang19, kernelBpf } from '../support/require.ts';

const BACKENDS = ['10.1.0.5', '10.1.0.6', '10.1.0.7'];
const ADDED = '10.1.0.9';

const file = (web: readonly string[], drained?: string, dns: readonly string[] = BACKENDS) => `import { policy, service } from 'tsbpf';
export const web = service({
  name: 'web', vip: '10.96.0.10', port: 80, protocol: 'tcp',
  backends: [${web.map((a) => `{ address: '${a}', port: 8080${a === drained ? ", state: 'drained'" : ''} }`).join(', ')}],
  maglev: { size: 251 },
});
export const dns = service({
  name: 'dns', vip: '10.96.0.11', port: 53, protocol: 'udp',
  backends: [${dns.map((a) => `{ address: '${a}', port: 5353 }`).join(', ')}],
  maglev: { size: 251 },
});
// the policy sees the packets after the load balancer: the backends' ports
export const host = policy({
  name: 'host', host: true,
  ingress: [{ name: 'web', ports: [{ port: 8080 }] }, { name: 'dns', ports: [{ port: 5353, protocol: 'UDP' }] }],
});
`;

// side B: a TCP server (answers "who" with the address it was reached at and closes; echoes anything else
// after that address) and a UDP socket per backend address (answers with its own address). Helper processes
// end when their stdin closes (the pair kills them, or the test process died), never on a timer: a deploy
// under a loaded CI machine can take tens of seconds.
const SERVERS = `const net=require('net'),dgram=require('dgram');const addrs=process.argv.slice(1);let n=0;const up=()=>++n===addrs.length+1&&console.log('ready');
net.createServer(c=>{c.on('error',()=>{});c.on('data',d=>String(d)==='who'?c.end(c.localAddress):c.write(c.localAddress+' '+d))}).listen(8080,'0.0.0.0',up);
for(const a of addrs){const s=dgram.createSocket('udp4');s.on('message',(m,r)=>s.send(a,r.port,r.address));s.bind(5353,a,up)}
process.stdin.on('end',()=>process.exit(0)).resume()`;

// side A: N connections to the web VIP one after the other, then M queries to the dns VIP (a socket each):
// the address each one reached, as JSON
const CLIENTS = `const net=require('net'),dgram=require('dgram');const [n,m]=process.argv.slice(1).map(Number);const out={tcp:[],udp:[]};
const tcp=i=>i===n?udp(0):(()=>{const c=net.connect(80,'10.96.0.10',()=>c.write('who'));let got='';c.on('data',d=>got+=d);c.on('close',()=>{out.tcp.push(got);tcp(i+1)});c.on('error',e=>{out.tcp.push(e.code);});c.setTimeout(2000,()=>c.destroy())})();
const udp=i=>{if(i===m){console.log(JSON.stringify(out));process.exit(0)}const s=dgram.createSocket('udp4');s.connect(53,'10.96.0.11',()=>s.send('q'));const t=setTimeout(()=>{out.udp.push('timeout');s.close();udp(i+1)},1000);s.on('message',d=>{clearTimeout(t);out.udp.push(String(d));s.close();udp(i+1)})};
tcp(0)`;

// side A: one connection that stays open: "one" now, "two" for each line on stdin
const HELD = `const c=require('net').connect(80,'10.96.0.10',()=>c.write('one'));c.on('error',e=>console.log(e.code));
c.on('data',d=>console.log(String(d)));require('readline').createInterface({input:process.stdin}).on('line',()=>c.write('two')).on('close',()=>process.exit(0))`;

// side A: one UDP flow to the dns VIP (a connected socket: one 5-tuple), a query every millisecond until a
// line on stdin; then, once the last answers had time to come back, how many it sent and who answered
const FLOW = `const s=require('dgram').createSocket('udp4');const from={};let sent=0,first=true;
s.on('message',d=>{from[d]=(from[d]||0)+1;if(first){first=false;console.log('flowing')}});
s.connect(53,'10.96.0.11',()=>{const t=setInterval(()=>{s.send('q');sent++},1);
require('readline').createInterface({input:process.stdin}).once('line',()=>{clearInterval(t);setTimeout(()=>{console.log(JSON.stringify({sent,from}));process.exit(0)},300)})})`;

// 20 services more (on the added backend): past the 16 services the load balancer's maps have room for
const MORE = Array.from(
  { length: 20 },
  (_, i) => `export const s${i} = service({ name: 's${i}', vip: '10.96.1.${i + 1}', port: 80, protocol: 'tcp', backends: [{ address: '${ADDED}', port: 8080 }], maglev: { size: 251 } });\n`,
).join('');

const TCP = 12;
const UDP = 10;

describe.runIf(available('deploy services under real traffic', kernelBpf, clang19, bpftool))('tsbpf deploy of services under real traffic', () => {
  const h = deployHarness({
    name: 'services',
    files: { 'shop.ts': file(BACKENDS), 'shop.endpoints.yaml': `host: [${ADDR_B}, ${[...BACKENDS, ADDED].join(', ')}]\n` },
    metrics: true,
    setup: async (h) => {
      for (const a of [...BACKENDS, ADDED]) h.pair.exec(h.pair.b, 'ip', ['addr', 'add', `${a}/32`, 'dev', 'lo']);
      h.pair.exec(h.pair.a, 'ip', ['route', 'add', '10.96.0.0/16', 'via', ADDR_B]);
      const servers = h.pair.spawn(h.pair.b, process.execPath, ['-e', SERVERS, ...BACKENDS, ADDED]);
      expect(await lineReader(servers).next(5000)).toBe('ready');
    },
  });
  const shop = () => join(h.dir, 'shop.ts');
  /** what shop.ts holds now */
  let shopText = file(BACKENDS);
  const programIds = new Set<number>();
  const mapIds = new Set<number>();
  const sum = (m: Map<string, number>, prefix: string) => [...m].filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);

  it('balances real TCP connections and UDP queries to the backends, behind the policy, and counts them', async () => {
    const r = await deployPolicies([shop()], h.target);
    expect(r.action).toBe('fresh');
    expect(r.services?.action).toBe('fresh');
    expect(r.checks.filter((c) => !c.ok)).toEqual([]);
    // the load balancer first on both hooks, the policy after it
    const status = interfaceStatus(h.target.stateDir);
    expect(status[0]!.programs.map((p) => `${p.name} ${p.hook}`)).toEqual(['lb_tc_egress tcx/ingress', 'lb_tc_ingress tcx/egress', 'policy_ingress tcx/ingress', 'policy_egress tcx/egress']);
    expect(status[0]!.services.map((s) => `${s.name} ${s.vip}:${s.port}/${s.protocol}`).sort()).toEqual(['dns 10.96.0.11:53/udp', 'web 10.96.0.10:80/tcp']);
    for (const p of status[0]!.programs) programIds.add(p.programId!);

    const before = h.pair.stats(h.pair.b);
    const out = JSON.parse(h.pair.exec(h.pair.a, process.execPath, ['-e', CLIENTS, String(TCP), String(UDP)], { timeoutMs: 20000 })) as { tcp: string[]; udp: string[] };
    const after = h.pair.stats(h.pair.b);
    // every connection and query reached a backend, through the VIP (the client's sockets are connected to it)
    expect(out.tcp.filter((a) => BACKENDS.includes(a))).toHaveLength(TCP);
    expect(out.udp.filter((a) => BACKENDS.includes(a))).toHaveLength(UDP);
    expect(new Set([...out.tcp, ...out.udp]).size).toBeGreaterThan(1);

    const m = await h.metrics();
    const web = `interface="${h.iface}",service="10.96.0.10:80/tcp"`;
    const dns = `interface="${h.iface}",service="10.96.0.11:53/udp"`;
    expect(m.get(`tsbpf_service_connections_total{${web}}`)).toBe(TCP);
    expect(m.get(`tsbpf_service_connections_total{${dns}}`)).toBe(UDP);
    expect(m.get(`tsbpf_service_packets_total{${dns}}`)).toBe(UDP);
    // every packet side B received was for a VIP, every one it sent a reply from a backend
    expect(m.get(`tsbpf_service_packets_total{${web}}`)! + UDP).toBe(after.rxPackets - before.rxPackets);
    expect(sum(m, 'tsbpf_backend_replies_total{')).toBe(after.txPackets - before.txPackets);
    expect(sum(m, `tsbpf_backend_packets_total{${web}`)).toBe(m.get(`tsbpf_service_packets_total{${web}}`));
    for (const b of BACKENDS) {
      const queries = out.udp.filter((a) => a === b).length;
      expect(m.get(`tsbpf_backend_packets_total{${dns},backend="${b}:5353"}`)).toBe(queries);
      expect(m.get(`tsbpf_backend_replies_total{${dns},backend="${b}:5353"}`)).toBe(queries);
    }
    // the policy judged the translated packets: allowed by its rules for the backends' ports
    expect(m.get(`tsbpf_rule_packets_total{interface="${h.iface}",policy="host",rule="dns",direction="ingress",verdict="allow"}`)).toBe(UDP);
    // `tsbpf top` renders the same counters from the pins, by service name, with a row per backend
    const frame = renderTopFrame(topSamples(h.target.stateDir), undefined, 0, new Date());
    expect(frame.some((l) => new RegExp(`^\\s+web 10\\.96\\.0\\.10:80/tcp\\s+${m.get(`tsbpf_service_packets_total{${web}}`)}\\s+\\d+\\s+${TCP}\\s+-$`).test(l))).toBe(true);
    expect(frame.filter((l) => /^\s+10\.1\.0\.[567]:5353 active\s/.test(l))).toHaveLength(3);
    // `tsbpf services --pin` reads the same maps
    const lb = pinnedLbStatus(join(h.target.pinRoot!, `${h.side.name}@${h.side.iface}`, 'lb'));
    expect(lb.map((s) => `${s.vip} ${s.connections}`).sort()).toEqual([`10.96.0.10 ${TCP}`, `10.96.0.11 ${UDP}`]);
    // each table owns its 251 slots; the maps' room past them belongs to no backend
    expect(lb.map((s) => s.backends.reduce((n, b) => n + b.tableEntries, 0))).toEqual([251, 251]);
  });

  it('updates changed backends in place, and an open connection keeps its backend', async () => {
    const held = h.pair.spawn(h.pair.a, process.execPath, ['-e', HELD]);
    const lines = lineReader(held);
    const [backend, said] = (await lines.next(10000)).split(' ');
    expect(said).toBe('one');
    expect(BACKENDS).toContain(backend);
    // a backend inserted first, another drained
    const drained = BACKENDS.find((b) => b !== backend)!;
    const counted = await h.metrics();
    const lbDir = join(h.target.pinRoot!, `${h.side.name}@${h.side.iface}`, 'lb');
    const idsOf = () => new Map(pinnedLbStatus(lbDir).flatMap((s) => s.backends.map((b) => [`${s.vip} ${b.address}`, b.id] as const)));
    const idsBefore = idsOf();
    shopText = file([ADDED, ...BACKENDS], drained);
    writeFileSync(shop(), shopText);
    const r = await deployPolicies([shop()], h.target);
    expect(r.services?.action).toBe('maps');
    // every backend kept its id (the connections' entries name ids); the added one took the next
    const idsAfter = idsOf();
    for (const [k, id] of idsBefore) expect(idsAfter.get(k)).toBe(id);
    expect(idsAfter.get(`10.96.0.10 ${ADDED}`)).toBe(idsBefore.size);
    // and the counts stayed with their backend
    const moved = await h.metrics();
    for (const b of BACKENDS) {
      const label = `{interface="${h.iface}",service="10.96.0.11:53/udp",backend="${b}:5353"}`;
      expect(moved.get(`tsbpf_backend_packets_total${label}`)).toBe(counted.get(`tsbpf_backend_packets_total${label}`));
    }
    expect(moved.get(`tsbpf_backend_packets_total{interface="${h.iface}",service="10.96.0.10:80/tcp",backend="${ADDED}:8080"}`)).toBe(0);
    // the file's hash changed: the policy's version moves on, its programs stay
    expect(r.action).toBe('rules');
    held.stdin!.write('poke\n');
    expect(await lines.next(10000)).toBe(`${backend} two`);
    held.kill();
    // new connections go to the active backends only, the added one among them
    const out = JSON.parse(h.pair.exec(h.pair.a, process.execPath, ['-e', CLIENTS, '16', '0'], { timeoutMs: 20000 })) as { tcp: string[] };
    expect(out.tcp.filter((a) => a === drained || ![ADDED, ...BACKENDS].includes(a))).toEqual([]);
    const web = pinnedLbStatus(lbDir).find((s) => s.vip === '10.96.0.10')!;
    expect(web.backends.map((b) => `${b.address} ${b.state}`)).toEqual([...BACKENDS.map((b) => `${b} ${b === drained ? 'drained' : 'active'}`), `${ADDED} active`]);
  });

  it('loses and misdirects no packet of a running flow while backends are inserted before its own', async () => {
    const flow = h.pair.spawn(h.pair.a, process.execPath, ['-e', FLOW]);
    const lines = lineReader(flow);
    expect(await lines.next(10000)).toBe('flowing');
    // dns gets a backend first: numbered in order, the flow's backend id would now be another backend's
    shopText = file([ADDED, ...BACKENDS], BACKENDS.find((b) => b !== BACKENDS[0]), [ADDED, ...BACKENDS]);
    writeFileSync(shop(), shopText);
    const r = await deployPolicies([shop()], h.target);
    expect(r.services?.action).toBe('maps');
    flow.stdin!.write('stop\n');
    const out = JSON.parse(await lines.next(5000)) as { sent: number; from: Record<string, number> };
    // one backend answered all of them, before, during and after the update
    expect(Object.keys(out.from)).toHaveLength(1);
    expect(BACKENDS).toContain(Object.keys(out.from)[0]);
    expect(Object.values(out.from)[0]).toBe(out.sent);
    expect(out.sent).toBeGreaterThan(100);
  });

  it('replaces the programs (LINK_UPDATE) when the services outgrow the maps, keeping connections and counters', async () => {
    const held = h.pair.spawn(h.pair.a, process.execPath, ['-e', HELD]);
    const lines = lineReader(held);
    const [backend, said] = (await lines.next(10000)).split(' ');
    expect(said).toBe('one');
    const lbPrograms = () => interfaceStatus(h.target.stateDir)[0]!.programs.filter((p) => p.name.startsWith('lb_')).map((p) => p.programId!);
    const oldPrograms = lbPrograms();
    const before = await h.metrics();
    // 20 more services: 22 in IPv4, past the maps' room of 16
    writeFileSync(shop(), shopText + MORE);
    const r = await deployPolicies([shop()], h.target);
    expect(r.services?.action).toBe('code');
    expect(r.warnings).toEqual([]);
    for (const id of lbPrograms()) programIds.add(id);
    expect(lbPrograms().some((id) => oldPrograms.includes(id))).toBe(false);
    // the connection kept its backend over the reused connection map
    held.stdin!.write('poke\n');
    expect(await lines.next(10000)).toBe(`${backend} two`);
    held.kill();
    // a new service answers
    const out = JSON.parse(h.pair.exec(h.pair.a, process.execPath, ['-e', CLIENTS.replace("'10.96.0.10'", "'10.96.1.20'"), '1', '0'], { timeoutMs: 10000 })) as { tcp: string[] };
    expect(out.tcp).toEqual([ADDED]);
    // the counters went on in the new maps: the same for what saw no traffic, more for what did
    const after = await h.metrics();
    const web = `interface="${h.iface}",service="10.96.0.10:80/tcp"`;
    const dns = `interface="${h.iface}",service="10.96.0.11:53/udp"`;
    expect(before.get(`tsbpf_service_connections_total{${web}}`)).toBeGreaterThan(0);
    expect(after.get(`tsbpf_service_connections_total{${web}}`)).toBe(before.get(`tsbpf_service_connections_total{${web}}`));
    expect(after.get(`tsbpf_service_packets_total{${dns}}`)).toBe(before.get(`tsbpf_service_packets_total{${dns}}`));
    for (const b of BACKENDS) expect(after.get(`tsbpf_backend_replies_total{${dns},backend="${b}:5353"}`)).toBe(before.get(`tsbpf_backend_replies_total{${dns},backend="${b}:5353"}`));
    const held8080 = `tsbpf_backend_packets_total{${web},backend="${backend}:8080"}`;
    expect(after.get(held8080)).toBeGreaterThan(before.get(held8080)!);
    expect(after.get(`tsbpf_service_connections_total{interface="${h.iface}",service="10.96.1.20:80/tcp"}`)).toBe(1);
  });

  it('undeploy --all removes the load balancer with the policy, leaving nothing of ours', async () => {
    const s = interfaceStatus(h.target.stateDir)[0]!;
    for (const p of s.programs) programIds.add(p.programId!);
    const lbDir = join(h.target.pinRoot!, `${h.side.name}@${h.side.iface}`, 'lb', 'maps');
    for (const name of ['services', 'maglev', 'backends', 'conns']) {
      const fd = openPinned(join(lbDir, name));
      mapIds.add(mapGetInfo(fd).id);
      fd.close();
    }
    expect(undeployAll({ stateDir: h.target.stateDir!, pinRoot: h.target.pinRoot! })).toEqual([`${h.side.name}@${h.side.iface}`]);
    expect(existsSync(h.target.pinRoot!)).toBe(false);
    expect(interfaceStatus(h.target.stateDir)).toEqual([]);
    const left = await bpfObjectsLeft(programIds, mapIds);
    // the two policy programs, and the load balancer's before and after LINK_UPDATE
    expect(programIds.size).toBe(6);
    expect(mapIds.size).toBe(4);
    expect(left).toBe(0);
  });
});
