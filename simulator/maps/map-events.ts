// What the fast tier must hear of at once (one listener per Memory): a map value region leaving its memory
// (a hash element deleted or evicted, an LPM prefix deleted, a device map slot replaced), so that a stale
// pointer's access faults as the interpreter's does; and a hash, LPM or map-of-maps whose keys (or inner
// maps) changed, or a prog array whose slots did, so that what it remembered in linear memory is forgotten.
import type { Memory, Region } from '../vm/index.ts';
import type { SimMap } from './sim-map.ts';

export interface MapListener {
  removed(r: Region): void;
  keysChanged(map: SimMap): void;
}

const listeners = new WeakMap<Memory, MapListener>();

/** Tell `listener` of the map events of `memory` (one listener per memory: a later one replaces it). */
export function onMapEvents(memory: Memory, listener: MapListener): void {
  listeners.set(memory, listener);
}

/** Remove value region `r` from `memory` and tell its listener. */
export function removeValue(memory: Memory, r: Region): void {
  memory.remove(r);
  listeners.get(memory)?.removed(r);
}

/** A key of `map` came or went. */
export function keysChanged(map: SimMap): void {
  listeners.get(map.memory)?.keysChanged(map);
}
