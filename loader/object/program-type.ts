// Which program type and expected attach type a program is loaded with: the section name by libbpf's
// conventions (ProgramSpec.type/expectedAttachType, from bpf/tables' sectionInfo), unless the caller says.
import { attachTypeByName, progTypeByName, sectionInfo, type ProgramSpec } from '../../bpf/index.ts';

/** A program type as the caller writes it: a number, `xdp`, `BPF_PROG_TYPE_XDP`, or a section name (`cgroup_skb/ingress`). */
export type ProgramTypeInput = number | string;

export interface ProgramTypeOverride {
  readonly type?: ProgramTypeInput;
  /** a number, `BPF_CGROUP_INET_INGRESS` or `CGROUP_INET_INGRESS`; `null` loads with none */
  readonly expectedAttachType?: number | string | null;
}

export interface ResolvedProgramType {
  readonly type: number;
  readonly expectedAttachType: number | undefined;
}

/** Parses `input` into a program type (and the attach type a section name implies). TypeError when unknown. */
export function parseProgramType(input: ProgramTypeInput): ResolvedProgramType {
  if (typeof input === 'number') return { type: input, expectedAttachType: undefined };
  const byName = progTypeByName(input) ?? progTypeByName(input.toLowerCase()) ?? progTypeByName(input.toUpperCase());
  if (byName) return { type: byName.id, expectedAttachType: undefined };
  const sec = sectionInfo(input);
  if (sec) return { type: sec.progType.id, expectedAttachType: sec.attachType?.id };
  if (/^\d+$/.test(input)) return { type: Number(input), expectedAttachType: undefined };
  throw new TypeError(`unknown program type ${input} (a program type name such as xdp or sched_cls, or a section name)`);
}

/** Program type for `program`: the override, else its section's, else `defaultType`; undefined when none. */
export function programType(
  program: ProgramSpec,
  override: ProgramTypeOverride | ProgramTypeInput | undefined,
  defaultType: ProgramTypeInput | undefined,
): ResolvedProgramType | undefined {
  const o: ProgramTypeOverride | undefined =
    override === undefined ? undefined : typeof override === 'object' ? override : { type: override };
  let resolved: ResolvedProgramType | undefined;
  if (o?.type !== undefined) resolved = parseProgramType(o.type);
  else if (program.type !== undefined) resolved = { type: program.type, expectedAttachType: program.expectedAttachType };
  else if (defaultType !== undefined) resolved = parseProgramType(defaultType);
  if (resolved === undefined) return undefined;
  if (o?.expectedAttachType !== undefined) {
    const a = o.expectedAttachType;
    if (a === null) return { type: resolved.type, expectedAttachType: undefined };
    if (typeof a === 'number') return { type: resolved.type, expectedAttachType: a };
    const spec = attachTypeByName(a) ?? attachTypeByName(a.toUpperCase());
    if (spec === undefined) throw new TypeError(`unknown attach type ${a}`);
    return { type: resolved.type, expectedAttachType: spec.id };
  }
  return resolved;
}
