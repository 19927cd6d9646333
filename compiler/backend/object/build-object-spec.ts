// The ObjectSpec of a compiled module: generated functions (with BTF func info, line info and CO-RE
// relocations against our BTF), entry programs by libbpf's section conventions, BTF-defined maps decoded
// from our BTF (as libbpf reads them), data sections with their variables' BTF ids, and the license.
// writeObject turns it into the ELF.
import {
  btfMapSpec,
  decodeBtfMaps,
  sectionInfo,
  type Btf,
  type FunctionSpec,
  type MapSpec,
  type ObjectSpec,
  type ProgramSpec,
} from '../../../bpf/index.ts';
import type { DebugInfoBtf } from '../btf/index.ts';
import type { GeneratedFunction } from '../codegen/contract.ts';
import { resolveMetadata, type IrModule } from '../ir/index.ts';
import { LineInfoBuilder, type SourceLookup } from './line-info.ts';
import type { GlobalLayout } from './plan-globals.ts';

const TEXT_SECTION = '.text';

export interface ObjectSpecInput {
  readonly layout: GlobalLayout;
  readonly btf: DebugInfoBtf;
  readonly functions: readonly GeneratedFunction[];
  readonly sources?: SourceLookup;
}

export function buildObjectSpec(mod: IrModule, input: ObjectSpecInput): ObjectSpec {
  const { layout, btf } = input;
  const lines = new LineInfoBuilder(mod, input.sources);
  const functions: FunctionSpec[] = input.functions.map((g) => {
    const ir = mod.functions.find((f) => f.name === g.name);
    const sp = ir === undefined ? undefined : resolveMetadata(mod, ir.attachments['dbg']);
    const btfTypeId = btf.functions.get(g.name);
    return {
      name: g.name,
      section: g.section,
      global: g.global,
      instructions: g.instructions,
      references: g.references,
      lineInfo: lines.lineInfo(sp, g.locations),
      coreRelocations: g.coreRelocations.map((c) => {
        const typeId = btf.typeIdOf(c.diType);
        if (typeId === 0) throw new RangeError(`function ${g.name}: CO-RE relocation at instruction ${c.slot}: type !${c.diType} has no BTF`);
        return { slot: c.slot, typeId, accessString: c.accessString, kind: c.kind };
      }),
      ...(btfTypeId !== undefined ? { btfTypeId } : {}),
    };
  });
  return {
    programs: programsOf(functions),
    functions,
    maps: [...mapsOf(btf.btf, layout), ...layout.legacyMaps],
    data: layout.data.map((d) => ({
      ...d,
      variables: d.variables.map((v) => {
        const id = btf.variables.get(v.name);
        return id === undefined ? v : { ...v, btfTypeId: id };
      }),
    })),
    license: layout.license,
    ...(layout.kernelVersion !== undefined ? { kernelVersion: layout.kernelVersion } : {}),
    btf: btf.btf,
  };
}

/** Entry programs as libbpf finds them: functions outside .text (or, in a .text-only object, those nothing calls). */
function programsOf(functions: readonly FunctionSpec[]): ProgramSpec[] {
  const hasSections = functions.some((f) => f.section !== TEXT_SECTION);
  const called = new Set(functions.flatMap((f) => f.references.flatMap((r) => (r.ref.kind === 'call' || r.ref.kind === 'func_addr' ? [r.ref.function] : []))));
  return functions
    .filter((f) => (hasSections ? f.section !== TEXT_SECTION : !called.has(f.name)))
    .map((f) => {
      const info = sectionInfo(f.section);
      return { name: f.name, section: f.section, type: info?.progType.id, expectedAttachType: info?.attachType?.id, function: f.name };
    });
}

/** `.maps` definitions decoded from our BTF, with `.values = { ... }` initial slots from the initialisers. */
function mapsOf(btf: Btf, layout: GlobalLayout): MapSpec[] {
  return decodeBtfMaps(btf).map(({ name, varTypeId, definition }) => {
    const spec = btfMapSpec(name, definition);
    const planned = layout.maps.find((m) => m.name === name);
    if (planned === undefined || planned.pointers.length === 0) return spec;
    const v = btf.typeById(varTypeId);
    const st = v.kind === 'var' ? btf.typeById(btf.resolve(v.type)) : undefined;
    const values = st?.kind === 'struct' ? st.members.find((m) => m.name === 'values') : undefined;
    if (values === undefined) throw new RangeError(`map ${name}: initialised pointers, but no values member`);
    const initialSlots = planned.pointers.map((p) => {
      const delta = p.offset - values.bitOffset / 8;
      if (delta < 0 || delta % 8 !== 0 || p.addend !== 0) throw new RangeError(`map ${name}: pointer at byte ${p.offset} is not an element of values`);
      return { index: delta / 8, target: p.target };
    });
    return { ...spec, initialSlots };
  });
}

