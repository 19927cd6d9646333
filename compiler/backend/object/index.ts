// compiler/backend/object: laying out global data and maps, and assembling the ObjectSpec of a compiled module.
export { buildObjectSpec, type ObjectSpecInput } from './build-object-spec.ts';
export { encodeInitializer, type EncodedInitializer } from './encode-initializer.ts';
export { dataKind, globalSection, isLlvmInternalGlobal } from './global-section.ts';
export { fieldOffsets, layoutOf, roundUp, type TypeLayout } from './ir-layout.ts';
export { LineInfoBuilder, type SourceLookup } from './line-info.ts';
export {
  GlobalLayoutError,
  LICENSE_SECTION,
  MAPS_SECTION,
  planGlobals,
  type GlobalLayout,
  type GlobalSlot,
  type PlannedMap,
} from './plan-globals.ts';
