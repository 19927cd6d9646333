// How an SSA value is held after lowering. Only `reg` is a register; the other forms are materialised where
// they are used, so constant offsets fold into loads and stores (the kernel rejects arithmetic on a context
// pointer, and packet bounds are tracked per base register) and conditions fold into branches.
import type { Instruction as IrInstruction } from '../../ir/index.ts';
import type { PendingCoreRelocation } from '../contract.ts';
import type { Reg } from '../mir.ts';

export type Form =
  /** `clean`: the register holds the value zero-extended from its IR width to 64 bits */
  | {
      readonly k: 'reg';
      readonly reg: Reg;
      readonly clean: boolean;
      /** a 32-bit load the kernel may turn into a pointer (ctx->data): 32-bit arithmetic must copy it with mov32 */
      readonly ptrish?: boolean;
    }
  | { readonly k: 'imm'; readonly value: bigint }
  /** a pointer: `base + off`, base a register or the frame pointer (an alloca) */
  | { readonly k: 'addr'; readonly base: Reg; readonly off: number }
  /** a pointer into a global (map, data-section variable or extern) */
  | { readonly k: 'global'; readonly name: string; readonly off: number }
  /** the address of a function (a callback) */
  | { readonly k: 'func'; readonly name: string }
  /** an i1 comparison, evaluated where it is used */
  | { readonly k: 'cmp'; readonly pred: string; readonly a: Form; readonly b: Form; readonly bits: number }
  /** an i1 `and`/`or`/`xor`/`select` of conditions, evaluated where it is used */
  | { readonly k: 'logic'; readonly inst: IrInstruction }
  /** a CO-RE constant: `mov`/`lddw` with a relocation */
  | { readonly k: 'core'; readonly value: bigint; readonly wide: boolean; readonly reloc: Omit<PendingCoreRelocation, 'slot'> }
  /** a CO-RE field address: `base + offset` where the offset carries a field_byte_offset relocation */
  | {
      readonly k: 'coreaddr';
      readonly base: Form;
      readonly offset: number;
      readonly diType: number;
      readonly access: string;
      readonly fieldSize: number;
      /** the last step's DI member (for field info) and the alignment of the IR record holding it */
      readonly member?: { readonly id: number; readonly recordAlign: number };
    }
  /** a small vector, element by element */
  | { readonly k: 'vec'; readonly elems: readonly Form[] }
  /** the `{ old, success }` pair of a cmpxchg */
  | { readonly k: 'pair'; readonly old: Form; readonly success: Form };

export const IMM32_MIN = -(2n ** 31n);
export const IMM32_MAX = 2n ** 31n - 1n;

export function fitsImm32(v: bigint): boolean {
  return v >= IMM32_MIN && v <= IMM32_MAX;
}
