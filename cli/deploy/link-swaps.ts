// Programs swapped into pinned links with LINK_UPDATE during one deploy. Each link keeps the program it ran
// before, so a deploy that fails half-way puts every previous program back and the old deployment stays in force.
import { objGetFdById, openPinnedLink, type BpfLink, type Fd } from '../../loader/index.ts';

export class LinkSwaps {
  readonly #swapped: { link: BpfLink; old: Fd }[] = [];

  /** Run `prog` in the link pinned at `path` (refused by the kernel when the link's program changed meanwhile). */
  swap(path: string, prog: Fd): void {
    const link = openPinnedLink(path);
    const old = objGetFdById('prog', link.info().progId);
    try {
      link.update(prog, { oldProg: old });
    } catch (e) {
      old.close();
      link.close();
      throw e;
    }
    this.#swapped.push({ link, old });
  }

  /** Put the previous programs back, the last swapped first, and release everything. */
  rollBack(): void {
    for (const s of [...this.#swapped].reverse()) {
      try {
        s.link.update(s.old);
      } catch {
        // nothing more to do: the error that led here is what gets reported
      }
    }
    this.close();
  }

  /** Release the links and the previous programs (the kernel frees those no link runs any more). */
  close(): void {
    for (const s of this.#swapped) (s.link.close(), s.old.close());
    this.#swapped.length = 0;
  }
}
