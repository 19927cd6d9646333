// Reading Kubernetes NetworkPolicy and Cilium policy manifests into the DSL's policies: the semantics each
// field maps onto, and the errors (file:line, document, field) for everything the importer does not handle.
import { describe, expect, it } from 'vitest';
import { buildModel, parseInventory, PolicyError } from '../../../compiler/dsl/index.ts';
import { parsePolicyYaml } from '../../../compiler/k8s/index.ts';

const np = (spec: string, meta = 'name: p\n  namespace: ns') => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  ${meta}\nspec:\n${spec}`;
const cnp = (spec: string) => `apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata:\n  name: c\n  namespace: ns\nspec:\n${spec}`;
const read = (text: string) => parsePolicyYaml(text, '/p/policy.yaml');
const errorOf = (text: string): string => {
  try {
    read(text);
  } catch (e) {
    expect(e).toBeInstanceOf(RangeError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('NetworkPolicy', () => {
  it('policyTypes defaults to Ingress, plus Egress only when there are egress rules', () => {
    expect(read(np('  podSelector: {}'))[0]!.policy.defaultDeny).toEqual(['ingress']);
    expect(read(np('  podSelector: {}\n  egress: [{}]'))[0]!.policy.defaultDeny).toEqual(['ingress', 'egress']);
    expect(read(np('  podSelector: {}\n  egress: []'))[0]!.policy.defaultDeny).toEqual(['ingress']);
    expect(read(np('  podSelector: {}\n  policyTypes: [Egress]'))[0]!.policy.defaultDeny).toEqual(['egress']);
  });

  it('maps podSelector, namespaceSelector, both in one entry, and ipBlock onto peers', () => {
    const [p] = read(
      np(`  podSelector: { matchLabels: { app: db } }
  ingress:
  - from:
    - podSelector: { matchLabels: { a: b } }
    - namespaceSelector: { matchLabels: { team: x } }
    - namespaceSelector: { matchLabels: { team: y } }
      podSelector: { matchExpressions: [{ key: k, operator: Exists }] }
    - ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/16] }
    ports: [{ port: 80 }, { port: 1000, endPort: 2000, protocol: UDP }, { port: http }]`),
    );
    const rule = p!.policy.rules[0]!;
    expect(p!.policy.namespace).toBe('ns');
    expect(rule.name).toBe('ns/p/ingress[0]');
    expect(rule.peers!.map(({ at: _at, ...x }) => x)).toEqual([
      { kind: 'endpoints', selector: { matchLabels: { a: 'b' } } },
      { kind: 'endpoints', selector: {}, namespaces: { matchLabels: { team: 'x' } } },
      { kind: 'endpoints', selector: { matchExpressions: [{ key: 'k', operator: 'Exists' }] }, namespaces: { matchLabels: { team: 'y' } } },
      { kind: 'cidr', cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] },
    ]);
    expect(rule.ports).toEqual([{ port: 80, protocol: 'TCP' }, { port: 1000, endPort: 2000, protocol: 'UDP' }, { port: 'http', protocol: 'TCP' }]);
    expect(rule.at).toMatchObject({ file: '/p/policy.yaml', line: 9 });
  });

  it('reads `ingress: [{}]` as one rule allowing every peer and port', () => {
    const rule = read(np('  podSelector: {}\n  ingress: [{}]'))[0]!.policy.rules[0]!;
    expect(rule).toMatchObject({ peers: undefined, ports: [], icmps: [] });
  });

  it('names the document, the field and the line of what it cannot handle', () => {
    const two = `${np('  podSelector: {}')}\n---\n${np('  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n      serviceSelector: {}', 'name: q')}`;
    expect(errorOf(two)).toBe('/p/policy.yaml:18: document 2 (NetworkPolicy default/q): spec.ingress[0].from[0].serviceSelector: unknown or unsupported field serviceSelector (supported here: podSelector, namespaceSelector, ipBlock)');
    expect(errorOf(np('  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: { cidr: 10.0.0.0/8 }\n      podSelector: {}'))).toMatch(/:10: document 1 \(NetworkPolicy ns\/p\): spec\.ingress\[0\]\.from\[0\]: ipBlock cannot be combined/);
    expect(errorOf(np('  podSelector: {}\n  policyTypes: [Egress]\n  ingress: [{}]'))).toMatch(/spec\.ingress: policyTypes does not list Ingress/);
    expect(errorOf(np('  podSelector: {}\n  ingress: [{ ports: [{ port: "80" }] }]'))).toMatch(/quoted number/);
    expect(errorOf(np('  podSelector: {}\n  ingress: [{ ports: [{ port: 80, endPort: 70 }] }]'))).toMatch(/^\/p\/policy\.yaml:8: document 1 \(NetworkPolicy ns\/p\): rule ns\/p\/ingress\[0\]: endPort 70 < port 80$/);
    expect(errorOf('apiVersion: v1\nkind: Service\nmetadata: { name: s }')).toMatch(/:2: document 1: kind: kind Service is not a policy/);
  });

  it('rejects a named port no endpoint of the inventory has, naming the YAML line', () => {
    const policies = read(np('  podSelector: {}\n  ingress:\n  - ports: [{ port: web }]')).map((x) => x.policy);
    expect(() => buildModel(policies, parseInventory({ endpoints: [{ ip: '10.0.0.1', namespace: 'ns' }] }))).toThrow(/policy\.yaml:9: rule ns\/p\/ingress\[0\]: unknown named port "web"/);
  });
});

describe('CiliumNetworkPolicy', () => {
  it('an empty rule matches nothing but makes the direction default-deny', () => {
    const [p] = read(cnp('  endpointSelector: {}\n  ingress: [{}]'));
    expect(p!.policy.rules).toEqual([]);
    expect(p!.policy.defaultDeny).toEqual(['ingress']);
  });

  it('reads peers, ports with protocol ANY by default, ICMP types and deny rules', () => {
    const [p] = read(
      cnp(`  endpointSelector: { matchLabels: { "k8s:app": web } }
  ingressDeny:
  - fromCIDRSet: [{ cidr: 10.0.0.0/8, except: [10.1.0.0/16] }]
  egress:
  - toEndpoints: [{ matchLabels: { io.kubernetes.pod.namespace: kube-system, k8s-app: dns } }]
    toEntities: [world]
    toCIDR: [192.0.2.0/24]
    toPorts: [{ ports: [{ port: "53" }, { port: "8000", endPort: 8010, protocol: TCP }, { port: dns-tcp, protocol: TCP }] }]
  - icmps: [{ fields: [{ type: 8 }, { type: EchoRequest, family: IPv6 }] }]`),
    );
    const { policy } = p!;
    expect(policy.subject).toEqual({ selector: { matchLabels: { app: 'web' } } });
    expect(policy.defaultDeny).toEqual(['ingress', 'egress']);
    expect(policy.rules.map((r) => [r.name, r.list])).toEqual([
      ['ns/c/ingressDeny[0]', 'ingressDeny'],
      ['ns/c/egress[0]', 'egress'],
      ['ns/c/egress[1]', 'egress'],
    ]);
    expect(policy.rules[1]!.peers!.map(({ at: _at, ...x }) => x)).toEqual([
      { kind: 'endpoints', selector: { matchLabels: { 'k8s-app': 'dns' } }, namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } },
      { kind: 'cidr', cidr: '192.0.2.0/24', except: [] },
      { kind: 'entity', entity: 'world' },
    ]);
    expect(policy.rules[1]!.ports).toEqual([{ port: 53, protocol: 'ANY' }, { port: 8000, endPort: 8010, protocol: 'TCP' }, { port: 'dns-tcp', protocol: 'TCP' }]);
    expect(policy.rules[2]).toMatchObject({ peers: undefined, icmps: [{ family: 4, type: 8 }, { family: 6, type: 128 }] });
  });

  it('keeps fromEndpoints in the namespace of a namespaced policy, and not of a clusterwide one', () => {
    const ns = read(cnp('  endpointSelector: {}\n  ingress: [{ fromEndpoints: [{ matchLabels: { io.cilium.k8s.namespace.labels.team: x } }] }]'))[0]!;
    expect(ns.policy.rules[0]!.peers![0]).toMatchObject({ namespaces: { matchLabels: { team: 'x', 'kubernetes.io/metadata.name': 'ns' } } });
    const ccnp = read('apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: { name: cw }\nspec:\n  endpointSelector: { matchLabels: { io.kubernetes.pod.namespace: prod } }\n  ingress: [{ fromEndpoints: [{}] }]')[0]!;
    expect(ccnp.policy.namespace).toBe('prod');
    expect(ccnp.policy.rules[0]!.peers![0]).toMatchObject({ selector: {}, namespaces: {} });
  });

  it('reads a clusterwide nodeSelector: {} as a host policy, and rejects node labels and namespaced host policies', () => {
    const ccnp = (spec: string) => `apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: { name: h }\nspec:\n${spec}`;
    const [h] = read(ccnp('  nodeSelector: {}\n  ingress: [{ fromEntities: [cluster] }]'));
    expect(h!.policy.subject).toEqual({ host: true });
    expect(h!.policy.rules[0]!.peers).toMatchObject([{ kind: 'entity', entity: 'cluster' }]);
    expect(errorOf(ccnp('  nodeSelector: { matchLabels: { role: edge } }'))).toMatch(/spec\.nodeSelector: node labels are not in the inventory/);
    expect(errorOf(cnp('  nodeSelector: {}'))).toMatch(/nodeSelector is only valid in a CiliumClusterwideNetworkPolicy/);
  });

  it('says "not supported yet" for DNS and other L7 rules, FQDNs, services, TLS and other entities', () => {
    const at = (rule: string) => errorOf(cnp(`  endpointSelector: {}\n  egress:\n  - ${rule}`));
    expect(at('toPorts: [{ ports: [{ port: "53" }], rules: { dns: [{ matchPattern: "*" }] } }]')).toMatch(
      /^\/p\/policy\.yaml:9: document 1 \(CiliumNetworkPolicy ns\/c\): spec\.egress\[0\]\.toPorts\[0\]\.rules\.dns: rules\.dns \(DNS proxy rules\) \(not supported yet\)/,
    );
    expect(at('toPorts: [{ ports: [{ port: "80" }], rules: { l7proto: x } }]')).toMatch(/rules\.l7proto \(Envoy L7 parsers\) \(not supported yet\)/);
    for (const entity of ['remote-node', 'kube-apiserver', 'health', 'init', 'ingress', 'unmanaged', 'world-ipv4']) {
      expect(at(`toEntities: [${entity}]`)).toMatch(new RegExp(`spec\\.egress\\[0\\]\\.toEntities\\[0\\]: entity ${entity} is not supported yet: .+ \\(supported: world, host, cluster, all\\)$`));
    }
    expect(at('toFQDNs: [{ matchName: example.com }]')).toMatch(/spec\.egress\[0\]\.toFQDNs: toFQDNs \(DNS-based egress\) \(not supported yet\)/);
    expect(at('toServices: [{ k8sService: { serviceName: s } }]')).toMatch(/toServices \(not supported yet\)/);
    expect(at('toPorts: [{ ports: [{ port: "443" }], terminatingTLS: { secret: { name: x } } }]')).toMatch(/terminatingTLS \(TLS interception\) \(not supported yet\)/);
    expect(at('toEntities: [remote-node]')).toMatch(/spec\.egress\[0\]\.toEntities\[0\]: entity remote-node is not supported yet: the other nodes of the cluster are not in the inventory/);
    expect(at('toEndpoints: [{ matchLabels: { "reserved:host": "" } }]')).toMatch(/label source reserved/);
  });

  it('reads enableDefaultDeny: false with rules as rules that do not isolate the direction', () => {
    const [r] = read(cnp('  endpointSelector: {}\n  ingress: [{ fromEntities: [world] }]\n  egress: [{ toEntities: [world] }]\n  enableDefaultDeny: { ingress: false }'));
    expect(r!.policy.rulesOnly).toEqual(['ingress']);
    expect(r!.policy.defaultDeny).toEqual(['egress']);
  });

  it('maps rules.http onto the port rules of its toPorts entry, TCP when no protocol is given', () => {
    const [p] = read(
      cnp(`  endpointSelector: { matchLabels: { app: service } }
  ingress:
  - fromEndpoints: [{ matchLabels: { env: prod } }]
    toPorts:
    - ports: [{ port: "80" }, { port: "8080", protocol: TCP }]
      rules:
        http:
        - { method: GET, path: /public }
        - { method: "PUT|POST", path: "/api/.*", host: "api\\\\.example\\\\.com", headers: ["X-Token: abc"] }`),
    );
    const ports = p!.policy.rules[0]!.ports;
    expect(ports.map((x) => [x.port, x.protocol])).toEqual([
      [80, 'TCP'],
      [8080, 'TCP'],
    ]);
    expect(ports[0]!.http!.map(({ at: _at, ...r }) => r)).toEqual([
      { method: 'GET', path: '/public' },
      { method: ['PUT', 'POST'], path: '/api/*', host: 'api.example.com', headers: ['X-Token: abc'] },
    ]);
    expect(ports[0]!.http![1]!.at).toMatchObject({ file: '/p/policy.yaml', line: 15 });
    expect(ports[1]!.http).toEqual(ports[0]!.http);
  });

  it('maps rules.kafka, with Cilium\'s string apiVersion, onto the port rules', () => {
    const [p] = read(
      cnp(`  endpointSelector: { matchLabels: { app: kafka } }
  ingress:
  - fromEndpoints: [{ matchLabels: { app: empire-hq } }]
    toPorts:
    - ports: [{ port: "9092", protocol: TCP }]
      rules:
        kafka:
        - { role: produce, topic: empire-announce }
        - { apiKey: fetch, apiVersion: "4", clientID: hq }`),
    );
    expect(p!.policy.rules[0]!.ports[0]!.kafka!.map(({ at: _at, ...r }) => r)).toEqual([
      { role: 'produce', topic: 'empire-announce' },
      { apiKey: 'fetch', apiVersion: 4, clientID: 'hq' },
    ]);
  });

  it('names the document, the field and the line of an L7 rule it cannot express', () => {
    const l7 = (rules: string, protocol = '') => errorOf(cnp(`  endpointSelector: {}\n  ingress:\n  - toPorts:\n    - ports: [{ port: "80"${protocol} }]\n      rules:\n${rules}`));
    expect(l7('        http: [{ path: "/a(b|c)+" }]')).toMatch(/^\/p\/policy\.yaml:12: document 1 \(CiliumNetworkPolicy ns\/c\): spec\.ingress\[0\]\.toPorts\[0\]\.rules\.http\[0\]: http path .* cannot be expressed/);
    expect(l7('        http: [{ headerMatches: [{ name: X, value: y }] }]')).toMatch(/http headerMatches is not supported yet/);
    expect(l7('        http: [{}]\n        kafka: [{}]')).toMatch(/one L7 kind per toPorts entry/);
    expect(l7('        http: [{}]', ', protocol: UDP')).toMatch(/ports\[0\]\.protocol: protocol UDP with http rules: L7 rules need TCP/);
    expect(l7('        kafka: [{ role: admin }]')).toMatch(/rules\.kafka\[0\]: unknown role "admin"/);
    // deny rules carry no L7 rules, in Cilium too
    expect(errorOf(cnp('  endpointSelector: {}\n  ingressDeny:\n  - toPorts: [{ ports: [{ port: "80" }], rules: { http: [{}] } }]'))).toMatch(/unknown or unsupported field rules/);
  });

  it('selects the subject of a clusterwide policy by namespace labels or namespace expressions', () => {
    const ccnp = (sel: string) => read(`apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: { name: cw }\nspec:\n  endpointSelector: ${sel}\n  ingress: [{ fromEntities: [cluster] }]`)[0]!.policy;
    const inventory = parseInventory({
      namespaces: [{ name: 'prod', labels: { team: 'web' } }, { name: 'kube-system' }, { name: 'dev', labels: { team: 'web' } }],
      endpoints: [
        { ip: '10.0.0.1', namespace: 'prod', labels: { app: 'a' } },
        { ip: '10.0.0.2', namespace: 'kube-system', labels: { app: 'a' } },
        { ip: '10.0.0.3', namespace: 'dev', labels: { app: 'b' } },
      ],
    });
    const protectedBy = (sel: string) => {
      const m = buildModel([ccnp(sel)], inventory);
      const ids = new Set(m.subjects.filter((x) => x.ingress).map((x) => x.identity));
      return m.identities.filter((i) => ids.has(i.id)).map((i) => i.name).sort();
    };
    expect(ccnp('{ matchLabels: { "k8s:io.cilium.k8s.namespace.labels.team": web } }')).toMatchObject({ subject: { selector: { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'web' } } } });
    expect(protectedBy('{ matchLabels: { "k8s:io.cilium.k8s.namespace.labels.team": web } }')).toEqual(['dev:app=b', 'prod:app=a']);
    expect(protectedBy('{ matchExpressions: [{ key: "k8s:io.kubernetes.pod.namespace", operator: NotIn, values: [kube-system] }] }')).toEqual(['dev:app=b', 'prod:app=a']);
    expect(protectedBy('{ matchLabels: { app: a, io.cilium.k8s.namespace.labels.team: web } }')).toEqual(['prod:app=a']);
    // one namespace by name stays the policy's namespace
    expect(ccnp('{ matchLabels: { io.kubernetes.pod.namespace: prod } }')).toMatchObject({ namespace: 'prod', subject: { selector: {} } });
    // and the endpoints' own labels are unchanged: the namespace labels are for selectors only
    expect(Object.keys(inventory.endpoints[0]!.labels)).toEqual(['app']);
  });

  it('narrows a namespaced policy by the labels of its own namespace', () => {
    const [p] = read(cnp('  endpointSelector: { matchLabels: { io.cilium.k8s.namespace.labels.tier: front } }\n  ingress: [{ fromEntities: [world] }]'));
    expect(p!.policy).toMatchObject({ namespace: 'ns', subject: { selector: { matchLabels: { 'io.cilium.k8s.namespace.labels.tier': 'front' } } } });
  });
});

describe('documents', () => {
  it('reads the items of a kind: List, and mixed policy kinds across documents', () => {
    const list = `apiVersion: v1
kind: List
items:
- ${np('  podSelector: {}').replace(/\n/g, '\n  ')}
- ${cnp('  endpointSelector: {}\n  ingress: [{ fromEntities: [world] }]').replace(/\n/g, '\n  ')}
---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: { name: cw }
spec: { nodeSelector: {}, ingress: [{ fromEntities: [cluster] }] }
`;
    const got = read(list);
    expect(got.map((x) => [x.policy.name, x.document])).toEqual([
      ['ns/p', 'document 1 item 1 (NetworkPolicy ns/p)'],
      ['ns/c', 'document 1 item 2 (CiliumNetworkPolicy ns/c)'],
      ['cw', 'document 2 (CiliumClusterwideNetworkPolicy cw)'],
    ]);
    expect(got[1]!.policy.rules[0]!.at).toMatchObject({ line: 18 });
  });

  it('names the List item of an error, and refuses other kinds inside a List', () => {
    const bad = `apiVersion: v1\nkind: List\nitems:\n- ${np('  podSelector: {}\n  egress: [{ to: [{ serviceSelector: {} }] }]').replace(/\n/g, '\n  ')}`;
    expect(errorOf(bad)).toMatch(/^\/p\/policy\.yaml:\d+: document 1 item 1 \(NetworkPolicy ns\/p\): spec\.egress\[0\]\.to\[0\]\.serviceSelector: unknown or unsupported field/);
    expect(errorOf('apiVersion: v1\nkind: List\nitems:\n- { apiVersion: v1, kind: Service, metadata: { name: s } }')).toMatch(/document 1 item 1: kind: kind Service is not a policy/);
    expect(errorOf('apiVersion: v2\nkind: List\nitems: []')).toMatch(/a List has apiVersion v1/);
  });

  it('takes verifier profiles, L7 settings and audit from tsbpf.io/ annotations, and skips other annotations', () => {
    const meta = (annotations: string) => `name: p\n  namespace: ns\n  annotations: { ${annotations} }`;
    const [p] = read(np('  podSelector: {}', meta('"tsbpf.io/profiles": "seed, linux-6.18", "tsbpf.io/l7-window": "512", "tsbpf.io/l7-violation": reset, "tsbpf.io/audit": "true", "kubectl.kubernetes.io/last-applied-configuration": "{}"')));
    expect(p!.policy).toMatchObject({ profiles: ['seed', 'linux-6.18'], audit: true, l7: { window: 512, unparseable: 'deny', violation: 'reset' } });
    expect(p!.input).toMatchObject({ profiles: ['seed', 'linux-6.18'], audit: true, l7: { window: 512, violation: 'reset' } });
    expect(errorOf(np('  podSelector: {}', meta('"tsbpf.io/window": "512"')))).toMatch(/metadata\.annotations\.tsbpf\.io\/window: unknown annotation tsbpf\.io\/window/);
    expect(errorOf(np('  podSelector: {}', meta('"tsbpf.io/l7-window": "300"')))).toMatch(/l7\.window 300 is not a power of two/);
  });
});

