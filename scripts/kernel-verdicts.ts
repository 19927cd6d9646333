// Ground truth for the verifier: load every program of every object in ../shared/corpora/ebpf-samples and
// test/fixtures into the running kernel, one program at a time with the maps it uses, and record the
// kernel's verdict:
//
//   accepted      PROG_LOAD succeeded (with `verification time` and `processed N insns` from BPF_LOG_STATS)
//   rejected      PROG_LOAD failed with a verifier log: the kernel's reason, instruction and source line
//   not loadable  anything else (unknown program type, missing attach target, unsupported relocation, a map
//                 that could not be created, PROG_LOAD failing without a log, an unreadable object, …)
//
// Writes docs/kernel-verdicts.md and docs/kernel-verdicts.json. Run as root: npx tsx scripts/kernel-verdicts.ts
// (--check compares with the committed JSON instead of writing; --only SUBSTRING limits the objects).
import { readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join, relative } from 'node:path';
import { attachTypeById, progTypeById, readObject, type ObjectSpec, type ProgramSpec } from '../bpf/index.ts';
import { loadCollection, ProgramLoadError, type ProgramTypeInput } from '../loader/index.ts';
import { corpusDir, filesBelow, repoRoot } from '../test/corpora.ts';

/**
 * Program types for sections libbpf's conventions do not name, per object (path relative to the corpus root)
 * and program; `*` is every program of the object. These are the types the samples' own loaders use
 * (iproute2 `tc ... bpf`, `ip route ... encap bpf`).
 */
export const OBJECT_OVERRIDES: Readonly<Record<string, Readonly<Record<string, ProgramTypeInput>>>> = {
  'ebpf-samples/linux/lwt_len_hist_kern.o': { '*': 'lwt_out' },
  'ebpf-samples/linux/tc_l2_redirect_kern.o': { '*': 'sched_cls' },
  'ebpf-samples/linux/tcbpf1_kern.o': { '*': 'sched_cls' },
  'ebpf-samples/linux/test_cgrp2_tc_kern.o': { '*': 'sched_cls' },
  'ebpf-samples/linux/xdp2skb_meta_kern.o': { _tc_mark: 'sched_cls' },
  'ebpf-samples/prototype-kernel/tc_bench01_redirect_kern.o': { '*': 'sched_cls' },
  'ebpf-samples/prototype-kernel/xdp_vlan01_kern.o': { _tc_progA: 'sched_cls' },
};

/**
 * PREVAIL's convention (src/linux/linux_platform.cpp) for the rest: objects under a `cilium` path are XDP
 * when the path says `xdp`, else TC (SCHED_CLS); otherwise the first program type whose section prefix
 * starts the section name; otherwise a socket filter (`.text`, `test`, … in PREVAIL's own samples).
 */
const PREVAIL_PREFIXES: readonly (readonly [string, string])[] = [
  ['socket', 'socket_filter'],
  ['kprobe/', 'kprobe'],
  ['kretprobe/', 'kprobe'],
  ['tracepoint/', 'tracepoint'],
  ['raw_tracepoint/', 'raw_tracepoint'],
  ['xdp', 'xdp'],
  ['perf_event', 'perf_event'],
  ['perf_section', 'perf_event'],
  ['cgroup/skb', 'cgroup_skb'],
  ['cgroup_skb/', 'cgroup_skb'],
  ['cgroup/sock', 'cgroup_sock'],
  ['sockops', 'sock_ops'],
  ['sk_skb', 'sk_skb'],
  ['sk_msg', 'sk_msg'],
  ['lwt_in', 'lwt_in'],
  ['lwt_out', 'lwt_out'],
  ['lwt_xmit', 'lwt_xmit'],
  ['lwt_seg6local', 'lwt_seg6local'],
  ['classifier', 'sched_cls'],
  ['action', 'sched_act'],
  ['cgroup/dev', 'cgroup_device'],
];

export function prevailProgramType(path: string, section: string): string {
  if (path.includes('cilium')) return path.includes('xdp') ? 'xdp' : 'sched_cls';
  for (const [prefix, type] of PREVAIL_PREFIXES) if (section.startsWith(prefix)) return type;
  return 'socket_filter';
}

export type Verdict = 'accepted' | 'rejected' | 'not loadable';

export interface VerdictEntry {
  readonly object: string;
  readonly program: string;
  readonly section: string;
  /** program type used (`xdp`), or '' when none could be chosen */
  readonly type: string;
  /** how the type was chosen: libbpf section convention, the override table, or PREVAIL's convention */
  readonly typeFrom: 'section' | 'override' | 'prevail' | '';
  readonly attachType: string;
  readonly verdict: Verdict;
  /** rejected: the kernel's first error line; not loadable: why */
  readonly reason: string;
  readonly insn?: number;
  /** rejected: the C source line of that instruction */
  readonly source?: string;
  /** accepted: from a BPF_LOG_STATS load */
  readonly verificationTimeUs?: number;
  readonly processedInsns?: number;
}

/** The program type (input) to load `program` of `object` with, and where that came from. */
export function chooseType(object: string, program: ProgramSpec): { type: ProgramTypeInput | undefined; from: VerdictEntry['typeFrom'] } {
  const o = OBJECT_OVERRIDES[object];
  const over = o?.[program.name] ?? o?.['*'];
  if (over !== undefined) return { type: over, from: 'override' };
  if (program.type !== undefined) return { type: undefined, from: 'section' };
  return { type: prevailProgramType(object, program.section), from: 'prevail' };
}

function stats(log: readonly string[]): { verificationTimeUs?: number; processedInsns?: number } {
  const out: { verificationTimeUs?: number; processedInsns?: number } = {};
  for (const line of log) {
    const t = /^verification time (\d+) usec/.exec(line);
    if (t) out.verificationTimeUs = Number(t[1]);
    const p = /^processed (\d+) insns/.exec(line);
    if (p) out.processedInsns = Number(p[1]);
  }
  return out;
}

/** The kernel's verdict on one program of `spec`. */
export function verdictFor(object: string, spec: ObjectSpec, program: ProgramSpec): VerdictEntry {
  const { type, from } = chooseType(object, program);
  const base = { object, program: program.name, section: program.section, typeFrom: from };
  const programTypes = type === undefined ? undefined : { [program.name]: type };
  const load = (logLevel: number | undefined) =>
    loadCollection(spec, {
      programs: [program.name],
      ...(programTypes ? { programTypes } : {}),
      ...(logLevel !== undefined ? { logLevel } : {}),
    });
  const names = (t: number | undefined, a: number | undefined) => ({
    type: t === undefined ? '' : (progTypeById(t)?.name ?? String(t)),
    attachType: a === undefined ? '' : (attachTypeById(a)?.name ?? String(a)),
  });
  const resolved = (): { type: string; attachType: string } => {
    if (type !== undefined) {
      const t = typeof type === 'number' ? type : undefined;
      return t === undefined ? { type: String(type), attachType: '' } : names(t, undefined);
    }
    return names(program.type, program.expectedAttachType);
  };
  try {
    // statistics only (BPF_LOG_STATS): the verification time is not inflated by a level-1 log
    const coll = load(4);
    try {
      const info = coll.info.get(program.name)!;
      return {
        ...base,
        ...names(info.type, info.expectedAttachType),
        verdict: 'accepted',
        reason: '',
        ...stats(coll.logs.get(program.name) ?? []),
      };
    } finally {
      coll.close();
    }
  } catch (first) {
    let e = first;
    if (e instanceof ProgramLoadError && e.verdict === 'rejected') {
      // a stats-only log carries no reason: load again so the loader retries with a level-1 log
      try {
        load(undefined).close();
        e = new Error('accepted on the second load (non-deterministic verdict)');
      } catch (again) {
        e = again;
      }
    }
    if (e instanceof ProgramLoadError && e.verdict === 'rejected') {
      return {
        ...base,
        ...resolved(),
        verdict: 'rejected',
        reason: e.reason,
        ...(e.insn !== undefined ? { insn: e.insn } : {}),
        ...(e.source ? { source: `${e.source.file}:${e.source.line}: ${e.source.text.trim()}` } : {}),
      };
    }
    const reason = e instanceof ProgramLoadError ? e.reason : (e as Error).message;
    return { ...base, ...resolved(), verdict: 'not loadable', reason: oneLine(reason) };
  }
}

function oneLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

/** Every object the script covers: [name relative to the corpora root or the repository, absolute path]. */
export function verdictObjects(): [string, string][] {
  const corpus = corpusDir('ebpf-samples');
  const out: [string, string][] = filesBelow(corpus, '.o').map((f) => [relative(join(corpus, '..'), f), f]);
  for (const f of filesBelow(join(repoRoot, 'test/fixtures'), '.o')) out.push([relative(repoRoot, f), f]);
  return out;
}

export function verdictsForObject(name: string, path: string): VerdictEntry[] {
  let spec: ObjectSpec;
  try {
    spec = readObject(readFileSync(path));
  } catch (e) {
    return [
      { object: name, program: '-', section: '-', type: '', typeFrom: '', attachType: '', verdict: 'not loadable', reason: `unreadable object: ${oneLine((e as Error).message)}` },
    ];
  }
  if (spec.programs.length === 0) {
    return [{ object: name, program: '-', section: '-', type: '', typeFrom: '', attachType: '', verdict: 'not loadable', reason: 'no programs' }];
  }
  return spec.programs.map((p) => verdictFor(name, spec, p));
}

function markdown(entries: readonly VerdictEntry[]): string {
  const count = (v: Verdict) => entries.filter((e) => e.verdict === v).length;
  const esc = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = [
    '# Kernel verdicts',
    '',
    `Generated by \`npx tsx scripts/kernel-verdicts.ts\` on Linux ${release()} (root, every capability): each program`,
    'of every object in `../shared/corpora/ebpf-samples` and `test/fixtures`, loaded alone by our loader with the',
    'maps it uses. **accepted**: the kernel loaded it; **rejected**: `BPF_PROG_LOAD` failed with a verifier log',
    "(the reason is the log's last meaningful line, with the instruction and its source line); **not loadable**:",
    'it never reached the verifier, or failed without a log (the reason says why). The JSON twin is',
    '`docs/kernel-verdicts.json`; `test/kernel/verdicts.test.ts` re-checks a sample of it.',
    '',
    'Program types: from the section name by libbpf\'s conventions (`section`); else from the override table in',
    'the script (`override`: what the samples\' own loaders use); else by PREVAIL\'s convention (`prevail`: cilium',
    'objects are XDP when the path says xdp, else TC; a known section prefix; else socket filter).',
    'Verification time and processed instructions come from a `BPF_LOG_STATS` (level 4) load.',
    '',
    `Totals: ${entries.length} programs: ${count('accepted')} accepted, ${count('rejected')} rejected, ${count('not loadable')} not loadable.`,
    '',
    ...(entries.some((e) => e.verdict === 'not loadable' && /operation not permitted/.test(e.reason))
      ? [
          'Note: `fentry`/`fexit`/`lsm` programs fail `BPF_PROG_LOAD` with EPERM and no log on this kernel even as root',
          'with every capability (libbpf, through `bpftool prog loadall`, fails the same way; `tp_btf` loads), so they',
          'are recorded as not loadable: the verifier never saw them.',
          '',
        ]
      : []),
    '| object | program | section | type | attach type | verdict | reason | insns processed | time (us) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const e of entries) {
    const reason =
      e.verdict === 'rejected'
        ? `${e.insn !== undefined ? `insn ${e.insn}: ` : ''}${e.reason}${e.source ? ` (${e.source})` : ''}`
        : e.reason;
    lines.push(
      `| ${esc(e.object)} | ${esc(e.program)} | ${esc(e.section)} | ${e.type}${e.typeFrom && e.typeFrom !== 'section' ? ` (${e.typeFrom})` : ''} | ${e.attachType} | ${e.verdict} | ${esc(reason)} | ${e.processedInsns ?? ''} | ${e.verificationTimeUs ?? ''} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const entries: VerdictEntry[] = [];
  for (const [name, path] of verdictObjects()) {
    if (only !== undefined && !name.includes(only)) continue;
    process.stderr.write(`${name}\n`);
    entries.push(...verdictsForObject(name, path));
  }
  const count = (v: Verdict) => entries.filter((e) => e.verdict === v).length;
  process.stderr.write(`${entries.length} programs: ${count('accepted')} accepted, ${count('rejected')} rejected, ${count('not loadable')} not loadable\n`);
  if (only !== undefined) {
    for (const e of entries) console.log(JSON.stringify(e));
    return;
  }
  writeFileSync(join(repoRoot, 'docs/kernel-verdicts.md'), markdown(entries));
  writeFileSync(join(repoRoot, 'docs/kernel-verdicts.json'), `${JSON.stringify({ kernel: release(), entries }, null, 1)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
