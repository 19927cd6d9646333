// The linear memory the fast tier shares between its modules and the runtime (one per simulated Memory):
//
//   0x00000  registers r0..r10, 8 bytes each, little endian (spilled around helper calls)
//   0x00058  scratch: 8 bytes (a slow load's value, a callee's r10)
//   0x00060  the instruction budget left (i32)
//   0x00064  CTX_ID: the region id of the run's context when its packet-pointer fields are kept here, else 0
//   0x00068  PKT_ID: the region id of the run's packet (what ld_abs/ld_ind read), else 0
//   0x0006c  CTX_LEN, CTX_FRAME, CTX_DIRTY, CTX_READY: the context's bytes kept in linear memory (context-bytes.ts)
//   0x00080  CTX_FIELDS: CTX_SLOTS entries of 16 bytes: +0 offset in the context (-1: unused) | +8 the value
//            a 4-byte load there gives (i64; context-fields.ts); each field's slot is fixed by its offset
//            (context-fields.ts fieldSlot(): the translator reads it without a search)
//   0x00100  BATCH: the control block of a batch run inside wasm (batch-driver.ts; B_* offsets below)
//   0x00200  FRAMES: the call frames of a run as the wasm code keeps them (wasm-frames.ts; F_* offsets below)
//   0x002a0  M_LEAN, M_CPU: whether a lookup may be answered in wasm, the run's CPU (inline-map-ops.ts)
//   0x002c0  K_NEXT, K_STEP, K_ON, K_READS: bpf_ktime_get_ns's clock lent to the wasm code (wasm-clock.ts)
//   0x00400  region table: TABLE_ENTRIES entries of 32 bytes, indexed by region id & (TABLE_ENTRIES - 1)
//            +0 id | +4 base (linear address of offset 0) | +8 start | +12 end | +16 writable (0/1)
//            +20 lowest offset accessed (stack accounting) | +24 unused
//   0x20400  MAPS (to 0x24400): MAP_ENTRIES descriptors of 32 bytes, by map handle id & (MAP_ENTRIES - 1), for lookups in
//            wasm (inline-map-ops.ts; D_* offsets below)
//   0x24400  VERDICTS: a batch's verdict counters (VERDICT_SLOTS of 8 bytes: +0 r0's low 32 bits, +4 the count,
//            0: free), then VERDICT_ORDER: the slots in the order they first counted (batch-driver.ts)
//   0x25000  CTX_STAGE (to 0x27000): the context bytes of staged frame k (k < CTX_STAGE_SLOTS) at + k * CTX_MAX,
//            which the batch driver copies into CTX_BYTES when its run starts (batch-driver.ts)
//   0x27800  CTX_BYTES: the run's context bytes (CTX_MAX), then CTX_PERM: per offset, which loads (bit log2
//            size) and stores (bit 4 + log2 size) the wasm code may make there itself (context-bytes.ts)
//   0x28000  stacks: the Memory's stack regions, mirrored for good (their bytes are views of this memory)
//   0x40000  per-run arena: packets mirrored for one run, copied back at its end
//   0xf0000  LOOKUPS: LOOKUP_ENTRIES remembered hash and LPM lookups of 64 bytes (inline-map-ops.ts; L_* below)
//   0x100000 map arena: map values, mirrored once a program reached them (a deleted one's space is reused),
//            and packet regions adopted for good
//   0x400000 staging arena: a batch's frames, STAGE_INDEX entries of 8 bytes (+0 linear address, a multiple
//            of 8, | STAGE_CTX when CTX_STAGE holds the frame's context bytes, +4 length), then their bytes from
//            STAGE_BYTES to MEMORY_BYTES
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
/** the index of the run in progress (-1 outside a batch; its frame is this mod B_FRAMES): the batch's sync() compares it */
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
/** how many frames are staged: a repeated batch runs frame (run index mod this); B_CURRENT is the run index */
export const B_FRAMES = BATCH + 0x64;
/**
 * 1 when the driver copies each frame into the packet area before its run, the table entry writable as the
 * region is (B_WRITABLE): for a program that writes the packet (or needs JavaScript) in many runs, where the
 * frame would be brought there by JavaScript anyway (batch-driver.ts); 0: the frame runs in place, read-only
 */
export const B_COPY = BATCH + 0x68;
export const B_WRITABLE = BATCH + 0x6c;
export const B_STOP_VERDICT = 1;
export const B_STOP_DIRTY = 2;
/** the verdict counters (batch-driver.ts): slots of 8 bytes found by a hash of r0, at most VERDICT_PROBES tried */
export const VERDICTS = 0x24400;
export const VERDICT_SLOTS = 256;
export const VERDICT_PROBES = 8;
/** the slots (i32 indices) in the order they first counted, B_ORDER_N of them, for the verdicts' key order */
export const VERDICT_ORDER = VERDICTS + 8 * VERDICT_SLOTS;

/**
 * The call frames (wasm-frames.ts): BPF-to-BPF calls and bpf_loop callbacks enter and leave frames inside
 * wasm; the runtime brings RunState (depth, the stacks' windows) up to date before JavaScript reads it.
 */
export const FRAMES = 0x200;
/** the depth of the frame running (RunState.depth while wasm runs) */
export const F_DEPTH = FRAMES + 0x00;
/** RunState.maxFrames (0: every call through the runtime), and the stack size */
export const F_MAX = FRAMES + 0x04;
export const F_SIZE = FRAMES + 0x08;
/** 1 when bpf_loop may run its callback from wasm (the run's helper table is kernelHelpers, unrecorded) */
export const F_LOOP = FRAMES + 0x0c;
/** bpf_loop callbacks running from wasm, and the slot and budget left at the outermost one's call */
export const F_CALLBACKS = FRAMES + 0x10;
export const F_CB_SLOT = FRAMES + 0x14;
export const F_CB_LEFT = FRAMES + 0x18;
/** per depth: the linear address of the table entry of its stack (0: not mirrored), and the stack's region id */
export const F_ENTRY = FRAMES + 0x20;
export const F_ID = FRAMES + 0x60;
export const FRAME_SLOTS = 16;

/**
 * Map lookups inside wasm (inline-map-ops.ts): M_LEAN is 1 while a run's helper calls go unrecorded (the
 * runtime answers bpf_map_lookup_elem itself then, and so may the wasm code), M_CPU the run's CPU.
 */
export const M_LEAN = 0x2a0;
export const M_CPU = 0x2a4;
/**
 * bpf_ktime_get_ns answered in wasm (wasm-clock.ts): K_NEXT (i64) the next answer, K_STEP (i64) what each
 * read adds, K_ON 1 while the runtime has lent the clock to the wasm code, K_READS the reads it answered since.
 */
export const K_NEXT = 0x2c0;
export const K_STEP = 0x2c8;
export const K_ON = 0x2d0;
export const K_READS = 0x2d4;
/**
 * Map descriptors, by map handle id & (MAP_ENTRIES - 1): +0 D_ID the handle's region id | +20 D_KIND.
 * Arrays (D_KIND_ARRAY): +4 D_FIRST the value region id of index 0 | +8 D_MAX max_entries | +12 D_STRIDE
 * value regions per index (CPUs of a per-CPU map, else 1) | +16 D_CPU_MASK -1 for a per-CPU map, else 0.
 * Value region ids are consecutive (ArrayMap makes them in one go): index i, CPU c has id D_FIRST + i *
 * D_STRIDE + c. Hash and LPM maps (D_KIND_HASH: every answer remembered; D_KIND_LRU: only misses, since an
 * LRU hit is a use the map must see): +24 D_KEY the key size | +28 D_EPOCH, changed whenever a key comes or goes.
 */
export const MAPS = 0x20400;
export const MAP_ENTRIES = 512;
export const MAP_ENTRY_SIZE = 32;
export const D_ID = 0;
export const D_FIRST = 4;
export const D_MAX = 8;
export const D_STRIDE = 12;
export const D_CPU_MASK = 16;
export const D_KIND = 20;
export const D_KEY = 24;
export const D_EPOCH = 28;
export const D_KIND_ARRAY = 1;
export const D_KIND_HASH = 2;
export const D_KIND_LRU = 3;
/**
 * A D_KIND_HASH descriptor's own fields, where an array's D_FIRST and D_MAX are: 1 when its map is a plain hash
 * map (not LRU, not per-CPU, not an LPM trie or a map of maps), whose update of a key it remembers may copy the
 * value in wasm (inline-map-update.ts), and its value size.
 */
export const D_UPDATABLE = D_FIRST;
export const D_VALUE_SIZE = D_MAX;
/**
 * A prog array (tail-calls.ts): +8 D_MAX max_entries | +4 D_FIRST a bit per slot 0..31, set when it holds a
 * program | +28 D_EPOCH 0 while those bits are true (a slot set or emptied makes it non-zero).
 */
export const D_KIND_PROG = 4;
/**
 * A queue (D_KIND_QUEUE) or stack (D_KIND_STACK) map whose ring lives in linear memory (lean-map-helpers.ts):
 * +4 D_FIRST the ring's linear address (maps/queue-stack-map.ts: head, count, then max_entries slots) |
 * +8 D_MAX max_entries | +12 D_STRIDE the value size.
 */
export const D_KIND_QUEUE = 5;
export const D_KIND_STACK = 6;
/**
 * Remembered lookups, by a hash of the map handle id and the key bytes (inline-map-ops.ts keyHash()): +0
 * L_MAP the handle's id | +4 L_EPOCH its D_EPOCH then | +8 L_VALUE the value region id (0: no element) |
 * +16 L_KEYS the key (up to LOOKUP_KEY bytes).
 */
export const LOOKUPS = 0xf0000;
export const LOOKUP_ENTRIES = 1024;
export const LOOKUP_SIZE = 64;
export const LOOKUP_KEY = 48;
export const L_MAP = 0;
export const L_EPOCH = 4;
export const L_VALUE = 8;
export const L_KEYS = 16;

/**
 * The context's bytes in linear memory (context-bytes.ts): CTX_LEN its size (0: not kept), CTX_FRAME the
 * B_CURRENT value the copy is good for, CTX_DIRTY 1 when the wasm code stored into the copy since JavaScript
 * last read it, CTX_READY 1 when the copy was made for the run about to start: a program's start() clears it,
 * and spoils the copy (CTX_FRAME = -2) when it was 0, so each frame of a batch gets its own context (the batch
 * driver, which calls the entry function without start(), spoils it once per call of batch(), and sets
 * CTX_FRAME = B_CURRENT, CTX_DIRTY = 0 when it copies a frame's staged context bytes into CTX_BYTES).
 */
export const CTX_LEN = 0x6c;
export const CTX_FRAME = 0x70;
export const CTX_DIRTY = 0x74;
export const CTX_READY = 0x78;
export const CTX_BYTES = 0x27800;
export const CTX_PERM = 0x27900;
export const CTX_MAX = 256;
/**
 * A batch's frames' context bytes (batch-driver.ts): JavaScript keeps the bytes a new context of staged frame
 * k holds at CTX_STAGE + k * CTX_MAX, and sets STAGE_CTX in its STAGE index entry's address, once it made them
 * (a run of that frame needed them); a later run of frame k starts with them in CTX_BYTES (CTX_FRAME =
 * B_CURRENT) without JavaScript. Staging a frame writes its address without the flag.
 */
export const STAGE_CTX = 1;
export const CTX_STAGE = 0x25000;
export const CTX_STAGE_SLOTS = 32;
