// Plain aligned columns for terminal output; the header is dimmed.
import pc from 'picocolors';

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [`  ${pc.dim(line(header))}`, ...rows.map((r) => `  ${line(r)}`)];
}
