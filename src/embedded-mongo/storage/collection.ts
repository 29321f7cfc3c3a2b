/**
 * A collection's committed documents and their indexes. Stored documents are never mutated:
 * a write replaces the record, so readers and snapshots can hold references safely.
 * Every method either applies its change completely or throws before changing anything.
 */
import { UUID } from 'bson';
import { MongoCommandError } from '../errors';
import { viewOf } from '../query/matcher';
import { keyString, type Doc } from '../values';
import { Index, normalizeSpec, sameBehaviour, sameKeys, type IndexKeys, type IndexSpec } from './index-def';

export interface Rec {
  doc: Doc;
  view: Doc;
  /** Engine clock value of the write that produced this version. */
  ver: number;
}

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

export class Collection {
  readonly docs = new Map<string, Rec>();
  readonly indexes = new Map<string, Index>();

  /** `db.collection`, used on every write (locks, errors, journal). */
  readonly ns: string;

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Doc = {},
    readonly uuid: UUID = new UUID(),
  ) {
    this.ns = `${db}.${name}`;
    this.indexes.set('_id_', new Index(ID_INDEX_SPEC));
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
      const dup = c.ix.findDuplicate(c.after, id);
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
      const dup = ix.findDuplicate(keys, id);
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
