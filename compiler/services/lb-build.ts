// The services a policy file exports → the load balancer `tsbpf build` writes and `tsbpf check` simulates:
// the C, the object (one for all services: north-south XDP and east-west tc programs sharing the maps), the
// initial map contents and the programs with their attach points.
import { PolicyError } from '../dsl/policy-error.ts';
import { compileLbC, type LbDriver } from './compile-lb.ts';
import { EW_EGRESS_PROGRAM, EW_INGRESS_PROGRAM, type EwPass } from './generate-ew-c.ts';
import { generateLbC, LB_PROGRAM, lbSizes, type LbSizes } from './generate-lb-c.ts';
import { lbMapContents, type LbConfig, type LbMaps } from './lb-map-contents.ts';
import type { Service } from './service-model.ts';

/**
 * The node settings a policy file does not carry: the north-south SNAT addresses are the load-balancer node's
 * own, written into `lb_config` where it is deployed. 0.0.0.0 / :: match no reply until then; east-west needs
 * none of them.
 */
export const DEFAULT_LB_CONFIG: LbConfig = { snatAddress: '0.0.0.0' };

export interface LbProgram {
  readonly name: string;
  readonly section: string;
  readonly topology: 'north-south' | 'east-west';
  readonly attach: string;
}

export const LB_PROGRAMS: readonly LbProgram[] = [
  { name: LB_PROGRAM, section: 'xdp', topology: 'north-south', attach: "XDP on the load-balancer node's interface" },
  { name: EW_EGRESS_PROGRAM, section: 'tc', topology: 'east-west', attach: "tc egress on the client's interface (endpoint mode)" },
  { name: EW_INGRESS_PROGRAM, section: 'tc', topology: 'east-west', attach: "tc ingress on the client's interface (endpoint mode)" },
];

export interface BuiltLb {
  readonly services: readonly Service[];
  readonly c: string;
  readonly object: Uint8Array;
  readonly driver: LbDriver;
  readonly config: LbConfig;
  readonly maps: LbMaps;
  readonly programs: readonly LbProgram[];
}

/** Two services may share neither a name nor a VIP, port and protocol (the `services` map key). */
export function checkServiceSet(services: readonly Service[]): void {
  const names = new Map<string, Service>();
  const keys = new Map<string, Service>();
  for (const s of services) {
    const other = names.get(s.name);
    if (other !== undefined) throw new PolicyError(`two services are named ${s.name}`, s.at);
    names.set(s.name, s);
    const key = `${s.vip}|${s.port}|${s.protocol}`;
    const same = keys.get(key);
    if (same !== undefined) throw new PolicyError(`service ${s.name}: ${s.vip}:${s.port}/${s.protocol} is already service ${same.name}'s`, s.at);
    keys.set(key, s);
  }
}

export interface BuildLbOptions {
  readonly driver?: LbDriver;
  readonly config?: LbConfig;
  readonly connections?: number;
  /** map sizes (default lbSizes: exactly the services'); `deploy` leaves room so backend changes keep the code */
  readonly sizes?: LbSizes;
  /** what the tc programs return for packets they let through (generate-ew-c.ts EwPass) */
  readonly tcPass?: EwPass;
  /** each service's backends' global ids (default: in order); `deploy` keeps them across redeploys */
  readonly backendIds?: readonly (readonly number[])[];
}

export async function buildLb(services: readonly Service[], options: BuildLbOptions = {}): Promise<BuiltLb> {
  checkServiceSet(services);
  const driver = options.driver ?? 'wasm';
  const config = options.config ?? DEFAULT_LB_CONFIG;
  const maps = lbMapContents(services, config, options.backendIds);
  const c = generateLbC(services, options.sizes ?? lbSizes(services, options.connections), options.tcPass !== undefined ? { tcPass: options.tcPass } : {});
  return { services, c, object: await compileLbC(c, driver), driver, config, maps, programs: LB_PROGRAMS };
}

/** lb.maps.json: the entries as hex, per map */
export function lbMapsJson(lb: BuiltLb): Record<string, { key: string; value: string }[]> {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return Object.fromEntries(Object.entries(lb.maps.maps).map(([name, entries]) => [name, entries.map((e) => ({ key: hex(e.key), value: hex(e.value) }))]));
}
