/**
 * Sessions and multi-document transactions with snapshot isolation.
 *
 * A transaction keeps its own writes aside until commit. When committed data changes while it
 * runs, the version it saw is kept for it (`overrides`), so it keeps reading its snapshot.
 * Writes take document and unique-key locks: a second transaction touching the same document or
 * key, or one writing a document changed since its snapshot, gets WriteConflict (which the
 * driver retries); a write outside transactions waits until the lock holder ends.
 */
import type { Snapshots } from './clock';
import { MongoCommandError, writeConflict } from './errors';
import type { DocSource } from './query/executor';
import type { Collection, Rec } from './storage/collection';
import type { Engine } from './storage/engine';
import { normalizeSpec, sameBehaviour } from './storage/index-def';
import { keyString, type Doc } from './values';

/** A transaction's version of one document: `rec` null means deleted. */
export interface TxnWrite {
  _id: unknown;
  rec: Rec | null;
}

export class Txn {
  state: 'active' | 'committed' | 'aborted' = 'active';
  /** ns -> id -> this transaction's version. */
  readonly writes = new Map<string, Map<string, TxnWrite>>();
  /** ns -> id -> the committed version at snapshot time (null: did not exist). */
  readonly overrides = new Map<string, Map<string, Rec | null>>();
  readonly locks = new Set<string>();
  readonly startedAt = Date.now();
  /** The read concern level the transaction started with (explicit DDL needs "local"). */
  readLevel: string | undefined;
  readonly done: Promise<void>;
  private finish!: () => void;

  constructor(readonly txnNumber: bigint) {
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  ended(): void {
    this.finish();
  }

  /** The version of a document this transaction sees. */
  visible(coll: Collection, id: string): Rec | undefined {
    const own = this.writes.get(coll.ns)?.get(id);
    if (own) return own.rec ?? undefined;
    const snap = this.overrides.get(coll.ns);
    if (snap?.has(id)) return snap.get(id) ?? undefined;
    return coll.docs.get(id);
  }

  source(coll: Collection | undefined): DocSource {
    if (!coll) return { coll, get: () => undefined, overlayIds: () => [] };
    return {
      coll,
      get: (id) => this.visible(coll, id),
      overlayIds: () => {
        const ids = new Set<string>([...(this.writes.get(coll.ns)?.keys() ?? []), ...(this.overrides.get(coll.ns)?.keys() ?? [])]);
        return [...ids];
      },
    };
  }

  /** Starts the snapshot at an earlier time: these documents changed since, and were then so. */
  readFrom(versions: Map<string, Map<string, Rec | null>>): void {
    for (const [ns, m] of versions) this.overrides.set(ns, new Map(m));
  }

  /** Whether the committed version of a document changed after this snapshot. */
  changedSinceSnapshot(ns: string, id: string): boolean {
    return this.overrides.get(ns)?.has(id) ?? false;
  }

  recordWrite(ns: string, id: string, _id: unknown, rec: Rec | null): void {
    let m = this.writes.get(ns);
    if (!m) this.writes.set(ns, (m = new Map()));
    m.set(id, { _id, rec });
  }

  /** Whether this transaction deleted the document. */
  deleted(ns: string, id: string): boolean {
    const w = this.writes.get(ns)?.get(id);
    return w !== undefined && w.rec === null;
  }
}

export function docLockKey(ns: string, id: string): string {
  return `${ns}\u0000_id\u0000${id}`;
}

export function uniqueLockKey(ns: string, index: string, key: unknown[]): string {
  return `${ns}\u0000${index}\u0000${keyString(key)}`;
}

/**
 * A collection a transaction created (explicitly, or implicitly by writing to it): in the catalog
 * so the transaction's statements find it, hidden from everyone else until the commit publishes
 * it. `owner` null: left over by a transaction that ended without publishing it, still hidden.
 */
export interface Uncommitted {
  owner: Txn | null;
  /** Created by create or createIndexes: published at commit even if nothing was written to it. */
  explicit: boolean;
}

export class TxnManager {
  readonly active = new Set<Txn>();
  private readonly locks = new Map<string, Txn>();
  /** Collections in the catalog that no commit has published yet. */
  readonly uncommitted = new Map<Collection, Uncommitted>();
  /** Uncommitted collections that were replaced in the catalog: a writer holding one looks again. */
  readonly replaced = new WeakSet<Collection>();
  /** Called when a transaction ends (the engine settles the collections it created). */
  onEnd: ((txn: Txn, state: 'committed' | 'aborted') => void) | undefined;

  constructor(private readonly snapshots: Snapshots) {}

  /** The active transaction that created this still-hidden collection, if any. */
  creator(coll: Collection): Txn | undefined {
    if (this.uncommitted.size === 0) return undefined;
    const owner = this.uncommitted.get(coll)?.owner;
    return owner && owner.state === 'active' ? owner : undefined;
  }

  begin(txnNumber: bigint): Txn {
    const t = new Txn(txnNumber);
    this.active.add(t);
    return t;
  }

  /**
   * Called for every change of committed data, once the clock has the change's time: active
   * transactions keep the version they saw, and snapshot reads the version of their time.
   */
  noteChange(ns: string, id: string, prev: Rec | undefined): void {
    this.snapshots.noteChange(ns, id, prev);
    for (const t of this.active) {
      let m = t.overrides.get(ns);
      if (!m) t.overrides.set(ns, (m = new Map()));
      if (!m.has(id)) m.set(id, prev ?? null);
    }
  }

  owner(key: string): Txn | undefined {
    return this.locks.get(key);
  }

  /** Takes a lock for `txn`, or throws WriteConflict when another transaction holds it. */
  lock(txn: Txn, key: string): void {
    const holder = this.locks.get(key);
    if (holder && holder !== txn) throw writeConflict();
    this.locks.set(key, txn);
    txn.locks.add(key);
  }

  /** Ends a transaction: releases its locks and wakes writers waiting on them. */
  end(txn: Txn, state: 'committed' | 'aborted'): void {
    txn.state = state;
    this.active.delete(txn);
    for (const k of txn.locks) if (this.locks.get(k) === txn) this.locks.delete(k);
    txn.locks.clear();
    if (state === 'aborted') {
      txn.writes.clear();
    }
    txn.overrides.clear();
    if (this.uncommitted.size > 0) this.onEnd?.(txn, state);
    txn.ended();
  }

  /** Whether any transaction holds a lock. */
  get holdsLocks(): boolean {
    return this.locks.size > 0;
  }

  /** The first transaction holding any of `keys`, if one does. */
  blocker(keys: Iterable<string>): Txn | undefined {
    if (this.locks.size === 0) return undefined;
    for (const k of keys) {
      const t = this.locks.get(k);
      if (t) return t;
    }
    return undefined;
  }
}

export interface Session {
  key: string;
  lastUse: number;
  txn?: Txn;
  txnNumber: bigint;
  /** The reply of the last retryable write, replayed when the driver retries it. */
  retryReply?: { txnNumber: bigint; reply: Doc };
}

export function sessionKey(lsid: unknown): string | undefined {
  if (!lsid || typeof lsid !== 'object') return undefined;
  const id = (lsid as Doc).id;
  if (id === undefined) return undefined;
  return keyString(id);
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  get(key: string): Session {
    let s = this.sessions.get(key);
    if (!s) this.sessions.set(key, (s = { key, lastUse: Date.now(), txnNumber: -1n }));
    s.lastUse = Date.now();
    return s;
  }

  end(key: string): Session | undefined {
    const s = this.sessions.get(key);
    this.sessions.delete(key);
    return s;
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }
}

export function noSuchTransaction(txnNumber: bigint, why = 'has been aborted'): MongoCommandError {
  return new MongoCommandError('NoSuchTransaction', `Transaction with { txnNumber: ${txnNumber} } ${why}.`, {
    labels: ['TransientTransactionError'],
  });
}

// ------------------------------------------------------------------------ DDL in transactions

/** What MongoDB 4.4+ requires of create and createIndexes in a transaction. */
function checkTxnDdl(txn: Txn, command: string, ns: string): void {
  if (txn.readLevel !== undefined && txn.readLevel !== 'local') {
    throw new MongoCommandError(
      'InvalidOptions',
      `Cannot run '${command}' in a multi-document transaction with readConcern level '${txn.readLevel}': explicit DDL needs read concern "local"`,
    );
  }
  if (ns.slice(ns.indexOf('.') + 1).startsWith('system.')) {
    throw new MongoCommandError('OperationNotSupportedInTransaction', `Cannot create system collection ${ns} within a transaction.`);
  }
}

/** `create` in a transaction: a new collection, seen by the transaction only until it commits. */
export function createInTransaction(engine: Engine, txn: Txn, db: string, name: string, options: Doc): Doc {
  checkTxnDdl(txn, 'create', `${db}.${name}`);
  if (options.viewOn !== undefined) {
    throw new MongoCommandError('OperationNotSupportedInTransaction', 'Cannot create a view in a multi-document transaction.');
  }
  if (options.timeseries !== undefined) {
    throw new MongoCommandError(
      'OperationNotSupportedInTransaction',
      'Cannot create a time-series collection in a multi-document transaction.',
    );
  }
  engine.createInTxn(txn, db, name, options, true);
  return { ok: 1 };
}

/**
 * `createIndexes` in a transaction: allowed on a collection that does not exist (created with
 * them) or one this transaction created and has not written to; on any other only when every
 * index already exists.
 */
export function createIndexesInTransaction(engine: Engine, txn: Txn, db: string, name: string, specs: Doc[]): Doc {
  const ns = `${db}.${name}`;
  checkTxnDdl(txn, 'createIndexes', ns);
  const existing = engine.collection(db, name);
  const mine = existing !== undefined && engine.txns.uncommitted.get(existing)?.owner === txn;
  const visible = existing !== undefined && (mine || !engine.txns.uncommitted.has(existing));
  if (existing && visible) {
    const all = specs.every((s) => {
      const spec = normalizeSpec(s);
      const ix = existing.indexes.get(spec.name);
      return ix !== undefined && sameBehaviour(ix.spec, spec);
    });
    const n = existing.indexes.size;
    if (all) return { numIndexesBefore: n, numIndexesAfter: n, note: 'all indexes already exist', ok: 1 };
    if (!mine) {
      throw new MongoCommandError(
        'OperationNotSupportedInTransaction',
        `Cannot create new indexes on existing collection ${ns} in a multi-document transaction.`,
      );
    }
    const written = [...(txn.writes.get(ns)?.values() ?? [])].some((w) => w.rec !== null);
    if (written) {
      throw new MongoCommandError(
        'OperationNotSupportedInTransaction',
        `Cannot create new indexes on non-empty collection ${ns} in a multi-document transaction.`,
      );
    }
  }
  const coll = visible ? existing! : engine.createInTxn(txn, db, name, {}, true);
  engine.txns.uncommitted.get(coll)!.explicit = true;
  const before = coll.indexes.size;
  for (const spec of specs) coll.createIndex(spec);
  return { numIndexesBefore: before, numIndexesAfter: coll.indexes.size, createdCollectionAutomatically: true, ok: 1 };
}
