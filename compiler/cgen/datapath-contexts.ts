// The packet contexts the datapath body (generate-c.ts, BODY_HANDLE) is instantiated for: the body reads the
// packet only through LOAD(off, buf, n), its length through PKT_LEN (refined by IP_LEN once the IP header is
// read) and answers ACT_PASS / ACT_DROP; each context defines these around one copy of the body.
//
// XDP without CAP_PERFMON (the seed profile) allows packet pointers only at constant offsets ("data + reg" is
// refused, and so is "data_end - data"), but the headers sit at variable offsets (VLAN tags, IPv4 options).
// So the XDP program first copies the frame's head into a per-CPU map value with constant-offset reads
// (8-byte words, then the last bytes one by one), and LOAD reads that copy at a variable, bounds-checked
// offset (a map value allows it). The copy's length is the frame's length up to XDP_HEAD bytes; past it the
// IP header's length (plus the L2 header) stands in for the frame's.
//
//   struct xdp_head (the per-CPU map value)
//   +--------------------------+-----------------------+-----------+------------+
//   | b: frame bytes           | slack (masked reads)  | len (u32) | zero (u32) |
//   +--------------------------+-----------------------+-----------+------------+
//     0                        XDP_HEAD                XDP_HEAD + XDP_HEAD_SLACK

/** Bytes copied from the frame: Ethernet 14 + two VLAN tags 8 + IPv4 with options 60 + TCP 20 = 102 at most. */
export const XDP_HEAD = 128;

export interface DatapathContext {
  readonly define: string;
  readonly undef: string;
}

const MACROS = ['CTX', 'CTX_XDP', 'CTX_PROLOGUE', 'HANDLE', 'LOAD', 'PKT_LEN', 'IP_LEN', 'ACT_PASS', 'ACT_DROP'];
const undef = MACROS.map((m) => `#undef ${m}`).join('\n');

export const TC_CONTEXT: DatapathContext = {
  define: [
    '',
    '/* the tc (tcx) context: reads through bpf_skb_load_bytes(), the length from the skb */',
    '#define CTX struct __sk_buff',
    '#define CTX_XDP 0',
    '#define CTX_PROLOGUE',
    '#define HANDLE handle',
    '#define LOAD(off, buf, n) bpf_skb_load_bytes(ctx, off, buf, n)',
    '#define PKT_LEN ctx->len',
    '#define IP_LEN(n)',
    '#define ACT_PASS TC_ACT_OK',
    '#define ACT_DROP TC_ACT_SHOT',
  ].join('\n'),
  undef,
};

export const XDP_CONTEXT: DatapathContext = {
  define: [
    '',
    '/* the XDP context: reads from the head copy, the length from the copy (or the IP header past XDP_HEAD) */',
    '#define CTX struct xdp_md',
    '#define CTX_XDP 1',
    '#define CTX_PROLOGUE \\',
    '\t__u32 head_len = xdp_copy_head(ctx); \\',
    '\tif (head_len > XDP_HEAD) \\',
    '\t\treturn XDP_DROP;',
    '#define HANDLE handle_xdp',
    '#define LOAD(off, buf, n) xdp_load(off, buf, n)',
    '#define PKT_LEN head_len',
    '#define IP_LEN(n) if (head_len == XDP_HEAD) len = (n)',
    '#define ACT_PASS XDP_PASS',
    '#define ACT_DROP XDP_DROP',
  ].join('\n'),
  undef,
};

/** The head copy: its map, the unrolled copy (constant offsets only) and the bounds-checked read. */
export const XDP_HEAD_SUPPORT = [
  '',
  `#define XDP_HEAD ${XDP_HEAD}`,
  '/* the XDP program\'s copy of the frame\'s first XDP_HEAD bytes (datapath-contexts.ts) */',
  '/* b has XDP_HEAD_SLACK bytes past the copy: a masked offset plus the longest read (40) stays inside */',
  '#define XDP_HEAD_SLACK 64',
  'struct xdp_head { __u8 b[XDP_HEAD + XDP_HEAD_SLACK]; __u32 len; __u32 zero; };',
  'struct {',
  '\t__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);',
  '\t__uint(max_entries, 1);',
  '\t__type(key, __u32);',
  '\t__type(value, struct xdp_head);',
  '} xdp_head SEC(".maps");',
  '',
  '/* copies min(frame length, XDP_HEAD) bytes: whole words while they fit, then bytes; returns how many */',
  'static __always_inline __u32 xdp_copy_bytes(struct xdp_md *ctx, struct xdp_head *h)',
  '{',
  '\tvoid *data = (void *)(long)ctx->data;',
  '\tvoid *end = (void *)(long)ctx->data_end;',
  ...copyHead(),
  '}',
  '',
  '/* the copy, its length and the zero xdp_load() uses; XDP_HEAD + 1 when the map cannot be read (never) */',
  'static __always_inline __u32 xdp_copy_head(struct xdp_md *ctx)',
  '{',
  '\t__u32 zero = 0;',
  '\tstruct xdp_head *h = bpf_map_lookup_elem(&xdp_head, &zero);',
  '\tif (!h)',
  '\t\treturn XDP_HEAD + 1;',
  '\th->len = xdp_copy_bytes(ctx, h);',
  '\th->zero = 0;',
  '\t/* read back opaquely: returned as the constant of each copy\'s exit, the length would make the verifier',
  '\t * walk the body once per possible length (the states differ in it, so none prunes another) */',
  '\treturn *(volatile __u32 *)&h->len;',
  '}',
  '',
  '/* bpf_skb_load_bytes() on the head copy: -1 past the frame (or past the copy). It looks the copy up again',
  ' * rather than keep its pointer across the body: a spilled pointer whose stack slot clang later reuses for a',
  ' * narrower value is refused without CAP_PERFMON. len and zero are read opaquely (volatile): a length the',
  ' * compiler knows to be <= XDP_HEAD would let it drop the masking below */',
  'static __always_inline int xdp_load(__u32 off, void *buf, const __u32 n)',
  '{',
  '\t__u32 zero = 0;',
  '\tstruct xdp_head *h = bpf_map_lookup_elem(&xdp_head, &zero);',
  '\tif (!h)',
  '\t\treturn -1;',
  '\t__u32 len = *(volatile __u32 *)&h->len;',
  '\t__u32 zero_ = *(volatile __u32 *)&h->zero;',
  '\tif (off + n > len)',
  '\t\treturn -1;',
  '\t/* identities at run time (off < len <= XDP_HEAD, zero == 0) that give the verifier the same offset range',
  '\t * [0, XDP_HEAD) on every path: the read stays in b, and without CAP_PERFMON one pointer addition must see',
  '\t * the same range (alu_limit) on every path reaching it (clang merges the reads of different call sites) */',
  '\toff = (off & (XDP_HEAD - 1)) | (zero_ & (XDP_HEAD - 1));',
  '\t__builtin_memcpy(buf, h->b + off, n);',
  '\treturn 0;',
  '}',
].join('\n');

function copyHead(): string[] {
  const lines: string[] = [];
  for (let w = 0; w < XDP_HEAD; w += 8) {
    lines.push(`\tif (data + ${w + 8} > end) {`);
    for (let b = w; b < w + 7; b++) {
      lines.push(`\t\tif (data + ${b + 1} > end)`, `\t\t\treturn ${b};`, `\t\th->b[${b}] = *(__u8 *)(data + ${b});`);
    }
    lines.push(`\t\treturn ${w + 7};`, '\t}', `\t*(__u64 *)(h->b + ${w}) = *(__u64 *)(data + ${w});`);
  }
  lines.push('\treturn XDP_HEAD;');
  return lines;
}
