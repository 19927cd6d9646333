// Services → C → BPF object. The wasm driver (@yowasp/clang to LLVM IR, then our backend) is the default;
// 'native' runs clang-19 when it is installed.
import { buildC, type CDriver } from '../build-c.ts';
import { generateLbC, lbSizes } from './generate-lb-c.ts';
import type { Service } from './service-model.ts';

export type LbDriver = CDriver;

export interface CompiledLb {
  readonly c: string;
  readonly object: Uint8Array;
  readonly driver: LbDriver;
}

export async function compileLbC(c: string, driver: LbDriver, cFile = 'lb.c'): Promise<Uint8Array> {
  // without slot sharing, LLVM never reuses a pointer's spill slot for a scalar: the unprivileged (seed)
  // verifier refuses a partial overwrite of a spilled pointer
  return buildC(c, driver, { cFile, nativeArgs: ['-mllvm', '-no-stack-slot-sharing'] });
}

export async function compileLb(services: readonly Service[], options: { readonly driver?: LbDriver; readonly connections?: number } = {}): Promise<CompiledLb> {
  const driver = options.driver ?? 'wasm';
  const c = generateLbC(services, lbSizes(services, options.connections));
  return { c, object: await compileLbC(c, driver), driver };
}
