// The data files beside a policy (inventory, vectors): YAML, or JSON by extension; a syntax error names the file.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export function readDataFile(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new SyntaxError(`${file}: ${(e as Error).message}`, { cause: e });
  }
}
