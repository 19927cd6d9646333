// What is deployed on an interface, kept as JSON under /run/tsbpf (tmpfs: gone at reboot, like the programs),
// never as files in bpffs. The kernel objects themselves are pinned under the pin root:
//
//   /run/tsbpf/<id>.json                         this DeployState
//   /sys/fs/bpf/tsbpf/<id>/maps/<map>            every map of the combined policy (names sanitised: `.` → `_`)
//   /sys/fs/bpf/tsbpf/<id>/links/<program>       the tcx and XDP links (they hold the programs)
//
// <id> is the interface name, or `<netns>@<iface>` for an interface inside a named network namespace.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { PolicyMaps } from '../../compiler/cgen/index.ts';
import type { PolicyManifest } from '../commands/policy-build.ts';
import type { L7CounterLayout } from './l7-counters.ts';

/** TSBPF_STATE_DIR overrides it (tests, experiments without /run) */
export const DEFAULT_STATE_DIR = process.env['TSBPF_STATE_DIR'] ?? '/run/tsbpf';
export const DEFAULT_PIN_ROOT = '/sys/fs/bpf/tsbpf';
/** Bumped when the layout of the pinned maps or of this file changes in a way older states cannot be read with. */
export const STATE_LAYOUT = 1;

export interface DeployedPolicy {
  /** the policy file, absolute */
  readonly file: string;
  /** the policies it exports */
  readonly names: readonly string[];
  /** sha256 of the policy file and its imports, as built */
  readonly hash: string;
  /** increases by one each time this file is deployed with a different hash */
  readonly version: number;
}

export interface DeployState {
  readonly layout: number;
  readonly iface: string;
  /** `ip netns` name (or a namespace file path) the interface lives in */
  readonly netns?: string;
  /** tc: both programs on tcx; xdp: the receive-side program on XDP (states written before xdp mode say tc) */
  readonly mode: 'tc' | 'xdp';
  readonly endpoints?: string;
  readonly policies: readonly DeployedPolicy[];
  /** increases with every deploy that changed anything */
  readonly generation: number;
  /** sha256 of the programs' instructions and the maps' shapes: equal hashes mean a rules-only change */
  readonly codeHash: string;
  /** sha256 of the policy maps' contents (generation 0): equal hashes and code mean nothing to do */
  readonly rulesHash: string;
  /** rule labels of the counter slots of each generation (index generation * slots + rule id) */
  readonly ruleLabels: Readonly<Record<string, PolicyManifest['counters']['rule_counters']['rules']>>;
  readonly pinDir: string;
  /** program name → pinned link path and the direction it enforces */
  readonly links: Readonly<Record<string, { readonly path: string; readonly direction: string; readonly hook: string }>>;
  /** map name → pin path */
  readonly maps: Readonly<Record<string, string>>;
  /** what the policy maps hold now (the input of the next rules-only update) */
  readonly live: PolicyMaps;
  readonly manifest: PolicyManifest;
  /** where the L7 request counters are (absent: no L7 rules) */
  readonly l7Counters?: L7CounterLayout;
  readonly deployedAt: string;
}

/** The state id of an interface: its name, or `netns@iface`. */
export function stateId(iface: string, netns?: string): string {
  if (!/^[A-Za-z0-9_.:-]{1,15}$/.test(iface)) throw new RangeError(`interface ${JSON.stringify(iface)}: not an interface name`);
  return netns === undefined ? iface : `${basename(netns)}@${iface}`;
}

export function stateFile(stateDir: string, id: string): string {
  return join(stateDir, `${id}.json`);
}

export function readState(stateDir: string, id: string): DeployState | undefined {
  const file = stateFile(stateDir, id);
  if (!existsSync(file)) return undefined;
  let state: DeployState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as DeployState;
  } catch (e) {
    throw new SyntaxError(`${file}: unreadable deploy state: ${(e as Error).message}`, { cause: e });
  }
  if (state.layout !== STATE_LAYOUT) throw new RangeError(`${file}: deploy state layout ${state.layout}, this tsbpf reads ${STATE_LAYOUT}: undeploy with the tsbpf that deployed it`);
  return state;
}

/** Writes atomically (rename), so a crash leaves the old state or the new one. */
export function writeState(stateDir: string, state: DeployState): void {
  mkdirSync(stateDir, { recursive: true });
  const file = stateFile(stateDir, stateId(state.iface, state.netns));
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function removeState(stateDir: string, id: string): void {
  rmSync(stateFile(stateDir, id), { force: true });
}

export function listStates(stateDir: string): DeployState[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => {
      const s = readState(stateDir, f.slice(0, -'.json'.length));
      return s === undefined ? [] : [s];
    });
}
