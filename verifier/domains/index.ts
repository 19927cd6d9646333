// Scalar domains of the verifier: the kernel's tnums, bounds synchronisation, ALU transfer functions and
// branch refinement (Linux 6.18), and the kernel's log format for scalars.
export * from './tnum.ts';
export * from './scalar.ts';
export * from './scalar-alu.ts';
export * from './scalar-branch.ts';
export * from './format-scalar.ts';
export * from './linked-scalar.ts';
