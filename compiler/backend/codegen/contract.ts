// The contract between code generation (compiler/backend/codegen) and the object builder
// (compiler/backend/object, compiler/backend/btf): what codegen needs to know about globals, and what it hands
// back per function. Plain data, so either side can be tested without the other.
import type { CoreRelocation, InstructionReference } from '../../../bpf/index.ts';
import type { Instruction } from '../../../bpf/index.ts';

/** Where a global's address comes from at run time. */
export type GlobalPlacement =
  /** a BTF-defined map in `.maps` (or a legacy `maps` section): `r = map` (ld_imm64, pseudo map_fd) */
  | { readonly kind: 'map'; readonly map: string }
  /** a variable inside a data section: `r = map_value(section) + offset` (ld_imm64, pseudo map_value) */
  | { readonly kind: 'data'; readonly section: string; readonly offset: number }
  /** a `__ksym`/`__kconfig` extern resolved by the loader */
  | { readonly kind: 'extern'; readonly name: string; readonly type: 'ksym' | 'kconfig' };

/** A CO-RE relocation before BTF exists: the DI type is named by its metadata id; the object builder maps it to a BTF id. */
export interface PendingCoreRelocation extends Omit<CoreRelocation, 'typeId'> {
  /** metadata id (`!N`) of the DICompositeType / DIDerivedType the access starts from */
  readonly diType: number;
}

/** One function's code, as codegen produces it. Slots are 8-byte slot indices inside the function. */
export interface GeneratedFunction {
  readonly name: string;
  /** the IR function's `section "..."`, or `.text` for subprograms without one */
  readonly section: string;
  /** false for `internal`/`private` (C `static`) functions */
  readonly global: boolean;
  readonly instructions: readonly Instruction[];
  readonly references: readonly InstructionReference[];
  /** `!dbg` DILocation metadata ids by slot, at each slot where the source position changes */
  readonly locations: readonly { readonly slot: number; readonly dbg: number }[];
  readonly coreRelocations: readonly PendingCoreRelocation[];
  /** bytes of stack this function's own frame uses (the verifier's limit is 512 over a call chain) */
  readonly stackSize: number;
}
