// The `tsbpf` command. Thin: parses arguments, calls the modules, prints for people or (--json) machines.
import { Command, CommanderError, Option } from 'commander';
import pc from 'picocolors';
import { buildCommand } from './build.ts';
import { CliError, EXIT_USAGE } from './cli-error.ts';
import { conformanceCommand } from './conformance.ts';
import { disasmCommand } from './disasm.ts';
import { inspectCommand } from './inspect.ts';

const program = new Command('tsbpf')
  .description('eBPF toolchain and packet simulator: inspect, disassemble, verify, simulate and load BPF objects')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

program
  .command('inspect')
  .description('sections, programs, maps, globals, license and BTF of an object')
  .argument('<file>', 'a BPF ELF object (.o)')
  .option('--json', 'machine-readable output')
  .action((file: string, opts: { json?: boolean }) => inspectCommand(file, { json: opts.json === true }));

program
  .command('disasm')
  .description("disassemble programs in llvm-objdump's syntax")
  .argument('<file>', 'a BPF ELF object (.o)')
  .option('--program <name>', 'only this program (or function)')
  .option('--source', 'interleave source lines from BTF line info')
  .action((file: string, opts: { program?: string; source?: boolean }) =>
    disasmCommand(file, { ...(opts.program !== undefined ? { program: opts.program } : {}), source: opts.source === true }),
  );

program
  .command('build')
  .description('compile restricted C to a BPF object (or LLVM IR with --emit-llvm)')
  .argument('<file>', 'a C file (.c), or a policy (.ts, .yaml)')
  .option('-o, --output <file>', 'output file (default: FILE.o, or FILE.ll with --emit-llvm)')
  .addOption(new Option('--clang <driver>', 'clang as WebAssembly (in process, the default) or native clang-19 (the default for L7 policies when installed)').choices(['wasm', 'native']))
  .option('--emit-llvm', 'write LLVM IR text instead of an object')
  .option('-I <dir>', 'add a header search directory (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
  .option('-D <name=value>', 'define a macro (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
  .option('--endpoints <file>', 'policies (.ts): the endpoint inventory (default: POLICY.endpoints.yaml beside it)')
  .action(async (file: string, opts: { output?: string; clang?: 'wasm' | 'native'; emitLlvm?: boolean; I?: string[]; D?: string[]; endpoints?: string }) => {
    if (/\.(ts|mts|ya?ml)$/.test(file)) {
      const { policyBuildCommand } = await import('./commands/policy-build.ts');
      return policyBuildCommand(file, { ...(opts.clang !== undefined ? { driver: opts.clang } : {}), ...(opts.output !== undefined ? { output: opts.output } : {}), ...(opts.endpoints !== undefined ? { endpoints: opts.endpoints } : {}) });
    }
    return buildCommand(file, {
      ...(opts.output !== undefined ? { output: opts.output } : {}),
      clang: opts.clang ?? 'wasm',
      emitLlvm: opts.emitLlvm === true,
      includeDirs: opts.I ?? [],
      defines: opts.D ?? [],
    });
  });

program
  .command('check')
  .description('check a policy: compile it, verify its programs, run its test vectors in the simulator')
  .argument('<policy>', 'a policy file (.ts)')
  .option('--endpoints <file>', 'the endpoint inventory (default: POLICY.endpoints.yaml beside the policy)')
  .option('--vectors <file>', 'the test vectors (default: POLICY.vectors.yaml beside the policy)')
  .option('--strict', 'warnings fail the check')
  .addOption(new Option('--clang <driver>', 'compile with clang as WebAssembly (default) or native clang-19').choices(['wasm', 'native']))
  .option('--json', 'machine-readable output')
  .action(async (file: string, opts: { endpoints?: string; vectors?: string; strict?: boolean; json?: boolean; clang?: 'wasm' | 'native' }) => {
    const { policyCheckCommand } = await import('./commands/policy-check.ts');
    process.exitCode = await policyCheckCommand(file, {
      json: opts.json === true,
      strict: opts.strict === true,
      ...(opts.clang !== undefined ? { driver: opts.clang } : {}),
      ...(opts.endpoints !== undefined ? { endpoints: opts.endpoints } : {}),
      ...(opts.vectors !== undefined ? { vectors: opts.vectors } : {}),
    });
  });

program
  .command('convert')
  .description('print the TypeScript policy equivalent to Kubernetes NetworkPolicy / Cilium policy YAML')
  .argument('<policy>', 'a policy manifest (.yaml, several documents allowed)')
  .action(async (file: string) => (await import('./commands/convert.ts')).convertCommand(file));

program
  .command('conformance')
  .description('run bpf_conformance / uBPF .data test cases on the simulator')
  .argument('<paths...>', '.data files or directories holding them')
  .option('--helpers <set>', 'helper ids: kernel, or ubpf (uBPF test helpers)', 'kernel')
  .option('--tier <tier>', 'execution tier: interp (the reference interpreter) or wasm', 'interp')
  .option('--json', 'machine-readable output')
  .action((paths: string[], opts: { helpers: string; tier: string; json?: boolean }) => {
    process.exitCode = conformanceCommand(paths, { helpers: opts.helpers, tier: opts.tier, json: opts.json === true });
  });

program
  .command('attach')
  .description('attach a program to a hook: xdp, tcx, tc (netlink clsact) or cgroup (cgroup skb); socket filters are API-only')
  .argument('<hook>', 'xdp, tcx, tc or cgroup')
  .argument('<target>', 'an interface name (xdp, tcx, tc) or a cgroup v2 directory (cgroup; relative to the cgroup2 mount)')
  .argument('[file]', 'a BPF object (.o); or give --pinned-program')
  .option('--program <name>', 'the program in FILE.o (default: the only one fitting the hook)')
  .option('--pinned-program <path>', 'attach a program pinned on bpffs instead of loading FILE.o')
  .option('--direction <dir>', 'ingress or egress (tcx, tc: ingress by default; cgroup: required)')
  .option('--mode <mode>', 'xdp: skb, drv or auto (default auto)')
  .option('--via <path>', 'xdp: link (default) or netlink')
  .option('--pin <path>', 'pin the link here (required for links: they live only as long as a pin)')
  .option('--pin-dir <dir>', "also pin FILE.o's maps and programs under this bpffs directory")
  .option('--netns <name>', 'attach inside this network namespace (ip netns name or path)')
  .option('--priority <n>', 'tc: filter priority (default 1)')
  .option('--handle <n>', 'tc: filter handle (default 1)')
  .option('--json', 'machine-readable output')
  .action(async (hook: string, target: string, file: string | undefined, opts: Record<string, string | boolean | undefined>) => {
    const { attachCommand } = await import('./attach.ts');
    const str = (k: string): Record<string, string> => (typeof opts[k] === 'string' ? { [k]: opts[k] } : {});
    const keys = ['program', 'pinnedProgram', 'direction', 'mode', 'via', 'pin', 'pinDir', 'netns', 'priority', 'handle'];
    attachCommand(hook, target, file, Object.assign({ json: opts['json'] === true }, ...keys.map(str)));
  });

program
  .command('detach')
  .description('detach a pinned link (any hook), or the netlink xdp program / tc filter of an interface')
  .argument('[hook]', 'xdp or tc (without --pinned)')
  .argument('[target]', 'the interface')
  .option('--pinned <path>', 'the pinned link to detach (the pin is removed)')
  .option('--direction <dir>', 'tc: ingress (default) or egress')
  .option('--mode <mode>', 'xdp: skb, drv or auto (default auto)')
  .option('--netns <name>', 'inside this network namespace (ip netns name or path)')
  .option('--priority <n>', 'tc: filter priority (default 1)')
  .option('--handle <n>', 'tc: filter handle (default 1)')
  .option('--json', 'machine-readable output')
  .action(async (hook: string | undefined, target: string | undefined, opts: Record<string, string | boolean | undefined>) => {
    const { detachCommand } = await import('./attach.ts');
    const str = (k: string): Record<string, string> => (typeof opts[k] === 'string' ? { [k]: opts[k] } : {});
    const keys = ['pinned', 'direction', 'mode', 'netns', 'priority', 'handle'];
    detachCommand(hook, target, Object.assign({ json: opts['json'] === true }, ...keys.map(str)));
  });

program
  .command('load')
  .description("load each program of an object into the kernel and report the verifier's verdict")
  .argument('<file>', 'a BPF ELF object (.o)')
  .option('--program <name>', 'only this program')
  .option('--type <type>', 'program type for every program (xdp, sched_cls, socket_filter, … or a section name)')
  .option('--pin <dir>', 'when all are accepted, pin maps and programs under this bpffs directory')
  .option('--json', 'machine-readable output')
  .action(async (file: string, opts: { program?: string; type?: string; pin?: string; json?: boolean }) => {
    const { loadCommand } = await import('./load.ts');
    loadCommand(file, {
      json: opts.json === true,
      ...(opts.program !== undefined ? { program: opts.program } : {}),
      ...(opts.type !== undefined ? { type: opts.type } : {}),
      ...(opts.pin !== undefined ? { pin: opts.pin } : {}),
    });
  });

program
  .command('probe')
  .description('program types, map types, link types and helpers this kernel supports')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => {
    const { probeCommand } = await import('./probe.ts');
    probeCommand({ json: opts.json === true });
  });

program
  .command('maps')
  .description('pinned maps: list [DIR], dump PATH, update PATH KEY VALUE (hex bytes or a decimal number)')
  .argument('<action>', 'list, dump or update')
  .argument('[args...]', 'list: a bpffs directory (/sys/fs/bpf); dump: PATH; update: PATH KEY VALUE')
  .option('--json', 'machine-readable output')
  .action(async (action: string, args: string[], opts: { json?: boolean }) => {
    const { mapsCommand } = await import('./maps.ts');
    mapsCommand(action, args, { json: opts.json === true });
  });

program
  .command('verify')
  .description("our verifier's verdict on each program: the kernel's wording, instruction, source line, registers")
  .argument('<file>', 'a BPF ELF object (.o)')
  .option('--program <name>', 'only this program')
  .option('--type <type>', 'program type (xdp, sched_cls, socket_filter, cgroup_skb, … or a section name)')
  .option('--profile <name>', 'linux-6.18 (default: this kernel as root), linux-6.18-bpf (CAP_BPF+CAP_NET_ADMIN), seed')
  .option('--json', 'machine-readable output')
  .option('--log', "the full verification log, like the kernel's log level 2")
  .action(async (file: string, opts: { program?: string; type?: string; profile?: string; json?: boolean; log?: boolean }) => {
    const { verifyCommand } = await import('./verify.ts');
    verifyCommand(file, {
      json: opts.json === true,
      log: opts.log === true,
      ...(opts.program !== undefined ? { program: opts.program } : {}),
      ...(opts.type !== undefined ? { type: opts.type } : {}),
      ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    });
  });

program
  .command('run')
  .description('run a program on packets in the simulator (no kernel needed)')
  .argument('<file>', 'a BPF ELF object (.o)')
  .option('--program <name>', 'the program (default: the only one)')
  .option('--packet <hex>', 'one frame, as hex')
  .option('--pcap <file>', 'frames from a pcap or pcapng file')
  .option('--trace', 'print registers before every instruction')
  .option('--unverified', 'run without verifying the programs first (they are verified by default)')
  .option('--tier <tier>', 'execution tier: auto (interpret, then compile hot programs), interp or wasm', 'auto')
  .option('--summary', 'with --pcap: verdict counts and packets per second instead of a line per packet')
  .option('--json', 'machine-readable output')
  .action(async (file: string, opts: { program?: string; packet?: string; pcap?: string; trace?: boolean; json?: boolean; unverified?: boolean; tier: string; summary?: boolean }) => {
    if (opts.summary === true) {
      const { runSummaryCommand } = await import('./run-summary.ts');
      return runSummaryCommand(file, { tier: opts.tier, json: opts.json === true, unverified: opts.unverified === true, ...(opts.program !== undefined ? { program: opts.program } : {}), ...(opts.pcap !== undefined ? { pcap: opts.pcap } : {}) });
    }
    const { runCommand } = await import('./run.ts');
    runCommand(file, {
      tier: opts.tier,
      json: opts.json === true,
      trace: opts.trace === true,
      unverified: opts.unverified === true,
      ...(opts.program !== undefined ? { program: opts.program } : {}),
      ...(opts.packet !== undefined ? { packet: opts.packet } : {}),
      ...(opts.pcap !== undefined ? { pcap: opts.pcap } : {}),
    });
  });

program
  .command('deploy')
  .description('build, verify, test and deploy policies and services on an interface (all policies of an interface compile together, its services into one load balancer)')
  .argument('<policies...>', 'policy files (.ts) to add to (or replace in) the interface\'s set')
  .requiredOption('--iface <iface>', 'the interface to protect')
  .option('--mode <mode>', 'tc (both programs on tcx) or xdp (the receive side on XDP); default: the deployed mode, else tc')
  .option('--endpoints <file>', 'the endpoint inventory (default: POLICY.endpoints.yaml beside each policy)')
  .option('--pin <dir>', 'bpffs root for our pins (default /sys/fs/bpf/tsbpf)')
  .option('--netns <name>', 'the interface is in this network namespace (ip netns name or path)')
  .option('--force', 'deploy even when a verifier check or a test vector fails')
  .option('--dry-run', 'build, check and say what would change (rules, code, map layout), change nothing')
  .addOption(new Option('--clang <driver>', 'compile with clang as WebAssembly or native clang-19').choices(['wasm', 'native']))
  .option('--json', 'machine-readable output')
  .action(async (files: string[], opts: { iface: string; mode?: string; endpoints?: string; pin?: string; netns?: string; force?: boolean; dryRun?: boolean; json?: boolean; clang?: 'wasm' | 'native' }) =>
    (await import('./commands/deploy.ts')).deployCommand(files, opts),
  );

program
  .command('undeploy')
  .description('remove a policy from an interface (the rest is redeployed), or everything we deployed (--all)')
  .argument('[policy]', 'the policy file to remove (without it: all policies of --iface)')
  .option('--iface <iface>', 'the interface')
  .option('--all', 'every interface, every program, map, link and pin of ours')
  .option('--pin <dir>', 'bpffs root for our pins (default /sys/fs/bpf/tsbpf)')
  .option('--netns <name>', 'the interface is in this network namespace')
  .addOption(new Option('--clang <driver>', 'compile the remaining policies with clang as WebAssembly or native clang-19').choices(['wasm', 'native']))
  .option('--json', 'machine-readable output')
  .action(async (file: string | undefined, opts: { iface?: string; all?: boolean; pin?: string; netns?: string; json?: boolean; clang?: 'wasm' | 'native' }) =>
    (await import('./commands/deploy.ts')).undeployCommand(file, opts),
  );

program
  .command('status')
  .description('deployed interfaces: policies, versions, programs, attach mode and counters')
  .option('--json', 'machine-readable output')
  .action(async (opts: { json?: boolean }) => (await import('./commands/status.ts')).statusCommand(opts));

program
  .command('services')
  .description('services, backends (weight, state, table share, connections) and counters of a pinned load balancer')
  .option('--pin <dir>', 'where its maps are pinned (default /sys/fs/bpf/tsbpf/lb)')
  .option('--json', 'machine-readable output')
  .action(async (opts: { pin?: string; json?: boolean }) => (await import('./commands/services.ts')).servicesCommand(opts));

program
  .command('metrics')
  .description('serve the deployed counters as Prometheus metrics at /metrics')
  .option('--listen <addr>', '[HOST]:PORT (default 127.0.0.1:9464)')
  .option('--iface <iface>', 'only this interface')
  .action(async (opts: { listen?: string; iface?: string }) => (await import('./commands/metrics.ts')).metricsCommand(opts));

program
  .command('top')
  .description('a live terminal view of the deployed counters')
  .option('--interval <ms>', 'refresh period (default 1000)')
  .option('--once', 'print one frame and exit')
  .action(async (opts: { interval?: string; once?: boolean }) =>
    (await import('./commands/top.ts')).topCommand({ once: opts.once === true, ...(opts.interval !== undefined ? { interval: Number(opts.interval) } : {}) }),
  );

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // commander already printed its message; help and version are successes
    process.exit(e.exitCode === 0 ? 0 : EXIT_USAGE);
  }
  if (e instanceof CliError) {
    process.stderr.write(`${pc.red('error')}: ${e.message}\n`);
    process.exit(e.code);
  }
  process.stderr.write(`${pc.red('internal error')}: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(70);
}
