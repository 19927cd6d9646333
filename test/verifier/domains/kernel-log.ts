// Reading register states out of the kernel's verifier log (log level 2), for the kernel comparison.

/** `R6=scalar(...)` pairs of one state print, by register number. */
export function parseRegs(text: string): Map<number, string> {
  const out = new Map<number, string>();
  const re = /(?:^|\s)R(\d+)(?:_\w+)?=/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    let i = re.lastIndex;
    let depth = 0;
    const start = i;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ' ' && depth === 0) break;
    }
    out.set(Number(m[1]), text.slice(start, i));
    re.lastIndex = i;
  }
  return out;
}

export interface InsnLine {
  readonly index: number;
  readonly text: string;
  /** the state printed after `;`, if any */
  readonly regs: Map<number, string>;
}

/** The first line printed for each instruction index (the first path the kernel explores). */
export function firstInsnLines(log: readonly string[]): Map<number, InsnLine> {
  const out = new Map<number, InsnLine>();
  for (const line of log) {
    const m = /^(\d+): \([0-9a-f]{2}\) (.*)$/.exec(line);
    if (m === null) continue;
    const index = Number(m[1]);
    if (out.has(index)) continue;
    const rest = m[2]!;
    const semi = rest.indexOf(' ; ');
    const text = (semi < 0 ? rest : rest.slice(0, semi)).trim();
    out.set(index, { index, text, regs: semi < 0 ? new Map() : parseRegs(rest.slice(semi + 3)) });
  }
  return out;
}

/** The state printed at `from N to M:`, if the kernel explored that edge. */
export function edgeState(log: readonly string[], from: number, to: number): Map<number, string> | undefined {
  const prefix = `from ${from} to ${to}: `;
  const line = log.find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : parseRegs(line.slice(prefix.length));
}

/** A printed scalar without the parts the domains do not model (id, precision mark). */
export function normalise(state: string): string {
  return state
    .replace(/^P/, '')
    .replace(/id=\d+([+-]\d+)?,?/, '')
    .replace(/,\)$/, ')');
}
