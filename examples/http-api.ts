// An HTTP API (endpoint mode, L7): anyone may GET what lies under /public/, only the shop's item writers may
// PUT /v1/items, and only with their client token. Every request of a connection is judged, keep-alive and
// pipelined ones too; a request that no rule allows is dropped (docs/l7.md).
//   npx tsbpf check examples/http-api.ts
import { endpoints, policy } from 'tsbpf';

export default policy({
  name: 'http-api',
  namespace: 'shop',
  selector: { matchLabels: { app: 'items-api' } },
  ingress: [
    { name: 'public-read', ports: [{ port: 8080, http: [{ method: 'GET', path: '/public/*' }] }] },
    {
      name: 'item-writers',
      from: [endpoints({ matchLabels: { role: 'item-writer' } })],
      ports: [{ port: 8080, http: [{ method: 'PUT', path: '/v1/items', headers: ['X-Client-Token: s3cret'] }] }],
    },
  ],
  l7: { window: 256, unparseable: 'deny', violation: 'drop' },
});
