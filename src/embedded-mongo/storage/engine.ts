/**
 * The committed state of every database: the catalog, committed writes (each journalled as one
 * atomic record before it is acknowledged), recovery from the journal, compaction and the TTL
 * monitor. Transactions live in ../txn.ts and reach committed data only through `commitTxn`.
 */
import { type UUID } from 'bson';
import { LogicalClock, Snapshots } from '../clock';
import { MongoCommandError, writeConflict } from '../errors';
import { TxnManager, docLockKey, type Txn } from '../txn';
import { keyString, typeRank, type Doc } from '../values';
import type { Entry, IndexSpec } from './index-def';
import { Collection, type Rec } from './collection';
import { Journal, type JournalOp, type JournalOptions } from './journal';

/** The ops of one acknowledged write, journalled together. */
export interface WriteUnit {
  ops: JournalOp[];
}

export interface EngineOptions extends JournalOptions {
  dbPath?: string;
}

/** One document change of a committed transaction: a full new version, or a delete. */
export interface TxnOp {
  ns: string;
  id: unknown;
  doc: Doc | null;
}

function splitNs(ns: string): [string, string] {
  const i = ns.indexOf('.');
  return [ns.slice(0, i), ns.slice(i + 1)];
}

export class Engine {
  private readonly dbs = new Map<string, Map<string, Collection>>();
  clock = 0;
  /** Cluster time: every committed change gets a new one (writes of one document, or a commit). */
  readonly time = new LogicalClock();
  readonly snapshots = new Snapshots(this.time);
  readonly txns = new TxnManager(this.snapshots);
  private ttlTimer: NodeJS.Timeout | null = null;

  private constructor(readonly journal: Journal | null) {
    this.txns.onEnd = (txn, state) => this.settleCreated(txn, state);
  }

  static async open(opts: EngineOptions = {}): Promise<Engine> {
    if (!opts.dbPath) return new Engine(null);
    const { journal, recovered } = await Journal.open(opts.dbPath, opts);
    const engine = new Engine(journal);
    if (recovered.snapshot) engine.loadSnapshot(recovered.snapshot.catalog, recovered.snapshot.chunks);
    for (const r of recovered.records) for (const op of r.ops) engine.applyOp(null, op);
    return engine;
  }

  // ------------------------------------------------------------------------------------ catalog

  collection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  /** The collections of a database that exist for everyone (not those an open transaction created). */
  collections(db: string): Collection[] {
    const all = [...(this.dbs.get(db)?.values() ?? [])];
    return this.txns.uncommitted.size === 0 ? all : all.filter((c) => !this.txns.uncommitted.has(c));
  }

  /** A collection that exists for everyone: undefined for one only an open transaction sees. */
  visibleCollection(db: string, name: string): Collection | undefined {
    const c = this.collection(db, name);
    return c && !this.txns.uncommitted.has(c) ? c : undefined;
  }

  databases(): string[] {
    return [...this.dbs.keys()].filter((d) => this.collections(d).length > 0);
  }

  private log(unit: WriteUnit | null, op: JournalOp): void {
    unit?.ops.push(op);
  }

  createCollection(unit: WriteUnit | null, db: string, name: string, options: Doc = {}, uuid?: UUID): Collection {
    validateNames(db, name);
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    const existing = colls.get(name);
    if (existing && !this.withdraw(existing)) throw new MongoCommandError('NamespaceExists', `Collection ${db}.${name} already exists.`);
    const coll = new Collection(db, name, options, uuid);
    colls.set(name, coll);
    this.log(unit, { t: 'cc', ns: coll.ns, o: options, u: coll.uuid });
    return coll;
  }

  ensureCollection(unit: WriteUnit | null, db: string, name: string): Collection {
    return this.collection(db, name) ?? this.createCollection(unit, db, name);
  }

  dropCollection(unit: WriteUnit | null, db: string, name: string): Collection | undefined {
    const coll = this.collection(db, name);
    if (!coll) return undefined;
    if (this.withdraw(coll)) {
      this.dbs.get(db)!.delete(name);
      return undefined;
    }
    if (coll.docs.size > 0) this.time.tick();
    for (const id of coll.docs.keys()) this.txns.noteChange(coll.ns, id, coll.docs.get(id));
    this.dbs.get(db)!.delete(name);
    this.log(unit, { t: 'dc', ns: coll.ns });
    return coll;
  }

  dropDatabase(unit: WriteUnit | null, db: string): void {
    for (const c of this.collections(db)) this.dropCollection(null, db, c.name);
    for (const c of [...(this.dbs.get(db)?.values() ?? [])]) this.withdraw(c);
    this.dbs.delete(db);
    this.log(unit, { t: 'dd', db });
  }

  renameCollection(unit: WriteUnit | null, from: string, to: string, dropTarget: boolean): void {
    const [fdb, fname] = splitNs(from);
    const [tdb, tname] = splitNs(to);
    const coll = this.visibleCollection(fdb, fname);
    if (!coll) throw new MongoCommandError('NamespaceNotFound', `Source collection ${from} does not exist`);
    if (this.visibleCollection(tdb, tname)) {
      if (!dropTarget) throw new MongoCommandError('NamespaceExists', `target namespace exists`);
      this.dropCollection(null, tdb, tname);
    }
    validateNames(tdb, tname);
    const moved = this.createCollection(null, tdb, tname, coll.options, coll.uuid);
    for (const spec of coll.indexSpecs()) if (spec.name !== '_id_') moved.createIndex(spec);
    if (coll.docs.size > 0) this.time.tick();
    for (const [id, rec] of coll.docs) {
      this.txns.noteChange(moved.ns, id, undefined);
      moved.insert(rec.doc, rec.ver);
    }
    this.dropCollection(null, fdb, fname);
    this.log(unit, { t: 'rn', from, to, dt: dropTarget });
  }

  createIndex(unit: WriteUnit | null, coll: Collection, spec: Doc): boolean {
    const created = coll.createIndex(spec);
    if (created) this.log(unit, { t: 'ci', ns: coll.ns, spec: created.spec });
    return created !== null;
  }

  dropIndex(unit: WriteUnit | null, coll: Collection, name: string): void {
    coll.dropIndex(name);
    this.log(unit, { t: 'di', ns: coll.ns, name });
  }

  /** collMod: new options (a view's definition, a validator) or one index's new spec. */
  collMod(unit: WriteUnit | null, coll: Collection, change: { options?: Doc; index?: IndexSpec }): void {
    if (change.index) coll.respecIndex(change.index.name, change.index);
    if (change.options) coll.options = change.options;
    this.log(unit, { t: 'cm', ns: coll.ns, ...change });
  }

  // ---------------------------------------------------------------------------- committed writes

  insert(unit: WriteUnit | null, coll: Collection, doc: Doc): Rec {
    const id = keyString(doc._id);
    // The first committed write to a collection only a finished transaction created publishes it.
    if (this.txns.uncommitted.size > 0 && this.txns.uncommitted.has(coll)) coll = this.createCollection(unit, coll.db, coll.name);
    const ver = ++this.clock;
    const probe = coll.docs.get(id);
    if (probe) throw coll.idIndex.duplicateError(coll.ns, [doc._id]);
    this.time.tick();
    this.txns.noteChange(coll.ns, id, undefined);
    const rec = coll.insert(doc, ver);
    this.log(unit, { t: 'i', ns: coll.ns, d: doc });
    return rec;
  }

  replace(unit: WriteUnit | null, coll: Collection, id: string, doc: Doc): Rec {
    const prev = coll.docs.get(id);
    // Throws (duplicate key) before changing anything; `prev` itself is never mutated.
    const rec = coll.replace(id, doc, this.clock + 1);
    ++this.clock;
    this.time.tick();
    this.txns.noteChange(coll.ns, id, prev);
    this.log(unit, { t: 'r', ns: coll.ns, d: doc });
    return rec;
  }

  remove(unit: WriteUnit | null, coll: Collection, id: string): Rec | undefined {
    const prev = coll.docs.get(id);
    if (!prev) return undefined;
    this.time.tick();
    this.txns.noteChange(coll.ns, id, prev);
    coll.remove(id);
    ++this.clock;
    this.log(unit, { t: 'd', ns: coll.ns, id: prev.doc._id });
    return prev;
  }

  /**
   * Applies a transaction's changes to committed data in one step. Changes are applied in
   * place; if unique keys collide only because of the order (two documents swapping a value),
   * they are applied again as removals then inserts. Either all apply or none does.
   */
  commitTxn(unit: WriteUnit | null, ops: TxnOp[]): void {
    const undo: { coll: Collection; id: string; prev: Rec | undefined }[] = [];
    const rollback = (): void => {
      for (const u of undo.reverse()) {
        if (u.coll.docs.has(u.id)) u.coll.remove(u.id);
        if (u.prev) u.coll.insert(u.prev.doc, u.prev.ver);
      }
      undo.length = 0;
    };
    // One time for the whole commit: a snapshot read sees all of it or none.
    this.time.tick();
    const attempt = (twoPhase: boolean): void => {
      const targets = ops.map((op) => {
        const [db, name] = splitNs(op.ns);
        return { op, coll: this.ensureCollection(null, db, name), id: keyString(op.id) };
      });
      if (twoPhase) {
        for (const t of targets) {
          const prev = t.coll.docs.get(t.id);
          undo.push({ coll: t.coll, id: t.id, prev });
          this.txns.noteChange(t.coll.ns, t.id, prev);
          if (prev) t.coll.remove(t.id);
        }
      }
      const ver = ++this.clock;
      for (const t of targets) {
        const prev = t.coll.docs.get(t.id);
        if (!twoPhase) {
          undo.push({ coll: t.coll, id: t.id, prev });
          this.txns.noteChange(t.coll.ns, t.id, prev);
        }
        if (t.op.doc === null) {
          if (prev) t.coll.remove(t.id);
        } else if (prev) t.coll.replace(t.id, t.op.doc, ver);
        else t.coll.insert(t.op.doc, ver);
      }
    };
    try {
      attempt(false);
    } catch {
      rollback();
      try {
        attempt(true);
      } catch (err) {
        rollback();
        throw err;
      }
    }
    this.log(unit, { t: 'tx', ops: ops.map((o) => ({ ns: o.ns, id: o.id, d: o.doc })) });
  }

  // ------------------------------------------------------------- collections of open transactions

  /**
   * Takes a collection no commit has published out of the catalog's keeping (the caller replaces
   * or deletes its entry). Its creator, if still open, loses it as it would lose a write conflict.
   */
  private withdraw(coll: Collection): boolean {
    const u = this.txns.uncommitted.get(coll);
    if (!u) return false;
    this.txns.uncommitted.delete(coll);
    this.txns.replaced.add(coll);
    if (u.owner?.state === 'active') this.txns.end(u.owner, 'aborted');
    return true;
  }

  /**
   * Creates a collection in a transaction (create, createIndexes, or a write to a collection that
   * does not exist): the transaction's statements find it, nobody else sees it before the commit.
   * `explicit` false returns the collection that exists, if any.
   */
  createInTxn(txn: Txn, db: string, name: string, options: Doc, explicit: boolean): Collection {
    const existing = this.collection(db, name);
    const u = existing && this.txns.uncommitted.get(existing);
    if (existing && (!u || u.owner === txn)) {
      if (explicit) throw new MongoCommandError('NamespaceExists', `Collection ${db}.${name} already exists.`);
      return existing;
    }
    // Two transactions creating one collection: the second conflicts, as in MongoDB.
    if (u?.owner?.state === 'active') throw writeConflict();
    const coll = this.createCollection(null, db, name, options);
    this.txns.uncommitted.set(coll, { owner: txn, explicit });
    return coll;
  }

  /** The collection, published (journalled) if it does not exist or only a transaction created it. */
  ensurePublished(unit: WriteUnit | null, db: string, name: string): Collection {
    return this.visibleCollection(db, name) ?? this.createCollection(unit, db, name);
  }

  /**
   * At a transaction's commit: publishes the collections it created explicitly or wrote to, with
   * their options and indexes. Returns them, for the caller to drop should the commit fail.
   */
  publishCreated(unit: WriteUnit, txn: Txn): Collection[] {
    const published: Collection[] = [];
    if (this.txns.uncommitted.size === 0) return published;
    for (const [coll, u] of [...this.txns.uncommitted]) {
      if (u.owner !== txn || (!u.explicit && !txn.writes.has(coll.ns))) continue;
      this.txns.uncommitted.delete(coll);
      this.txns.replaced.add(coll);
      this.dbs.get(coll.db)?.delete(coll.name);
      const created = this.createCollection(unit, coll.db, coll.name, coll.options, coll.uuid);
      for (const spec of coll.indexSpecs()) if (spec.name !== '_id_') this.createIndex(unit, created, spec);
      published.push(created);
    }
    return published;
  }

  /**
   * When a transaction ends: a collection it created that is still hidden stays in the catalog as
   * a plain hidden one (a writer that found it must find a collection), or is replaced by one when
   * the aborted transaction gave it options or indexes.
   */
  private settleCreated(txn: Txn, state: 'committed' | 'aborted'): void {
    for (const [coll, u] of [...this.txns.uncommitted]) {
      if (u.owner !== txn) continue;
      u.owner = null;
      if (state === 'committed' || (!u.explicit && coll.indexes.size === 1)) continue;
      this.txns.uncommitted.delete(coll);
      this.txns.replaced.add(coll);
      if (this.collection(coll.db, coll.name) !== coll) continue;
      this.dbs.get(coll.db)!.delete(coll.name);
      this.txns.uncommitted.set(this.createCollection(null, coll.db, coll.name), { owner: null, explicit: false });
    }
  }

  /** Makes a unit durable. Resolves once the journal has it (at once without a dbPath). */
  async commit(unit: WriteUnit): Promise<void> {
    if (!this.journal || unit.ops.length === 0) return;
    const written = this.journal.append(unit.ops);
    unit.ops = [];
    await written;
    if (this.journal.needsCompaction) void this.compact().catch(() => undefined);
  }

  /** Whether a document is locked by a transaction (a non-transactional writer must wait). */
  lockedBy(coll: Collection, id: string) {
    return this.txns.owner(docLockKey(coll.ns, id));
  }

  // -------------------------------------------------------------------------- durability

  private applyOp(unit: WriteUnit | null, op: JournalOp): void {
    const [db, name] = typeof op.ns === 'string' ? splitNs(op.ns) : ['', ''];
    switch (op.t) {
      case 'cc':
        this.createCollection(unit, db, name, op.o as Doc, op.u as UUID);
        return;
      case 'dc':
        this.dropCollection(unit, db, name);
        return;
      case 'dd':
        this.dropDatabase(unit, op.db as string);
        return;
      case 'rn':
        this.renameCollection(unit, op.from as string, op.to as string, op.dt === true);
        return;
      case 'ci':
        this.createIndex(unit, this.ensureCollection(unit, db, name), op.spec as Doc);
        return;
      case 'di':
        this.dropIndex(unit, this.ensureCollection(unit, db, name), op.name as string);
        return;
      case 'cm':
        this.collMod(unit, this.ensureCollection(unit, db, name), op as { options?: Doc; index?: IndexSpec });
        return;
      case 'i':
        this.insert(unit, this.ensureCollection(unit, db, name), op.d as Doc);
        return;
      case 'r': {
        const coll = this.ensureCollection(unit, db, name);
        const doc = op.d as Doc;
        const id = keyString(doc._id);
        if (coll.docs.has(id)) this.replace(unit, coll, id, doc);
        else this.insert(unit, coll, doc);
        return;
      }
      case 'd':
        this.remove(unit, this.ensureCollection(unit, db, name), keyString(op.id));
        return;
      case 'tx':
        this.commitTxn(
          unit,
          (op.ops as Doc[]).map((o) => ({ ns: o.ns as string, id: o.id, doc: (o.d as Doc | null) ?? null })),
        );
        return;
      default:
        throw new Error(`unknown journal op ${op.t}`);
    }
  }

  private catalog(): Doc {
    const dbs: Doc[] = [];
    for (const db of this.dbs.keys()) {
      dbs.push({
        name: db,
        colls: this.collections(db).map((c) => ({ name: c.name, options: c.options, uuid: c.uuid, indexes: c.indexSpecs() })),
      });
    }
    return { dbs };
  }

  private loadSnapshot(catalog: Doc, chunks: Doc[]): void {
    const pendingIndexes: { coll: Collection; specs: Doc[] }[] = [];
    for (const db of (catalog.dbs as Doc[]) ?? []) {
      for (const c of (db.colls as Doc[]) ?? []) {
        const coll = this.createCollection(null, db.name as string, c.name as string, c.options as Doc, c.uuid as UUID);
        pendingIndexes.push({ coll, specs: (c.indexes as Doc[]).filter((s) => s.name !== '_id_') });
      }
    }
    // Documents first, then secondary indexes built once over them.
    for (const chunk of chunks) {
      const [db, name] = splitNs(chunk.ns as string);
      const coll = this.ensureCollection(null, db, name);
      for (const d of chunk.docs as Doc[]) coll.insert(d, 0);
    }
    for (const { coll, specs } of pendingIndexes) for (const s of specs) coll.createIndex(s);
  }

  /** Writes a snapshot and drops the journal files it covers. */
  compact(): Promise<void> {
    if (!this.journal) return Promise.resolve();
    return this.journal.compact(() => ({
      catalog: this.catalog(),
      collections: [...this.dbs.keys()].flatMap((db) =>
        this.collections(db).map((c) => ({ ns: c.ns, docs: [...c.docs.values()].map((r) => r.doc) })),
      ),
    }));
  }

  // ---------------------------------------------------------------------------------- TTL

  startTtlMonitor(intervalMs: number): void {
    this.stopTtlMonitor();
    this.ttlTimer = setInterval(() => void this.expireTtl().catch(() => undefined), intervalMs);
    this.ttlTimer.unref();
  }

  stopTtlMonitor(): void {
    if (this.ttlTimer) clearInterval(this.ttlTimer);
    this.ttlTimer = null;
  }

  /** Deletes documents whose TTL index date is older than expireAfterSeconds. */
  async expireTtl(now = Date.now()): Promise<number> {
    const unit: WriteUnit = { ops: [] };
    let removed = 0;
    for (const colls of this.dbs.values()) {
      for (const coll of colls.values()) {
        for (const ix of coll.indexes.values()) {
          if (ix.ttl === undefined || ix.fields.length !== 1) continue;
          const cutoff = now - ix.ttl * 1000;
          const expired = new Set<string>();
          // Dates sort together (after numbers, strings, objects...): walk them oldest first.
          const dir = ix.fields[0]!.dir;
          const probe = (e: Entry): number => (typeRank(e.k[0]) < 10 ? -dir : typeRank(e.k[0]) > 10 ? dir : 0);
          const walk = dir === 1 ? ix.entries.ascending(probe) : ix.entries.descending(probe);
          for (const e of walk) {
            const v = e.k[0];
            if (!(v instanceof Date) || v.getTime() > cutoff) break;
            expired.add(e.id);
          }
          for (const id of expired) {
            if (this.lockedBy(coll, id)) continue;
            if (this.remove(unit, coll, id)) removed++;
          }
        }
      }
    }
    await this.commit(unit);
    return removed;
  }

  async close(): Promise<void> {
    this.stopTtlMonitor();
    if (this.journal) {
      await this.journal.flush();
      await this.compact().catch(() => undefined);
      await this.journal.close();
    }
  }
}

function validateNames(db: string, name: string): void {
  if (!db || /[/\\. "$\0]/.test(db) || db.length > 63) {
    throw new MongoCommandError('InvalidNamespace', `Invalid database name: '${db}'`);
  }
  if (!name || name.includes('$') || name.includes('\0') || name.startsWith('.') || name.startsWith('system.')) {
    if (!name.startsWith('system.')) throw new MongoCommandError('InvalidNamespace', `Invalid collection name: ${name}`);
  }
}
