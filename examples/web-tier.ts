// A web tier (endpoint mode): the shop's web pods take HTTP and HTTPS from the public ranges (minus the
// ones abuse reports named), the load balancer reaches the pods' named `http` port, and the pods may only
// talk to the database.
//   npx tsbpf check examples/web-tier.ts
import { cidr, endpoints, policy } from 'tsbpf';

const publicRanges = [
  cidr('198.51.100.0/24', { except: ['198.51.100.128/25'] }),
  cidr('203.0.113.0/24', { except: ['203.0.113.64/26', '203.0.113.7/32'] }),
  cidr('2001:db8:100::/48', { except: ['2001:db8:100:bad::/64'] }),
];

export default policy({
  name: 'web-tier',
  namespace: 'shop',
  selector: { matchLabels: { tier: 'web' } },
  ingress: [
    { name: 'public-web', from: publicRanges, ports: [{ port: 80 }, { port: 443 }] },
    { name: 'from-lb', from: [endpoints({ matchLabels: { app: 'lb' } })], ports: [{ port: 'http' }] },
  ],
  egress: [
    { name: 'to-db', to: [endpoints({ matchLabels: { tier: 'db' } })], ports: [{ port: 5432 }] },
    { name: 'dns', to: [endpoints({ matchLabels: { 'k8s-app': 'kube-dns' } }, { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } })], ports: [{ port: 53, protocol: 'UDP' }] },
  ],
});
