// Running the bpf_conformance / uBPF `.data` suites on the reference interpreter.
export { conformanceHelpers, UBPF_HELPER_NAMES, type HelperSetName } from './conformance-helpers.ts';
export { runConformanceCase, type CaseResult, type CaseStatus, type ConformanceOptions } from './run-conformance-case.ts';
export { conformanceFiles, runConformance, type ConformanceReport } from './run-conformance.ts';
