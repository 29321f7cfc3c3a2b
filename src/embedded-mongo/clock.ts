/**
 * Cluster time as a replica-set member keeps it: a logical clock that every committed change
 * ticks, gossiped on every reply, and the versions changes replaced, kept while snapshot reads
 * may still ask for a past time (MongoDB's minSnapshotHistoryWindowInSeconds).
 */
import { Binary, Long, Timestamp, serialize } from 'bson';
import { MongoCommandError } from './errors';
import { committedSource, type DocSource } from './query/executor';
import type { Collection, Rec } from './storage/collection';
import type { Txn } from './txn';
import { isPlainObject, type Doc } from './values';

/** A cluster time: seconds, then an increment. A bson Timestamp is one. */
export interface Time {
  readonly t: number;
  readonly i: number;
}

export function compareTime(a: Time, b: Time): number {
  return a.t - b.t || a.i - b.i;
}

export function toTimestamp(time: Time): Timestamp {
  return time instanceof Timestamp ? time : new Timestamp({ t: time.t, i: time.i });
}

/** A time as mongod writes it in messages. */
function timeText(time: Time): string {
  return `Timestamp(${time.t}, ${time.i})`;
}

export function isTimestamp(v: unknown): v is Timestamp {
  return typeof v === 'object' && v !== null && (v as { _bsontype?: string })._bsontype === 'Timestamp';
}

/** MongoDB's maxAcceptableLogicalClockDriftSecs: a gossiped time further ahead is refused. */
const MAX_DRIFT_SECS = 365 * 24 * 3600;
const MAX_INCREMENT = 0xffffffff;
/** Without authentication mongod signs cluster times with a zero hash and key 0. */
const SIGNATURE = { hash: new Binary(Buffer.alloc(20), 0), keyId: Long.ZERO };

/**
 * The stamp's elements encoded once; each new time only rewrites its two timestamps (a BSON
 * timestamp is the increment, then the seconds, little-endian) where the marker time sits.
 */
const STAMP_MARKER = new Timestamp({ t: 0x7badcafe, i: 0x7eedf00d });
const STAMP_TEMPLATE: Buffer = (() => {
  const doc = serialize({ $clusterTime: { clusterTime: STAMP_MARKER, signature: SIGNATURE }, operationTime: STAMP_MARKER });
  return Buffer.from(doc.subarray(4, doc.length - 1));
})();
const STAMP_TIME_OFFSETS: number[] = (() => {
  const marker = Buffer.alloc(8);
  marker.writeUInt32LE(STAMP_MARKER.i, 0);
  marker.writeUInt32LE(STAMP_MARKER.t, 4);
  const first = STAMP_TEMPLATE.indexOf(marker);
  return [first, STAMP_TEMPLATE.indexOf(marker, first + 8)];
})();

/** MongoDB codes errors.ts does not name; the reply carries their codeName all the same. */
function timeError(code: number, codeName: string, message: string): MongoCommandError {
  return new MongoCommandError(code, message, { extra: { codeName } });
}

export function snapshotTooOld(at: Time): MongoCommandError {
  return timeError(239, 'SnapshotTooOld', `Read timestamp ${timeText(at)} is older than the oldest available timestamp.`);
}

export class LogicalClock {
  private current: Time = { t: Math.floor(Date.now() / 1000), i: 1 };
  /**
   * What replies carry while the time stands still, as BSON elements ready to append to a reply:
   * built once per time, never per reply (serialising these two fields on every reply cost as
   * much as the rest of a small reply).
   */
  private gossip: Uint8Array | null = null;

  now(): Time {
    return this.current;
  }

  /** A new time for a committed change: later than every time given before. */
  tick(): Time {
    const secs = Math.floor(Date.now() / 1000);
    const c = this.current;
    if (secs > c.t) this.current = { t: secs, i: 1 };
    else if (c.i < MAX_INCREMENT) this.current = { t: c.t, i: c.i + 1 };
    else this.current = { t: c.t + 1, i: 1 };
    this.gossip = null;
    return this.current;
  }

  /** A client gossiped a cluster time: the clock moves up to it, as mongod's does without auth. */
  advance(to: Time): void {
    if (compareTime(to, this.current) <= 0) return;
    const wall = Math.floor(Date.now() / 1000);
    if (to.t - wall > MAX_DRIFT_SECS) {
      throw timeError(
        209,
        'ClusterTimeFailsRateLimiter',
        `New cluster time, ${to.t}, is too far from this node's wall clock time, ${wall}.`,
      );
    }
    this.current = { t: to.t, i: to.i };
    this.gossip = null;
  }

  /**
   * The `$clusterTime` and `operationTime` elements every reply of a replica-set member ends
   * with, encoded (wire.ts appends them to the reply's own fields).
   */
  stampElements(): Uint8Array {
    if (!this.gossip) {
      // A fresh copy per time: a reply still being encoded keeps the bytes it was given.
      const out = Buffer.from(STAMP_TEMPLATE);
      for (const at of STAMP_TIME_OFFSETS) {
        out.writeUInt32LE(this.current.i, at);
        out.writeUInt32LE(this.current.t, at + 4);
      }
      this.gossip = out;
    }
    return this.gossip;
  }
}

/** A document's version before a change, and when the change happened. */
interface Replaced {
  at: Time;
  prev: Rec | null;
}

/** How long history is kept after the last snapshot read that could use it. */
const HISTORY_WINDOW_SECS = 300;

/**
 * The versions changes replaced since `since`, per document in time order, so a read at any time
 * from `since` on sees every document as it was then.
 */
class History {
  lastUse = Date.now();
  private readonly docs = new Map<string, Map<string, Replaced[]>>();
  private readonly order: { ns: string; id: string; at: Time }[] = [];
  private head = 0;

  constructor(public since: Time) {}

  record(ns: string, id: string, prev: Rec | null, at: Time): void {
    let byId = this.docs.get(ns);
    if (!byId) this.docs.set(ns, (byId = new Map()));
    const list = byId.get(id);
    // One change, one entry: a transaction's commit notes a document again when it retries.
    if (list && compareTime(list[list.length - 1]!.at, at) === 0) return;
    if (list) list.push({ at, prev });
    else byId.set(id, [{ at, prev }]);
    this.order.push({ ns, id, at });
    if ((this.order.length & 1023) === 0) this.prune();
  }

  /** Forgets what no read may ask for any more: changes older than the window. */
  private prune(): void {
    const cutoff: Time = { t: Math.floor(Date.now() / 1000) - HISTORY_WINDOW_SECS, i: MAX_INCREMENT };
    const from = this.head;
    while (this.head < this.order.length && compareTime(this.order[this.head]!.at, cutoff) <= 0) {
      const { ns, id } = this.order[this.head++]!;
      const byId = this.docs.get(ns)!;
      const list = byId.get(id)!;
      list.shift();
      if (list.length === 0) byId.delete(id);
    }
    // Reads before the cutoff can no longer be answered from history.
    if (this.head > from && compareTime(cutoff, this.since) > 0) this.since = cutoff;
    if (this.head > 4096 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  /** A document's version at `at`: undefined when it has not changed since (the current one). */
  versionAt(ns: string, id: string, at: Time): Rec | null | undefined {
    const list = this.docs.get(ns)?.get(id);
    if (!list) return undefined;
    for (const r of list) if (compareTime(r.at, at) > 0) return r.prev;
    return undefined;
  }

  changedAfter(ns: string, at: Time): string[] {
    const out: string[] = [];
    for (const [id, list] of this.docs.get(ns) ?? []) if (compareTime(list[list.length - 1]!.at, at) > 0) out.push(id);
    return out;
  }
}

/**
 * Point-in-time reads. Every committed change is noted with its time; the versions it replaced
 * are kept only once a snapshot read has started history, and for as long as snapshot reads use
 * it. A read at a time no history covers is answered from the current data when its collection
 * has not changed since, and refused with SnapshotTooOld otherwise: never a wrong answer.
 */
export class Snapshots {
  private history: History | null = null;
  /** ns -> time of the collection's last committed change. */
  private readonly lastChange = new Map<string, Time>();
  /** Time of the last committed change to any collection. */
  lastAny: Time | null = null;

  constructor(private readonly clock: LogicalClock) {}

  /** Called for every committed change of a document, at the clock's time of that change. */
  noteChange(ns: string, id: string, prev: Rec | undefined): void {
    const at = this.clock.now();
    this.lastChange.set(ns, at);
    this.lastAny = at;
    const h = this.history;
    if (!h) return;
    if (Date.now() - h.lastUse > HISTORY_WINDOW_SECS * 1000) this.history = null;
    else h.record(ns, id, prev ?? null, at);
  }

  /** A snapshot read at `at` happened: keep history from now on (covering `at` when it is now). */
  retain(): void {
    if (this.history) this.history.lastUse = Date.now();
    else this.history = new History(this.clock.now());
  }

  /** Whether the data as of `at` is the current data, for every collection. */
  unchangedSince(at: Time): boolean {
    return this.lastAny === null || compareTime(this.lastAny, at) <= 0;
  }

  /** The documents of a collection as they were at `at`, or SnapshotTooOld. */
  source(coll: Collection | undefined, ns: string, at: Time): DocSource {
    const last = this.lastChange.get(ns);
    if (!last || compareTime(last, at) <= 0) return committedSource(coll);
    const h = this.history;
    if (!h || compareTime(h.since, at) > 0) throw snapshotTooOld(at);
    const changed = h.changedAfter(ns, at);
    return {
      coll,
      get: (id) => {
        const v = h.versionAt(ns, id, at);
        return v === undefined ? coll?.docs.get(id) : (v ?? undefined);
      },
      overlayIds: () => changed,
    };
  }

  /** Every document changed after `at` and its version then, for a transaction reading at `at`. */
  versionsAt(at: Time): Map<string, Map<string, Rec | null>> | null {
    if (this.unchangedSince(at)) return new Map();
    const h = this.history;
    if (!h || compareTime(h.since, at) > 0) return null;
    const out = new Map<string, Map<string, Rec | null>>();
    for (const ns of this.lastChange.keys()) {
      const ids = h.changedAfter(ns, at);
      if (ids.length === 0) continue;
      const m = new Map<string, Rec | null>();
      for (const id of ids) m.set(id, h.versionAt(ns, id, at) ?? null);
      out.set(ns, m);
    }
    return out;
  }
}

// ------------------------------------------------------------------------------ read concern

export interface ReadConcern {
  level?: string;
  afterClusterTime?: Time;
  atClusterTime?: Time;
}

const LEVELS = new Set(['local', 'majority', 'linearizable', 'available', 'snapshot']);
const TXN_LEVELS = new Set(['local', 'majority', 'snapshot']);
/**
 * Outside transactions, MongoDB 5.0+ reads at a snapshot for these commands only; a snapshot
 * session sends its read concern with every command, and a cursor's getMore and killCursors
 * continue the read that opened it.
 */
const SNAPSHOT_COMMANDS = new Set(['find', 'aggregate', 'distinct', 'getMore', 'killCursors']);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const bson = typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
  return bson ? bson.toLowerCase() : typeof v === 'number' ? 'double' : typeof v;
}

/** A command's readConcern, checked as mongod parses it; undefined when it has none. */
export function parseReadConcern(cmd: Doc): ReadConcern | undefined {
  const rc = cmd.readConcern;
  if (rc === undefined) return undefined;
  if (!isPlainObject(rc)) {
    throw new MongoCommandError('TypeMismatch', `BSON field 'readConcern' is the wrong type '${typeName(rc)}', expected type 'object'`);
  }
  const out: ReadConcern = {};
  if (rc.level !== undefined) {
    if (typeof rc.level !== 'string') {
      throw new MongoCommandError(
        'TypeMismatch',
        `BSON field 'ReadConcern.level' is the wrong type '${typeName(rc.level)}', expected type 'string'`,
      );
    }
    if (!LEVELS.has(rc.level)) {
      throw new MongoCommandError('BadValue', `Enumeration value '${rc.level}' for field 'ReadConcern.level' is not a valid value.`);
    }
    out.level = rc.level;
  }
  for (const field of ['afterClusterTime', 'atClusterTime'] as const) {
    const v = rc[field];
    if (v === undefined) continue;
    if (!isTimestamp(v)) {
      throw new MongoCommandError(
        'TypeMismatch',
        `BSON field 'ReadConcern.${field}' is the wrong type '${typeName(v)}', expected type 'timestamp'`,
      );
    }
    if (v.t === 0 && v.i === 0) throw new MongoCommandError('InvalidOptions', `${field} cannot be a null timestamp`);
    out[field] = v;
  }
  if (out.afterClusterTime && out.atClusterTime) {
    throw new MongoCommandError('InvalidOptions', 'Can not specify both afterClusterTime and atClusterTime');
  }
  if (out.atClusterTime && out.level !== 'snapshot') {
    throw new MongoCommandError('InvalidOptions', 'atClusterTime field can be set only if level is snapshot');
  }
  return out;
}

/** A single member has applied everything up to its clock: a later time is refused, as mongod does. */
function checkNotFuture(clock: LogicalClock, rc: ReadConcern): void {
  const target = rc.afterClusterTime ?? rc.atClusterTime;
  if (!target || compareTime(target, clock.now()) <= 0) return;
  const name = rc.afterClusterTime ? 'afterClusterTime' : 'atClusterTime';
  throw new MongoCommandError(
    'InvalidOptions',
    `readConcern ${name} value must not be greater than the current clusterTime. Requested clusterTime: ${timeText(target)}; current clusterTime: ${timeText(clock.now())}`,
  );
}

/** The readConcern of a transaction's first statement: its level, and the time it reads at. */
export function startTxnReadConcern(engine: { time: LogicalClock; snapshots: Snapshots }, txn: Txn, rc: ReadConcern): void {
  if (rc.level !== undefined && !TXN_LEVELS.has(rc.level)) {
    throw new MongoCommandError(
      'InvalidOptions',
      `The readConcern level must be either 'local' (default), 'majority' or 'snapshot' in order to run in a transaction`,
    );
  }
  checkNotFuture(engine.time, rc);
  txn.readLevel = rc.level;
  if (rc.atClusterTime) {
    const versions = engine.snapshots.versionsAt(rc.atClusterTime);
    if (!versions) throw snapshotTooOld(rc.atClusterTime);
    txn.readFrom(versions);
  }
}

/**
 * The readConcern of a command outside transactions: refuses "snapshot" where MongoDB does and
 * a time beyond the clock; returns the time a snapshot read reads at.
 */
export function readTimeOf(
  engine: { time: LogicalClock; snapshots: Snapshots },
  name: string,
  cmd: Doc,
  rc: ReadConcern,
): Time | undefined {
  if (rc.level === 'snapshot') {
    const writesOut =
      name === 'aggregate' && Array.isArray(cmd.pipeline) && cmd.pipeline.some((s) => isPlainObject(s) && ('$out' in s || '$merge' in s));
    if (!SNAPSHOT_COMMANDS.has(name) || writesOut) {
      throw new MongoCommandError(
        'InvalidOptions',
        `Command ${name} does not support { readConcern: { level: "snapshot" } } :: caused by :: read concern snapshot not supported`,
      );
    }
  }
  checkNotFuture(engine.time, rc);
  if (rc.level !== 'snapshot' || name === 'killCursors') return undefined;
  engine.snapshots.retain();
  return rc.atClusterTime ?? engine.time.now();
}

/** Where a snapshot read's reply says the time it read at: on the cursor, or (distinct) the reply. */
export function withReadTime(reply: Doc, at: Time): Doc {
  if (reply.ok !== 1) return reply;
  if (isPlainObject(reply.cursor)) reply.cursor.atClusterTime = toTimestamp(at);
  else reply.atClusterTime = toTimestamp(at);
  return reply;
}
