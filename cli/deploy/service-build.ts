// The services of every file deployed on one interface, built into one load balancer for `deploy`, and the
// gate before the kernel: our verifier on the two programs deploy attaches, and each newly given file's service
// vectors (as `tsbpf check` runs them, on that file's own load balancer).
//
// The deployed build differs from `tsbpf build`'s in two ways: its tc programs answer TCX_NEXT for packets
// they let through (the policy programs after them on the same hook still judge them), and its maps have room
// to spare (deploySizes), so that adding, draining or removing backends changes map contents, not programs.
import { createHash } from 'node:crypto';
import { readObject, type ObjectSpec } from '../../bpf/index.ts';
import type { PolicyDriver } from '../../compiler/cgen/index.ts';
import type { LoadedPolicies } from '../../compiler/dsl/index.ts';
import {
  buildLb,
  EW_EGRESS_PROGRAM,
  EW_INGRESS_PROGRAM,
  LB_PROGRAMS,
  lbMapsJson,
  lbSizes,
  readVectorFile,
  runServiceVectors,
  verifyLbPrograms,
  type BuiltLb,
  type LbConfig,
  type LbSizes,
  type Service,
} from '../../compiler/services/index.ts';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { defaultVectorsFile } from '../commands/policy-pipeline.ts';
import { assignBackendIds } from './backend-ids.ts';
import { codeHash, sourcesHash } from './build-set.ts';
import type { DeployCheck } from './checks.ts';

/**
 * Where deploy attaches the load balancer's tc programs on the interface, ahead of the policy's (tcx chain
 * position first): `lb_tc_egress` translates the packets the interface receives (VIP:port → backend), and
 * `lb_tc_ingress` gives the replies it sends the VIP back as their source. (The names say what they do on a
 * client's own interface, docs/services.md; on a deployed interface the clients are on the far side.)
 */
export const DEPLOYED_LB_PROGRAMS = [
  { name: EW_EGRESS_PROGRAM, hook: 'tcx/ingress', direction: 'ingress' },
  { name: EW_INGRESS_PROGRAM, hook: 'tcx/egress', direction: 'egress' },
] as const;

export interface BuiltServices {
  readonly lb: BuiltLb;
  readonly spec: ObjectSpec;
  readonly codeHash: string;
  readonly contentHash: string;
  /** `service|address:port` per global backend id (FREE_SLOT: a hole), kept across redeploys (backend-ids.ts) */
  readonly backendKeys: readonly string[];
  readonly files: readonly { readonly file: string; readonly names: readonly string[]; readonly hash: string }[];
}

const roundUp = (n: number, step: number) => Math.max(step, Math.ceil(n / step) * step);

/**
 * Map sizes with room: up to 16 services per family, 256 backend slots and 32 Ki table entries per step
 * (`slots`: the backend ids in use, holes included, when more than the backends).
 */
export function deploySizes(services: readonly Service[], slots = 0): LbSizes {
  const s = lbSizes(services);
  return { ...s, services: roundUp(s.services, 16), services6: roundUp(s.services6, 16), backends: roundUp(Math.max(s.backends, slots), 256), tableEntries: roundUp(s.tableEntries, 32768) };
}

/**
 * What only the north-south XDP program (lb_xdp) does, which deploy does not attach (docs/deploy.md, "Not yet"):
 * DSR (an IPIP tunnel to the backend) and a backend's next-hop MAC (XDP forwards the frame itself; the tc form
 * hands the translated packet to the host's routing). Refused before anything is built or changed.
 */
export function refuseUndeployable(services: readonly Service[]): void {
  const dsr = services.find((s) => s.mode === 'dsr');
  if (dsr !== undefined) {
    throw new CliError(`deploy: service ${dsr.name} has mode dsr, which only the north-south XDP program (lb_xdp) does, and deploy attaches the tc form: drop mode: 'dsr' to deploy it`, EXIT_USAGE);
  }
  const nextHop = services.find((s) => s.backends.some((b) => b.mac !== undefined));
  if (nextHop !== undefined) {
    const b = nextHop.backends.find((x) => x.mac !== undefined)!;
    throw new CliError(`deploy: service ${nextHop.name} gives backend ${b.key} a next-hop mac, which only the north-south XDP program (lb_xdp) uses, and deploy attaches the tc form (the host routes to the backends): drop mac to deploy it`, EXIT_USAGE);
  }
}

/**
 * The load balancer of `loaded` (the files whose services the interface gets), as deploy attaches it;
 * `previousKeys`: the deployed backends' ids, which they keep.
 */
export async function buildServiceSet(loaded: readonly LoadedPolicies[], options: { driver?: PolicyDriver; config: LbConfig; previousKeys?: readonly string[] }): Promise<BuiltServices> {
  const services = loaded.flatMap((l) => l.services ?? []);
  refuseUndeployable(services);
  const ids = assignBackendIds(services, options.previousKeys);
  let lb: BuiltLb;
  try {
    lb = await buildLb(services, { driver: options.driver ?? 'wasm', config: options.config, sizes: deploySizes(services, ids.keys.length), tcPass: 'TCX_NEXT', backendIds: ids.ids });
  } catch (e) {
    if (e instanceof CliError) throw e;
    // two services with one name or one VIP:port, an address that is not one: the input's fault
    if (e instanceof RangeError || (e as Error).name === 'PolicyError') throw new CliError(`deploy: ${(e as Error).message}`, EXIT_USAGE, { cause: e });
    throw e;
  }
  const spec = readObject(lb.object);
  return {
    lb,
    spec,
    codeHash: codeHash(spec),
    contentHash: createHash('sha256').update(JSON.stringify(lbMapsJson(lb))).digest('hex'),
    backendKeys: ids.keys,
    files: loaded.map((l) => ({ file: l.file, names: (l.services ?? []).map((s) => s.name), hash: sourcesHash(l.sources) })),
  };
}

/** Our verifier on the programs deploy attaches (profile seed, as `tsbpf check`). */
export function verifyServices(built: BuiltServices): DeployCheck[] {
  const attached = new Set<string>(DEPLOYED_LB_PROGRAMS.map((p) => p.name));
  return verifyLbPrograms({ object: built.lb.object, programs: LB_PROGRAMS.filter((p) => attached.has(p.name)) }).flatMap((p) =>
    p.verify.map((v) => ({ what: `verify ${p.name} (${v.profile})`, ok: v.verdict !== 'reject', ...(v.error !== null ? { detail: `${v.verdict}: ${v.error}` } : {}) })),
  );
}

/** The service cases of the vectors beside `file`, run on the file's own load balancer (none: no checks). */
export async function serviceVectorChecks(file: string, services: readonly Service[], options: { driver?: PolicyDriver; config: LbConfig }): Promise<DeployCheck[]> {
  const vectorsFile = defaultVectorsFile(file);
  if (vectorsFile === undefined) return [];
  const cases = readVectorFile(vectorsFile).services;
  if (cases.length === 0) return [];
  const lb = await buildLb(services, { driver: options.driver ?? 'wasm', config: options.config });
  const reports = await runServiceVectors(lb, cases, { unverified: true });
  return reports.map((c) => {
    const bad = c.packets.findIndex((p) => p.problems.length > 0);
    const pkt = c.packets[bad];
    return { what: `vectors ${file}: ${c.name}`, ok: c.passed, ...(c.passed || pkt === undefined ? {} : { detail: `packet ${bad + 1}: ${pkt.problems.join('; ')}` }) };
  });
}
