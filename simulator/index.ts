// The simulator: public API (the reference interpreter and the conformance runner so far).
export * from './vm/index.ts';
export * from './conformance/index.ts';
