// A map of a type the simulator does not implement yet (array/hash of maps, perf event array, …): it loads,
// so the object's other programs run, and any use by a program or a test fails naming the map and type.
import { mapTypeById } from '../../bpf/index.ts';
import { SimMap } from './sim-map.ts';

export class UnsupportedMap extends SimMap {
  #fail(): never {
    const t = mapTypeById(this.type);
    throw new RangeError(`map ${this.name}: map type ${t?.name ?? this.type} is not implemented by the simulator`);
  }
  lookup(): bigint {
    return this.#fail();
  }
  update(): number {
    return this.#fail();
  }
  protected deleteKey(): number {
    return this.#fail();
  }
  nextKey(): Uint8Array | undefined {
    return this.#fail();
  }
  protected valuesOf(): readonly Uint8Array[] | undefined {
    return this.#fail();
  }
  protected updateAll(): number {
    return this.#fail();
  }
}
