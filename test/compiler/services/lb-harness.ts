// Shared by the load balancer's simulator and kernel tests: the services, one compiled object per test
// file, map filling through any setter, packet builders and what TypeScript predicts for a flow.
import { findNativeClang } from '../../../compiler/clang/native.ts';
import {
  compileLbC,
  flowHash,
  flowHash6,
  generateLbC,
  ipv6,
  lbSizes,
  ipv4,
  lbMapContents,
  service,
  type BackendSpec,
  type LbConfig,
  type LbDriver,
  type LbMaps,
  type Service,
  type ServiceSpec,
} from '../../../compiler/services/index.ts';
import { packet, parsePacket, type ParsedPacket } from '../../../simulator/packet/index.ts';

export const CONFIG: LbConfig = { snatAddress: '192.168.1.1', snatAddress6: 'fd00:ffff::1', gatewayMac: '02:00:00:00:00:aa' };
export const LB_MAC = '02:00:00:00:00:01';
export const ROUTER_MAC = '02:00:00:00:00:fe';
export const SNAT_MIN = 32768;
export const SNAT_SPAN = 28232;

export const backendsOf = (n: number, port = 8080): BackendSpec[] =>
  Array.from({ length: n }, (_, i) => ({ address: `10.1.${i >> 8}.${(i & 255) + 1}`, port }));

export const backends6Of = (n: number, port = 8080): BackendSpec[] => Array.from({ length: n }, (_, i) => ({ address: `fd00:1::${(i + 1).toString(16)}`, port }));

/** the test services: web (TCP, reset), dns (UDP), sticky (TCP with a 10 s affinity), big (100 backends, drop), direct (DSR) */
export function testServices(overrides: Partial<Record<string, Partial<ServiceSpec>>> = {}): Service[] {
  const specs: ServiceSpec[] = [
    { name: 'web', vip: '10.96.0.10', port: 80, backends: backendsOf(4), maglev: { size: 251 } },
    { name: 'dns', vip: '10.96.0.11', port: 53, protocol: 'udp', backends: backendsOf(3, 5353), maglev: { size: 251 } },
    { name: 'sticky', vip: '10.96.0.12', port: 443, backends: backendsOf(5, 8443), affinity: { timeoutSeconds: 10 }, maglev: { size: 251 } },
    { name: 'big', vip: '10.96.0.13', port: 80, backends: backendsOf(100), removedAction: 'drop' },
    { name: 'direct', vip: '10.96.0.14', port: 80, backends: backendsOf(3, 80), mode: 'dsr', maglev: { size: 251 } },
    { name: 'web6', vip: 'fd00:96::10', port: 80, backends: backends6Of(4), maglev: { size: 251 } },
    { name: 'dns6', vip: 'fd00:96::11', port: 53, protocol: 'udp', backends: backends6Of(3, 5353), maglev: { size: 251 } },
  ];
  return specs.map((s) => service({ ...s, ...overrides[s.name] }));
}

/** native clang when installed (fast), else the wasm driver; TSBPF_LB_DRIVER=wasm|native chooses */
export const testDriver = (): LbDriver => {
  const forced = process.env['TSBPF_LB_DRIVER'];
  if (forced === 'wasm' || forced === 'native') return forced;
  return findNativeClang() === undefined ? 'wasm' : 'native';
};

/** The test object (built once per test process: `compileLbC` keeps built objects). The map sizes come from
 * testServices(); changed backend states keep the same counts. */
export async function compileTestLb(driver: LbDriver = testDriver()): Promise<Uint8Array> {
  const services = testServices();
  return compileLbC(generateLbC(services, lbSizes(services, 32768)), driver);
}

export function fillMaps(maps: LbMaps, set: (map: string, key: Uint8Array, value: Uint8Array) => void): void {
  for (const [name, entries] of Object.entries(maps.maps)) for (const e of entries) set(name, e.key, e.value);
}

export const contents = (services: readonly Service[]): LbMaps => lbMapContents(services, CONFIG);

export interface FlowSpec {
  readonly client: string;
  readonly sport: number;
  readonly vip: string;
  readonly dport: number;
  readonly protocol?: 'tcp' | 'udp';
  readonly flags?: readonly ('syn' | 'ack' | 'fin' | 'psh' | 'rst')[];
  readonly payload?: string;
  readonly udpChecksum?: number;
}

export function clientPacket(f: FlowSpec): Uint8Array {
  const ip = f.vip.includes(':')
    ? packet.eth({ src: ROUTER_MAC, dst: LB_MAC }).ipv6({ src: f.client, dst: f.vip })
    : packet.eth({ src: ROUTER_MAC, dst: LB_MAC }).ipv4({ src: f.client, dst: f.vip, id: 7 });
  const l4 =
    f.protocol === 'udp'
      ? ip.udp({ sport: f.sport, dport: f.dport, ...(f.udpChecksum !== undefined ? { checksum: f.udpChecksum } : {}) })
      : ip.tcp({ sport: f.sport, dport: f.dport, flags: f.flags ?? ['syn'], seq: 1000, ack: f.flags?.includes('ack') ? 5000 : 0 });
  return l4.payload(f.payload ?? '').build();
}

/** a backend's reply to the load balancer (what the backend sends back to the SNAT address and port) */
export function replyPacket(backend: string, bport: number, snatPort: number, protocol: 'tcp' | 'udp' = 'tcp', payload = 'ok'): Uint8Array {
  const ip = backend.includes(':')
    ? packet.eth({ src: '02:00:00:00:00:bb', dst: LB_MAC }).ipv6({ src: backend, dst: CONFIG.snatAddress6! })
    : packet.eth({ src: '02:00:00:00:00:bb', dst: LB_MAC }).ipv4({ src: backend, dst: CONFIG.snatAddress, id: 9 });
  const l4 = protocol === 'udp' ? ip.udp({ sport: bport, dport: snatPort }) : ip.tcp({ sport: bport, dport: snatPort, flags: ['syn', 'ack'], seq: 5000, ack: 1001 });
  return l4.payload(payload).build();
}

/** the backend the Maglev table gives a new flow (TypeScript's prediction) */
export function predictedBackend(services: readonly Service[], maps: LbMaps, f: FlowSpec): Service['backends'][number] {
  const s = services.findIndex((x) => x.vip === f.vip && x.port === f.dport);
  const svc = services[s]!;
  const proto = f.protocol === 'udp' ? 17 : 6;
  const h =
    svc.family === 6
      ? flowHash6({ saddr: ipv6(f.client, 'client'), daddr: ipv6(f.vip, 'vip'), sport: f.sport, dport: f.dport, proto }, svc.seed)
      : flowHash({ saddr: ipv4(f.client, 'client'), daddr: ipv4(f.vip, 'vip'), sport: f.sport, dport: f.dport, proto }, svc.seed);
  const owner = maps.tables[s]![h % svc.tableSize]!;
  return svc.backends[maps.backendIds[s]!.indexOf(owner)]!;
}

export function parsed(bytes: Uint8Array): ParsedPacket {
  return parsePacket(bytes);
}
