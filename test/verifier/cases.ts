// Small programs the kernel rejects (or accepts), as assembly, with what this machine's kernel (Linux 6.18,
// root) said: the instruction and the log lines of the error. test/verifier/verify.test.ts checks our
// verifier against these records; test/oracle/verifier.test.ts checks the records against the live kernel.
import { assemble } from '../../bpf/asm/index.ts';
import type { ObjectSpec } from '../../bpf/index.ts';
import { attachTypeByName, progTypeByName } from '../../bpf/index.ts';

export interface AsmCase {
  readonly name: string;
  readonly progType: 'xdp' | 'sched_cls' | 'socket_filter' | 'cgroup_skb';
  readonly attachType?: string;
  readonly asm: string;
  /** our profile; the kernel is compared only for linux-6.18 (root) */
  readonly profile?: string;
  readonly verdict: 'accept' | 'reject';
  /** the kernel's instruction (undefined for control-flow errors) */
  readonly insn?: number;
  /** the kernel's log lines for the error (the last is VerifierError.reason) */
  readonly lines?: readonly string[];
}

export const ASM_CASES: readonly AsmCase[] = [
  { name: 'uninitialised register read', progType: 'xdp', asm: 'r0 = r2\nexit', verdict: 'reject', insn: 0, lines: ['R2 !read_ok'] },
  { name: 'exit without r0', progType: 'xdp', asm: 'exit', verdict: 'reject', insn: 0, lines: ['R0 !read_ok'] },
  { name: 'write to the frame pointer', progType: 'xdp', asm: 'r10 = 0\nr0 = 0\nexit', verdict: 'reject', insn: 0, lines: ['frame pointer is read only'] },
  {
    name: 'arithmetic on pkt_end', progType: 'xdp', asm: 'r1 = *(u32 *)(r1 + 4)\nr1 += 1\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['R1 pointer arithmetic on pkt_end prohibited'],
  },
  {
    name: 'packet read without a bounds check', progType: 'xdp', asm: 'r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 + 0)\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)', 'R2 offset is outside of the packet'],
  },
  {
    name: 'packet read past the checked range', progType: 'xdp',
    asm: 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 4\nif r4 > r3 goto +2\nr0 = *(u32 *)(r2 + 2)\nr0 = 0\nr0 = 0\nexit',
    verdict: 'reject', insn: 5, lines: ['invalid access to packet, off=2 size=4, R2(id=0,off=2,r=4)', 'R2 offset is outside of the packet'],
  },
  {
    name: 'packet read inside the checked range', progType: 'xdp',
    asm: 'r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr4 = r2\nr4 += 4\nif r4 > r3 goto +1\nr0 = *(u32 *)(r2 + 0)\nr0 = 0\nexit',
    verdict: 'accept',
  },
  {
    name: 'stack write past 512 bytes', progType: 'xdp', asm: 'r1 = 0\n*(u64 *)(r10 - 520) = r1\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['invalid write to stack R10 off=-520 size=8'],
  },
  {
    name: 'stack write above the frame', progType: 'xdp', asm: 'r1 = 0\n*(u64 *)(r10 + 8) = r1\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['invalid write to stack R10 off=8 size=8'],
  },
  {
    name: 'misaligned stack write', progType: 'xdp', asm: 'r1 = 0\n*(u64 *)(r10 - 12) = r1\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['misaligned stack access off 0+0+-12 size 8'],
  },
  { name: 'uninitialised stack read as root', progType: 'xdp', asm: 'r0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit', verdict: 'accept' },
  {
    name: 'write to the read-only xdp context', progType: 'xdp', asm: 'r2 = 0\n*(u32 *)(r1 + 0) = r2\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['invalid bpf_context access off=0 size=4'],
  },
  {
    name: 'write to a read-only __sk_buff field', progType: 'sched_cls', asm: 'r2 = 0\n*(u32 *)(r1 + 0) = r2\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['invalid bpf_context access off=0 size=4'],
  },
  {
    name: 'narrow load of xdp_md.data', progType: 'xdp', asm: 'r0 = *(u8 *)(r1 + 0)\nr0 = 0\nexit',
    verdict: 'reject', insn: 0, lines: ['invalid bpf_context access off=0 size=1'],
  },
  {
    name: 'dereference of a scalar', progType: 'xdp', asm: 'r2 = 5\nr0 = *(u8 *)(r2 + 0)\nexit',
    verdict: 'reject', insn: 1, lines: ["R2 invalid mem access 'scalar'"],
  },
  {
    name: 'map lookup without a map', progType: 'xdp', asm: 'r1 = 0\nr2 = 0\ncall 1\nr0 = 0\nexit',
    verdict: 'reject', insn: 2, lines: ['R1 type=scalar expected=map_ptr'],
  },
  {
    name: 'helper the program type may not call', progType: 'xdp', asm: 'call 14\nr0 = 0\ncall 9\nexit',
    verdict: 'reject', insn: 2, lines: ['program of this type cannot use helper bpf_skb_store_bytes#9'],
  },
  {
    name: 'cgroup_skb ingress returning 5', progType: 'cgroup_skb', attachType: 'BPF_CGROUP_INET_INGRESS', asm: 'r0 = 5\nexit',
    verdict: 'reject', insn: 1, lines: ['At program exit the register R0 has smin=5 smax=5 should have been in [0, 1]'],
  },
  {
    name: 'cgroup_skb returning an unknown u32', progType: 'cgroup_skb', attachType: 'BPF_CGROUP_INET_INGRESS', asm: 'r0 = *(u32 *)(r1 + 0)\nexit',
    verdict: 'reject', insn: 1, lines: ['At program exit the register R0 has smin=0 smax=4294967295 should have been in [0, 1]'],
  },
  {
    name: 'cgroup_skb returning a pointer', progType: 'cgroup_skb', attachType: 'BPF_CGROUP_INET_INGRESS', asm: 'r0 = r1\nexit',
    verdict: 'reject', insn: 1, lines: ['At program exit the register R0 is not a known value (ctx)'],
  },
  { name: 'cgroup_skb egress returning 3', progType: 'cgroup_skb', attachType: 'BPF_CGROUP_INET_EGRESS', asm: 'r0 = 3\nexit', verdict: 'accept' },
  { name: 'unreachable instruction', progType: 'xdp', asm: 'r0 = 0\nexit\nr0 = 1\nexit', verdict: 'reject', lines: ['unreachable insn 2'] },
  { name: 'jump out of range', progType: 'xdp', asm: 'r0 = 0\ngoto +5\nexit', verdict: 'reject', lines: ['jump out of range from insn 1 to 7'] },
  { name: 'fall off the end', progType: 'xdp', asm: 'r0 = 0', verdict: 'reject', lines: ['last insn is not an exit or jmp'] },
  { name: 'loop without an exit', progType: 'xdp', asm: 'r0 = 0\nl: r0 += 1\ngoto l\nexit', verdict: 'reject', lines: ['unreachable insn 3'] },
  {
    name: 'subtraction from the frame pointer', progType: 'xdp', asm: 'r2 = r10\nr2 -= 8\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['R2 subtraction from stack pointer prohibited'],
  },
  { name: 'bitwise and on a pointer', progType: 'xdp', asm: 'r1 &= 4\nr0 = 0\nexit', verdict: 'reject', insn: 0, lines: ['R1 bitwise operator &= on pointer prohibited'] },
  { name: 'multiplying a pointer', progType: 'xdp', asm: 'r1 *= 4\nr0 = 0\nexit', verdict: 'reject', insn: 0, lines: ['R1 pointer arithmetic with *= operator prohibited'] },
  { name: '32-bit pointer arithmetic', progType: 'xdp', asm: 'w1 += 4\nr0 = 0\nexit', verdict: 'reject', insn: 0, lines: ['R1 32-bit pointer arithmetic prohibited'] },
  { name: 'pointer plus pointer', progType: 'xdp', asm: 'r2 = r10\nr1 += r2\nr0 = 0\nexit', verdict: 'reject', insn: 1, lines: ['R1 pointer += pointer prohibited'] },
  { name: 'pointer minus pointer as root', progType: 'xdp', asm: 'r2 = r10\nr1 -= r2\nr0 = 0\nexit', verdict: 'accept' },
  { name: 'scalar minus pointer', progType: 'xdp', asm: 'r2 = 4\nr2 -= r1\nr0 = 0\nexit', verdict: 'reject', insn: 1, lines: ['R2 tried to subtract pointer from scalar'] },
  {
    name: 'load through a modified ctx pointer', progType: 'xdp', asm: 'r1 += 4\nr0 = *(u32 *)(r1 + 0)\nexit',
    verdict: 'reject', insn: 1, lines: ['dereference of modified ctx ptr R1 off=4 disallowed'],
  },
  {
    name: 'variable ctx access', progType: 'xdp', asm: 'r2 = *(u32 *)(r1 + 16)\nr2 &= 4\nr1 += r2\nr0 = *(u32 *)(r1 + 0)\nexit',
    verdict: 'reject', insn: 3, lines: ['variable ctx access var_off=(0x0; 0x4) disallowed'],
  },
  {
    name: 'packet read before data', progType: 'xdp', asm: 'r2 = *(u32 *)(r1 + 0)\nr0 = *(u8 *)(r2 - 1)\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['invalid access to packet, off=-1 size=1, R2(id=0,off=-1,r=0)', 'R2 offset is outside of the packet'],
  },
  {
    name: 'huge constant added to a pointer', progType: 'xdp', asm: 'r2 = r10\nr2 += 0x20000000\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['math between fp pointer and 536870912 is not allowed'],
  },
  {
    name: 'both sides of a null check of the frame pointer', progType: 'xdp', asm: 'r2 = r10\nif r2 != 0 goto +1\nr0 = r3\nr0 = 0\nexit',
    verdict: 'reject', insn: 2, lines: ['R3 !read_ok'],
  },
  {
    name: 'both sides of a null check of the context', progType: 'xdp', asm: 'if r1 == 0 goto +1\nr0 = 0\nr0 = r3\nexit',
    verdict: 'reject', insn: 2, lines: ['R3 !read_ok'],
  },
  { name: 'returning a pointer from xdp as root', progType: 'xdp', asm: 'r0 = r1\nexit', verdict: 'accept' },
  {
    name: 'bounded loop', progType: 'xdp', asm: 'r0 = 0\nl: r0 += 1\nif r0 < 10 goto l\nr0 = 0\nexit', verdict: 'accept',
  },
  {
    name: 'code after exit that only a helper call precedes', progType: 'xdp', asm: 'r1 = 1\ncall 2\nr0 = 0\nexit\nr0 = r1\nexit',
    verdict: 'reject', lines: ['unreachable insn 4'],
  },
];

/** Cases for our own profiles (not compared with the kernel as root). */
export const PROFILE_CASES: readonly AsmCase[] = [
  {
    name: 'back-edge in the seed profile', progType: 'xdp', profile: 'seed', asm: 'r0 = 0\nl: r0 += 1\nif r0 < 10 goto l\nr0 = 0\nexit',
    verdict: 'reject', lines: ['back-edge from insn 2 to 1'],
  },
  {
    name: 'uninitialised stack read with CAP_BPF only', progType: 'xdp', profile: 'linux-6.18-bpf', asm: 'r0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit',
    verdict: 'reject', insn: 0, lines: ['invalid read from stack R10 off=-8 size=8'],
  },
  {
    name: 'partly initialised stack read with CAP_BPF only', progType: 'xdp', profile: 'linux-6.18-bpf',
    asm: 'r1 = 0\n*(u32 *)(r10 - 8) = r1\nr0 = *(u64 *)(r10 - 8)\nr0 = 0\nexit',
    verdict: 'reject', insn: 2, lines: ['invalid read from stack off -8+4 size 8'],
  },
  {
    name: 'returning a pointer with CAP_BPF only', progType: 'xdp', profile: 'linux-6.18-bpf', asm: 'r0 = r1\nexit',
    verdict: 'reject', insn: 1, lines: ['R0 leaks addr as return value'],
  },
  {
    name: 'pointer minus pointer with CAP_BPF only', progType: 'xdp', profile: 'linux-6.18-bpf', asm: 'r2 = r10\nr1 -= r2\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['R1 pointer -= pointer prohibited'],
  },
  {
    name: 'pointer comparison with CAP_BPF only', progType: 'xdp', profile: 'linux-6.18-bpf', asm: 'r2 = r10\nif r1 > r2 goto +0\nr0 = 0\nexit',
    verdict: 'reject', insn: 1, lines: ['R2 pointer comparison prohibited'],
  },
];

/** A one-program ObjectSpec around assembled instructions. */
export function asmSpec(c: AsmCase): ObjectSpec {
  const instructions = assemble(c.asm);
  const section = c.progType === 'sched_cls' ? 'tc' : c.progType === 'socket_filter' ? 'socket' : c.progType === 'cgroup_skb' ? 'cgroup_skb/ingress' : 'xdp';
  return {
    programs: [
      {
        name: 'prog',
        section,
        type: progTypeByName(c.progType)!.id,
        expectedAttachType: c.attachType === undefined ? undefined : attachTypeByName(c.attachType)!.id,
        function: 'prog',
      },
    ],
    functions: [{ name: 'prog', section, global: true, instructions, references: [], lineInfo: [], coreRelocations: [] }],
    maps: [],
    data: [],
    license: 'GPL',
  };
}
