// `tsbpf inspect FILE.o [--json]`: what an object holds — sections, programs, maps, globals, license, BTF.
import pc from 'picocolors';
import {
  MAP_FLAGS,
  attachTypeById,
  mapTypeById,
  progTypeById,
  readElf,
  sectionTypeName,
  slotOffsets,
  type ObjectSpec,
} from '../bpf/index.ts';
import { readInputBytes, readObjectFile } from './read-input.ts';
import { table } from './table.ts';

export interface InspectReport {
  readonly file: string;
  readonly license: string;
  readonly kernelVersion?: number;
  readonly sections: { name: string; type: string; size: number; flags: string }[];
  readonly programs: { name: string; section: string; type: string; attachType?: string; instructions: number; subprograms: string[] }[];
  readonly functions: { name: string; section: string; global: boolean; instructions: number; lineInfo: number }[];
  readonly maps: { name: string; source: string; type: string; keySize: number; valueSize: number; maxEntries: number; flags: string[]; pinning: string; inner?: string }[];
  readonly globals: { section: string; kind: string; size: number; variables: { name: string; offset: number; size: number }[] }[];
  readonly btf?: { types: number; functions: number; kinds: Record<string, number> };
}

export function inspectObject(file: string, bytes: Uint8Array, spec: ObjectSpec): InspectReport {
  const elf = readElf(bytes);
  const slots = (name: string): number => slotOffsets(spec.functions.find((f) => f.name === name)?.instructions ?? []).at(-1)!;
  const kinds: Record<string, number> = {};
  for (const t of spec.btf?.types ?? []) kinds[t.kind] = (kinds[t.kind] ?? 0) + 1;
  return {
    file,
    license: spec.license,
    ...(spec.kernelVersion !== undefined ? { kernelVersion: spec.kernelVersion } : {}),
    sections: elf.sections
      .filter((s) => s.index !== 0)
      .map((s) => ({ name: s.name, type: sectionTypeName(s.type), size: s.size, flags: sectionFlags(s.flags) })),
    programs: spec.programs.map((p) => {
      const attach = p.expectedAttachType !== undefined ? attachTypeById(p.expectedAttachType)?.name : undefined;
      return {
        name: p.name,
        section: p.section,
        type: p.type !== undefined ? (progTypeById(p.type)?.name ?? String(p.type)) : 'unknown',
        ...(attach !== undefined ? { attachType: attach } : {}),
        instructions: slots(p.function),
        subprograms: calledFrom(spec, p.function),
      };
    }),
    functions: spec.functions.map((f) => ({
      name: f.name,
      section: f.section,
      global: f.global,
      instructions: slots(f.name),
      lineInfo: f.lineInfo.length,
    })),
    maps: spec.maps.map((m) => ({
      name: m.name,
      source: m.source,
      type: mapTypeById(m.type)?.name ?? String(m.type),
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries: m.maxEntries,
      flags: mapFlagNames(m.flags),
      pinning: m.pinning,
      ...(m.inner ? { inner: mapTypeById(m.inner.type)?.name ?? String(m.inner.type) } : {}),
    })),
    globals: spec.data.map((d) => ({
      section: d.name,
      kind: d.kind,
      size: d.size,
      variables: d.variables.map((v) => ({ name: v.name, offset: v.offset, size: v.size })),
    })),
    ...(spec.btf
      ? { btf: { types: spec.btf.types.length, functions: spec.btf.types.filter((t) => t.kind === 'func').length, kinds } }
      : {}),
  };
}

/** Every function reachable by calls from `fn` (not including it), in first-reached order. */
function calledFrom(spec: ObjectSpec, fn: string): string[] {
  const out: string[] = [];
  const queue = [fn];
  while (queue.length > 0) {
    const f = spec.functions.find((x) => x.name === queue.shift());
    for (const { ref } of f?.references ?? []) {
      if ((ref.kind === 'call' || ref.kind === 'func_addr') && ref.function !== fn && !out.includes(ref.function)) {
        out.push(ref.function);
        queue.push(ref.function);
      }
    }
  }
  return out;
}

function mapFlagNames(flags: number): string[] {
  const names = Object.entries(MAP_FLAGS)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);
  const known = Object.values(MAP_FLAGS).reduce((a, b) => a | b, 0);
  if ((flags & ~known) !== 0) names.push(`0x${(flags & ~known).toString(16)}`);
  return names;
}

function sectionFlags(flags: number): string {
  return [
    [0x1, 'W'],
    [0x2, 'A'],
    [0x4, 'X'],
    [0x10, 'M'],
    [0x20, 'S'],
    [0x40, 'I'],
  ]
    .filter(([bit]) => (flags & (bit as number)) !== 0)
    .map(([, c]) => c)
    .join('');
}

export function inspectCommand(file: string, options: { json: boolean }): void {
  const bytes = readInputBytes(file);
  const spec = readObjectFile(file, bytes);
  const report = inspectObject(file, bytes, spec);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const out: string[] = [];
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'}`;
  out.push(
    `${pc.bold(file)}: BPF object, license ${report.license ? JSON.stringify(report.license) : pc.yellow('none')}, ` +
      `${plural(report.programs.length, 'program')}, ${plural(report.maps.length, 'map')}` +
      (report.btf ? `, BTF ${plural(report.btf.types, 'type')}` : ', no BTF'),
  );
  out.push('', pc.bold('programs'));
  out.push(
    ...table(
      ['name', 'section', 'type', 'attach', 'insns', 'calls'],
      report.programs.map((p) => [p.name, p.section, p.type, p.attachType ?? '-', String(p.instructions), p.subprograms.join(', ') || '-']),
    ),
  );
  if (report.maps.length > 0) {
    out.push('', pc.bold('maps'));
    out.push(
      ...table(
        ['name', 'type', 'key', 'value', 'max_entries', 'flags', 'defined'],
        report.maps.map((m) => [
          m.name,
          m.inner ? `${m.type} (of ${m.inner})` : m.type,
          String(m.keySize),
          String(m.valueSize),
          String(m.maxEntries),
          m.flags.join('|') || '-',
          m.source,
        ]),
      ),
    );
  }
  if (report.globals.length > 0) {
    out.push('', pc.bold('globals'));
    out.push(
      ...table(
        ['section', 'size', 'variables'],
        report.globals.map((g) => [g.section, String(g.size), g.variables.map((v) => `${v.name}@${v.offset}`).join(', ') || '-']),
      ),
    );
  }
  out.push('', pc.bold('sections'));
  out.push(...table(['name', 'type', 'size', 'flags'], report.sections.map((s) => [s.name, s.type, String(s.size), s.flags || '-'])));
  if (report.btf) {
    const kinds = Object.entries(report.btf.kinds).map(([k, n]) => `${k} ${n}`).join(', ');
    out.push('', `${pc.bold('BTF')}: ${plural(report.btf.types, 'type')} (${kinds})`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
