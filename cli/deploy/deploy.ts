// `tsbpf deploy` / `tsbpf undeploy`: the policies (and services) of one interface, compiled together, into the kernel and kept
// up to date. Whatever happens, either the new deployment is in force or the previous one still is:
//
//   fresh   load → fill maps → pin maps → attach tcx links → pin links → write state
//   rules   same programs: new rules written under the other generation, flipped in one write (hot-update.ts)
//   code    new programs over the pinned maps (reused: conntrack survives), swapped in with LINK_UPDATE, then
//           the rules flip; when the maps' layout changed they cannot all be reused: new maps for the rules, and
//           the state maps (conntrack, ...) reused when unchanged or copied over when only their capacity
//           changed (layout-changes.ts), said in a warning before anything is loaded
//   unchanged  nothing (deploys are idempotent)
//   mode switch (--mode tc <-> xdp): a code change whose receive-side program moves hook: the new program is
//           attached at its new hook (XDP or tcx ingress) before the old link is detached, over the same maps
//
// --mode xdp runs the receive-side program (interface mode: ingress; endpoint mode: the endpoint's egress) as
// an XDP program and keeps the other on tcx egress (compiler/cgen/programs.ts); a redeploy without --mode keeps
// the deployed mode.
//
// Services (the files' `service()` exports) are the interface's other deployment: one load balancer, planned
// (built, checked) before anything changes and applied after the policies (service-deploy.ts), its programs
// first on the tcx hooks, its pins under <pin dir>/lb and its state under <state dir>/services.
//
// The state is written last: a failure before leaves the old state describing what is still in force.
import { existsSync, mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyPolicyUpdate, hexBytes, ReloadNeededError, type PolicyMapWriter, type PolicyMaps } from '../../compiler/cgen/index.ts';
import type { AttachMode, PolicyDriver } from '../../compiler/cgen/index.ts';
import {
  attachTcx,
  attachXdp,
  isBpffs,
  loadCollection,
  MapCompatibilityError,
  mapDelete,
  mapUpdate,
  openPinned,
  openPinnedLink,
  pinObject,
  possibleCpus,
  sanitizePinName,
  type Collection,
  type Fd,
  type Link,
  type TcxDirection,
} from '../../loader/index.ts';
import { loadPolicyFile, type LoadedPolicies } from '../../compiler/dsl/index.ts';
import { CliError, EXIT_FAILED, EXIT_USAGE } from '../cli-error.ts';
import { manifestOf } from '../commands/policy-build.ts';
import { buildPolicySet, type BuiltSet } from './build-set.ts';
import { checkHint, vectorChecks, verifySet, type DeployCheck } from './checks.ts';
import { carryRuleCounters } from './carry-counters.ts';
import { copyEntries } from './copy-entries.ts';
import { l7CounterLayout } from './l7-counters.ts';
import { carryOverPlan, layoutChanges, type CarryOver } from './layout-changes.ts';
import { undoable } from './undoable-writer.ts';
import { LinkSwaps } from './link-swaps.ts';
import { nextVersions, planDeploy, policySetAfterDeploy, type DeployAction } from './plan.ts';
import { applyServices, planServices, type ServiceResult } from './service-deploy.ts';
import { removeLb } from './service-kernel.ts';
import { listServiceStates, readServiceState, removeServiceState, type ServiceDeployState } from './service-state.ts';
import { DEFAULT_PIN_ROOT, DEFAULT_STATE_DIR, listStates, readState, removeState, STATE_LAYOUT, stateId, writeState, type DeployState } from './state.ts';

export interface DeployTarget {
  readonly iface: string;
  /** `ip netns` name or a namespace file */
  readonly netns?: string;
  readonly pinRoot?: string;
  readonly stateDir?: string;
  readonly progress?: (message: string) => void;
}

export interface DeployOptions extends DeployTarget {
  readonly endpoints?: string;
  /** deploy even when a verifier check or a test vector fails */
  readonly force?: boolean;
  readonly driver?: PolicyDriver;
  /** `tc`: both programs on tcx; `xdp`: the receive-side program on XDP. Default: the deployed mode, else tc */
  readonly mode?: AttachMode;
  /** build, check and plan only: report what a deploy would do, change nothing */
  readonly dryRun?: boolean;
}

export interface DeployResult {
  readonly action: DeployAction | 'removed';
  readonly state: DeployState | undefined;
  readonly checks: readonly DeployCheck[];
  readonly warnings: readonly string[];
  /** pinned maps the new build cannot reuse (a code change) */
  readonly layoutChanges: readonly string[];
  /** with layout changes: which state maps keep their contents (reused or copied) and which start empty */
  readonly carryOver?: { readonly kept: readonly string[]; readonly copied: readonly string[]; readonly lost: readonly string[] };
  readonly dryRun: boolean;
  /** the interface's services (the load balancer), when it has or had any */
  readonly services?: ServiceResult;
}

const netnsPath = (netns: string | undefined) => (netns === undefined ? undefined : netns.includes('/') ? netns : `/run/netns/${netns}`);

function dirs(t: DeployTarget): { id: string; pinDir: string; stateDir: string } {
  const id = stateId(t.iface, t.netns);
  return { id, pinDir: join(t.pinRoot ?? DEFAULT_PIN_ROOT, sanitizePinName(id)), stateDir: t.stateDir ?? DEFAULT_STATE_DIR };
}

/** Loads every file: what it exports decides whether it joins the policies, the services, or both. */
async function loadFiles(files: readonly string[]): Promise<LoadedPolicies[]> {
  const out: LoadedPolicies[] = [];
  for (const f of files) {
    if (!existsSync(f)) throw new CliError(`${f}: no such file`, EXIT_USAGE);
    try {
      out.push(await loadPolicyFile(f));
    } catch (e) {
      throw new CliError((e as Error).message, EXIT_USAGE, { cause: e });
    }
    const l = out[out.length - 1]!;
    if (l.policies.length === 0 && (l.services?.length ?? 0) === 0) throw new CliError(`deploy: ${f} exports no policy and no service`, EXIT_USAGE);
  }
  return out;
}

const hasServices = (l: LoadedPolicies) => (l.services?.length ?? 0) > 0;

/**
 * The interface's policy and service sets after deploying `added` (a file replaces itself in each set, leaving
 * a set when it no longer exports that kind), or after undeploying `removed`.
 */
async function nextSets(previous: DeployState | undefined, previousLb: ServiceDeployState | undefined, added: readonly string[], removed: readonly string[]): Promise<{ policies: string[]; services: LoadedPolicies[] }> {
  const loadedAdded = await loadFiles(added);
  const keep = (f: string) => !removed.includes(f);
  const policies = policySetAfterDeploy((previous?.policies.map((p) => p.file) ?? []).filter(keep), []).filter((f) => {
    const l = loadedAdded.find((x) => x.file === f);
    return l === undefined || l.policies.length > 0;
  });
  for (const l of loadedAdded) if (l.policies.length > 0 && !policies.includes(l.file)) policies.push(l.file);
  const serviceFiles = policySetAfterDeploy((previousLb?.files.map((f) => f.file) ?? []).filter(keep), loadedAdded.filter(hasServices).map((l) => l.file));
  const services: LoadedPolicies[] = [];
  for (const f of serviceFiles) {
    const l = loadedAdded.find((x) => x.file === f) ?? (await loadFiles([f]))[0]!;
    if (hasServices(l)) services.push(l);
  }
  return { policies, services };
}

/** Adds (or replaces) `files` in the sets deployed on the interface (policies, services) and brings the kernel up to date. */
export async function deployPolicies(files: readonly string[], options: DeployOptions): Promise<DeployResult> {
  const added = files.map((f) => resolve(f));
  return applyInterface(added, [], options);
}

/** Removes `file` from the interface's sets (redeploying the rest), or everything of the interface. */
export async function undeployPolicy(file: string | undefined, options: DeployTarget & { driver?: PolicyDriver }): Promise<DeployResult> {
  const { id, stateDir } = dirs(options);
  const previous = readState(stateDir, id);
  const previousLb = readServiceState(stateDir, id);
  if (previous === undefined && previousLb === undefined) throw new CliError(`undeploy: nothing is deployed on ${id}`, EXIT_USAGE);
  const deployed = [...new Set([...(previous?.policies.map((p) => p.file) ?? []), ...(previousLb?.files.map((f) => f.file) ?? [])])];
  if (file !== undefined && !deployed.includes(resolve(file))) {
    throw new CliError(`undeploy: ${file} is not deployed on ${id} (deployed: ${deployed.join(', ')})`, EXIT_USAGE);
  }
  if (file === undefined) {
    if (previousLb !== undefined) removeServices(previousLb, stateDir);
    if (previous !== undefined) removeDeployment(previous, stateDir);
    return { action: 'removed', state: undefined, checks: [], warnings: [], layoutChanges: [], dryRun: false };
  }
  return applyInterface([], [resolve(file)], { ...options, ...(previous?.endpoints !== undefined ? { endpoints: previous.endpoints } : {}), ...(previous !== undefined ? { mode: previous.mode } : {}), force: true });
}

/** Deploys `added` and removes `removed`: services planned first (refused before anything changes), policies, then the services applied. */
async function applyInterface(added: readonly string[], removed: readonly string[], options: DeployOptions): Promise<DeployResult> {
  const progress = options.progress ?? (() => {});
  const { id, pinDir, stateDir } = dirs(options);
  const previous = readState(stateDir, id);
  const previousLb = readServiceState(stateDir, id);
  const sets = await nextSets(previous, previousLb, added, removed);
  const mode = options.mode ?? previous?.mode ?? 'tc';
  if (mode === 'xdp' && sets.services.length > 0) {
    // the XDP program runs before tcx: it would judge the VIP, where the tc mode's policy judges the backend
    throw new CliError(`deploy --mode xdp: ${sets.services[0]!.file} exports services, whose load balancer must translate before the policy judges (tcx, first): deploy with --mode tc`, EXIT_USAGE);
  }
  const driver = options.driver !== undefined ? { driver: options.driver } : {};
  const plan = await planServices(sets.services, added, previousLb, { ...driver, progress });
  const failed = plan.checks.filter((c) => !c.ok);
  if (failed.length > 0 && options.force !== true) {
    const first = failed[0]!;
    const hint = checkHint(first, mode);
    throw new CliError(`deploy refused: ${failed.length} check${failed.length === 1 ? '' : 's'} failed, first: ${first.what}${first.detail !== undefined ? `: ${first.detail}` : ''}${hint !== undefined ? ` (${hint})` : ''} (--force deploys anyway)`, EXIT_FAILED);
  }
  if (plan.action === 'fresh' && options.dryRun !== true && !isBpffs(join(pinDir, '..')) && !isBpffs(join(pinDir, '..', '..'))) {
    throw new CliError(`deploy: ${join(pinDir, '..')} is not on a bpffs (mount one: mount -t bpf bpf /sys/fs/bpf)`, EXIT_USAGE);
  }
  let result: DeployResult;
  if (sets.policies.length > 0) {
    const endpoints = options.endpoints ?? previous?.endpoints;
    result = await applySet(sets.policies, { ...options, ...(endpoints !== undefined ? { endpoints } : {}) }, previous, added.filter((f) => sets.policies.includes(f)));
  } else if (previous !== undefined && options.dryRun !== true) {
    removeDeployment(previous, stateDir, false);
    result = { action: 'removed', state: undefined, checks: [], warnings: [], layoutChanges: [], dryRun: false };
  } else {
    result = { action: plan.action === 'maps' ? 'rules' : plan.action === 'removed' ? 'removed' : plan.action, state: previous, checks: [], warnings: [], layoutChanges: [], dryRun: options.dryRun === true };
  }
  const warnings = [...result.warnings];
  const netns = netnsPath(options.netns);
  const services =
    options.dryRun === true
      ? { action: plan.action, state: previousLb, checks: plan.checks }
      : applyServices(plan, previousLb, { iface: options.iface, ...(netns !== undefined ? { netns } : {}), ...(options.netns !== undefined ? { netnsName: options.netns } : {}), pinDir, stateDir }, warnings, progress);
  if (sets.policies.length === 0 && services.state === undefined && options.dryRun !== true) rmEmptyDir(pinDir);
  return { ...result, checks: [...result.checks, ...services.checks], warnings, services };
}

/** `undeploy --all`: every interface deployed by this state directory. Returns the ids removed. */
export function undeployAll(options: { stateDir?: string; pinRoot?: string } = {}): string[] {
  const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
  const removed = new Set<string>();
  for (const s of listServiceStates(stateDir)) {
    removeServices(s, stateDir);
    removed.add(stateId(s.iface, s.netns));
  }
  for (const s of listStates(stateDir)) {
    removeDeployment(s, stateDir);
    removed.add(stateId(s.iface, s.netns));
  }
  const root = options.pinRoot ?? DEFAULT_PIN_ROOT;
  // the root directory too, when we made it and nothing else is in it
  rmEmptyDir(root);
  return [...removed].sort();
}

function rmEmptyDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty, or already gone
  }
}

function removeServices(state: ServiceDeployState, stateDir: string): void {
  removeLb(state);
  removeServiceState(stateDir, stateId(state.iface, state.netns));
  rmEmptyDir(join(state.pinDir, '..'));
}

/** Detaches the policy links (the programs go with them) and removes their pins and the state. */
function removeDeployment(state: DeployState, stateDir: string, rmDir = true): void {
  for (const l of Object.values(state.links)) {
    if (!existsSync(l.path)) continue;
    try {
      openPinnedLink(l.path).detach();
    } catch {
      // the interface is gone (its links are defunct): removing the pin below releases the link
    }
  }
  // the load balancer's pins (lb/) stay with it
  for (const d of ['maps', 'links']) rmSync(join(state.pinDir, d), { recursive: true, force: true });
  if (rmDir) rmEmptyDir(state.pinDir);
  removeState(stateDir, stateId(state.iface, state.netns));
}

async function applySet(files: readonly string[], options: DeployOptions, previous: DeployState | undefined, added: readonly string[]): Promise<DeployResult> {
  const progress = options.progress ?? (() => {});
  const { pinDir, stateDir } = dirs(options);
  const driver = options.driver !== undefined ? { driver: options.driver } : {};
  const mode: AttachMode = options.mode ?? previous?.mode ?? 'tc';
  progress(`building ${files.length} ${files.length === 1 ? 'policy' : 'policies'}${mode === 'xdp' ? ' (xdp mode)' : ''}`);
  const built = await buildPolicySet(files, { ...driver, attachMode: mode, ...(options.endpoints !== undefined ? { endpoints: options.endpoints } : {}) });
  progress('verifying');
  const checks = verifySet(built);
  for (const f of added) {
    progress(`running the test vectors of ${f}`);
    checks.push(...(await vectorChecks(f, driver)));
  }
  const failed = checks.filter((c) => !c.ok);
  if (failed.length > 0 && options.force !== true) {
    const first = failed[0]!;
    const hint = checkHint(first, mode);
    throw new CliError(`deploy refused: ${failed.length} check${failed.length === 1 ? '' : 's'} failed, first: ${first.what}${first.detail !== undefined ? `: ${first.detail}` : ''}${hint !== undefined ? ` (${hint})` : ''} (--force deploys anyway)`, EXIT_FAILED);
  }
  const versions = nextVersions(previous?.policies ?? [], built.files);
  let action = planDeploy(previous, built);
  if (action === 'unchanged' && previous !== undefined && versions.some((v, i) => v !== previous.policies[i]?.version)) action = 'rules';
  const warnings: string[] = built.prepared.model.warnings.map((w) => w.message);
  if (previous !== undefined && previous.mode !== mode) {
    warnings.push(`switching ${previous.iface} from --mode ${previous.mode} to --mode ${mode}: the receive-side program moves to ${mode === 'xdp' ? 'XDP' : 'tcx ingress'} (attached before the old hook is detached; maps kept)`);
    progress(`warning: ${warnings[warnings.length - 1]!}`);
  }
  // the XDP head copy (xdp mode only) is scratch space, not state: it coming or going is no layout change
  const layout = action === 'code' ? layoutChanges(built.spec, previous!.maps).filter((l) => l !== 'map xdp_head is new') : [];
  const carry = layout.length > 0 ? carryOverPlan(built.spec, previous!.maps, freshMaps(built)) : undefined;
  if (carry !== undefined) {
    warnings.push(`the maps' layout changes (${layout.join('; ')}): new maps; ${describeCarryOver(carry)}`);
    // said before anything is loaded (the summary repeats it)
    progress(`warning: ${warnings[warnings.length - 1]!}`);
  }
  const carryOver = carry === undefined ? {} : { carryOver: { kept: Object.keys(carry.reuse), copied: Object.keys(carry.copy), lost: carry.lost } };
  const dryRun = options.dryRun === true;
  if (action === 'unchanged' || dryRun) return { action, state: previous, checks, warnings, layoutChanges: layout, ...carryOver, dryRun };

  if (!isBpffs(join(pinDir, '..')) && !isBpffs(join(pinDir, '..', '..'))) {
    throw new CliError(`deploy: ${join(pinDir, '..')} is not on a bpffs (mount one: mount -t bpf bpf /sys/fs/bpf)`, EXIT_USAGE);
  }
  let kernel: KernelResult;
  if (action === 'rules') {
    progress('updating the rules in place');
    try {
      kernel = updateRules(previous!, built);
    } catch (e) {
      if (!(e instanceof ReloadNeededError)) throw e;
      warnings.push(`${e.message}: loading new programs and maps`);
      action = 'code';
      kernel = replacePrograms(previous!, built, pinDir, false, warnings, progress, options);
    }
  } else if (action === 'code') {
    kernel = replacePrograms(previous!, built, pinDir, layout.length === 0, warnings, progress, options);
  } else {
    kernel = freshDeploy(built, options, pinDir, progress);
  }
  const manifest = manifestOf(built.prepared);
  const l7Counters = l7CounterLayout(built.prepared.model);
  const state: DeployState = {
    layout: STATE_LAYOUT,
    iface: options.iface,
    ...(options.netns !== undefined ? { netns: options.netns } : {}),
    mode,
    ...(options.endpoints !== undefined ? { endpoints: resolve(options.endpoints) } : {}),
    policies: built.files.map((f, i) => ({ ...f, version: versions[i]! })),
    generation: (previous?.generation ?? 0) + 1,
    codeHash: built.codeHash,
    rulesHash: built.rulesHash,
    ruleLabels: kernel.freshCounters
      ? { [String(kernel.live.generation)]: manifest.counters.rule_counters.rules }
      : { ...previous!.ruleLabels, [String(kernel.live.generation)]: manifest.counters.rule_counters.rules },
    pinDir,
    links: kernel.links,
    maps: kernel.maps,
    live: kernel.live,
    manifest,
    ...(l7Counters !== undefined ? { l7Counters } : {}),
    deployedAt: new Date().toISOString(),
  };
  writeState(stateDir, state);
  return { action, state, checks, warnings, layoutChanges: layout, ...carryOver, dryRun };
}

/** Maps a new build never carries over: those the rules fill, and the rule counters (relabelled per build). */
function freshMaps(built: BuiltSet): Set<string> {
  return new Set([...Object.keys(built.prepared.compiled.maps.maps), 'rule_counters']);
}

function describeCarryOver(c: CarryOver): string {
  const kept = [...Object.keys(c.reuse), ...Object.keys(c.copy).map((m) => (c.resize[m] !== undefined ? `${m} (copied, values resized to ${c.resize[m]} bytes: new fields start at zero)` : `${m} (copied)`))];
  return [
    kept.length > 0 ? `kept: ${kept.join(', ')}` : 'no state map is kept',
    ...(c.lost.length > 0 ? [`starting empty: ${c.lost.join('; ')}`] : []),
    'rule counters carried over by rule',
  ].join('; ');
}

interface KernelResult {
  readonly live: PolicyMaps;
  readonly maps: Record<string, string>;
  readonly links: DeployState['links'];
  /** the counter maps are new (no older generation's labels apply) */
  readonly freshCounters: boolean;
}

function writerOf(fds: (name: string) => Fd): PolicyMapWriter {
  return { update: (m, k, v) => mapUpdate(fds(m), k, v), delete: (m, k) => void mapDelete(fds(m), k) };
}

/** Zeroes the rule counter slots of `generation`, so counts left from two updates ago are not relabelled. */
function zeroRuleCounters(fd: Fd, generation: number, slots: number): void {
  const zero = new Uint8Array(possibleCpus() * 16);
  for (let i = 0; i < slots; i++) {
    const k = generation * slots + i;
    mapUpdate(fd, Uint8Array.of(k & 0xff, (k >> 8) & 0xff, (k >> 16) & 0xff, k >>> 24), zero);
  }
}

function fillMaps(coll: Collection, maps: PolicyMaps): void {
  for (const [name, m] of Object.entries(maps.maps)) {
    const fd = coll.maps.get(name);
    if (fd === undefined) throw new TypeError(`deploy: the object has no map ${name}`);
    for (const e of m.entries) mapUpdate(fd, hexBytes(e.key), hexBytes(e.value));
  }
}

/** The hook a program's section names: `tcx/ingress`, `tcx/egress` or `xdp`. */
function hookOf(section: string): 'xdp' | `tcx/${TcxDirection}` {
  if (section === 'xdp') return 'xdp';
  const m = /^tcx\/(ingress|egress)$/.exec(section);
  if (m === null) throw new TypeError(`deploy: program section ${section} is not a tcx or xdp hook`);
  return `tcx/${m[1] as TcxDirection}`;
}

/** Attaches `prog` at the hook of `section` on the interface, as a BPF link (pinnable, LINK_UPDATE-able). */
function attachAt(prog: Fd, section: string, options: DeployTarget): Link {
  const hook = hookOf(section);
  const netns = netnsPath(options.netns);
  const where = netns !== undefined ? { netns } : {};
  if (hook === 'xdp') return attachXdp(prog, options.iface, { ...where, via: 'link' });
  return attachTcx(prog, options.iface, hook === 'tcx/ingress' ? 'ingress' : 'egress', where);
}

function pinMaps(coll: Collection, dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const out: Record<string, string> = {};
  for (const [name, fd] of coll.maps) out[name] = pinObject(fd, dir, name);
  return out;
}

function freshDeploy(built: BuiltSet, options: DeployOptions, pinDir: string, progress: (m: string) => void): KernelResult {
  progress('loading');
  const coll = loadCollection(built.spec);
  const attached: { path: string; detach: () => void }[] = [];
  try {
    fillMaps(coll, built.prepared.compiled.maps);
    // the policy's own pins only: the load balancer's (lb/) are its own deployment
    for (const d of ['maps', 'links']) rmSync(join(pinDir, d), { recursive: true, force: true });
    const maps = pinMaps(coll, join(pinDir, 'maps'));
    mkdirSync(join(pinDir, 'links'), { recursive: true });
    const links: Record<string, DeployState['links'][string]> = {};
    for (const p of built.prepared.compiled.programs) {
      const hook = hookOf(p.section);
      progress(`attaching ${p.name} to ${hook.replace('/', ' ')} of ${options.iface}`);
      const link = attachAt(coll.programs.get(p.name)!, p.section, options);
      attached.push({ path: '', detach: () => link.detach() });
      const path = join(pinDir, 'links', sanitizePinName(p.name));
      link.pin(path);
      link.close();
      attached[attached.length - 1] = { path, detach: () => openPinnedLink(path).detach() };
      links[p.name] = { path, direction: p.direction, hook };
    }
    return { live: built.prepared.compiled.maps, maps, links, freshCounters: true };
  } catch (e) {
    for (const a of attached) {
      try {
        a.detach();
      } catch {
        // already gone
      }
    }
    for (const d of ['maps', 'links']) rmSync(join(pinDir, d), { recursive: true, force: true });
    throw e;
  } finally {
    coll.close();
  }
}

/** The rule counters of the previous maps into the new ones, by rule label (carry-counters.ts). */
function carryCounters(previous: DeployState, built: BuiltSet, coll: Collection, progress: (m: string) => void): void {
  const path = previous.maps['rule_counters'];
  const to = coll.maps.get('rule_counters');
  if (path === undefined || to === undefined || coll.reused.has('rule_counters')) return;
  const from = openPinned(path, { readOnly: true });
  try {
    const maps = built.prepared.compiled.maps;
    const n = carryRuleCounters(from, { slots: previous.manifest.counters.rule_counters.slots, labels: previous.ruleLabels }, to, { slots: maps.ruleSlots, generation: maps.generation, labels: built.prepared.model.rules });
    progress(`carried the counters of ${n} rules over`);
  } finally {
    from.close();
  }
}

/** Copies the entries of the state maps `carry` copies from their pins into the new collection's maps. */
function copyState(carry: CarryOver, coll: Collection, onlyMissing: boolean, progress: (m: string) => void): void {
  for (const [name, path] of Object.entries(carry.copy)) {
    const from = openPinned(path, { readOnly: true });
    try {
      const size = carry.resize[name];
      const r = copyEntries(from, coll.maps.get(name)!, { onlyMissing, ...(size !== undefined ? { valueSize: size } : {}) });
      if (!onlyMissing || r.copied > 0) progress(`${onlyMissing ? 'copied the last' : 'copied'} ${r.copied} entries of ${name}${!onlyMissing && r.skipped > 0 ? ` (${r.skipped} did not fit)` : ''}`);
    } finally {
      from.close();
    }
  }
}

function updateRules(previous: DeployState, built: BuiltSet): KernelResult {
  const fds = new Map<string, Fd>();
  const fd = (name: string) => {
    let f = fds.get(name);
    if (f === undefined) {
      const path = previous.maps[name];
      if (path === undefined) throw new ReloadNeededError(`policy update: map ${name} is not pinned`);
      f = openPinned(path);
      fds.set(name, f);
    }
    return f;
  };
  try {
    // a dry run checks capacities before anything is written
    applyPolicyUpdate({ update: () => {}, delete: () => {} }, previous.live, built.prepared.model);
    const next = 1 - previous.live.generation;
    zeroRuleCounters(fd('rule_counters'), next, previous.manifest.counters.rule_counters.slots);
    const live = applyPolicyUpdate(undoable(writerOf(fd)), previous.live, built.prepared.model);
    return { live, maps: { ...previous.maps }, links: previous.links, freshCounters: false };
  } finally {
    for (const f of fds.values()) f.close();
  }
}

/**
 * New programs swapped in with LINK_UPDATE. With `reuse`, over the pinned maps (when their layout still fits),
 * followed by the rules flip; else over new maps, which replace the pins once the links point at them.
 */
function replacePrograms(previous: DeployState, built: BuiltSet, pinDir: string, reuse: boolean, warnings: string[], progress: (m: string) => void, target: DeployTarget): KernelResult {
  let coll: Collection | undefined;
  let reused = false;
  if (reuse) {
    try {
      applyPolicyUpdate({ update: () => {}, delete: () => {} }, previous.live, built.prepared.model);
      progress('loading new programs over the pinned maps');
      coll = loadCollection(built.spec, { reuse: Object.fromEntries(built.spec.maps.flatMap((m) => (previous.maps[m.name] !== undefined ? [[m.name, previous.maps[m.name]!]] : []))) });
      reused = true;
    } catch (e) {
      if (!(e instanceof MapCompatibilityError) && !(e instanceof ReloadNeededError)) throw e;
      warnings.push(`the maps' layout changed (${e.message}): new maps`);
    }
  }
  let carry: CarryOver | undefined;
  if (coll === undefined) {
    carry = carryOverPlan(built.spec, previous.maps, freshMaps(built));
    progress(`loading new programs and maps${Object.keys(carry.reuse).length > 0 ? ` (keeping ${Object.keys(carry.reuse).join(', ')})` : ''}`);
    coll = loadCollection(built.spec, { reuse: carry.reuse });
  }
  const swapped = new LinkSwaps();
  // programs whose hook changed (a mode switch): the new link, attached beside the old one until the end
  const moved: { name: string; link: Link; hook: string }[] = [];
  try {
    if (!reused) fillMaps(coll, built.prepared.compiled.maps);
    if (carry !== undefined) copyState(carry, coll, false, progress);
    if (!reused) carryCounters(previous, built, coll, progress);
    const programs = built.prepared.compiled.programs;
    if (programs.some((p) => previous.links[p.name] === undefined) || Object.keys(previous.links).length !== programs.length) {
      throw new CliError('deploy: the new build attaches different programs: undeploy, then deploy', EXIT_FAILED);
    }
    for (const p of programs) {
      const hook = hookOf(p.section);
      if (previous.links[p.name]!.hook !== hook) {
        progress(`attaching ${p.name} to ${hook.replace('/', ' ')} of ${target.iface} (it was on ${previous.links[p.name]!.hook})`);
        moved.push({ name: p.name, link: attachAt(coll.programs.get(p.name)!, p.section, target), hook });
        continue;
      }
      progress(`replacing ${p.name} (LINK_UPDATE)`);
      swapped.swap(previous.links[p.name]!.path, coll.programs.get(p.name)!);
    }
  } catch (e) {
    swapped.rollBack();
    for (const m of moved) {
      try {
        m.link.detach();
      } catch {
        // already gone
      }
    }
    coll.close();
    throw e;
  }
  swapped.close();
  // the moved programs run at their new hook: detach the old links, pin the new ones in their place
  const links: Record<string, DeployState['links'][string]> = { ...previous.links };
  for (const m of moved) {
    const old = previous.links[m.name]!;
    try {
      openPinnedLink(old.path).detach();
    } catch {
      // the interface lost it already: removing the pin releases it
    }
    rmSync(old.path, { force: true });
    m.link.pin(old.path);
    m.link.close();
    links[m.name] = { ...old, hook: m.hook };
  }
  try {
    // entries the old programs made between the copy and the switch
    if (carry !== undefined) copyState(carry, coll, true, progress);
    if (reused) {
      zeroRuleCounters(coll.maps.get('rule_counters')!, 1 - previous.live.generation, previous.manifest.counters.rule_counters.slots);
      const live = applyPolicyUpdate(undoable(writerOf((n) => coll!.maps.get(n)!)), previous.live, built.prepared.model);
      return { live, maps: syncScratchPins(coll, previous.maps, pinDir), links, freshCounters: false };
    }
    rmSync(join(pinDir, 'maps'), { recursive: true, force: true });
    const maps = pinMaps(coll, join(pinDir, 'maps'));
    return { live: built.prepared.compiled.maps, maps, links, freshCounters: true };
  } finally {
    coll.close();
  }
}

/** Over reused maps: pins the maps the new build adds (xdp_head, entering xdp mode) and unpins those it drops. */
function syncScratchPins(coll: Collection, pinned: Readonly<Record<string, string>>, pinDir: string): Record<string, string> {
  const maps: Record<string, string> = {};
  for (const [name, path] of Object.entries(pinned)) {
    if (coll.maps.has(name)) maps[name] = path;
    else rmSync(path, { force: true });
  }
  for (const [name, fd] of coll.maps) if (maps[name] === undefined) maps[name] = pinObject(fd, join(pinDir, 'maps'), name);
  return maps;
}
