// The reference interpreter: public API.
export { SimFault, type SimFaultDetails, type SimFaultKind } from './sim-fault.ts';
export { Memory, Region, REGION_BASE, describeAddress, LENGTH_FIELD, POINTER_DATA, POINTER_END, POINTER_META, type PointerFields, type AccessRule, type LoadHook, type RegLoadHook, type Location, type StoreHook, type RegionKind, type RegionOptions } from './memory.ts';
export { helperTable, NO_HELPERS, tailCallHelper, type HelperContext, type HelperDispatch, type HelperFunction, type RegisterFile, type RegisterHalves } from './helpers.ts';
export { isProgArray, type MapHandle, type ProgArrayHandle } from './map-handle.ts';
export {
  CODE_TAG,
  CompiledProgram,
  compileProgram,
  MAX_PROGRAM_SLOTS,
  ProgramCheckError,
  sourceLinesFrom,
  type CompileOptions,
} from './compiled-program.ts';
export {
  DEFAULT_BUDGET,
  DEFAULT_TRACE_LIMIT,
  MAX_CALL_FRAMES,
  MAX_TAIL_CALLS,
  MAY_GOTO_BUDGET,
  STACK_SIZE,
  type RegisterValue,
  type RunOptions,
  type RunResult,
  type TraceEntry,
  type VmOptions,
} from './run-options.ts';
export { Vm } from './vm.ts';
