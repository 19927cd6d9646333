// loader/probe: which program types, map types, helpers and link types this kernel has.
export {
  HELPER_PROBE_PROGRAM_TYPES,
  HELPER_VERSIONS,
  LINK_TYPE_VERSIONS,
  MAP_TYPE_VERSIONS,
  PROGRAM_TYPE_VERSIONS,
  type FeatureVersion,
} from './features.ts';
export {
  featureTable,
  NOT_PROBED,
  probeHelper,
  probeLinkType,
  probeMapType,
  probeProgramType,
  resetProbes,
  type FeatureKind,
  type FeatureRow,
} from './probe.ts';
export { kernelAtLeast, parseKernelVersion, UnsupportedFeatureError } from './unsupported-feature-error.ts';
