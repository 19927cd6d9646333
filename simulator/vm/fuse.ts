// Superinstructions: the interpreter's copy of a program's code in which the first slot of a few frequent
// instruction sequences has a handler that runs the whole sequence in one dispatch (the switch's indirect
// jump costs more than most instructions' work). Only that slot changes: a jump to a later slot of a
// sequence runs that instruction alone, and every other reader (the wasm tier, traces, messages) sees the
// plain code. execute() runs the stepped code (no superinstructions) when tracing, so a trace still has one entry per instruction,
// and a fused handler stops after a part when the budget would end within it, so the budget fault names the
// same instruction as one dispatch per instruction would.
//
// The sequences (over the fixtures and example policies they save one dispatch in ten, one in five in
// small XDP programs):
//   movAdd     rD = rS; rD += imm                      (a pointer and an offset: the packet bounds check's start)
//   movAddJgt  rD = rS; rD += imm; if rD > rX goto T   (the whole bounds check)
//   movAddJle  rD = rS; rD += imm; if rD <= rX goto T  (the whole bounds check, the other way round)
//   retImm     w0 = imm; exit                          (a verdict)
//   immStore   wD = imm; *(u32 *)(rX + off) = rD       (a stack slot zeroed or set)
//   loadStore  ldxw; stxw                              (a field copied: a flow key, an event record)
//   storeLoad  stxw; ldxw
//   storeStore stxw; stxw                              (a key or record filled)
//   lddwCall   rD = imm64; call                        (a map and its lookup or update)
//   keyCall    rD = rS; rD += imm; rX = imm64; call    (a key on the stack, its map, the lookup)
//   storeMov   stxw; rX = rY                           (a key or record filled, then the next pointer)
//   storeImm   stxw; wX = imm
//   immImm     wD = imm; wX = imm                      (arguments, a record's constants)
//   byteJne    rD = *(u8 *)(rS + off); if wX != imm goto T   (a header field tested: protocol, version)
//   wordJne    wD = *(u32 *)(rS + off); if wX != imm goto T  (an address or a context field tested)
//   andJne     wD &= imm; if wX != imm goto T          (a masked field tested)
//   counter    rD = *(u64 *)(rS + off); rD += imm or rD += rX; *(u64 *)(rS + off) = rD   (a counter in a map value)
//   byteByte   two ldxb                                (a big-endian field read byte by byte)
//   halfBytes  ldxb wA; ldxb wB; wB <<= 8; wB |= wA    (a 16-bit field read byte by byte: clang's unaligned load of
//                                                       a packed header's field, the Ethernet type)
// The memory pairs run their second access only on its fast path (else the next dispatch runs it alone).

/** Handlers of the fused sequences: opcode bytes no instruction uses, beside HANDLER's (compiled-program.ts). */
export const FUSED = {
  movAdd: 0x02,
  movAddJgt: 0x0a,
  retImm: 0x12,
  immStore: 0x1a,
  loadStore: 0x22,
  storeLoad: 0x2a,
  storeStore: 0x32,
  lddwCall: 0x3a,
  keyCall: 0x42,
  storeMov: 0x4a,
  storeImm: 0x52,
  immImm: 0x5a,
  byteJne: 0x82,
  wordJne: 0x8a,
  andJne: 0x92,
  byteByte: 0x9a,
  halfBytes: 0xa2,
  movAddJle: 0xaa,
  counter: 0xb2,
} as const;

/**
 * The interpreter's layout: CompiledProgram's (4 int32 per slot: handler, registers, offset, immediate) with
 * the registers also in the first word (handler | dst << 8 | src << 12), so one load gives the dispatch all it
 * needs (each typed-array load costs a bounds and a detach check in V8's code).
 */
export function stepped(code: Int32Array): Int32Array {
  const out = code.slice();
  for (let i = 0; i < out.length; i += 4) out[i] = out[i]! | ((code[i + 1]! & 0xff) << 8);
  return out;
}

/**
 * stepped(`code`) with the first slot of each fusable sequence's handler replaced (its registers stay in
 * the first word).
 */
export function fuse(code: Int32Array): Int32Array {
  const out = stepped(code);
  const slots = code.length >> 2;
  const h = (i: number): number => (i < slots ? code[i * 4]! : -1);
  const dst = (i: number): number => code[i * 4 + 1]! & 15;
  const src = (i: number): number => (code[i * 4 + 1]! >> 4) & 15;
  const regsOf = (i: number): number => (code[i * 4 + 1]! & 0xff) << 8;
  // after two ldxb at i: rB <<= 8; rB |= rA (32- or 64-bit alike: both bytes' high halves are 0), A != B
  const halfBytes = (i: number): boolean => {
    const [sh, or, a, b] = [h(i + 2), h(i + 3), dst(i), dst(i + 1)];
    return (sh === 0x64 || sh === 0x67) && dst(i + 2) === b && code[(i + 2) * 4 + 3] === 8 && (or === 0x4c || or === 0x4f) && dst(i + 3) === b && src(i + 3) === a && a !== b;
  };
  for (let i = 0; i + 1 < slots; i++) {
    const a = h(i);
    const b = h(i + 1);
    if (a === 0xbf && b === 0x07 && dst(i + 1) === dst(i)) {
      const c = h(i + 2);
      const bounds = (c === 0x2d || c === 0xbd) && dst(i + 2) === dst(i);
      out[i * 4] = regsOf(i) | (bounds ? (c === 0x2d ? FUSED.movAddJgt : FUSED.movAddJle) : c === 0x18 && h(i + 4) === 0x85 ? FUSED.keyCall : FUSED.movAdd);
    } else if (a === 0xb4 && b === 0x95 && dst(i) === 0) {
      out[i * 4] = regsOf(i) | FUSED.retImm;
    } else if (a === 0xb4 && b === 0x63 && src(i + 1) === dst(i)) {
      out[i * 4] = regsOf(i) | FUSED.immStore;
    } else if (a === 0x61 && b === 0x63) {
      out[i * 4] = regsOf(i) | FUSED.loadStore;
    } else if (a === 0x63 && (b === 0x61 || b === 0x63 || b === 0xbf || b === 0xb4)) {
      out[i * 4] = regsOf(i) | (b === 0x61 ? FUSED.storeLoad : b === 0x63 ? FUSED.storeStore : b === 0xbf ? FUSED.storeMov : FUSED.storeImm);
    } else if (a === 0xb4 && b === 0xb4) {
      out[i * 4] = regsOf(i) | FUSED.immImm;
    } else if ((a === 0x71 || a === 0x61 || a === 0x54) && b === 0x56) {
      out[i * 4] = regsOf(i) | (a === 0x71 ? FUSED.byteJne : a === 0x61 ? FUSED.wordJne : FUSED.andJne);
    } else if (a === 0x71 && b === 0x71) {
      out[i * 4] = regsOf(i) | (halfBytes(i) ? FUSED.halfBytes : FUSED.byteByte);
    } else if (a === 0x79 && (b === 0x07 || b === 0x0f) && dst(i + 1) === dst(i) && h(i + 2) === 0x7b && dst(i + 2) === src(i) && src(i + 2) === dst(i) && code[(i + 2) * 4 + 2] === code[i * 4 + 2] && dst(i) !== src(i)) {
      out[i * 4] = regsOf(i) | FUSED.counter;
    } else if (a === 0x18 && h(i + 2) === 0x85) {
      out[i * 4] = regsOf(i) | FUSED.lddwCall;
    }
  }
  return out;
}
