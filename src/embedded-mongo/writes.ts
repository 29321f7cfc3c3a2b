/**
 * Document writes for commands, inside or outside a transaction. Outside, a write whose
 * document or unique key is locked by a transaction waits for it to end, then re-evaluates.
 */
import { MongoCommandError, writeConflict } from './errors';
import { viewOf } from './query/matcher';
import type { Collection, Rec } from './storage/collection';
import type { Engine, WriteUnit } from './storage/engine';
import { type Txn, docLockKey, uniqueLockKey } from './txn';
import { keyString, type Doc } from './values';

export interface WriteCtx {
  engine: Engine;
  txn?: Txn | undefined;
  unit: WriteUnit;
}

/** Thrown by a write that must wait for a transaction to end. */
class Blocked {
  constructor(readonly txn: Txn) {}
}

const LOCK_WAIT_MS = 60_000;

/** Runs a synchronous write, waiting and retrying while a transaction holds what it needs. */
export async function retryWhileBlocked<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof Blocked)) throw err;
      const left = deadline - Date.now();
      if (left <= 0) throw new MongoCommandError('MaxTimeMSExpired', 'operation exceeded time limit waiting for a transaction lock');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([err.txn.done, new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
  }
}

function uniqueKeysOf(coll: Collection, doc: Doc): { index: string; tuple: unknown[] }[] {
  const out: { index: string; tuple: unknown[] }[] = [];
  for (const [ix, keys] of coll.keysOf(doc)) {
    if (!ix.unique || !keys || ix.text || ix.name === '_id_') continue;
    for (const tuple of keys.tuples) out.push({ index: ix.name, tuple });
  }
  return out;
}

function waitForLocks(ctx: WriteCtx, coll: Collection, ids: string[], docs: Doc[]): void {
  // No transaction holds anything: nothing to compute.
  if (!ctx.engine.txns.holdsLocks) return;
  const keys = ids.map((id) => docLockKey(coll.ns, id));
  for (const d of docs) for (const u of uniqueKeysOf(coll, d)) keys.push(uniqueLockKey(coll.ns, u.index, u.tuple));
  const holder = ctx.engine.txns.blocker(keys);
  if (holder) throw new Blocked(holder);
}

/** Unique-index check as a transaction sees the data. */
function txnCheckUnique(ctx: WriteCtx, txn: Txn, coll: Collection, doc: Doc, selfId: string): void {
  const overlay = txn.source(coll).overlayIds();
  for (const [ix, keys] of coll.keysOf(doc)) {
    // The _id index is checked by insertDoc (a replace keeps its _id).
    if (!ix.unique || !keys || ix.text || ix.name === '_id_') continue;
    for (const tuple of keys.tuples) {
      ctx.engine.txns.lock(txn, uniqueLockKey(coll.ns, ix.name, tuple));
      const tupleKey = keyString(tuple);
      const hasTuple = (d: Doc): boolean => ix.keysFor(d)?.tuples.some((t) => keyString(t) === tupleKey) ?? false;
      for (const id of new Set<string>([...ix.idsWithKey(tuple), ...overlay])) {
        if (id === selfId) continue;
        const vis = txn.visible(coll, id);
        if (vis) {
          if (hasTuple(vis.doc)) throw ix.duplicateError(coll.ns, tuple);
          continue;
        }
        // Holds the key in committed data but is invisible to us: committed after our snapshot.
        const committed = coll.docs.get(id);
        if (committed && !txn.deleted(coll.ns, id) && hasTuple(committed.doc)) throw writeConflict();
      }
    }
  }
}

/**
 * The collection a write outside transactions inserts into: one a transaction is creating is
 * waited for (as MongoDB's collection lock makes it wait), and one replaced in the catalog since
 * the caller looked it up is looked up again.
 */
function liveTarget(ctx: WriteCtx, coll: Collection): Collection {
  const txns = ctx.engine.txns;
  const target = txns.replaced.has(coll) ? ctx.engine.ensureCollection(ctx.unit, coll.db, coll.name) : coll;
  const creator = txns.creator(target);
  if (creator) throw new Blocked(creator);
  return target;
}

function txnRec(doc: Doc): Rec {
  return { doc, view: viewOf(doc), ver: Number.MAX_SAFE_INTEGER };
}

export function insertDoc(ctx: WriteCtx, coll: Collection, doc: Doc): void {
  const id = keyString(doc._id);
  const { txn, engine } = ctx;
  if (!txn) {
    const target = liveTarget(ctx, coll);
    waitForLocks(ctx, target, [id], [doc]);
    engine.insert(ctx.unit, target, doc);
    return;
  }
  engine.txns.lock(txn, docLockKey(coll.ns, id));
  if (txn.visible(coll, id)) throw coll.idIndex.duplicateError(coll.ns, [doc._id]);
  if (coll.docs.has(id) && !txn.deleted(coll.ns, id)) throw writeConflict();
  txnCheckUnique(ctx, txn, coll, doc, id);
  txn.recordWrite(coll.ns, id, doc._id, txnRec(doc));
}

export function replaceDoc(ctx: WriteCtx, coll: Collection, id: string, doc: Doc): void {
  const { txn, engine } = ctx;
  if (!txn) {
    waitForLocks(ctx, coll, [id], [doc]);
    engine.replace(ctx.unit, coll, id, doc);
    return;
  }
  engine.txns.lock(txn, docLockKey(coll.ns, id));
  if (txn.changedSinceSnapshot(coll.ns, id)) throw writeConflict();
  txnCheckUnique(ctx, txn, coll, doc, id);
  txn.recordWrite(coll.ns, id, doc._id, txnRec(doc));
}

export function removeDoc(ctx: WriteCtx, coll: Collection, id: string, _id: unknown): void {
  const { txn, engine } = ctx;
  if (!txn) {
    waitForLocks(ctx, coll, [id], []);
    engine.remove(ctx.unit, coll, id);
    return;
  }
  engine.txns.lock(txn, docLockKey(coll.ns, id));
  if (txn.changedSinceSnapshot(coll.ns, id)) throw writeConflict();
  txn.recordWrite(coll.ns, id, _id, null);
}

/**
 * Before a statement outside a transaction changes anything: waits (by throwing for
 * retryWhileBlocked) while a transaction holds any target document or any new unique key.
 */
export function assertUnlocked(ctx: WriteCtx, coll: Collection, ids: string[], newDocs: Doc[]): void {
  if (!ctx.txn) waitForLocks(ctx, coll, ids, newDocs);
}

/**
 * Commits a transaction: publishes the collections it created, then applies its writes to
 * committed data (atomically), and journals both as one record.
 */
export async function commitTransaction(engine: Engine, txn: Txn): Promise<void> {
  const ops = [...txn.writes].flatMap(([ns, m]) => [...m.values()].map((w) => ({ ns, id: w._id, doc: w.rec?.doc ?? null })));
  engine.txns.active.delete(txn);
  const unit: WriteUnit = { ops: [] };
  let published: Collection[] = [];
  try {
    published = engine.publishCreated(unit, txn);
    if (ops.length > 0) engine.commitTxn(unit, ops);
  } catch (err) {
    for (const c of published) engine.dropCollection(unit, c.db, c.name);
    engine.txns.end(txn, 'aborted');
    await engine.commit(unit);
    throw err;
  }
  engine.txns.end(txn, 'committed');
  await engine.commit(unit);
}

/**
 * A catalog change outside transactions (create, createIndexes, drop) waits while an open
 * transaction is creating the collection, as MongoDB's collection lock makes it wait.
 */
export async function waitForCreator(engine: Engine, db: string, name: string): Promise<void> {
  for (;;) {
    const c = engine.collection(db, name);
    const creator = c && engine.txns.creator(c);
    if (!creator) return;
    await creator.done;
  }
}
