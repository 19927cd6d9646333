// A service (L4 load balancing, docs/services.md): the shop's web VIP spread over its pods by a Maglev table,
// one pod with twice the share, one being drained for maintenance (it keeps its connections, gets no new
// ones), and session affinity by client address for a minute. A file may export services beside its policies
// or, as here, alone: `tsbpf build` writes the load balancer (lb.o: north-south XDP and east-west tc programs).
//   npx tsbpf check examples/services.ts
import { service } from 'tsbpf';

export const web = service({
  name: 'web',
  vip: '10.96.0.10',
  port: 80,
  protocol: 'tcp',
  backends: [
    { address: '10.1.0.5', port: 8080 },
    { address: '10.1.0.6', port: 8080, weight: 2 },
    { address: '10.1.0.7', port: 8080 },
    { address: '10.1.0.8', port: 8080, state: 'drained' },
  ],
  affinity: { timeoutSeconds: 60 },
  maglev: { size: 4093 },
});

export const web6 = service({
  name: 'web6',
  vip: 'fd00:96::10',
  port: 80,
  backends: [
    { address: 'fd00:1::5', port: 8080 },
    { address: 'fd00:1::6', port: 8080, weight: 2 },
    { address: 'fd00:1::7', port: 8080, state: 'drained' },
  ],
  maglev: { size: 4093 },
});
