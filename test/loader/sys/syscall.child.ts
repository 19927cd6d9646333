// Run by syscall.test.ts in a fresh process: `npx tsx syscall.child.ts <scenario>`; prints JSON.
import { createRequire } from 'node:module';
import { openSync, fstatSync } from 'node:fs';

const scenario = process.argv[2];
const koffiLoaded = (): boolean =>
  Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes(`${'/'}koffi${'/'}`));

if (scenario === 'lazy') {
  const sys = await import('../../../loader/sys/index.ts');
  const afterImport = koffiLoaded();
  const binding = sys.bindingAvailable();
  console.log(JSON.stringify({ afterImport, afterUse: koffiLoaded(), binding }));
} else if (scenario === 'darwin') {
  Object.defineProperty(process, 'platform', { value: 'darwin' });
  const sys = await import('../../../loader/sys/index.ts');
  let error: { name: string; message: string } | undefined;
  try {
    sys.mapCreate({ type: 2, keySize: 4, valueSize: 4, maxEntries: 1 });
  } catch (e) {
    error = { name: (e as Error).name, message: (e as Error).message };
  }
  console.log(JSON.stringify({ error, probe: sys.probeBpf(), koffi: koffiLoaded() }));
} else if (scenario === 'gc') {
  // An Fd dropped without close() is closed when collected, with a warning naming it.
  const sys = await import('../../../loader/sys/index.ts');
  const warnings: string[] = [];
  process.on('warning', (w) => warnings.push(`${(w as Error & { code?: string }).code}: ${w.message}`));
  const n = openSync('/dev/null', 'r');
  (() => {
    new sys.Fd(n, 'map forgotten');
  })();
  for (let i = 0; i < 20 && warnings.length === 0; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 10));
  }
  let open = true;
  try {
    fstatSync(n);
  } catch {
    open = false;
  }
  console.log(JSON.stringify({ warnings, open }));
}
