// Register operand requirements (the kernel's check_reg_arg): sources initialised, r10 never written.
import type { VerifierState } from '../state/index.ts';
import { Reject } from './failure.ts';

/** `R2 !read_ok` when a source register is not initialised. */
export function assertReadable(state: VerifierState, reg: number): void {
  if (state.reg(reg).kind === 'not_init') throw new Reject(`R${reg} !read_ok`);
}

/** `frame pointer is read only` when an instruction would write r10. */
export function assertWritable(reg: number): void {
  if (reg === 10) throw new Reject('frame pointer is read only');
}
