// bpf_trace_printk's formatting: %d %i %u %x %X %ld %lld %lu %llu %lx %llx %p %s %c %%, up to three arguments.
import type { Memory } from '../vm/index.ts';

export function formatPrintk(fmt: string, args: readonly bigint[], memory: Memory): string {
  let i = 0;
  return fmt.replace(/%([-0-9]*)(l{0,2}|h{0,2}|z)?([diuxXpsc%])/g, (_m, width: string, len: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    const a = args[i++] ?? 0n;
    const bits = len === 'l' || len === 'll' || len === 'z' ? 64 : 32;
    let s: string;
    switch (conv) {
      case 'd':
      case 'i':
        s = BigInt.asIntN(bits, a).toString();
        break;
      case 'u':
        s = BigInt.asUintN(bits, a).toString();
        break;
      case 'x':
        s = BigInt.asUintN(bits, a).toString(16);
        break;
      case 'X':
        s = BigInt.asUintN(bits, a).toString(16).toUpperCase();
        break;
      case 'p':
        s = `0x${BigInt.asUintN(64, a).toString(16)}`;
        break;
      case 'c':
        s = String.fromCharCode(Number(a & 0xffn));
        break;
      default:
        try {
          s = memory.cString(a);
        } catch {
          s = '(efault)';
        }
    }
    const w = Number.parseInt(width || '0', 10);
    return width.startsWith('-') ? s.padEnd(-w) : width.startsWith('0') ? s.padStart(w, '0') : s.padStart(w);
  });
}
