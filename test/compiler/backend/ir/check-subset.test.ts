// checkSubset(): C that clang compiles but our backend cannot lower is rejected by name, with its C line.
// The C snippets go through the wasm clang, so the IR is what users will really produce.
import { describe, expect, it } from 'vitest';
import { checkSubset, findUnsupported, isSupportedIntrinsic, IrSubsetError, parseIr } from '../../../../compiler/backend/ir/index.ts';
import { irOf } from '../../clang/shared-wasm.ts';

/** The first violation in the IR clang makes of `lines`. */
async function rejection(lines: string[]) {
  const mod = parseIr(await irOf(lines.join('\n') + '\n', 'subset.c'));
  const e = (() => {
    try {
      checkSubset(mod);
    } catch (x) {
      return x;
    }
    return undefined;
  })();
  expect(e).toBeInstanceOf(IrSubsetError);
  return (e as IrSubsetError).violations[0]!;
}

describe('checkSubset() on C compiled by the wasm clang', () => {
  it('rejects floating point with its C line', async () => {
    const v = await rejection(['double scale(double x)', '{', '\treturn x * 1.5;', '}']);
    expect(v.construct).toBe('floating point (fmul)');
    expect(v.source).toMatchObject({ file: 'subset.c', line: 3 });
    expect(v.message).toBe('subset.c:3: function scale: floating point (fmul) is not supported for BPF');
  });

  it('rejects 128-bit integer arithmetic with its C line', async () => {
    const v = await rejection([
      'unsigned long high(unsigned long a, unsigned long b)',
      '{',
      '\tunsigned __int128 p = (unsigned __int128)a * b;',
      '\treturn (unsigned long)(p >> 64);',
      '}',
    ]);
    expect(v.construct).toMatch(/^128-bit integer arithmetic \(\w+ i128\)$/);
    expect(v.source?.line).toBe(3);
  });

  it('rejects a variable-size alloca (a VLA) with its C line', async () => {
    const v = await rejection([
      'void use(char *p);',
      'int f(int n)',
      '{',
      '\tchar buf[n];',
      '\tuse(buf);',
      '\treturn buf[0];',
      '}',
    ]);
    expect(v.construct).toMatch(/^variable-size alloca/);
    expect(v.source?.line).toBeGreaterThanOrEqual(4);
    expect(v.source?.line).toBeLessThanOrEqual(5);
  });

  it('rejects a call through a function pointer with its C line', async () => {
    const v = await rejection(['int apply(int (*fp)(int), int x)', '{', '\treturn fp(x) + 1;', '}']);
    expect(v.construct).toMatch(/^indirect call \(through %\w+\)$/);
    expect(v.source?.line).toBe(3);
  });

  it('rejects inline asm with its C line', async () => {
    const v = await rejection(['int f(void)', '{', '\tint r;', '\tasm volatile("%0 = 42" : "=r"(r));', '\treturn r;', '}']);
    expect(v.construct).toBe('inline asm "$0 = 42"');
    expect(v.source?.line).toBe(4);
  });

  it('rejects an intrinsic the backend does not know with its C line', async () => {
    const v = await rejection(['int f(unsigned long x)', '{', '\treturn __builtin_ctzll(x);', '}']);
    expect(v.construct).toMatch(/^unknown intrinsic llvm\.cttz\.i64$/);
    expect(v.source?.line).toBe(3);
  });

  it('rejects recursion with the line of the call', async () => {
    const v = await rejection([
      '__attribute__((noinline)) int odd(volatile int *n);',
      '__attribute__((noinline)) int even(volatile int *n)',
      '{',
      '\treturn *n == 0 ? 1 : odd(n);',
      '}',
      '__attribute__((noinline)) int odd(volatile int *n)',
      '{',
      '\treturn *n == 0 ? 0 : even(n) + 1;',
      '}',
    ]);
    expect(v.construct).toMatch(/^recursion \((even calls odd|odd calls even)\)$/);
    expect([4, 8]).toContain(v.source?.line);
  });

  it('rejects signed division as clang-19 does at -mcpu=v3, with its C line', async () => {
    const v = await rejection(['long f(long a, long b)', '{', '\treturn a / b;', '}']);
    expect(v.construct).toBe('signed division (sdiv; BPF has it only from -mcpu=v4, convert to unsigned)');
    expect(v.source?.line).toBe(3);
  });

  it('accepts helper calls, memcpy, bswap and min/max', async () => {
    const ir = await irOf(
      [
        '#include <linux/bpf.h>',
        '#include <bpf/bpf_helpers.h>',
        '#include <bpf/bpf_endian.h>',
        'struct hdr { __u16 a; __u16 b; __u32 c[4]; };',
        'SEC("xdp") int f(struct xdp_md *ctx)',
        '{',
        '\tvoid *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;',
        '\tstruct hdr h;',
        '\tif (data + sizeof(h) > end) return XDP_PASS;',
        '\t__builtin_memcpy(&h, data, sizeof(h));',
        '\t__u32 x = bpf_ntohs(h.a);',
        '\tx = x < h.c[1] ? x : h.c[1];',
        '\treturn x + bpf_get_prandom_u32();',
        '}',
        'char _license[] SEC("license") = "GPL";',
      ].join('\n'),
    );
    expect(findUnsupported(parseIr(ir))).toEqual([]);
  });
});

describe('checkSubset() on handwritten IR', () => {
  it('reports a violation without !dbg by its .ll line, and lists every violation', () => {
    const mod = parseIr(`module asm "nop"
@tls = thread_local global i32 0
define i32 @f(ptr %p) {
  %x = call i32 @llvm.sadd.sat.i32(i32 1, i32 2)
  %y = call i32 getelementptr (i8, ptr @f, i64 8)(i32 1)
  %z = alloca i8, i64 %x
  ret i32 %x
}
declare i32 @llvm.sadd.sat.i32(i32, i32)
`);
    const messages = findUnsupported(mod).map((v) => v.message);
    expect(messages).toEqual([
      'ir line 0: module-level inline asm "nop" is not supported for BPF',
      'ir line 2: thread-local variable @tls is not supported for BPF',
      'ir line 4: function f: unknown intrinsic llvm.sadd.sat.i32 is not supported for BPF',
      'ir line 5: function f: indirect call (through a getelementptr constant expression) is not supported for BPF',
      'ir line 6: function f: variable-size alloca is not supported for BPF',
    ]);
    expect(() => checkSubset(mod)).toThrow(/^ir line 0: module-level inline asm "nop" is not supported for BPF \(and 4 more\)$/);
  });

  it('isSupportedIntrinsic() matches overloads by prefix and exact names exactly', () => {
    expect(isSupportedIntrinsic('llvm.memcpy.p0.p0.i64')).toBe(true);
    expect(isSupportedIntrinsic('llvm.bswap.i16')).toBe(true);
    expect(isSupportedIntrinsic('llvm.assume')).toBe(true);
    expect(isSupportedIntrinsic('llvm.preserve.struct.access.index.p0.p0')).toBe(true);
    expect(isSupportedIntrinsic('llvm.assumeX')).toBe(false);
    expect(isSupportedIntrinsic('llvm.sin.f64')).toBe(false);
  });
});
