export * from './opcodes.ts';
export * from './instruction.ts';
export * from './decode.ts';
export * from './encode.ts';
