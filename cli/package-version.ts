// tsbpf's own version (tsbpf_build_info), read from its package.json: searched upwards from this module, since
// the module runs from the sources (cli/) and from the CLI bundle (dist/), which sit at different depths.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'tsbpf';

export function packageVersion(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(`cannot find ${PACKAGE_NAME}'s package.json above ${from}`);
}
