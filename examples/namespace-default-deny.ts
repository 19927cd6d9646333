// A default-deny namespace: nothing goes in or out of `payments` unless a rule says so; every pod may ask
// the cluster DNS; the API takes HTTPS (its named port) from the frontend team's namespaces and reaches
// the database.
//   npx tsbpf check examples/namespace-default-deny.ts
import { endpoints, namespaces, policy } from 'tsbpf';

const namespace = 'payments';
const clusterDns = endpoints({ matchLabels: { 'k8s-app': 'kube-dns' } }, { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } });

export default [
  policy({ name: 'default-deny', namespace, selector: {}, defaultDeny: ['ingress', 'egress'] }),
  policy({
    name: 'dns',
    namespace,
    selector: {},
    egress: [{ name: 'dns', to: [clusterDns], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
  }),
  policy({
    name: 'api',
    namespace,
    selector: { matchLabels: { app: 'api' } },
    ingress: [{ name: 'from-frontend', from: [namespaces({ matchLabels: { team: 'frontend' } })], ports: [{ port: 'https' }] }],
    egress: [{ name: 'to-db', to: [endpoints({ matchLabels: { app: 'db' } })], ports: [{ port: 5432 }] }],
  }),
];
