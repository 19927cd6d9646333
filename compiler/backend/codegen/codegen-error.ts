// The error for IR that parses and passes checkSubset but that code generation cannot lower.
import type { IrModule, IrPosition } from '../ir/index.ts';
import { sourceLocation } from '../ir/index.ts';

/** An IR construct codegen does not lower; the message names the construct, the .ll line and the C line. */
export class CodegenError extends RangeError {
  readonly construct: string;
  readonly irLine: number;
  constructor(construct: string, at: { mod: IrModule; fn: string; pos?: IrPosition; dbg?: number }, options?: ErrorOptions) {
    const src = at.dbg !== undefined ? sourceLocation(at.mod, at.dbg) : undefined;
    const where = [src !== undefined ? `${src.file}:${src.line}` : undefined, at.pos !== undefined ? `.ll line ${at.pos.line}` : undefined]
      .filter((x) => x !== undefined)
      .join(', ');
    super(`${where !== '' ? `${where}: ` : ''}function ${at.fn}: ${construct} is not supported by code generation`, options);
    this.name = 'CodegenError';
    this.construct = construct;
    this.irLine = at.pos?.line ?? 0;
  }
}
