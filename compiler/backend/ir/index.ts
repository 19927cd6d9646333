// LLVM textual IR: the typed AST, the parser, the metadata helpers and the BPF subset check.
export type * from './ast.ts';
export { BINARY_OPS, CAST_OPS, opcodeOf } from './ast.ts';
export { tokenize, type Token, type TokenKind } from './lexer.ts';
export { parseIr } from './parse-ir.ts';
export {
  declarationLocation,
  intField,
  metadataField,
  nodeField,
  resolveMetadata,
  scopeFile,
  sourceLocation,
  stringField,
  type SourceLocation,
} from './debug-info.ts';
export {
  checkSubset,
  findUnsupported,
  isSupportedIntrinsic,
  IrSubsetError,
  SUPPORTED_INTRINSICS,
  type SubsetViolation,
} from './check-subset.ts';
