// Exploration: control-flow checks, the path-sensitive worklist, pruning, calls and limits.
export * from './program.ts';
export * from './cfg.ts';
export * from './explore.ts';
export { statesEqual, type CompareOptions, type ExactLevel, type PruneMarks } from './prune.ts';
export { VerifierLog, formatFrame, LOG_MAX_CHARS, LOG_MAX_LINES, type ExploreTrace } from './trace.ts';
