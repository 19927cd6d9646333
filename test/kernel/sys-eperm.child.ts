// Run by sys.test.ts under `setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all`:
// tries bpf(2) without capabilities and prints what the errors say, as JSON.
import { mapCreate, probeBpf, progLoad } from '../../loader/sys/index.ts';

function attempt(f: () => { close(): void }): unknown {
  try {
    f().close();
    return 'succeeded';
  } catch (e) {
    const err = e as Error & { code?: string };
    return { name: err.name, code: err.code, message: err.message };
  }
}

const PASS = Uint8Array.of(0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0);
const result = {
  map: attempt(() => mapCreate({ type: 2, keySize: 4, valueSize: 4, maxEntries: 1, name: 'counters' })),
  prog: attempt(() => progLoad({ type: 6, insns: PASS, license: 'GPL', name: 'xdp_pass' }).fd),
  probe: probeBpf(),
};
console.log(JSON.stringify(result));
