// loader/sys's attr table against the running kernel's own description of union bpf_attr,
// struct bpf_prog_info, struct bpf_map_info, struct bpf_link_info and enum bpf_cmd (vmlinux BTF).
// Registered by sys.test.ts (imported there), so `vitest run test/kernel/sys.test.ts` runs it too.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfCmd, LAYOUTS, type Field, type Layout } from '../../loader/sys/index.ts';
import { available, bpftool } from '../support/require.ts';
import { flatten, parseBtfDump, resolve, type BtfDump, type BtfLeaf } from './sys-btf-dump.ts';

const vmlinuxBtf = existsSync('/sys/kernel/btf/vmlinux')
  ? { ok: true, reason: '' }
  : { ok: false, reason: '/sys/kernel/btf/vmlinux is missing (CONFIG_DEBUG_INFO_BTF)' };
const ok = available('loader/sys attrs vs kernel BTF', bpftool, vmlinuxBtf);

function loadDump(): BtfDump {
  const text = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'raw'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  return parseBtfDump(text);
}

/** The kernel struct a layout mirrors: its size and leaves. */
function kernelStruct(dump: BtfDump, layout: Layout): { size: number; leaves: BtfLeaf[] } {
  if ('struct' in layout.btf) {
    const t = dump.byName('STRUCT', layout.btf.struct);
    if (!t) throw new Error(`struct ${layout.btf.struct} not in BTF`);
    return { size: Number(t.attrs['size']), leaves: flatten(dump, t.id) };
  }
  const attr = dump.byName('UNION', 'bpf_attr');
  if (!attr) throw new Error('union bpf_attr not in BTF');
  const want = layout.btf.attrMember;
  const candidates = attr.members.filter((m) => {
    if (m.name !== '(anon)') return m.name === want;
    return flatten(dump, m.typeId)[0]?.path === want;
  });
  expect(candidates.map((c) => c.name), `union bpf_attr member for ${layout.name}`).toHaveLength(1);
  const member = candidates[0];
  if (!member) throw new Error('unreachable');
  return { size: Number(resolve(dump, member.typeId).attrs['size']), leaves: flatten(dump, member.typeId) };
}

function lastName(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function typeMatches(field: Field, leaf: BtfLeaf): boolean {
  switch (field.kind) {
    case 'u32':
      return leaf.type === 'u32';
    case 's32':
      return leaf.type === 's32';
    case 'u64':
    case 'ptr':
      return leaf.type === 'u64';
    case 'char':
      return leaf.type === `char[${field.size}]`;
    case 'u8':
      return leaf.type === `u8[${field.size}]`;
    case 'pad':
      return false;
  }
}

describe.skipIf(!ok)('loader/sys attr table vs vmlinux BTF', () => {
  const dump = ok ? loadDump() : undefined;

  it('finds union bpf_attr in the kernel', () => {
    expect(dump?.byName('UNION', 'bpf_attr')).toBeDefined();
  });

  describe.each(LAYOUTS.map((l) => [l.name, l] as const))('%s', (_name, layout: Layout) => {
    it('places every field and alias where the kernel has it, with its size and signedness', () => {
      if (!dump) return;
      const kernel = kernelStruct(dump, layout);
      const newer: string[] = [];
      for (const field of layout.fields) {
        if (field.kind === 'pad') continue;
        if (field.offset >= kernel.size) {
          newer.push(field.name); // this kernel predates the field
          continue;
        }
        for (const name of [field.name, ...field.aliases]) {
          const leaf = kernel.leaves.find(
            (l) => l.offset === field.offset && (l.path === name || lastName(l.path) === name),
          );
          expect(leaf, `${layout.name}.${name} at offset ${field.offset}`).toBeDefined();
          if (!leaf) continue;
          expect(leaf.size, `${layout.name}.${name} size`).toBe(field.size);
          expect(typeMatches(field, leaf), `${layout.name}.${name}: ours ${field.kind}, kernel ${leaf.type}`).toBe(true);
        }
      }
      if (newer.length > 0) console.warn(`${layout.name}: this kernel lacks ${newer.join(', ')}`);
    });

    it('is as large as the kernel struct, and hides no kernel field in its padding', () => {
      if (!dump) return;
      const kernel = kernelStruct(dump, layout);
      expect(layout.size).toBeLessThanOrEqual(kernel.size);
      if (layout.size < kernel.size) {
        const extra = kernel.leaves.filter((l) => l.offset >= layout.size).map((l) => l.path);
        console.warn(`${layout.name}: the kernel struct is larger (${kernel.size} bytes): ${extra.join(', ')}`);
      }
      // A leaf outside any union must be one of our fields or lie wholly inside one padding row.
      for (const leaf of kernel.leaves.filter((l) => !l.inUnion && l.offset < layout.size)) {
        const field = layout.fields.find((f) => leaf.offset >= f.offset && leaf.offset < f.offset + f.size);
        expect(field, `${layout.name}: kernel field ${leaf.path}`).toBeDefined();
        if (!field) continue;
        const inside = leaf.offset + leaf.size <= field.offset + field.size;
        const named = field.offset === leaf.offset && [field.name, ...field.aliases].includes(lastName(leaf.path));
        expect(named || (field.kind === 'pad' && inside), `${layout.name}: kernel field ${leaf.path} vs ${field.name || 'padding'}`).toBe(true);
      }
    });
  });

  it('numbers commands as enum bpf_cmd does', () => {
    if (!dump) return;
    const cmd = dump.byName('ENUM', 'bpf_cmd');
    expect(cmd).toBeDefined();
    const kernel = new Map(cmd?.values.map((v) => [v.name, v.value]));
    for (const [name, value] of Object.entries(BpfCmd)) {
      if (kernel.has(name)) expect(kernel.get(name), name).toBe(value);
    }
    expect(kernel.get('BPF_PROG_LOAD')).toBe(BpfCmd.BPF_PROG_LOAD);
  });

  it('keeps every bpf_attr layout within the size of union bpf_attr', () => {
    if (!dump) return;
    const size = Number(dump.byName('UNION', 'bpf_attr')?.attrs['size']);
    for (const layout of LAYOUTS.filter((l) => 'attrMember' in l.btf)) expect(layout.size).toBeLessThanOrEqual(size);
  });
});
