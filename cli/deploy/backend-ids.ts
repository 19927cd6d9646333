// Global backend ids that stay put across redeploys. The load balancer's connections (conns, ew_rev, affinity)
// name their backend by id; if a backend inserted before the others shifted every id, the packets of open
// connections would go to whichever backend took their old id until every entry had been rewritten. So:
//
//   a backend the previous deployment had keeps its id (its key: `service|address:port`);
//   a new backend takes the lowest slot that was already free before this deploy, else the next one past the end;
//   a backend that is gone leaves its slot free (a hole, state removed in the map) — not reused by this deploy,
//   since connections naming it are deleted only after the new contents are in (service-kernel.ts).
import type { Service } from '../../compiler/services/index.ts';

/** A free slot in `backendKeys`. */
export const FREE_SLOT = '';

/** `service|address:port`: what identifies a backend across deploys. */
export function backendKey(service: Service, backend: Service['backends'][number]): string {
  return `${service.name}|${backend.key}`;
}

export interface BackendIds {
  /** the global id of each service's backends */
  readonly ids: readonly (readonly number[])[];
  /** the key of each id (the index); FREE_SLOT where no backend has it */
  readonly keys: readonly string[];
}

export function assignBackendIds(services: readonly Service[], previous: readonly string[] = []): BackendIds {
  const kept = new Map<string, number>();
  previous.forEach((k, id) => {
    if (k !== FREE_SLOT) kept.set(k, id);
  });
  const keys: string[] = previous.map(() => FREE_SLOT);
  const wanted = new Set(services.flatMap((s) => s.backends.map((b) => backendKey(s, b))));
  for (const [k, id] of kept) if (wanted.has(k)) keys[id] = k;
  // free before this deploy, lowest first; then past the end
  const free = previous.flatMap((k, id) => (k === FREE_SLOT ? [id] : []));
  let next = previous.length;
  const ids = services.map((s) =>
    s.backends.map((b) => {
      const k = backendKey(s, b);
      let id = kept.get(k);
      if (id === undefined) {
        id = free.shift() ?? next++;
        kept.set(k, id);
        keys[id] = k;
      }
      return id;
    }),
  );
  while (keys.length > 0 && keys[keys.length - 1] === FREE_SLOT && !wasTaken(previous, keys.length - 1)) keys.pop();
  return { ids, keys };
}

/** a slot that a backend had before this deploy stays in the list (free) so its connections get deleted */
const wasTaken = (previous: readonly string[], id: number): boolean => id < previous.length && previous[id] !== FREE_SLOT;
