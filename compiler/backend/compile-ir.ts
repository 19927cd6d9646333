// compileIr: LLVM IR text (clang -O2 -g for --target=bpf) to a BPF ELF object — the backend the wasm clang
// lacks. Parse, check the subset, lay out globals, generate code, derive BTF from the debug metadata,
// assemble the ObjectSpec, write the ELF.
//
//   const { spec, bytes } = compileIr(irText, { sources: (f) => files.get(f) });
import { writeObject, type ObjectSpec } from '../../bpf/index.ts';
import { btfFromDebugInfo } from './btf/index.ts';
import { generateCode } from './codegen/index.ts';
import { checkSubset, parseIr, type IrModule } from './ir/index.ts';
import { buildObjectSpec, planGlobals, type SourceLookup } from './object/index.ts';

export interface CompileIrOptions {
  /** The C sources by file name, for the line texts in BTF line info (`tsbpf disasm --source`). */
  readonly sources?: SourceLookup;
}

export interface CompiledObject {
  readonly spec: ObjectSpec;
  /** the ELF object */
  readonly bytes: Uint8Array;
}

/** Compiles IR text; errors (IrSubsetError, GlobalLayoutError, codegen errors) name the C line. */
export function compileIr(irText: string, options: CompileIrOptions = {}): CompiledObject {
  return compileModule(parseIr(irText), options);
}

/** compileIr for an already parsed module. */
export function compileModule(mod: IrModule, options: CompileIrOptions = {}): CompiledObject {
  checkSubset(mod);
  const layout = planGlobals(mod);
  const functions = generateCode(mod, { placements: layout.placements });
  const coreTypes = new Map(functions.map((f) => [f.name, f.coreRelocations.map((c) => c.diType)]));
  const btf = btfFromDebugInfo(mod, { globals: layout.slots, coreTypes });
  const spec = buildObjectSpec(mod, { layout, btf, functions, ...(options.sources ? { sources: options.sources } : {}) });
  return { spec, bytes: writeObject(spec) };
}
