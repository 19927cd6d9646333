// The rule-scale policy of issue 7, generated deterministically: `cidrRules` rules of 10 CIDRs each (IPv4 and
// IPv6, /8 to /32 and /128, a port or a port range) and `labelRules` label rules over an inventory of
// `endpoints` endpoints, in one host policy. Shared by `bench/policy.ts` and `scripts/policy-scale.ts`.
import { cidr, endpoints as endpointPeer, parseInventory, policy, type Inventory, type Policy, type RuleInput } from '../compiler/dsl/index.ts';

export interface ScaleShape {
  readonly cidrRules: number;
  readonly labelRules: number;
  readonly endpoints: number;
}

export const ISSUE_SCALE: ScaleShape = { cidrRules: 1000, labelRules: 100, endpoints: 5000 };

export function scalePolicy(shape: ScaleShape): { policy: Policy; inventory: Inventory } {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
  const v4 = (len: number): string => {
    const a = [rnd(223) + 1, rnd(256), rnd(256), rnd(256)];
    const addr = ((a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!) >>> 0;
    const masked = len === 0 ? 0 : (addr & (0xffffffff << (32 - len))) >>> 0;
    return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 0xff).join('.')}/${len}`;
  };
  const v6 = (len: number): string => {
    const groups = Array.from({ length: 8 }, () => rnd(65536));
    let bits = len;
    const masked = groups.map((g) => {
      const keep = Math.max(0, Math.min(16, bits));
      bits -= 16;
      return keep === 0 ? 0 : g & ((0xffff << (16 - keep)) & 0xffff);
    });
    masked[0] = (masked[0]! & 0x1fff) | 0x2000;
    return `${masked.map((g) => g.toString(16)).join(':')}/${len}`;
  };
  const inventory = parseInventory({
    endpoints: Array.from({ length: shape.endpoints }, (_, i) => ({
      ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`.replace(/^10\.0\./, '10.100.'),
      namespace: `ns${i % 20}`,
      labels: { app: `a${i % 200}` },
    })),
    host: ['192.168.0.1'],
    clusterCIDRs: ['10.0.0.0/8'],
  });
  const rules: RuleInput[] = [];
  for (let i = 0; i < shape.cidrRules; i++) {
    const peers = Array.from({ length: 10 }, (_, j) => (j % 3 === 2 ? cidr(j === 8 ? v6(128) : v6(32 + rnd(97))) : cidr(j === 1 ? v4(32) : v4(8 + rnd(25)))));
    const port = 1 + rnd(60000);
    rules.push({ name: `cidr-${i}`, from: peers, ports: [i % 2 === 0 ? { port } : { port, endPort: port + rnd(1000) }] });
  }
  for (let i = 0; i < shape.labelRules; i++) {
    rules.push({ name: `labels-${i}`, from: [endpointPeer({ matchLabels: { app: `a${i}` } }, { namespaces: {} })], ports: [{ port: 8000 + i }] });
  }
  return { policy: policy({ name: 'scale', host: true, ingress: rules }), inventory };
}
