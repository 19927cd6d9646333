// The linear memory the fast tier shares between its modules and the runtime (one per simulated Memory):
//
//   0x00000  registers r0..r10, 8 bytes each, little endian (spilled around helper calls)
//   0x00058  scratch: 8 bytes (a slow load's value, a callee's r10)
//   0x00060  the instruction budget left (i32)
//   0x00064  CTX_ID: the region id of the run's context when its packet-pointer fields are kept here, else 0
//   0x00080  CTX_FIELDS: CTX_SLOTS entries of 16 bytes: +0 offset in the context (-1: unused) | +8 the value
//            a 4-byte load there gives (i64; context-fields.ts)
//   0x00400  region table: TABLE_ENTRIES entries of 32 bytes, indexed by region id & (TABLE_ENTRIES - 1)
//            +0 id | +4 base (linear address of offset 0) | +8 start | +12 end | +16 writable (0/1)
//            +20 lowest offset accessed (stack accounting) | +24 unused
//   0x28000  stacks: the Memory's stack regions, mirrored for good (their bytes are views of this memory)
//   0x40000  per-run arena: packets mirrored for one run, copied back at its end
//   0x100000 map arena: array map values, mirrored for good once a program has looked them up
//   MEMORY_PAGES × 64 KiB
//
// A region is "mirrored" when its Region.bytes is a view of this memory: the wasm code reads and writes it
// directly after checking the table entry; every other access goes to the interpreter's resolve().
export const REGS = 0x00;
export const SCRATCH = 0x58;
export const LEFT = 0x60;
export const CTX_ID = 0x64;
export const CTX_FIELDS = 0x80;
export const CTX_SLOTS = 4;
export const TABLE = 0x400;
export const TABLE_ENTRIES = 4096;
export const ENTRY_SIZE = 32;
export const STACK_ARENA = 0x28000;
export const RUN_ARENA = 0x40000;
export const MAP_ARENA = 0x100000;
export const MEMORY_PAGES = 64;
export const MEMORY_BYTES = MEMORY_PAGES * 65536;

/** Entry field offsets. */
export const E_ID = 0;
export const E_BASE = 4;
export const E_START = 8;
export const E_END = 12;
export const E_WRITABLE = 16;
export const E_LOW = 20;
