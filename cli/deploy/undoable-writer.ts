// Rules updates that fail half-way leave no trace: see undoable().
import type { PolicyMapWriter } from '../../compiler/cgen/index.ts';

/**
 * A writer that, when a write fails before the flip (the `config` update), deletes what it wrote of the new
 * generation: the old rule set stays live and the maps hold only it, as before the update.
 */
export function undoable(writer: PolicyMapWriter): PolicyMapWriter {
  const written: { map: string; key: Uint8Array }[] = [];
  let flipped = false;
  return {
    update(map, key, value) {
      try {
        writer.update(map, key, value);
      } catch (e) {
        if (!flipped) {
          for (const w of written.reverse()) {
            try {
              writer.delete(w.map, w.key);
            } catch {
              // best effort: the entries of a generation that is not live are never looked up
            }
          }
        }
        throw e;
      }
      if (map === 'config') flipped = true;
      else if (!flipped) written.push({ map, key });
    },
    delete: (map, key) => writer.delete(map, key),
  };
}
