// CO-RE in the kernel: a fixture reading the kernel's own structures (test/fixtures/core_task.c) loads with
// our loader, and the instructions the kernel holds afterwards (xlated) equal those of the same object
// loaded by libbpf (bpftool prog loadall): every relocated offset, size and value agrees with libbpf's.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readObject } from '../../bpf/index.ts';
import { kernelConfig, linuxKernelVersion, loadCollection, mapLookup, objGet, ProgramLoadError, progGetInfo, trackFds, vmlinuxBtf } from '../../loader/index.ts';
import { repoRoot } from '../corpora.ts';
import { available, bpftool, kernelBpf } from '../support/require.ts';

const run = available('kernel CO-RE', kernelBpf, bpftool);
const file = join(repoRoot, 'test/fixtures/core_task.o');
const externs = join(repoRoot, 'test/loader/fixtures/core_externs.o');

/** The xlated instructions as 8-byte slots, with ld_imm64 of maps blanked (map ids differ between loads). */
function slots(xlated: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < xlated.length; i += 8) {
    const s = xlated.subarray(i, i + 8);
    const lddwPseudo = s[0] === 0x18 && (s[1]! >> 4) !== 0;
    out.push(lddwPseudo ? 'lddw map' : Buffer.from(s).toString('hex'));
    if (lddwPseudo) {
      out.push('lddw map (second slot)');
      i += 8;
    }
  }
  return out;
}

describe.runIf(run)('CO-RE relocations against the kernel BTF', () => {
  it('core_task.o loads and its relocated instructions equal libbpf\'s', () => {
    using fds = trackFds();
    const spec = readObject(readFileSync(file));
    const pins = mkdtempSync('/sys/fs/bpf/tsbpf-core-');
    try {
      execFileSync('bpftool', ['prog', 'loadall', file, pins], { stdio: 'pipe' });
      using coll = loadCollection(spec);
      const ours = progGetInfo(coll.programs.get('core_task')!, { xlatedInsns: true }).xlatedInsns!;
      using pinned = objGet(join(pins, 'core_task'));
      const theirs = progGetInfo(pinned, { xlatedInsns: true }).xlatedInsns!;
      expect(slots(ours)).toEqual(slots(theirs));

      const results = coll.info.get('core_task')!.coreRelocations;
      const value = (kind: string, access: string, type: string) =>
        results.find((r) => r.kind === kind && r.accessString === access && r.localType === type)?.value;
      expect(value('field_exists', '0:0', 'struct task_struct___old')).toBe(0);
      expect(value('field_exists', '0:0', 'struct task_struct')).toBe(1);
      expect(value('enumval_exists', '3', 'enum pid_type')).toBe(0);
      const k = vmlinuxBtf();
      const task = k.find('task_struct', 'struct')[0]!;
      expect(value('type_size', '0', 'struct task_struct')).toBe(k.btf.sizeOf(task));
      expect(value('enumval_value', '1', 'enum pid_type')).toBe(1);
    } finally {
      rmSync(pins, { recursive: true, force: true });
    }
    fds.assertAllClosed();
  });

  it('core_externs.o gets __kconfig values from the running kernel and __ksym kfuncs by BTF id, as libbpf does', () => {
    using fds = trackFds();
    const spec = readObject(readFileSync(externs));
    const pins = mkdtempSync('/sys/fs/bpf/tsbpf-externs-');
    try {
      execFileSync('bpftool', ['prog', 'loadall', externs, pins], { stdio: 'pipe' });
      using coll = loadCollection(spec);
      const ours = progGetInfo(coll.programs.get('core_externs')!, { xlatedInsns: true }).xlatedInsns!;
      using pinned = objGet(join(pins, 'core_externs'));
      const theirs = progGetInfo(pinned, { xlatedInsns: true }).xlatedInsns!;
      expect(slots(ours)).toEqual(slots(theirs));

      const kconfig = mapLookup(coll.maps.get('.kconfig')!, new Uint8Array(4))!;
      const view = new DataView(kconfig.buffer, kconfig.byteOffset);
      const values = new Map<string, number>();
      for (const name of ['LINUX_KERNEL_VERSION', 'CONFIG_HZ', 'CONFIG_BPF_SYSCALL']) {
        const insn = spec.functions[0]!.references.find((r) => r.ref.kind === 'extern' && r.ref.name === name);
        expect(insn, name).toBeDefined();
      }
      // the layout is the object's .kconfig DATASEC order, 8-byte aligned: version, HZ, BPF_SYSCALL
      const sec = spec.btf!.types.find((t) => t.kind === 'datasec' && t.name === '.kconfig');
      let at = 0;
      for (const v of sec && sec.kind === 'datasec' ? sec.vars : []) {
        const name = spec.btf!.typeName(v.type);
        at = Math.ceil(at / 8) * 8;
        values.set(name, v.size === 1 ? view.getUint8(at) : view.getUint32(at, true));
        at += v.size;
      }
      expect(values.get('LINUX_KERNEL_VERSION')).toBe(linuxKernelVersion());
      expect(values.get('CONFIG_HZ')).toBe(Number(kernelConfig().get('CONFIG_HZ')));
      expect(values.get('CONFIG_BPF_SYSCALL')).toBe(1);

      expect(() => loadCollection(spec, { kconfig: { CONFIG_HZ: 1000 } }).close()).not.toThrow();
      const renamed = {
        ...spec,
        functions: spec.functions.map((f) => ({
          ...f,
          references: f.references.map((r) => (r.ref.kind === 'extern' && r.ref.name === 'CONFIG_HZ' ? { ...r, ref: { ...r.ref, name: 'CONFIG_TSBPF_NO_SUCH' } } : r)),
        })),
      };
      expect(() => loadCollection(renamed)).toThrow(/extern CONFIG_TSBPF_NO_SUCH \(__kconfig\): the running kernel does not define it/);
    } finally {
      rmSync(pins, { recursive: true, force: true });
    }
    fds.assertAllClosed();
  });

  it('tp_btf and fentry programs get their attach_btf_id from the kernel BTF; a missing target is not loadable', () => {
    using fds = trackFds();
    const spec = readObject(readFileSync(join(repoRoot, 'test/loader/fixtures/tracing.o')));
    const k = vmlinuxBtf();
    {
      using coll = loadCollection(spec, { programs: ['on_switch'] });
      expect(coll.info.get('on_switch')!.attachBtfId).toBe(k.find('btf_trace_sched_switch', 'typedef')[0]);
      expect(progGetInfo(coll.programs.get('on_switch')!).attachBtfId).toBe(k.find('btf_trace_sched_switch', 'typedef')[0]);
    }
    // fentry needs trampolines; some kernels (this project's reference VM included) refuse it with EPERM,
    // which libbpf reports too: either way it is never a verifier rejection
    try {
      loadCollection(spec, { programs: ['on_connect'] }).close();
    } catch (e) {
      expect(e).toBeInstanceOf(ProgramLoadError);
      expect((e as ProgramLoadError).verdict).toBe('not-loadable');
    }
    expect(() => loadCollection(spec, { programs: ['on_nothing'] })).toThrow(
      /load program on_nothing \(section fentry\/tsbpf_no_such_function\): missing attach target: the kernel's BTF has no func tsbpf_no_such_function/,
    );
    fds.assertAllClosed();
  });
});
