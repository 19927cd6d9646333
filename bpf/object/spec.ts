// ObjectSpec: everything a BPF ELF object says, as plain deterministic data.
//
// No file offsets, no raw relocations, nothing that depends on the running kernel: instructions refer to
// maps, global data and other functions by name (`Reference`), and the loader, the simulator and the
// verifier resolve those names for themselves. Reading an object and writing it back gives an equal spec.
import type { Btf } from '../btf/index.ts';
import type { Instruction } from '../isa/index.ts';

/** What an instruction refers to, replacing the ELF relocation that pointed at it. */
export type Reference =
  /** `lddw rX, map` (pseudo map_fd): the map itself */
  | { readonly kind: 'map'; readonly map: string }
  /** `lddw rX, map + offset` (pseudo map_value): a global variable in a data section, or a map value */
  | { readonly kind: 'map_value'; readonly map: string; readonly offset: number }
  /** `call fn` (BPF-to-BPF call), target by function name */
  | { readonly kind: 'call'; readonly function: string }
  /** `lddw rX, fn` (pseudo func): the address of a function, for callbacks (bpf_loop, timers, …) */
  | { readonly kind: 'func_addr'; readonly function: string }
  /** a `__ksym` or `__kconfig` extern: resolved against kernel BTF by the loader */
  | { readonly kind: 'extern'; readonly name: string; readonly type: 'ksym' | 'kconfig' | 'kfunc' };

/** One reference at an instruction, by the slot index inside its function. */
export interface InstructionReference {
  readonly slot: number;
  readonly ref: Reference;
}

/** A source position from BTF.ext line info. */
export interface LineInfo {
  /** slot index inside the function */
  readonly slot: number;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** the source line's text, as clang recorded it */
  readonly text: string;
}

/** A BTF.ext CO-RE relocation, kept symbolic (a BTF type id and an access string). */
export interface CoreRelocation {
  readonly slot: number;
  readonly typeId: number;
  readonly accessString: string;
  readonly kind: string;
}

/** A function: an entry program, or a subprogram called from one. */
export interface FunctionSpec {
  readonly name: string;
  /** the ELF section holding it: `xdp`, `tc`, `.text`, … */
  readonly section: string;
  /** false for `static` functions */
  readonly global: boolean;
  readonly instructions: readonly Instruction[];
  readonly references: readonly InstructionReference[];
  readonly lineInfo: readonly LineInfo[];
  readonly coreRelocations: readonly CoreRelocation[];
  /** BTF id of the function's FUNC type, from BTF.ext func info */
  readonly btfTypeId?: number;
}

/** An entry program: a function in a program section, with the type libbpf's section conventions give it. */
export interface ProgramSpec {
  readonly name: string;
  readonly section: string;
  /** `enum bpf_prog_type` value, from the section name (undefined when the name is not a known convention) */
  readonly type: number | undefined;
  /** `enum bpf_attach_type` value the section name implies, if any */
  readonly expectedAttachType: number | undefined;
  /** name of the function holding the entry point, in `ObjectSpec.functions` */
  readonly function: string;
}

export type MapDefinitionSource = 'btf' | 'legacy' | 'data';

export interface MapSpec {
  readonly name: string;
  /** `.maps`, `maps`, or the data section (`.rodata`, `.bss`, …) for global data */
  readonly section: string;
  readonly source: MapDefinitionSource;
  /** `enum bpf_map_type` value */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  readonly pinning: 'none' | 'by_name';
  readonly numaNode?: number;
  readonly mapExtra?: bigint;
  readonly keyTypeId?: number;
  readonly valueTypeId?: number;
  /** the inner map's template, for array/hash of maps */
  readonly inner?: MapSpec;
  /** initial contents by index, for prog arrays and maps of maps declared with `.values = { … }` */
  readonly initialSlots?: readonly { readonly index: number; readonly target: string }[];
  /** legacy (cilium `bpf_elf_map` style) definitions carry extra fields: kept so writing back is exact */
  readonly legacyExtra?: readonly number[];
}

/** A global variable inside a data section. */
export interface VariableSpec {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly global: boolean;
  readonly btfTypeId?: number;
}

/** `.rodata`, `.data`, `.bss`, `.rodata.str1.1`, …: loaded as a one-element array map of the same name. */
export interface DataSectionSpec {
  readonly name: string;
  readonly kind: 'rodata' | 'data' | 'bss';
  readonly size: number;
  /** the initial contents (all zero for bss) */
  readonly data: Uint8Array;
  readonly variables: readonly VariableSpec[];
}

export interface ObjectSpec {
  readonly programs: readonly ProgramSpec[];
  readonly functions: readonly FunctionSpec[];
  readonly maps: readonly MapSpec[];
  readonly data: readonly DataSectionSpec[];
  readonly license: string;
  /** the legacy `version` section (kprobes on old kernels), if present */
  readonly kernelVersion?: number;
  /** the object's BTF (types of maps, globals and functions; the strings line info points into) */
  readonly btf?: Btf;
}
