// Reading a BPF object named on the command line; any failure is unreadable input (exit 2).
import { readFileSync } from 'node:fs';
import { readObject, type ObjectSpec } from '../bpf/index.ts';
import { CliError, EXIT_USAGE } from './cli-error.ts';

export function readInputBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new CliError(`${path}: ${why}`, EXIT_USAGE, { cause: e });
  }
}

export function readObjectFile(path: string, bytes: Uint8Array = readInputBytes(path)): ObjectSpec {
  try {
    return readObject(bytes);
  } catch (e) {
    throw new CliError(`${path}: ${(e as Error).message}`, EXIT_USAGE, { cause: e });
  }
}
