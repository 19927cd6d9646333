import { describe, expect, it } from 'vitest';
import { assemble } from '../../../bpf/asm/index.ts';
import { linkProgram } from '../../../bpf/index.ts';
import { prepareProgram } from '../../../verifier/explore/index.ts';
import { computeLiveRegs, useDef } from '../../../verifier/explore/liveness.ts';
import { asmSpec } from '../cases.ts';

function liveOf(asm: string): number[][] {
  const spec = asmSpec({ name: 'live', progType: 'xdp', asm, verdict: 'accept' });
  const program = prepareProgram(spec, linkProgram(spec, 'prog'));
  const live = computeLiveRegs(program);
  return [...live].map((m) => [...Array(11).keys()].filter((r) => (m & (1 << r)) !== 0));
}

describe('computeLiveRegs()', () => {
  it('computeLiveRegs() keeps a register live from its definition to its last read only', () => {
    expect(liveOf('r1 = 1\nr2 = 2\nr0 = r1\nexit')).toEqual([[], [1], [1], [0]]);
  });

  it('computeLiveRegs() joins both sides of a branch', () => {
    // r3 is read only on the taken side, r4 only on the fall-through side: both are live at the branch
    expect(liveOf('r3 = 1\nr4 = 2\nif r1 == 0 goto +2\nr0 = r4\nexit\nr0 = r3\nexit')[2]).toEqual([1, 3, 4]);
  });

  it('computeLiveRegs() follows a loop back to its head', () => {
    const live = liveOf('r1 = 0\nr2 = 5\nr1 += 1\nif r1 < r2 goto -2\nr0 = 0\nexit');
    expect(live[2]).toEqual([1, 2]);
    expect(live[3]).toEqual([1, 2]);
  });

  it('useDef() counts a helper call as reading only the arguments of its prototype', () => {
    const [call] = assemble('call 7'); // bpf_get_prandom_u32(void)
    const [use, def] = useDef(call!);
    expect(use).toBe(0);
    expect(def).toBe(0b111111);
    const [lookup] = assemble('call 1'); // bpf_map_lookup_elem(map, key)
    expect(useDef(lookup!)[0]).toBe(0b110);
  });
});
