// Services → C → BPF object. The wasm driver (@yowasp/clang to LLVM IR, then our backend) is the default;
// 'native' runs clang-19 when it is installed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileNative } from '../clang/native.ts';
import { generateLbC, lbSizes } from './generate-lb-c.ts';
import type { Service } from './service-model.ts';

export type LbDriver = 'wasm' | 'native';

export interface CompiledLb {
  readonly c: string;
  readonly object: Uint8Array;
  readonly driver: LbDriver;
}

let wasmClang: import('../clang/wasm.ts').WasmClang | undefined;

export async function compileLbC(c: string, driver: LbDriver, cFile = 'lb.c'): Promise<Uint8Array> {
  if (driver === 'wasm') {
    const { WasmClang } = await import('../clang/wasm.ts');
    const { loadBpfHeaders } = await import('../clang/node-headers.ts');
    const { compileIr } = await import('../backend/index.ts');
    wasmClang ??= new WasmClang({ headers: loadBpfHeaders() });
    const { ir } = await wasmClang.compileToIr({ file: cFile, source: c });
    return compileIr(ir, { sources: (f) => (f.endsWith(cFile) ? c : undefined) }).bytes;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-lb-'));
  try {
    const file = join(dir, cFile);
    writeFileSync(file, c);
    // without slot sharing, LLVM never reuses a pointer's spill slot for a scalar: the unprivileged (seed)
    // verifier refuses a partial overwrite of a spilled pointer
    const r = await compileNative({ file, cwd: dir, extraArgs: ['-mllvm', '-no-stack-slot-sharing'] });
    if (r.object === undefined) throw new SyntaxError(`${cFile}: clang produced no object`);
    return r.object;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function compileLb(services: readonly Service[], options: { readonly driver?: LbDriver; readonly connections?: number } = {}): Promise<CompiledLb> {
  const driver = options.driver ?? 'wasm';
  const c = generateLbC(services, lbSizes(services, options.connections));
  return { c, object: await compileLbC(c, driver), driver };
}
