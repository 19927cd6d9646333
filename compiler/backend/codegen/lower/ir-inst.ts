// The IR instruction variant whose opcode set covers `K` (the AST groups opcodes: all binary ops share a variant).
import type { Instruction } from '../../ir/index.ts';

export type IrInst<K extends string> = Instruction extends infer I
  ? I extends { readonly op: infer O }
    ? [K] extends [O]
      ? I
      : never
    : never
  : never;
