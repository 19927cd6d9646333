// cli/deploy: policies (and services: a load balancer) of an interface into the kernel and kept up to date (deploy, undeploy), what is deployed
// (state under /run/tsbpf), its counters and their Prometheus exposition. Commands: cli/commands/deploy.ts,
// status.ts, metrics.ts; walkthrough: docs/deploy.md.
export { buildPolicySet, codeHash, mergeInventories, sourcesHash, type BuiltSet } from './build-set.ts';
export { vectorChecks, verifySet, type DeployCheck } from './checks.ts';
export { actionOf, readCounters, sumPerCpu, type Counter, type InterfaceCounters, type RuleCounter, type VerdictCounter } from './counters.ts';
export { deployPolicies, undeployAll, undeployPolicy, type DeployOptions, type DeployResult, type DeployTarget } from './deploy.ts';
export { nextVersions, planDeploy, policySetAfterDeploy, type DeployAction, type PlanInput } from './plan.ts';
export { deployMetrics, METRIC_SPECS, metricsRegistry, type DeployedSnapshot, type MetricFamily, type MetricSample } from './prometheus.ts';
export { l7CounterLayout, readL7Counters, type L7CounterLayout, type L7Counters, type L7RuleCounter } from './l7-counters.ts';
export { readServiceCounters } from './service-counters.ts';
export { PinnedMaps } from './pinned-reader.ts';
export { DEFAULT_PIN_ROOT, DEFAULT_STATE_DIR, listStates, readState, removeState, STATE_LAYOUT, stateFile, stateId, writeState, type DeployedPolicy, type DeployState } from './state.ts';
export { undoable } from './undoable-writer.ts';
export { carryOverPlan, layoutChanges, type CarryOver } from './layout-changes.ts';
export { copyEntries, type CopyResult } from './copy-entries.ts';
export { carryRuleCounters, type RuleLabel } from './carry-counters.ts';
export { renderTopFrame, type TopSample } from './top-frame.ts';
export { listDeployed, deployedCounters, readDeployedServices, type DeployedInterface } from './deployed.ts';
export { buildServiceSet, deploySizes, DEPLOYED_LB_PROGRAMS, serviceVectorChecks, verifyServices, type BuiltServices } from './service-build.ts';
export { applyServices, planServices, type ServiceAction, type ServicePlan, type ServiceResult } from './service-deploy.ts';
export { freshLb, removeLb, replaceLb, updateLbMaps, type LbKernelResult, type LbTarget } from './service-kernel.ts';
export { listServiceStates, readServiceState, removeServiceState, serviceStateFile, writeServiceState, type DeployedService, type ServiceDeployState } from './service-state.ts';
