export * from './spec.ts';
export * from './object-error.ts';
export { btfMapSpec, readObject } from './read-object.ts';
export { writeObject } from './write-object.ts';
export { innerMapTemplate } from './inner-map.ts';
export { linkProgram, type LinkedProgram, type RuntimeReference } from './link-program.ts';
