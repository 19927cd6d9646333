// Laying out an IR module's global variables as clang's BPF backend does: each goes to its ELF section
// (globalSection), in module order, at the next offset aligned to its `align` (or its type's alignment).
// The result tells code generation where each global's address comes from (`placements`) and holds the
// data sections' initial bytes, the `.maps` definitions in order and the license.
//
//   const layout = planGlobals(mod);
//   layout.placements.get('packets') // { kind: 'data', section: '.bss', offset: 0 }
import type { DataSectionSpec, MapSpec, VariableSpec } from '../../../bpf/index.ts';
import type { GlobalPlacement } from '../codegen/contract.ts';
import { declarationLocation, resolveMetadata, type GlobalVariable, type IrModule } from '../ir/index.ts';
import { encodeInitializer, type EncodedInitializer } from './encode-initializer.ts';
import { dataKind, globalSection, isLlvmInternalGlobal } from './global-section.ts';
import { layoutOf, roundUp } from './ir-layout.ts';

export const MAPS_SECTION = '.maps';
export const LICENSE_SECTION = 'license';

/** Where one global lies: its section and offset, and its size (getTypeAllocSize). */
export interface GlobalSlot {
  readonly section: string;
  readonly offset: number;
  readonly size: number;
}

/** A `.maps` definition: the global, where it lies in `.maps`, and its initialiser's pointers. */
export interface PlannedMap {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly pointers: EncodedInitializer['pointers'];
}

export interface GlobalLayout {
  /** how code reaches each global it may reference */
  readonly placements: ReadonlyMap<string, GlobalPlacement>;
  /** every emitted global (externs at offset 0 of their section, or of '') */
  readonly slots: ReadonlyMap<string, GlobalSlot>;
  /** `.data`, `.rodata`, `.bss`, `.rodata.str1.1`, custom `.data.*`: in order of first use */
  readonly data: readonly DataSectionSpec[];
  readonly maps: readonly PlannedMap[];
  /** `struct bpf_map_def` maps in a legacy `maps` section: their definition is their data */
  readonly legacyMaps: readonly MapSpec[];
  /** the `license` section's string (without its NUL), '' when there is none */
  readonly license: string;
  /** `version` section value (legacy kprobes), when present */
  readonly kernelVersion?: number;
}

/** A global the backend cannot place; the message names the global and its C line. */
export class GlobalLayoutError extends RangeError {
  constructor(mod: IrModule, g: GlobalVariable, what: string, options?: ErrorOptions) {
    super(`${where(mod, g)}global ${g.name}: ${what}`, options);
    this.name = 'GlobalLayoutError';
  }
}

function where(mod: IrModule, g: GlobalVariable): string {
  const gve = resolveMetadata(mod, g.attachments['dbg']);
  const dv = gve?.kind === 'specialized' && gve.fields['var']?.kind === 'metadata' ? resolveMetadata(mod, gve.fields['var'].value) : undefined;
  const loc = declarationLocation(mod, dv);
  return loc !== undefined && loc.line > 0 ? `${loc.file}:${loc.line}: ` : '';
}

export function planGlobals(mod: IrModule): GlobalLayout {
  const placements = new Map<string, GlobalPlacement>();
  const slots = new Map<string, GlobalSlot>();
  const sections = new Map<string, { bytes: number[]; size: number; variables: VariableSpec[] }>();
  const maps: PlannedMap[] = [];
  const legacyMaps: MapSpec[] = [];
  let mapsEnd = 0;
  let license = '';
  let kernelVersion: number | undefined;

  const coreOnly = enumValueNames(mod);
  for (const g of mod.globals) {
    if (isLlvmInternalGlobal(g) || coreOnly.has(g.name)) continue;
    const section = globalSection(mod, g);
    if (g.initializer === undefined) {
      // an extern: `__ksym` (.ksyms) or `__kconfig` (.kconfig) variables the loader resolves
      if (section === '.kconfig' || section === '.ksyms' || section === '') {
        placements.set(g.name, { kind: 'extern', name: g.name, type: section === '.kconfig' ? 'kconfig' : 'ksym' });
        slots.set(g.name, { section, offset: 0, size: sizeOf(mod, g) });
        continue;
      }
      throw new GlobalLayoutError(mod, g, `extern variable in section ${section} is not supported (use __ksym or __kconfig)`);
    }
    let encoded: EncodedInitializer;
    try {
      encoded = encodeInitializer(mod, g.type, g.initializer);
    } catch (e) {
      throw new GlobalLayoutError(mod, g, (e as Error).message, { cause: e });
    }
    const align = g.align ?? layoutOf(mod, g.type).align;
    const size = encoded.bytes.length;
    if (section === MAPS_SECTION) {
      const offset = roundUp(mapsEnd, align);
      mapsEnd = offset + size;
      maps.push({ name: g.name, offset, size, pointers: encoded.pointers });
      placements.set(g.name, { kind: 'map', map: g.name });
      slots.set(g.name, { section, offset, size });
      continue;
    }
    if (section === LICENSE_SECTION) {
      const nul = encoded.bytes.indexOf(0);
      license = new TextDecoder().decode(nul < 0 ? encoded.bytes : encoded.bytes.subarray(0, nul));
      slots.set(g.name, { section, offset: 0, size });
      continue;
    }
    if (section === 'version') {
      kernelVersion = new DataView(encoded.bytes.buffer).getUint32(0, true);
      slots.set(g.name, { section, offset: 0, size });
      continue;
    }
    if (/^maps(\/|$)/.test(section)) {
      legacyMaps.push(legacyMap(mod, g, section, encoded.bytes));
      placements.set(g.name, { kind: 'map', map: g.name });
      slots.set(g.name, { section, offset: 0, size });
      continue;
    }
    const kind = dataKind(section);
    if (kind === undefined) throw new GlobalLayoutError(mod, g, `section ${section} is not a data section libbpf loads`);
    if (encoded.pointers.length > 0) {
      throw new GlobalLayoutError(mod, g, `its initializer holds the address of ${encoded.pointers[0]!.target}, which BPF global data cannot`);
    }
    let s = sections.get(section);
    if (s === undefined) sections.set(section, (s = { bytes: [], size: 0, variables: [] }));
    const offset = roundUp(s.size, align);
    s.size = offset + size;
    if (kind !== 'bss') {
      while (s.bytes.length < offset) s.bytes.push(0);
      s.bytes.push(...encoded.bytes);
    }
    // private globals (`@.str`) are .L labels in clang's output: no symbol
    if (!g.linkage.includes('private')) {
      s.variables.push({ name: g.name, offset, size, global: !g.linkage.includes('internal') });
    }
    placements.set(g.name, { kind: 'data', section, offset });
    slots.set(g.name, { section, offset, size });
  }

  const data: DataSectionSpec[] = [...sections.entries()].map(([name, s]) => {
    const kind = dataKind(name)!;
    const bytes = new Uint8Array(s.size);
    if (kind !== 'bss') bytes.set(s.bytes);
    return { name, kind, size: s.size, data: bytes, variables: s.variables };
  });
  return { placements, slots, data, maps, legacyMaps, license, ...(kernelVersion !== undefined ? { kernelVersion } : {}) };
}

/**
 * The `"ENUMERATOR:value"` strings clang passes to `llvm.bpf.preserve.enum.value` (`bpf_core_enum_value`):
 * the BPF backend's CO-RE pass consumes them into relocations, so they are no data.
 */
function enumValueNames(mod: IrModule): Set<string> {
  const out = new Set<string>();
  for (const f of mod.functions) {
    for (const b of f.blocks) {
      for (const i of b.instructions) {
        if (i.op !== 'call' || i.callee.kind !== 'global' || !i.callee.name.startsWith('llvm.bpf.preserve.enum.value')) continue;
        for (const a of i.args) if (a.value.kind === 'global') out.add(a.value.name);
      }
    }
  }
  return out;
}

/** A legacy map: `struct bpf_map_def { type, key_size, value_size, max_entries, map_flags, ... }` in u32s. */
function legacyMap(mod: IrModule, g: GlobalVariable, section: string, bytes: Uint8Array): MapSpec {
  if (bytes.length < 20 || bytes.length % 4 !== 0) {
    throw new GlobalLayoutError(mod, g, `a map definition in ${section} needs u32 fields type, key_size, value_size, max_entries, map_flags`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [type, keySize, valueSize, maxEntries, flags, ...extra] = Array.from({ length: bytes.length / 4 }, (_, i) => view.getUint32(i * 4, true)) as [
    number, number, number, number, number, ...number[],
  ];
  return {
    name: g.name, section, source: 'legacy', type, keySize, valueSize, maxEntries, flags, pinning: 'none',
    ...(extra.length > 0 ? { legacyExtra: extra } : {}),
  };
}

function sizeOf(mod: IrModule, g: GlobalVariable): number {
  try {
    return layoutOf(mod, g.type).size;
  } catch {
    return 0;
  }
}
