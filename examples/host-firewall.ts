// A host firewall (interface mode): what the machine itself accepts and sends on its interface.
//   npx tsbpf check examples/host-firewall.ts
import { cidr, policy, world } from 'tsbpf';

// the office network, except the guest Wi-Fi
const office = cidr('192.168.0.0/16', { except: ['192.168.99.0/24'] });
const monitoring = [cidr('10.0.0.0/8'), cidr('fd00::/8')];

export default policy({
  name: 'host-firewall',
  host: true,
  ingressDeny: [{ name: 'blocklist', from: [cidr('203.0.113.0/24'), cidr('2001:db8:bad::/48')] }],
  ingress: [
    { name: 'ssh-from-office', from: [office], ports: [{ port: 22 }] },
    { name: 'web', ports: [{ port: 80 }, { port: 443 }, { port: 443, protocol: 'UDP' }] },
    { name: 'ping', icmps: [{ type: 'EchoRequest' }, { family: 'IPv6', type: 'EchoRequest' }] },
    { name: 'metrics', from: monitoring, ports: [{ port: 9100, endPort: 9109 }] },
  ],
  egress: [
    { name: 'dns', to: [cidr('10.0.0.53/32'), cidr('2001:4860:4860::8888/128')], ports: [{ port: 53, protocol: 'ANY' }] },
    { name: 'updates', to: [world], ports: [{ port: 80 }, { port: 443 }] },
    { name: 'ntp', ports: [{ port: 123, protocol: 'UDP' }] },
  ],
});
