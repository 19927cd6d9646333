// How an assertion fails: `Reject` carries the kernel's log lines for the error, `Unsupported` names a
// feature not modelled (the verdict is then 'unsupported', never a guess).
export class Reject extends Error {
  readonly lines: readonly string[];
  constructor(...lines: string[]) {
    super(lines.join('\n'));
    this.name = 'Reject';
    this.lines = lines;
  }
}

export class Unsupported extends Error {
  readonly feature: string;
  constructor(feature: string) {
    super(`not modelled: ${feature}`);
    this.name = 'Unsupported';
    this.feature = feature;
  }
}
