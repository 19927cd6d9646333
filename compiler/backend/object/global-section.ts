// Which ELF section a global variable lands in, by the rules LLVM's ELF lowering applies for a BPF target
// (TargetLoweringObjectFile::getKindForGlobal, then the ELF section name of that kind):
//
//   explicit `section "x"`                         -> x            (.maps, license, .data.custom, .ksyms, ...)
//   declaration (extern)                           -> ''           (no section: resolved by the loader)
//   not constant, zero initialiser                 -> .bss
//   constant, not unnamed_addr                     -> .rodata      (`const` C globals keep their address)
//   constant unnamed_addr NUL-terminated i8 array  -> .rodata.str1.<align>   (string literals)
//   constant unnamed_addr of 4/8/16/32 bytes       -> .rodata.cst<size>
//   other constants                                -> .rodata
//   everything else                                -> .data
import type { GlobalVariable, IrModule, Value } from '../ir/index.ts';
import { layoutOf } from './ir-layout.ts';

/** Globals LLVM keeps for itself (`llvm.used`, `llvm.compiler.used`, ...): never emitted. */
export function isLlvmInternalGlobal(g: GlobalVariable): boolean {
  return g.name.startsWith('llvm.') || g.section === 'llvm.metadata';
}

export function globalSection(mod: IrModule, g: GlobalVariable): string {
  if (g.initializer === undefined || g.linkage.includes('external') || g.linkage.includes('extern_weak')) {
    return g.section ?? '';
  }
  if (g.section !== undefined) return g.section;
  if (!g.constant && isZero(g.initializer)) return '.bss';
  if (!g.constant) return '.data';
  if (!g.linkage.includes('unnamed_addr')) return '.rodata';
  const init = g.initializer;
  if (g.type.kind === 'array' && g.type.element.kind === 'int' && g.type.element.bits === 8 && isCString(init, g.type.length)) {
    return `.rodata.str1.${g.align ?? 1}`;
  }
  const size = layoutOf(mod, g.type).size;
  return size === 4 || size === 8 || size === 16 || size === 32 ? `.rodata.cst${size}` : '.rodata';
}

/** Whether `section` is global data libbpf loads as an array map (and its kind). */
export function dataKind(section: string): 'rodata' | 'data' | 'bss' | undefined {
  const m = /^\.(rodata|data|bss)(\..*)?$/.exec(section);
  return m ? (m[1] as 'rodata' | 'data' | 'bss') : undefined;
}

function isZero(v: Value): boolean {
  switch (v.kind) {
    case 'zeroinitializer':
    case 'null':
    case 'undef':
    case 'poison':
      return true;
    case 'int':
      return v.value === 0n;
    case 'string':
      return v.bytes.every((b) => b === 0);
    case 'array':
    case 'struct':
    case 'vector':
      return v.elements.every((e) => isZero(e.value));
    default:
      return false;
  }
}

/** A `c"..."` whose only NUL is its last byte (LLVM's IsNullTerminatedString). */
function isCString(v: Value, length: number): boolean {
  if (v.kind !== 'string' || v.bytes.length !== length || length === 0) return false;
  return v.bytes[length - 1] === 0 && v.bytes.subarray(0, length - 1).every((b) => b !== 0);
}
