// loader/object: what loading an ObjectSpec needs besides bpf(2): program types, externs, errors.
export { kconfigValue, kernelConfig, linuxKernelVersion } from './kconfig.ts';
export { MapCompatibilityError, ProgramLoadError, type ProgramLoadErrorOptions, type SourcePosition } from './program-load-error.ts';
export {
  parseProgramType,
  programType,
  type ProgramTypeInput,
  type ProgramTypeOverride,
  type ResolvedProgramType,
} from './program-type.ts';
