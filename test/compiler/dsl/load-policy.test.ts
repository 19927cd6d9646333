// Policy files run through esbuild; builders record the user's file and line, also in helper modules.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel, loadPolicyFile, parseInventory, PolicyError } from '../../../compiler/dsl/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'tsbpf-dsl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function errorOf(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('loadPolicyFile()', () => {
  it('runs the file with its helper modules and records where each builder was called', async () => {
    file('helpers.ts', "import { cidr } from 'tsbpf';\nexport const office = () =>\n  cidr('192.168.0.0/16');\n");
    const path = file(
      'ok.ts',
      [
        "import { policy, cidr } from 'tsbpf';",
        "import { office } from './helpers.ts';",
        'const ports = [80, 443].map((port) => ({ port }));',
        'export default policy({',
        "  name: 'web', host: true,",
        "  ingress: [{ from: [office(), cidr('10.0.0.0/8')], ports }],",
        '});',
      ].join('\n'),
    );
    const { policies, sources } = await loadPolicyFile(path);
    expect(sources).toEqual([path, join(dir, 'helpers.ts')]);
    const [p] = policies;
    expect(p!.at).toMatchObject({ file: path, line: 4 });
    const peers = p!.rules[0]!.peers!;
    expect(peers[0]!.at).toMatchObject({ file: join(dir, 'helpers.ts'), line: 3 });
    expect(peers[1]!.at).toMatchObject({ file: path, line: 6 });
    expect(p!.rules[0]!.ports.map((x) => x.port)).toEqual([80, 443]);
  });

  it('names the file and line of an invalid CIDR, an except outside its CIDR and endPort < port', async () => {
    const bad = (name: string, rule: string) =>
      file(name, `import { policy, cidr } from 'tsbpf';\n\nexport default policy({ name: 'p', host: true,\n  ingress: [${rule}] });\n`);
    const e1 = await errorOf(loadPolicyFile(bad('cidr.ts', "{ from: [cidr('10.0.0.1/8')] }")));
    expect(e1).toBeInstanceOf(PolicyError);
    expect(e1.message).toBe(`${join(dir, 'cidr.ts')}:4: invalid CIDR "10.0.0.1/8": host bits are set (did you mean 10.0.0.0/8?)`);
    const e2 = await errorOf(loadPolicyFile(bad('except.ts', "{ from: [cidr('10.0.0.0/8', { except: ['11.0.0.0/16'] })] }")));
    expect(e2.message).toBe(`${join(dir, 'except.ts')}:4: except 11.0.0.0/16 lies outside 10.0.0.0/8`);
    const e3 = await errorOf(loadPolicyFile(bad('range.ts', "{ from: [cidr('10.0.0.0/8')], ports: [{ port: 90, endPort: 80 }] }")));
    expect(e3.message).toBe(`${join(dir, 'range.ts')}:4: rule p/ingress[0]: endPort 80 < port 90`);
  });

  it('reports a syntax error at its line and a file without policies', async () => {
    const e1 = await errorOf(loadPolicyFile(file('syntax.ts', "import { policy } from 'tsbpf';\nexport default policy({ name: 'x' \n")));
    expect(e1).toBeInstanceOf(SyntaxError);
    expect(e1.message).toMatch(new RegExp(`^${join(dir, 'syntax.ts')}:3:`));
    const e2 = await errorOf(loadPolicyFile(file('none.ts', 'export const x = 1;\n')));
    expect(e2.message).toMatch(/exports no policy/);
  });

  it('names the rule line for an unknown named port and warns about selectors that match nothing', async () => {
    const path = file(
      'named.ts',
      [
        "import { policy, endpoints } from 'tsbpf';",
        'export default policy({',
        "  name: 'n', selector: { matchLabels: { app: 'web' } },",
        "  ingress: [{ from: [endpoints({ matchLabels: { app: 'nobody' } })],",
        "    ports: [{ port: 'htpp' }] }],",
        '});',
      ].join('\n'),
    );
    const { policies } = await loadPolicyFile(path);
    const inventory = parseInventory({ endpoints: [{ ip: '10.0.0.1', labels: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] }] });
    expect(() => buildModel(policies, inventory)).toThrow(`${path}:4: rule n/ingress[0]: unknown named port "htpp" (no endpoint of the inventory has it)`);
    const ok = parseInventory({ endpoints: [{ ip: '10.0.0.1', labels: { app: 'other' }, ports: [{ name: 'htpp', port: 8080 }] }] });
    const model = buildModel(policies, ok);
    expect(model.warnings.map((w) => `${w.at?.line}: ${w.message}`)).toEqual([
      '2: policy n: its selector matches no endpoint of the inventory',
      '4: policy n: endpoints({"matchLabels":{"app":"nobody"}}) matches no endpoint of the inventory',
    ]);
  });
});
