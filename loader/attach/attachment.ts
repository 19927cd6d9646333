// The handle for attachments the kernel keeps without a BPF link (netlink XDP, TC filters,
// SO_ATTACH_BPF): it holds a duplicate of the attached program's fd (so leaks show in `trackFds()`)
// and knows how to replace and remove the attachment.
import { Fd } from '../sys/index.ts';
import { sysDup } from '../netlink/index.ts';
import type { AttachKind, AttachVia, Link } from './link.ts';

/** How one legacy attachment is replaced and removed; both get raw program fd numbers. */
export interface AttachmentOps {
  /** Replace `oldFd` by `newFd` atomically. */
  update(newFd: number, oldFd: number): void;
  /** Remove the attachment of `progFd`. */
  detach(progFd: number): void;
}

/** errno codes meaning "the attachment is already gone" (interface or namespace removed). */
const GONE = new Set(['ENODEV', 'ENOENT']);

export class KernelAttachment implements Link {
  readonly kind: AttachKind;
  readonly via: AttachVia;
  readonly label: string;
  #prog: Fd;
  readonly #ops: AttachmentOps;

  /** Call after attaching `prog` with `ops`' counterpart. */
  constructor(prog: Fd, kind: AttachKind, via: AttachVia, label: string, ops: AttachmentOps) {
    this.kind = kind;
    this.via = via;
    this.label = label;
    this.#ops = ops;
    this.#prog = new Fd(sysDup(prog.value, `${label}: keep program`), `${label} (${prog.label})`);
  }

  get closed(): boolean {
    return this.#prog.closed;
  }

  update(prog: Fd, options: { readonly oldProg?: Fd } = {}): void {
    const old = options.oldProg?.value ?? this.#prog.value;
    const next = new Fd(sysDup(prog.value, `${this.label}: keep program`), `${this.label} (${prog.label})`);
    try {
      this.#ops.update(prog.value, old);
    } catch (e) {
      next.close();
      throw e;
    }
    this.#prog.close();
    this.#prog = next;
  }

  pin(path: string): void {
    throw new TypeError(`${this.label}: only BPF links can be pinned (attach with via: 'link' to pin ${path})`);
  }

  detach(): void {
    this.close();
  }

  /** Removes the attachment; an interface or namespace that is gone already counts as detached. */
  close(): void {
    if (this.#prog.closed) return;
    try {
      this.#ops.detach(this.#prog.value);
    } catch (e) {
      if (!GONE.has((e as { code?: string }).code ?? '')) throw e;
    } finally {
      this.#prog.close();
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
