// A cursor over one node of a parsed YAML manifest that knows its path (`spec.ingress[0].from[1]`), its
// line in the file and the document it belongs to, so every error names the file:line, the document and the
// field. Mappings are read through `fields(allowed)`, which rejects any key the importer does not handle:
// a field we cannot enforce must never be dropped silently.
import { isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import { PolicyError, type SourcePosition } from '../dsl/index.ts';

/** The document a node belongs to: its file, its 1-based index in the stream and a label for messages. */
export interface ManifestDocument {
  readonly file: string;
  readonly index: number;
  readonly lineCounter: LineCounter;
  /** `document 2 (NetworkPolicy prod/web)`, refined once kind and name are known */
  label: string;
}

export class ManifestNode {
  readonly doc: ManifestDocument;
  readonly node: Node | null;
  readonly path: string;
  /** the position of the key (or the closest parent) when the node itself has no range */
  readonly #fallback: SourcePosition | undefined;

  constructor(doc: ManifestDocument, node: Node | null, path: string, fallback?: SourcePosition) {
    this.doc = doc;
    this.node = node;
    this.path = path;
    this.#fallback = fallback;
  }

  get at(): SourcePosition {
    const offset = this.node?.range?.[0];
    if (offset === undefined) return this.#fallback ?? { file: this.doc.file, line: 1, column: 1 };
    const { line, col } = this.doc.lineCounter.linePos(offset);
    return { file: this.doc.file, line, column: col };
  }

  /** A PolicyError naming the document and this field. */
  error(message: string): PolicyError {
    return new PolicyError(`${this.doc.label}: ${this.path === '' ? '' : `${this.path}: `}${message}`, this.at);
  }

  /** The plain value (null for `~`, empty values and missing nodes). */
  get value(): unknown {
    if (this.node === null) return null;
    if (isScalar(this.node)) return this.node.value;
    return this.node.toJSON();
  }

  get isNull(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null);
  }

  /** The keys of a mapping; a key outside `allowed` is an error (`unsupported` ones say "not supported yet"). */
  fields(allowed: readonly string[], unsupported: Readonly<Record<string, string>> = {}): Map<string, ManifestNode> {
    const out = new Map<string, ManifestNode>();
    if (this.isNull) return out;
    if (!isMap(this.node)) throw this.error('expected a mapping');
    for (const pair of this.node.items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const keyOffset = keyNode?.range?.[0];
      const keyAt = keyOffset !== undefined ? this.#position(keyOffset) : this.at;
      const child = new ManifestNode(this.doc, (pair.value as Node | null) ?? null, this.path === '' ? key : `${this.path}.${key}`, keyAt);
      if (Object.hasOwn(unsupported, key)) throw child.error(`${unsupported[key]} (not supported yet)`);
      if (!allowed.includes(key)) throw child.error(`unknown or unsupported field ${key} (supported here: ${allowed.join(', ')})`);
      out.set(key, child);
    }
    return out;
  }

  /** Every key of a free-form mapping (labels), in order. */
  entries(): Map<string, ManifestNode> {
    if (this.isNull) return new Map();
    if (!isMap(this.node)) throw this.error('expected a mapping');
    return this.fields(this.node.items.map((pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key))));
  }

  /** The items of a sequence (empty for null). */
  items(): ManifestNode[] {
    if (this.isNull) return [];
    if (!isSeq(this.node)) throw this.error('expected a list');
    return this.node.items.map((n, i) => new ManifestNode(this.doc, (n as Node | null) ?? null, `${this.path}[${i}]`, this.at));
  }

  string(): string {
    const v = this.value;
    if (typeof v !== 'string') throw this.error(`expected a string, not ${JSON.stringify(v)}`);
    return v;
  }

  /** A string, or a number or boolean written without quotes (label values such as `tier: 1`). */
  text(): string {
    const v = this.value;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw this.error(`expected a string, not ${JSON.stringify(v)}`);
  }

  integer(): number {
    const v = this.value;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw this.error(`expected an integer, not ${JSON.stringify(v)}`);
    return v;
  }

  boolean(): boolean {
    const v = this.value;
    if (typeof v !== 'boolean') throw this.error(`expected true or false, not ${JSON.stringify(v)}`);
    return v;
  }

  #position(offset: number): SourcePosition {
    const { line, col } = this.doc.lineCounter.linePos(offset);
    return { file: this.doc.file, line, column: col };
  }
}
