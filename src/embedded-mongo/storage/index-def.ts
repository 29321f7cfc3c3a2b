/**
 * One index of a collection: its spec as MongoDB lists it, the ordered entries
 * (key tuple + document id) and the rules for unique, sparse, partial and multikey indexes.
 */
import { MongoCommandError } from '../errors';
import { compileFilter, viewOf, type CompiledFilter } from '../query/matcher';
import { compareValues, isPlainObject, keyString, toNumber, valuesAtPath, type Doc } from '../values';
import { SortedList } from './sorted-list';
import { TextIndex, type Weights } from './text-index';

export interface IndexSpec {
  v: number;
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
  weights?: Weights;
  default_language?: string;
  language_override?: string;
  textIndexVersion?: number;
  [option: string]: unknown;
}

export interface Entry {
  k: unknown[];
  id: string;
}

/** The key tuples one document contributes to an index. */
export interface IndexKeys {
  tuples: unknown[][];
  multikey: boolean;
}

export interface IndexField {
  path: string;
  dir: 1 | -1;
}

/** Options that define an index's behaviour (compared when the same name is created twice). */
const BEHAVIOUR_OPTIONS = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'collation'];

export function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${typeof v === 'string' ? v : String(toNumber(v))}`)
    .join('_');
}

/** Validates a createIndexes spec and returns it in the form listIndexes gives back. */
export function normalizeSpec(raw: Doc): IndexSpec {
  const key = raw.key;
  if (!isPlainObject(key) || Object.keys(key).length === 0) {
    throw new MongoCommandError('CannotCreateIndex', 'Index keys cannot be an empty field.');
  }
  const name = raw.name ?? defaultIndexName(key);
  if (typeof name !== 'string' || name.length === 0) {
    throw new MongoCommandError('CannotCreateIndex', 'The index name cannot be empty');
  }
  const isText = Object.values(key).some((v) => v === 'text');
  const spec: IndexSpec = { v: 2, key: {}, name };
  if (isText) {
    const weights: Weights = {};
    const given = isPlainObject(raw.weights) ? raw.weights : {};
    for (const [k, v] of Object.entries(key)) {
      if (v === 'text') weights[k] = 1;
      else if (k !== '_fts' && k !== '_ftsx') spec.key[k] = v;
    }
    if ('_fts' in key && Object.keys(weights).length === 0) Object.assign(weights, given);
    for (const [k, v] of Object.entries(given)) weights[k] = toNumber(v);
    spec.key = { _fts: 'text', _ftsx: 1, ...spec.key };
    spec.weights = weights;
    spec.default_language = typeof raw.default_language === 'string' ? raw.default_language : 'english';
    spec.language_override = typeof raw.language_override === 'string' ? raw.language_override : 'language';
    spec.textIndexVersion = 3;
  } else {
    for (const [k, v] of Object.entries(key)) {
      if (typeof v === 'string') {
        if (!['hashed', '2dsphere', '2d'].includes(v)) {
          throw new MongoCommandError('CannotCreateIndex', `Unknown index plugin '${v}'`);
        }
        spec.key[k] = v;
      } else {
        const n = toNumber(v);
        if (!Number.isFinite(n) || n === 0) {
          throw new MongoCommandError('CannotCreateIndex', `Values in the index key pattern can't be 0 or non-numeric: ${k}`);
        }
        spec.key[k] = v;
      }
    }
  }
  for (const [opt, value] of Object.entries(raw)) {
    if (opt === 'key' || opt === 'name' || opt === 'v' || opt === 'ns' || opt === 'background') continue;
    if (isText && ['weights', 'default_language', 'language_override', 'textIndexVersion'].includes(opt)) continue;
    if (opt === 'expireAfterSeconds') {
      const n = toNumber(value);
      if (!Number.isFinite(n) || n < 0) {
        throw new MongoCommandError('CannotCreateIndex', "TTL index 'expireAfterSeconds' option must be a non-negative number");
      }
      spec.expireAfterSeconds = n;
      continue;
    }
    if ((opt === 'unique' || opt === 'sparse' || opt === 'hidden') && !value) continue;
    spec[opt] = value;
  }
  if (name === '_id_' && spec.unique) delete spec.unique;
  return spec;
}

export function sameBehaviour(a: IndexSpec, b: IndexSpec): boolean {
  if (keyString(a.key) !== keyString(b.key)) return false;
  return BEHAVIOUR_OPTIONS.every((o) => keyString(a[o] ?? null) === keyString(b[o] ?? null));
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt === 'ObjectId') return `ObjectId('${(v as { toHexString(): string }).toHexString()}')`;
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  if (isPlainObject(v)) {
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${formatValue(x)}`)
      .join(', ')} }`;
  }
  return String(v);
}

/** Same value for an index: same type and same key (so an entry built from either is identical in order and type). */
function sameKeyValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || typeof a !== 'object' || a === null || b === null) return false;
  return (a as object).constructor === (b as object).constructor && keyString(a) === keyString(b);
}

/** Whether two documents contribute the same entries to an index. */
export function sameKeys(a: IndexKeys | null, b: IndexKeys | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.multikey !== b.multikey || a.tuples.length !== b.tuples.length) return false;
  return a.tuples.every((t, i) => {
    const u = b.tuples[i]!;
    return t.length === u.length && t.every((v, j) => sameKeyValue(v, u[j]));
  });
}

export class Index {
  readonly fields: IndexField[];
  readonly unique: boolean;
  /** A `prepareUnique` index refuses new duplicate keys and keeps the ones it already has. */
  readonly prepareUnique: boolean;
  readonly sparse: boolean;
  readonly ttl: number | undefined;
  readonly text: TextIndex | undefined;
  /** Only ascending/descending keys can answer equality, range and sort. */
  readonly orderable: boolean;
  private readonly partial: CompiledFilter | undefined;
  readonly entries: SortedList<Entry>;
  multikey = false;

  /** `ttl`: expiry for an index whose spec does not show it (a clustered collection's `expireAfterSeconds`). */
  constructor(
    readonly spec: IndexSpec,
    ttl?: number,
  ) {
    this.fields = Object.entries(spec.key)
      .filter(([k]) => k !== '_fts' && k !== '_ftsx')
      .map(([path, dir]) => ({ path, dir: typeof dir === 'string' || toNumber(dir) > 0 ? 1 : -1 }));
    this.unique = spec.unique === true || spec.name === '_id_';
    this.prepareUnique = !this.unique && spec.prepareUnique === true;
    this.sparse = spec.sparse === true;
    this.ttl = ttl ?? spec.expireAfterSeconds;
    this.text = spec.weights ? new TextIndex(spec.weights) : undefined;
    this.orderable = !this.text && Object.values(spec.key).every((d) => typeof d !== 'string');
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : undefined;
    const dirs = this.fields.map((f) => f.dir);
    this.entries = new SortedList<Entry>((a, b) => {
      for (let i = 0; i < dirs.length; i++) {
        const c = compareValues(a.k[i], b.k[i]);
        if (c !== 0) return c * dirs[i]!;
      }
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }

  get name(): string {
    return this.spec.name;
  }

  /** Compares an entry's key with a key prefix (per-field direction applied). */
  compareKey(entryKey: unknown[], prefix: unknown[]): number {
    for (let i = 0; i < prefix.length; i++) {
      const c = compareValues(entryKey[i], prefix[i]);
      if (c !== 0) return c * this.fields[i]!.dir;
    }
    return 0;
  }

  /** The key tuples a document contributes, or null when the index skips it (sparse, partial). */
  keysFor(doc: Doc, view?: Doc): IndexKeys | null {
    if (this.partial && !this.partial.test(view ?? viewOf(doc))) return null;
    if (this.text) return { tuples: [[]], multikey: false };
    const perField: unknown[][] = [];
    const arrayFields: string[] = [];
    let allMissing = true;
    for (const f of this.fields) {
      const { values, isArrayPath } = valuesAtPath(doc, f.path);
      if (isArrayPath) arrayFields.push(f.path);
      if (values.some((v) => v !== undefined)) allMissing = false;
      perField.push(values.map((v) => (v === undefined ? null : v)));
    }
    if (this.sparse && allMissing) return null;
    if (arrayFields.length > 1) {
      throw new MongoCommandError('CannotIndexParallelArrays', `cannot index parallel arrays [${arrayFields[1]}] [${arrayFields[0]}]`);
    }
    let tuples: unknown[][] = [[]];
    for (const values of perField) {
      const next: unknown[][] = [];
      for (const t of tuples) for (const v of values) next.push([...t, v]);
      tuples = next;
    }
    if (arrayFields.length === 0) return { tuples, multikey: false };
    if (tuples.length > 1) {
      const seen = new Set<string>();
      tuples = tuples.filter((t) => {
        const ks = keyString(t);
        if (seen.has(ks)) return false;
        seen.add(ks);
        return true;
      });
    }
    return { tuples, multikey: true };
  }

  add(id: string, doc: Doc, keys: IndexKeys | null = this.keysFor(doc)): void {
    if (keys === null) return;
    if (this.text) {
      this.text.add(id, doc);
      return;
    }
    if (keys.multikey) this.multikey = true;
    for (const k of keys.tuples) this.entries.insert({ k, id });
  }

  remove(id: string, doc: Doc): void {
    this.removeKeys(id, this.text ? null : this.keysFor(doc));
  }

  /** Removes a document's entries, given the keys it contributed (see keysFor). */
  removeKeys(id: string, keys: IndexKeys | null): void {
    if (this.text) {
      this.text.remove(id);
      return;
    }
    if (keys === null) return;
    for (const k of keys.tuples) this.entries.delete({ k, id });
  }

  clear(): void {
    this.entries.clear();
    this.text?.clear();
    this.multikey = false;
  }

  /** Ids of entries whose key equals `key` exactly. */
  *idsWithKey(key: unknown[]): Generator<string> {
    for (const e of this.entries.ascending((x) => this.compareKey(x.k, key))) {
      if (this.compareKey(e.k, key) !== 0) return;
      yield e.id;
    }
  }

  /**
   * The first key of `keys` held by a document other than `selfId`, for unique indexes; for a
   * prepareUnique index only keys the document did not have `before` count.
   */
  findDuplicate(keys: IndexKeys | null, selfId: string, before?: IndexKeys | null): unknown[] | undefined {
    if ((!this.unique && !this.prepareUnique) || keys === null || this.text) return undefined;
    const had = this.prepareUnique && before ? new Set(before.tuples.map(keyString)) : undefined;
    for (const k of keys.tuples) {
      if (had?.has(keyString(k))) continue;
      for (const id of this.idsWithKey(k)) {
        if (id !== selfId) return k;
      }
    }
    return undefined;
  }

  duplicateError(dbColl: string, key: unknown[]): MongoCommandError {
    const keyPattern: Doc = {};
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => {
      keyPattern[f.path] = this.spec.key[f.path];
      keyValue[f.path] = key[i];
    });
    const shown = this.fields.map((f, i) => `${f.path}: ${formatValue(key[i])}`).join(', ');
    return new MongoCommandError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${dbColl} index: ${this.name} dup key: { ${shown} }`,
      { extra: { keyPattern, keyValue } },
    );
  }
}
