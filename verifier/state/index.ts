// Verifier state: registers (scalars from the domains, pointer kinds), stack slots per frame, frames.
export * from './reg.ts';
export * from './stack.ts';
export * from './verifier-state.ts';
