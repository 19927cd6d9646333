// Assertions: what each instruction requires, from the ISA, helper prototypes and context layouts.
export * from './failure.ts';
export * from './registers.ts';
export * from './memory.ts';
export * from './pointer-arith.ts';
export * from './helper-call.ts';
export * from './return-value.ts';
export * from './socket.ts';
