// The programs a policy compiles to and where each attaches, by mode (docs/policy.md):
// - interface mode protects the host on an interface: received packets are its ingress, sent packets its egress;
// - endpoint mode protects the endpoint behind a host-side veth: what the host receives on the veth (tcx
//   ingress) is the endpoint's egress, what the host sends into it (tcx egress) is the endpoint's ingress.
// The attach mode (`xdp`) moves the receive-side program to XDP (which sees only received packets); the
// other direction stays on tcx egress. Both programs share the maps either way.
import type { Direction, PolicyModel } from '../dsl/policy-model.ts';

/** Where the receive-side program runs: tcx ingress (tc) or XDP (xdp). */
export type AttachMode = 'tc' | 'xdp';

export interface PolicyProgram {
  readonly name: string;
  readonly section: string;
  /** the policy direction this program enforces */
  readonly direction: Direction;
  /** where to attach it, for people */
  readonly attach: string;
}

/** The policy direction of received packets (the one XDP can enforce). */
export function receiveDirection(model: Pick<PolicyModel, 'mode'>): Direction {
  return model.mode === 'interface' ? 'ingress' : 'egress';
}

export function policyPrograms(model: Pick<PolicyModel, 'mode'>, attachMode: AttachMode = 'tc'): PolicyProgram[] {
  const xdp = attachMode === 'xdp';
  if (model.mode === 'interface') {
    return [
      xdp
        ? { name: 'policy_ingress', section: 'xdp', direction: 'ingress', attach: 'XDP of the protected interface' }
        : { name: 'policy_ingress', section: 'tcx/ingress', direction: 'ingress', attach: 'tcx ingress of the protected interface' },
      { name: 'policy_egress', section: 'tcx/egress', direction: 'egress', attach: 'tcx egress of the protected interface' },
    ];
  }
  return [
    { name: 'policy_to_endpoint', section: 'tcx/egress', direction: 'ingress', attach: "tcx egress of the endpoint's host-side veth" },
    xdp
      ? { name: 'policy_from_endpoint', section: 'xdp', direction: 'egress', attach: "XDP of the endpoint's host-side veth" }
      : { name: 'policy_from_endpoint', section: 'tcx/ingress', direction: 'egress', attach: "tcx ingress of the endpoint's host-side veth" },
  ];
}

/** Why xdp mode cannot take this model (L7 rules judge received packets, which needs skb helpers), or undefined. */
export function l7ReceiveRefusal(model: Pick<PolicyModel, 'mode' | 'rules' | 'l7'>): string | undefined {
  const recv = receiveDirection(model);
  const ids = new Set(model.l7.rulesets.flatMap((rs) => rs.rules.map((r) => r.rule)));
  const rule = model.rules.find((r) => ids.has(r.id) && r.direction === recv);
  if (rule === undefined) return undefined;
  return `--mode xdp: rule ${rule.name} has L7 rules on received packets (${recv}), which need the tc datapath: deploy with --mode tc`;
}
