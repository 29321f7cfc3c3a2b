/**
 * Sessions and multi-document transactions with snapshot isolation.
 *
 * A transaction keeps its own writes aside until commit. When committed data changes while it
 * runs, the version it saw is kept for it (`overrides`), so it keeps reading its snapshot.
 * Writes take document and unique-key locks: a second transaction touching the same document or
 * key, or one writing a document changed since its snapshot, gets WriteConflict (which the
 * driver retries); a write outside transactions waits until the lock holder ends.
 */
import { MongoCommandError, writeConflict } from './errors';
import type { DocSource } from './query/executor';
import type { Collection, Rec } from './storage/collection';
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

export class TxnManager {
  readonly active = new Set<Txn>();
  private readonly locks = new Map<string, Txn>();

  begin(txnNumber: bigint): Txn {
    const t = new Txn(txnNumber);
    this.active.add(t);
    return t;
  }

  /** Called before committed data changes: active transactions keep the version they saw. */
  noteChange(ns: string, id: string, prev: Rec | undefined): void {
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
