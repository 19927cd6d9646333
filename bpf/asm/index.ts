export { AsmSyntaxError } from './asm-syntax-error.ts';
export { formatInstruction, type FormatOptions } from './format-instruction.ts';
export { disassemble, type DisassembleOptions } from './disassemble.ts';
export { assemble, type AssembleOptions } from './assemble.ts';
export { assembleUbpf } from './assemble-ubpf.ts';
export { parseTestCase, type ParseTestCaseOptions, type TestCase } from './parse-test-case.ts';
