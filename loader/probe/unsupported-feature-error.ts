// A kernel feature this kernel lacks, with the first Linux version that has it. Tests skip on it, but fail
// when the running kernel is at least `minVersion` (the claim in the table is then wrong, or the kernel was
// built without the feature: `config` names the option to check).

export class UnsupportedFeatureError extends Error {
  /** `program type xdp`, `map type ringbuf`, `helper bpf_loop for xdp`, `link type tcx` */
  readonly feature: string;
  /** `5.8`: the first mainline release that has it */
  readonly minVersion: string;
  /** the kernel option it also needs, if any (`CONFIG_BPF_LSM`) */
  readonly config: string | undefined;

  constructor(feature: string, minVersion: string, options: { readonly config?: string; readonly cause?: unknown } = {}) {
    const needs = options.config === undefined ? `Linux ${minVersion}` : `Linux ${minVersion} with ${options.config}`;
    super(`${feature}: not supported by this kernel (needs ${needs})`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UnsupportedFeatureError';
    this.feature = feature;
    this.minVersion = minVersion;
    this.config = options.config;
  }
}

/** `6.18.44-fc` → [6, 18, 44]. */
export function parseKernelVersion(release: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (m === null) throw new TypeError(`kernel release ${release}: cannot parse a version`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

/** Whether `release` is at least `version` (`5.8`). */
export function kernelAtLeast(release: string, version: string): boolean {
  const [a, b, c] = parseKernelVersion(release);
  const [x, y, z] = parseKernelVersion(version);
  return a !== x ? a > x : b !== y ? b > y : c >= z;
}
