// The `tsbpf` command. Thin: parses arguments, calls the modules, prints for people or (--json) machines.
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { CliError, EXIT_USAGE } from './cli-error.ts';
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
