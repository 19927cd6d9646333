// Small programs for the socket helpers, variable-offset stack access and helper stack arguments, with what
// this machine's kernel (Linux 6.18, root) said. test/verifier/features.test.ts checks our verifier against
// these records; test/oracle/verifier-features.test.ts checks the records against the live kernel.
import type { AsmCase } from './cases.ts';

/** tc: a TCP socket looked up with a 12-byte tuple at fp-40 (root may pass uninitialised stack). */
const LOOKUP = 'r6 = r1\nr2 = r10\nr2 += -40\nr1 = r6\nr3 = 12\nr4 = 0\nr5 = 0\n';
/** r0 & 8 added to fp-16: a stack pointer at fp-16 or fp-8 */
const VAR_PTR = 'r2 = 0\n*(u64 *)(r10 - 8) = r2\n*(u64 *)(r10 - 16) = r2\ncall 7\nr0 &= 8\nr1 = r10\nr1 += -16\nr1 += r0\n';

export const FEATURE_CASES: readonly AsmCase[] = [
  {
    name: 'a socket looked up and released', progType: 'sched_cls',
    asm: `${LOOKUP}call 84\nif r0 == 0 goto +2\nr1 = r0\ncall 86\nr0 = 0\nexit`, verdict: 'accept',
  },
  {
    name: 'a socket looked up and never released', progType: 'sched_cls',
    asm: `${LOOKUP}call 84\nr0 = 0\nexit`, verdict: 'reject', insn: 9,
    lines: ['Unreleased reference id=2 alloc_insn=7', 'BPF_EXIT instruction in main prog would lead to reference leak'],
  },
  {
    name: 'a socket released without its null check', progType: 'sched_cls',
    asm: `${LOOKUP}call 84\nr1 = r0\ncall 86\nr0 = 0\nexit`, verdict: 'reject', insn: 9,
    lines: ['R1 type=sock_or_null expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_'],
  },
  {
    name: 'a socket read before its null check', progType: 'sched_cls',
    asm: `${LOOKUP}call 99\nr1 = *(u32 *)(r0 + 4)\nr0 = 0\nexit`, verdict: 'reject', insn: 8,
    lines: ["R0 invalid mem access 'sock_common_or_null'"],
  },
  {
    name: 'the family of a sock_common read', progType: 'sched_cls',
    asm: `${LOOKUP}call 99\nif r0 == 0 goto +3\nr7 = *(u32 *)(r0 + 4)\nr1 = r0\ncall 86\nr0 = 0\nexit`, verdict: 'accept',
  },
  {
    name: 'the protocol of a sock_common read', progType: 'sched_cls',
    asm: `${LOOKUP}call 99\nif r0 == 0 goto +3\nr7 = *(u32 *)(r0 + 12)\nr1 = r0\ncall 86\nr0 = 0\nexit`, verdict: 'reject', insn: 9,
    lines: ['R0 invalid sock_common access off=12 size=4'],
  },
  {
    name: 'a write into a socket', progType: 'sched_cls',
    asm: `${LOOKUP}call 84\nif r0 == 0 goto +4\nr1 = 0\n*(u32 *)(r0 + 16) = r1\nr1 = r0\ncall 86\nr0 = 0\nexit`, verdict: 'reject', insn: 10,
    lines: ['R0 cannot write into sock'],
  },
  {
    name: 'a full socket checked for null, its lookup released on one branch only', progType: 'sched_cls',
    asm: `${LOOKUP}call 84\nif r0 == 0 goto +6\nr7 = r0\nr1 = r0\ncall 95\nif r0 == 0 goto +2\nr1 = r7\ncall 86\nr0 = 0\nexit`,
    verdict: 'reject', insn: 16,
    lines: ['Unreleased reference id=2 alloc_insn=7', 'BPF_EXIT instruction in main prog would lead to reference leak'],
  },
  {
    name: 'the context socket released', progType: 'sched_cls',
    asm: 'r1 = *(u64 *)(r1 + 168)\nif r1 == 0 goto +1\ncall 86\nr0 = 0\nexit', verdict: 'reject', insn: 2,
    lines: ['R1 must be referenced when passed to release function'],
  },
  {
    name: 'a stack read at a variable offset as root', progType: 'xdp',
    asm: `${VAR_PTR}r0 = *(u64 *)(r1 + 0)\nexit`, verdict: 'accept',
  },
  {
    name: 'a stack write at a variable offset past the frame', progType: 'xdp',
    asm: `${VAR_PTR}r2 = 0\n*(u64 *)(r1 + 8) = r2\nr0 = 0\nexit`, verdict: 'reject', insn: 9,
    lines: ['invalid variable-offset write to stack R1 var_off=(0x0; 0x8) off=-8 size=8'],
  },
  {
    name: 'a misaligned stack read at a variable offset', progType: 'xdp',
    asm: `${VAR_PTR}r0 = *(u32 *)(r1 + 2)\nr0 = 0\nexit`, verdict: 'reject', insn: 8,
    lines: ['misaligned stack access off (0x0; 0x8)+-16+2 size 4'],
  },
  {
    name: 'a stack buffer at a variable offset passed to a helper', progType: 'xdp',
    asm: `${VAR_PTR}r2 = 8\ncall 6\nr0 = 0\nexit`, verdict: 'accept',
  },
  {
    name: 'a stack buffer at a variable offset too long for the frame', progType: 'xdp',
    asm: `${VAR_PTR}r2 = 16\ncall 6\nr0 = 0\nexit`, verdict: 'reject', insn: 9,
    lines: ['invalid variable-offset read from stack R1 var_off=(0x0; 0x8) off=-16 size=16'],
  },
];
