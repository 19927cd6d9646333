// `tsbpf conformance PATH... [--helpers ubpf] [--json]`: runs `.data` test cases (bpf_conformance and uBPF
// format) on the reference interpreter; a line per failed or skipped case, then `N passed, N failed, N skipped`.
// Exit 0 when nothing failed, 1 otherwise, 2 for a path that does not exist or a bad option.
//
// Also the body of `bin/tsbpf-conformance-plugin`, bpf_conformance's plugin protocol: the memory as hex bytes
// in the first argument, the program's bytes as hex on standard input (or after --program), r0 printed in
// hex on standard output; a failure exits 1 with its message.
import { existsSync } from 'node:fs';
import pc from 'picocolors';
import { conformanceHelpers, runConformance, type HelperSetName } from '../simulator/conformance/index.ts';
import { compileProgram, Memory, Vm } from '../simulator/vm/index.ts';
import { CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './cli-error.ts';

export interface ConformanceCommandOptions {
  readonly helpers: string;
  readonly json: boolean;
  /** interp (default) or wasm */
  readonly tier?: string;
}

function helperSet(name: string): HelperSetName {
  if (name !== 'kernel' && name !== 'ubpf') throw new CliError(`--helpers: expected kernel or ubpf, found ${name}`, EXIT_USAGE);
  return name;
}

/** Runs the cases and prints the report; returns the exit code. */
export function conformanceCommand(paths: readonly string[], options: ConformanceCommandOptions): number {
  const helpers = helperSet(options.helpers);
  for (const p of paths) if (!existsSync(p)) throw new CliError(`${p}: no such file or directory`, EXIT_USAGE);
  const tier = options.tier ?? 'interp';
  if (tier !== 'interp' && tier !== 'wasm') throw new CliError(`--tier: expected interp or wasm, found ${tier}`, EXIT_USAGE);
  const report = runConformance(paths, { helpers, tier });
  const summary = `${report.passed} passed, ${report.failed} failed, ${report.skipped} skipped`;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ helpers, passed: report.passed, failed: report.failed, skipped: report.skipped, results: report.results }, null, 2)}\n`);
  } else {
    for (const r of report.results) {
      if (r.status === 'pass') continue;
      const tag = r.status === 'fail' ? pc.red('FAIL') : pc.yellow('SKIP');
      process.stdout.write(`${tag} ${r.file}: ${r.reason ?? ''}\n`);
    }
    process.stdout.write(`${summary}\n`);
  }
  return report.failed === 0 ? EXIT_OK : EXIT_FAILED;
}

/** Hex bytes, with or without spaces between them. */
function parseHex(text: string, what: string): Uint8Array {
  const t = text.replace(/\s+/g, '');
  if (t.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(t)) throw new SyntaxError(`${what}: expected hex bytes`);
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(i * 2, i * 2 + 2), 16);
  return out;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The plugin: `tsbpf-conformance-plugin [MEMORY_HEX] [--program PROGRAM_HEX] [--helpers kernel|ubpf]`.
 * Returns the exit code (0, or 1 with the message printed).
 */
export async function conformancePluginMain(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  let memoryHex = '';
  let programHex: string | undefined;
  let set: HelperSetName = 'kernel';
  if (args.length > 0 && !args[0]!.startsWith('--')) memoryHex = args.shift()!;
  try {
    while (args.length > 0) {
      const a = args.shift()!;
      if (a === '--program') programHex = args.shift() ?? '';
      else if (a === '--helpers') set = helperSet(args.shift() ?? '');
      else if (a === '--interpret' || a === '--debug' || a === '') continue;
      else throw new SyntaxError(`invalid argument ${a}`);
    }
    const program = parseHex(programHex ?? (await readStdin()), 'program');
    const mem = parseHex(memoryHex, 'memory');
    const helpers = conformanceHelpers(set);
    const compiled = compileProgram(program, { helpers });
    const memory = new Memory();
    const region = mem.length > 0 ? memory.add({ name: 'mem', kind: 'memory', bytes: mem }) : undefined;
    const r = new Vm({ helpers }).run(compiled, { memory, r1: region ?? 0n, r2: mem.length });
    process.stdout.write(`${r.r0.toString(16)}\n`);
    return 0;
  } catch (e) {
    const message = e instanceof CliError ? e.message : (e as Error).message;
    process.stdout.write(`${message}\n`);
    process.stderr.write(`tsbpf-conformance-plugin: ${message}\n`);
    return 1;
  }
}
