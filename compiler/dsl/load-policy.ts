// Runs a policy file: esbuild bundles it (with the user's helper modules) into CommonJS with a source map,
// the bundle is evaluated under a file name registered with source-position.ts, and every exported policy
// (default or named, or arrays of them) is collected. `import ... from 'tsbpf'` (or 'tsbpf/dsl') resolves to
// the builders of this very process, so positions and policies are recorded by one copy of the DSL.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { runInThisContext } from 'node:vm';
import { build, type Plugin } from 'esbuild';
import * as builders from './builders.ts';
import { PolicyError } from './policy-error.ts';
import { registerBundle, unregisterBundle } from './source-position.ts';
import type { Policy } from './types.ts';
import { isService, service, type Service } from '../services/service-model.ts';

const DSL_KEY = Symbol.for('tsbpf.dsl');

const dslPlugin: Plugin = {
  name: 'tsbpf-dsl',
  setup(b) {
    b.onResolve({ filter: /^tsbpf(\/dsl)?$/ }, () => ({ path: 'tsbpf', namespace: 'tsbpf-dsl' }));
    b.onLoad({ filter: /.*/, namespace: 'tsbpf-dsl' }, () => ({
      contents: `module.exports = globalThis[Symbol.for('tsbpf.dsl')];`,
      loader: 'js',
    }));
  },
};

export interface LoadedPolicies {
  readonly file: string;
  readonly policies: readonly Policy[];
  /** the services it exports (`service({...})`, beside or instead of policies) */
  readonly services?: readonly Service[];
  /** every source file of the bundle (the policy and its helper modules) */
  readonly sources: readonly string[];
}

let bundleCount = 0;

function isPolicy(v: unknown): v is Policy {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'tsbpf.policy';
}

/** Executes policy file `file` and returns the policies it exports. Throws PolicyError or SyntaxError naming file:line. */
export async function loadPolicyFile(file: string): Promise<LoadedPolicies> {
  // Kubernetes / Cilium manifests (imported lazily: compiler/k8s builds on this folder)
  if (/\.ya?ml$/i.test(file)) return (await import('../k8s/index.ts')).readPolicyYaml(file);
  const path = resolve(file);
  const outfile = `${path}.bundle-${process.pid}-${++bundleCount}.cjs`;
  let result;
  try {
    result = await build({
      entryPoints: [path],
      bundle: true,
      write: false,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      sourcemap: 'external',
      sourcesContent: false,
      outfile,
      plugins: [dslPlugin],
      logLevel: 'silent',
    });
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors ?? [];
    const first = errors[0];
    if (first === undefined) throw e;
    const where = first.location ? `${resolve(first.location.file)}:${first.location.line}:${first.location.column + 1}: ` : `${path}: `;
    throw new SyntaxError(`${where}${first.text}`, { cause: e });
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text;
  const mapText = result.outputFiles.find((f) => f.path.endsWith('.map'))?.text;
  if (code === undefined || mapText === undefined) throw new Error(`${path}: esbuild produced no bundle`);
  const map = JSON.parse(mapText) as { sources: string[] };
  const base = dirname(outfile);
  const sources = map.sources.filter((s) => !s.startsWith('tsbpf-dsl:')).map((s) => resolve(base, s));
  registerBundle(outfile, map, (s) => resolve(base, s));
  (globalThis as Record<symbol, unknown>)[DSL_KEY] = { ...builders, service };
  const module = { exports: {} as Record<string, unknown> };
  try {
    // the wrapper shares the bundle's first line so that line numbers stay those of the source map
    const fn = runInThisContext(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, { filename: outfile }) as (
      ...args: unknown[]
    ) => void;
    fn(module.exports, createRequire(path), module, path, dirname(path));
  } catch (e) {
    if (e instanceof PolicyError || e instanceof SyntaxError) throw e;
    throw new PolicyError(`${path}: running the policy file failed: ${(e as Error).message}`, undefined, { cause: e });
  } finally {
    unregisterBundle(outfile);
  }
  const found: Policy[] = [];
  const services: Service[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (isPolicy(v) && !found.includes(v)) found.push(v);
    else if (isService(v) && !services.includes(v)) services.push(v);
  };
  const exported = module.exports;
  visit(exported['default']);
  for (const [k, v] of Object.entries(exported)) if (k !== 'default') visit(v);
  if (found.length === 0 && services.length === 0) throw new PolicyError(`${path}: exports no policy (export default policy({...})) and no service`, undefined);
  return { file: path, policies: found, sources, ...(services.length > 0 ? { services } : {}) };
}
