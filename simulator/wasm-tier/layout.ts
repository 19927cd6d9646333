// The linear memory the fast tier shares between its modules and the runtime (one per simulated Memory):
//
//   0x00000  registers r0..r10, 8 bytes each, little endian (spilled around helper calls)
//   0x00058  scratch: 8 bytes (a slow load's value, a callee's r10)
//   0x00060  the instruction budget left (i32)
//   0x00064  CTX_ID: the region id of the run's context when its packet-pointer fields are kept here, else 0
//   0x00068  PKT_ID: the region id of the run's packet (what ld_abs/ld_ind read), else 0
//   0x00080  CTX_FIELDS: CTX_SLOTS entries of 16 bytes: +0 offset in the context (-1: unused) | +8 the value
//            a 4-byte load there gives (i64; context-fields.ts)
//   0x00100  BATCH: the control block of a batch run inside wasm (batch-driver.ts; B_* offsets below)
//   0x00180  COUNTS: BATCH_VERDICTS i32 counters, by r0's low 32 bits + 1 (so -1 .. BATCH_VERDICTS - 2)
//   0x001c0  ORDER: the counters in the order they first counted (i32 indices), for the verdicts' key order
//   0x00400  region table: TABLE_ENTRIES entries of 32 bytes, indexed by region id & (TABLE_ENTRIES - 1)
//            +0 id | +4 base (linear address of offset 0) | +8 start | +12 end | +16 writable (0/1)
//            +20 lowest offset accessed (stack accounting) | +24 unused
//   0x28000  stacks: the Memory's stack regions, mirrored for good (their bytes are views of this memory)
//   0x40000  per-run arena: packets mirrored for one run, copied back at its end
//   0x100000 map arena: array map values, mirrored for good once a program has looked them up
//   0x400000 staging arena: a batch's frames, STAGE_INDEX entries of 8 bytes (+0 linear address, +4 length),
//            then their bytes from STAGE_BYTES to MEMORY_BYTES
//   MEMORY_PAGES × 64 KiB
//
// A region is "mirrored" when its Region.bytes is a view of this memory: the wasm code reads and writes it
// directly after checking the table entry; every other access goes to the interpreter's resolve().
export const REGS = 0x00;
export const SCRATCH = 0x58;
export const LEFT = 0x60;
export const CTX_ID = 0x64;
export const PKT_ID = 0x68;
export const CTX_FIELDS = 0x80;
export const CTX_SLOTS = 4;
export const TABLE = 0x400;
export const TABLE_ENTRIES = 4096;
export const ENTRY_SIZE = 32;
export const STACK_ARENA = 0x28000;
export const RUN_ARENA = 0x40000;
export const MAP_ARENA = 0x100000;
export const STAGE = 0x400000;
export const STAGE_INDEX = 4096;
export const STAGE_BYTES = STAGE + 8 * STAGE_INDEX;
export const MEMORY_PAGES = 80;
export const MEMORY_BYTES = MEMORY_PAGES * 65536;

/** Entry field offsets. */
export const E_ID = 0;
export const E_BASE = 4;
export const E_START = 8;
export const E_END = 12;
export const E_WRITABLE = 16;
export const E_LOW = 20;

/** The batch control block (i32 fields unless said). */
export const BATCH = 0x100;
/** the index of the frame being run (-1 outside a batch): imports compare it to bring RunState up to date */
export const B_CURRENT = BATCH + 0x00;
/** the length of the frame the packet area holds (the bytes after the headroom that may be non-zero) */
export const B_PREV_LEN = BATCH + 0x04;
/** the linear address of the packet region's offset 0, its table entry's address, its region id */
export const B_PKT = BATCH + 0x08;
export const B_PKT_ENTRY = BATCH + 0x0c;
export const B_PKT_ID = BATCH + 0x10;
/** where the frame starts in the packet region (the headroom) */
export const B_HEAD = BATCH + 0x14;
/** the stack's table entry address and size */
export const B_STACK_ENTRY = BATCH + 0x18;
export const B_STACK_SIZE = BATCH + 0x1c;
/** the address of the CTX_FIELDS value of data_end (0: none), and data's value (data_end = it + length) */
export const B_END_FIELD = BATCH + 0x20;
export const B_END_BASE = BATCH + 0x24;
export const B_BUDGET = BATCH + 0x28;
/** set by the runtime when a helper moved or replaced the packet: the driver hands the batch back to JS */
export const B_DIRTY = BATCH + 0x2c;
/** why the driver stopped before the end: B_STOP_VERDICT (r0 has no counter), B_STOP_DIRTY */
export const B_STOP = BATCH + 0x30;
export const B_ORDER_N = BATCH + 0x34;
/** r1 and r10 at the start of a run (i64) */
export const B_R1 = BATCH + 0x38;
export const B_R10 = BATCH + 0x40;
/** the packet area's size from B_PKT (all of it is zeroed after a helper moved the window) */
export const B_AREA = BATCH + 0x48;
/** the addresses of the CTX_FIELDS values of data and data_meta (0: none), reset after a moved window */
export const B_DATA_FIELD = BATCH + 0x4c;
export const B_META_FIELD = BATCH + 0x50;
/** where the window starts (data and data_meta; past the Ethernet header for socket filters and cgroup skb) */
export const B_DATA_OFF = BATCH + 0x54;
/** data's value in CTX_FIELDS (REGION_BASE + B_DATA_OFF) */
export const B_DATA_BASE = BATCH + 0x58;
/** the address of the CTX_FIELDS value of skb->len (0: none), and what to add to the frame's length for it */
export const B_LEN_FIELD = BATCH + 0x5c;
export const B_LEN_ADJ = BATCH + 0x60;
export const B_STOP_VERDICT = 1;
export const B_STOP_DIRTY = 2;
export const COUNTS = 0x180;
export const ORDER = 0x1c0;
export const BATCH_VERDICTS = 16;
