// A Kafka broker (endpoint mode, L7): the checkout service may produce to `orders` and `payments` (and ask
// for their metadata and the API versions first, Cilium's `produce` role), nothing else; a Produce to any other
// topic on the same connection is dropped. Every request of the connection is judged (docs/l7.md). Topic rules
// walk the request's topic array, which the seed profile cannot verify (the build says so, naming the rule):
// this policy chooses linux-6.18 (bounded loops).
//   npx tsbpf check examples/kafka-produce.ts
import { endpoints, policy } from 'tsbpf';

const producer = { role: 'produce', clientID: 'checkout' } as const;

export default policy({
  name: 'kafka-produce',
  namespace: 'data',
  selector: { matchLabels: { app: 'kafka' } },
  profiles: ['linux-6.18'],
  ingress: [
    {
      name: 'checkout-produces',
      from: [endpoints({ matchLabels: { app: 'checkout' } }, { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } })],
      ports: [{ port: 9092, kafka: [{ ...producer, topic: 'orders' }, { ...producer, topic: 'payments' }] }],
    },
  ],
});
