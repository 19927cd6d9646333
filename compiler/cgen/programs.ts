// The programs a policy compiles to and where each attaches, by mode (docs/policy.md):
// - interface mode protects the host on an interface: received packets are its ingress, sent packets its egress;
// - endpoint mode protects the endpoint behind a host-side veth: what the host receives on the veth (tcx
//   ingress) is the endpoint's egress, what the host sends into it (tcx egress) is the endpoint's ingress.
import type { Direction, PolicyModel } from '../dsl/policy-model.ts';

export interface PolicyProgram {
  readonly name: string;
  readonly section: string;
  /** the policy direction this program enforces */
  readonly direction: Direction;
  /** where to attach it, for people */
  readonly attach: string;
}

export function policyPrograms(model: Pick<PolicyModel, 'mode'>): PolicyProgram[] {
  if (model.mode === 'interface') {
    return [
      { name: 'policy_ingress', section: 'tcx/ingress', direction: 'ingress', attach: 'tcx ingress of the protected interface' },
      { name: 'policy_egress', section: 'tcx/egress', direction: 'egress', attach: 'tcx egress of the protected interface' },
    ];
  }
  return [
    { name: 'policy_to_endpoint', section: 'tcx/egress', direction: 'ingress', attach: "tcx egress of the endpoint's host-side veth" },
    { name: 'policy_from_endpoint', section: 'tcx/ingress', direction: 'egress', attach: "tcx ingress of the endpoint's host-side veth" },
  ];
}
