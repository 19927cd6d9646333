// compiler/cgen: PolicyModel → restricted C, map contents, programs and their attach points, and the object.
export { compilePolicy, compilePolicyC, DEFAULT_POLICY_DRIVER, defaultPolicyDriver, type CompiledPolicy, type CompilePolicyOptions, type PolicyDriver } from './compile-policy.ts';
export { generatePolicyC, type GenerateOptions } from './generate-c.ts';
export { hexBytes, policyKeyBytes, policyMapContents, portRangePrefixes, ruleCounterSlots, type MapContent, type PolicyMaps } from './map-contents.ts';
export { l7ReceiveRefusal, policyPrograms, receiveDirection, type AttachMode, type PolicyProgram } from './programs.ts';
export { XDP_HEAD } from './datapath-contexts.ts';
export { applyPolicyUpdate, ReloadNeededError, type HotUpdateOptions, type PolicyMapWriter } from './hot-update.ts';
export { PolicySimulation, type SimulatedVerdict } from './policy-simulation.ts';
