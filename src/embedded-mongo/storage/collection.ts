/**
 * A collection's committed documents and their indexes. Stored documents are never mutated:
 * a write replaces the record, so readers and snapshots can hold references safely.
 * Every method either applies its change completely or throws before changing anything.
 */
import { UUID } from 'bson';
import { MongoCommandError } from '../errors';
import { viewOf } from '../query/matcher';
import { isPlainObject, keyString, toNumber, type Doc } from '../values';
import { catalogError } from './codes';
import { Index, normalizeSpec, sameBehaviour, sameKeys, type IndexKeys, type IndexSpec } from './index-def';
import { parseValidation, type Enforcement } from './validator';

export interface Rec {
  doc: Doc;
  view: Doc;
  /** Engine clock value of the write that produced this version. */
  ver: number;
}

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/** A view's definition: the pipeline run over `viewOn` (a collection or another view). */
export interface ViewDef {
  viewOn: string;
  pipeline: Doc[];
}

/** Where a time-series bucket document (in `system.buckets.<name>`) keeps its measurement. */
export const MEASUREMENT = 'm';

export function bucketsName(name: string): string {
  return `system.buckets.${name}`;
}

/** The _id index of a collection created with `clusteredIndex`, as listIndexes shows it. */
export function clusteredIndexSpec(options: Doc): IndexSpec | undefined {
  const c = options.clusteredIndex;
  if (!isPlainObject(c)) return undefined;
  return { v: 2, key: { _id: 1 }, name: typeof c.name === 'string' ? c.name : '_id_', unique: true, clustered: true };
}

export class Collection {
  readonly docs = new Map<string, Rec>();
  /** By name; the _id index is always under `_id_`, whatever a clustered collection calls it. */
  readonly indexes = new Map<string, Index>();

  /** `db.collection`, used on every write (locks, errors, journal). */
  readonly ns: string;
  /** Set for a view: reads run its pipeline and writes are refused. */
  view: ViewDef | undefined;
  /** Set when a validator can refuse writes (null otherwise: the write path checks nothing else). */
  validation: Enforcement | null = null;
  private opts: Doc = {};

  constructor(
    readonly db: string,
    readonly name: string,
    options: Doc = {},
    readonly uuid: UUID = new UUID(),
  ) {
    this.ns = `${db}.${name}`;
    this.options = options;
  }

  get timeseries(): boolean {
    return this.view !== undefined && isPlainObject(this.opts.timeseries);
  }

  /** The options the collection was created with (and collMod changed), as listCollections shows them. */
  get options(): Doc {
    return this.opts;
  }

  set options(options: Doc) {
    // A time-series collection reads as a view of its buckets.
    const view =
      typeof options.viewOn === 'string'
        ? { viewOn: options.viewOn, pipeline: (options.pipeline as Doc[]) ?? [] }
        : isPlainObject(options.timeseries)
          ? { viewOn: bucketsName(this.name), pipeline: [{ $replaceRoot: { newRoot: `$${MEASUREMENT}` } }] }
          : undefined;
    const validation = parseValidation(options);
    this.opts = options;
    this.view = view;
    this.validation = validation;
    const clustered = clusteredIndexSpec(options);
    const ttl = clustered && options.expireAfterSeconds !== undefined ? toNumber(options.expireAfterSeconds) : undefined;
    const id = this.indexes.get('_id_');
    if (!id) this.indexes.set('_id_', new Index(clustered ?? ID_INDEX_SPEC, ttl));
    else if (id.ttl !== ttl) this.rebuild('_id_', new Index(id.spec, ttl));
  }

  private rebuild(mapKey: string, ix: Index): void {
    for (const [id, rec] of this.docs) ix.add(id, rec.doc, ix.keysFor(rec.doc, rec.view));
    this.indexes.set(mapKey, ix);
  }

  /** The spec of the index with this name (a clustered collection's _id index by its own name). */
  indexNamed(name: string): Index | undefined {
    const ix = this.indexes.get(name);
    if (ix) return name !== '_id_' || this.idIndex.name === '_id_' ? ix : undefined;
    return this.idIndex.name === name ? this.idIndex : undefined;
  }

  /**
   * Gives an index a new spec (collMod: TTL, hidden, prepareUnique, unique) and rebuilds it, or
   * with `apply` false only checks it. Turning it unique fails, changing nothing, while
   * documents share a key: MongoDB's CannotConvertIndexToUnique, listing them.
   */
  respecIndex(name: string, spec: IndexSpec, apply = true): void {
    const mapKey = this.indexes.get(name) ? name : '_id_';
    const ix = new Index(spec, mapKey === '_id_' ? this.idIndex.ttl : undefined);
    const groups = new Map<string, unknown[]>();
    for (const [id, rec] of this.docs) {
      const keys = ix.keysFor(rec.doc, rec.view);
      if (ix.unique && keys) {
        for (const t of keys.tuples) {
          const k = keyString(t);
          const ids = groups.get(k);
          if (ids) ids.push(rec.doc._id);
          else groups.set(k, [rec.doc._id]);
        }
      }
      ix.add(id, rec.doc, keys);
    }
    const violations = [...groups.values()].filter((ids) => ids.length > 1).map((ids) => ({ ids }));
    if (violations.length > 0) {
      throw catalogError(
        'CannotConvertIndexToUnique',
        'Cannot convert the index to unique. Please resolve conflicting documents before running collMod again.',
        { violations },
      );
    }
    if (apply) this.indexes.set(mapKey, ix);
  }

  get idIndex(): Index {
    return this.indexes.get('_id_')!;
  }

  /** Index keys for a document, per index; throws for parallel arrays. */
  keysOf(doc: Doc, view?: Doc): Map<Index, IndexKeys | null> {
    const out = new Map<Index, IndexKeys | null>();
    for (const ix of this.indexes.values()) out.set(ix, ix.keysFor(doc, view));
    return out;
  }

  /** Throws the duplicate key error a write of `doc` under id `selfId` would cause. */
  checkUnique(keys: Map<Index, IndexKeys | null>, selfId: string): void {
    for (const [ix, k] of keys) {
      const dup = ix.findDuplicate(k, selfId);
      if (dup) throw ix.duplicateError(this.ns, dup);
    }
  }

  insert(doc: Doc, ver: number): Rec {
    const id = keyString(doc._id);
    const view = viewOf(doc);
    const keys = this.keysOf(doc, view);
    if (this.docs.has(id)) throw this.idIndex.duplicateError(this.ns, [doc._id]);
    this.checkUnique(keys, id);
    const rec: Rec = { doc, view, ver };
    this.docs.set(id, rec);
    for (const [ix, k] of keys) ix.add(id, doc, k);
    return rec;
  }

  /**
   * Replaces the document with id `id` by `doc` (same _id). Only the indexes whose keys change
   * are touched: an update of unindexed fields costs no index work.
   */
  replace(id: string, doc: Doc, ver: number): Rec {
    const old = this.docs.get(id);
    if (!old) throw new MongoCommandError('InternalError', `no document ${id} in ${this.ns}`);
    const view = viewOf(doc);
    const changed: { ix: Index; before: IndexKeys | null; after: IndexKeys | null }[] = [];
    for (const ix of this.indexes.values()) {
      const before = ix.keysFor(old.doc, old.view);
      const after = ix.keysFor(doc, view);
      // A text index's keys do not show its words: it is always rebuilt for the document.
      if (!ix.text && sameKeys(before, after)) continue;
      changed.push({ ix, before, after });
    }
    for (const c of changed) {
      const dup = c.ix.findDuplicate(c.after, id, c.before);
      if (dup) throw c.ix.duplicateError(this.ns, dup);
    }
    for (const c of changed) c.ix.removeKeys(id, c.before);
    const rec: Rec = { doc, view, ver };
    this.docs.set(id, rec);
    for (const c of changed) c.ix.add(id, doc, c.after);
    return rec;
  }

  remove(id: string): Rec | undefined {
    const old = this.docs.get(id);
    if (!old) return undefined;
    for (const ix of this.indexes.values()) ix.remove(id, old.doc);
    this.docs.delete(id);
    return old;
  }

  /**
   * Adds an index built over the existing documents. Returns null when an identical index
   * already exists; throws on conflicting definitions or (unique) existing duplicates.
   */
  createIndex(raw: Doc): Index | null {
    // A clustered collection's _id index comes back from a snapshot with the others: it exists.
    if (raw.clustered === true && keyString(raw.key) === keyString(this.idIndex.spec.key) && this.idIndex.spec.clustered) return null;
    const spec = normalizeSpec(raw);
    const byName = this.indexes.get(spec.name);
    if (byName) {
      if (sameBehaviour(byName.spec, spec)) return null;
      if (keyString(byName.spec.key) === keyString(spec.key)) {
        throw new MongoCommandError(
          'IndexOptionsConflict',
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName.spec)}`,
        );
      }
      throw new MongoCommandError(
        'IndexKeySpecsConflict',
        `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName.spec)}`,
      );
    }
    for (const ix of this.indexes.values()) {
      if (keyString(ix.spec.key) === keyString(spec.key) && !spec.partialFilterExpression && !ix.spec.partialFilterExpression) {
        if (sameBehaviour(ix.spec, spec)) {
          throw new MongoCommandError('IndexOptionsConflict', `Index already exists with a different name: ${ix.name}`);
        }
        throw new MongoCommandError(
          'IndexOptionsConflict',
          `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(ix.spec)}`,
        );
      }
      if (ix.text && spec.weights) {
        throw new MongoCommandError(
          'CannotCreateIndex',
          `only one text index per collection allowed, found existing text index "${ix.name}"`,
        );
      }
    }
    const ix = new Index(spec);
    for (const [id, rec] of this.docs) {
      const keys = ix.keysFor(rec.doc);
      // A prepareUnique index is built over whatever duplicates there are: it refuses only new ones.
      const dup = ix.unique ? ix.findDuplicate(keys, id) : undefined;
      if (dup) {
        ix.clear();
        throw ix.duplicateError(this.ns, dup);
      }
      ix.add(id, rec.doc, keys);
    }
    this.indexes.set(spec.name, ix);
    return ix;
  }

  dropIndex(name: string): void {
    if (name === '_id_') throw new MongoCommandError('InvalidOptions', 'cannot drop _id index');
    if (!this.indexes.delete(name)) {
      throw new MongoCommandError('IndexNotFound', `index not found with name [${name}]`);
    }
  }

  indexSpecs(): IndexSpec[] {
    return [...this.indexes.values()].map((ix) => ix.spec);
  }

  textIndex(): Index | undefined {
    for (const ix of this.indexes.values()) if (ix.text) return ix;
    return undefined;
  }
}
