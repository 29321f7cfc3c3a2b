/**
 * Conformance: cluster time, causal consistency, snapshot reads and DDL in transactions, as
 * MongoDB 7.0 answers them to the driver. Runs against the embedded server, or against a real
 * MongoDB replica set when TEST_MONGODB_URI is set.
 */
import {
  Binary,
  MongoClient as Client,
  Timestamp,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type Db,
  type Document,
  type MongoClient,
} from 'mongodb';
import { inTransaction, serverError, testServerUri, useFreshDatabase, usingRealMongo } from '../helpers/mongo';

/** Test documents use numbers and strings as _id, not only ObjectIds. */
type Loose = Document & { _id: string | number };

let client: MongoClient;
let db: Db;
let dbName: string;

useFreshDatabase('sessions', (fresh) => ({ client, db, dbName } = fresh));

/** A cluster time an hour ahead of the wall clock: later than any the server has given. */
function anHourAhead(): Timestamp {
  return new Timestamp({ t: Math.floor(Date.now() / 1000) + 3600, i: 1 });
}

/** A client of its own that records the commands it sends and the replies it gets. */
async function withMonitoredClient(
  fn: (c: MongoClient, seen: { started: CommandStartedEvent[]; succeeded: CommandSucceededEvent[] }) => Promise<void>,
): Promise<void> {
  const seen = { started: [] as CommandStartedEvent[], succeeded: [] as CommandSucceededEvent[] };
  const monitored = new Client(testServerUri(), { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
  monitored.on('commandStarted', (e) => seen.started.push(e));
  monitored.on('commandSucceeded', (e) => seen.succeeded.push(e));
  try {
    await fn(monitored, seen);
  } finally {
    await monitored.close();
  }
}

/** The collection names other clients see in the test database. */
async function listedNames(): Promise<string[]> {
  return (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
}

describe('cluster time', () => {
  test('when commands succeed or fail, then every reply carries operationTime and a signed $clusterTime', async () => {
    const replies: Document[] = [
      await client.db('admin').command({ hello: 1 }),
      await db.command({ ping: 1 }),
      await db.command({ insert: 'clock', documents: [{ _id: 'stamped' }] }),
      await db.command({ find: 'clock', filter: {} }),
    ];
    const failed = await serverError(db.command({ find: 'clock', readConcern: { afterClusterTime: anHourAhead() } }));
    for (const reply of [...replies, failed as unknown as Document]) {
      expect(reply.operationTime).toBeInstanceOf(Timestamp);
      expect(reply.$clusterTime.clusterTime).toBeInstanceOf(Timestamp);
      expect(reply.operationTime.lessThanOrEqual(reply.$clusterTime.clusterTime)).toBe(true);
      const { hash, keyId } = reply.$clusterTime.signature;
      expect(hash).toBeInstanceOf(Binary);
      expect(hash.length()).toBe(20);
      // Without authentication mongod signs with a zero hash and key 0 (a real deployment may use keys).
      if (!usingRealMongo()) {
        expect([...hash.buffer]).toEqual(new Array(20).fill(0));
        expect(Number(keyId)).toBe(0);
      }
    }
  });

  test('when documents are written one after another, then each write reply has a later operationTime, and a read after them none earlier', async () => {
    const times: Timestamp[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await db.command({ insert: 'ticks', documents: [{ _id: i }] });
      times.push(reply.operationTime as Timestamp);
    }
    const update = await db.command({ update: 'ticks', updates: [{ q: { _id: 0 }, u: { $set: { v: 1 } } }] });
    times.push(update.operationTime as Timestamp);
    for (let i = 1; i < times.length; i++) expect(times[i]!.greaterThan(times[i - 1]!)).toBe(true);
    const read = await db.command({ find: 'ticks', filter: {} });
    expect((read.operationTime as Timestamp).greaterThanOrEqual(times[times.length - 1]!)).toBe(true);
  });
});

describe('causal consistency', () => {
  test('when a causally consistent session reads after its write, then the read names the write time as afterClusterTime and sees the write', async () => {
    await withMonitoredClient(async (monitored, seen) => {
      const session = monitored.startSession({ causalConsistency: true });
      try {
        const coll = monitored.db(dbName).collection<Loose>('causal');
        await coll.insertOne({ _id: 'first' }, { session });
        const afterWrite = session.operationTime;
        expect(afterWrite).toBeInstanceOf(Timestamp);
        expect(session.clusterTime?.clusterTime).toBeInstanceOf(Timestamp);
        expect(await coll.findOne({ _id: 'first' }, { session })).toEqual({ _id: 'first' });
        const find = seen.started.find((e) => e.commandName === 'find');
        expect(find?.command.readConcern?.afterClusterTime).toEqual(afterWrite);
        await coll.insertOne({ _id: 'second' }, { session });
        expect(session.operationTime!.greaterThan(afterWrite!)).toBe(true);
        expect(await coll.countDocuments({}, { session })).toBe(2);
      } finally {
        await session.endSession();
      }
    });
  });

  test('when a read asks for an afterClusterTime later than the cluster time, then it fails with InvalidOptions', async () => {
    await db.collection<Loose>('future').insertOne({ _id: 1 });
    const err = await serverError(db.command({ find: 'future', filter: {}, readConcern: { afterClusterTime: anHourAhead() } }));
    expect(err.code).toBe(72);
    expect(err.codeName).toBe('InvalidOptions');
  });

  test('when a read asks for the afterClusterTime of an earlier reply, then it answers at once', async () => {
    const written = await db.command({ insert: 'afterPast', documents: [{ _id: 1 }] });
    const reply = await db.command({ find: 'afterPast', filter: {}, readConcern: { afterClusterTime: written.operationTime } });
    expect(reply.cursor.firstBatch).toEqual([{ _id: 1 }]);
  });
});

describe('snapshot reads', () => {
  test('when a snapshot session reads, then its later reads see the data as of its first read, whatever is written since', async () => {
    const coll = db.collection<Loose>('snapshotSession');
    const old = [
      { _id: 1, v: 'old' },
      { _id: 2, v: 'old' },
    ];
    await coll.insertMany(old);
    await withMonitoredClient(async (monitored, seen) => {
      const session = monitored.startSession({ snapshot: true });
      try {
        const mine = monitored.db(dbName).collection<Loose>('snapshotSession');
        expect(await mine.find({}, { session }).sort({ _id: 1 }).toArray()).toEqual(old);
        const firstReply = seen.succeeded.find((e) => e.commandName === 'find')?.reply as Document | undefined;
        const atClusterTime = firstReply?.cursor.atClusterTime;
        expect(atClusterTime).toBeInstanceOf(Timestamp);
        await coll.updateOne({ _id: 1 }, { $set: { v: 'new' } });
        await coll.deleteOne({ _id: 2 });
        await coll.insertOne({ _id: 3, v: 'new' });
        expect(await mine.find({}, { session }).sort({ _id: 1 }).toArray()).toEqual(old);
        expect(await mine.findOne({ _id: 2 }, { session })).toEqual({ _id: 2, v: 'old' });
        expect(await mine.distinct('v', {}, { session })).toEqual(['old']);
        expect(await mine.countDocuments({}, { session })).toBe(2);
        // Every read after the first one names the time the first one reported.
        const later = seen.started.filter((e) => e.commandName !== 'find' || e.command.readConcern?.atClusterTime);
        expect(later.length).toBeGreaterThanOrEqual(4);
        for (const e of later) expect(e.command.readConcern).toEqual({ level: 'snapshot', atClusterTime });
      } finally {
        await session.endSession();
      }
    });
    expect(await coll.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, v: 'new' },
      { _id: 3, v: 'new' },
    ]);
  });

  test('when a snapshot session reads a cursor in several batches, then the later batches come from the same time', async () => {
    const coll = db.collection<Loose>('snapshotBatches');
    await coll.insertMany(Array.from({ length: 5 }, (_, i) => ({ _id: i, v: 'old' })));
    const session = client.startSession({ snapshot: true });
    try {
      const cursor = coll.find({}, { session, batchSize: 2 }).sort({ _id: 1 });
      const seen: Document[] = [(await cursor.next())!];
      await coll.updateMany({}, { $set: { v: 'new' } });
      for await (const doc of cursor) seen.push(doc);
      expect(seen.map((d) => d.v)).toEqual(['old', 'old', 'old', 'old', 'old']);
      expect(await coll.countDocuments({ v: 'old' }, { session })).toBe(5);
    } finally {
      await session.endSession();
    }
  });

  test('when a snapshot read names a time before later writes, then it answers as of that time (or refuses with SnapshotTooOld)', async () => {
    const written = await db.command({ insert: 'pointInTime', documents: [{ _id: 1, v: 'old' }] });
    await db.collection<Loose>('pointInTime').updateOne({ _id: 1 }, { $set: { v: 'new' } });
    const read = db.command({ find: 'pointInTime', filter: {}, readConcern: { level: 'snapshot', atClusterTime: written.operationTime } });
    if (usingRealMongo()) {
      expect((await read).cursor.firstBatch).toEqual([{ _id: 1, v: 'old' }]);
      return;
    }
    // The embedded server keeps history only from the first snapshot read on: without it, it
    // refuses as MongoDB does once history is gone, and never answers with the newer data.
    const answer = await read.then(
      (reply) => reply.cursor.firstBatch as Document[],
      (err: { code?: number }) => err.code,
    );
    expect([[{ _id: 1, v: 'old' }], 239]).toContainEqual(answer);
  });

  test('when a snapshot read names a past time and the collection has not changed since, then it answers with the data', async () => {
    const written = await db.command({ insert: 'unchanged', documents: [{ _id: 1 }, { _id: 2 }] });
    await db.collection<Loose>('elsewhere').insertOne({ _id: 'later' });
    const reply = await db.command({
      find: 'unchanged',
      filter: {},
      readConcern: { level: 'snapshot', atClusterTime: written.operationTime },
    });
    expect(reply.cursor.firstBatch).toEqual([{ _id: 1 }, { _id: 2 }]);
    expect((reply.cursor.atClusterTime as Timestamp).equals(written.operationTime)).toBe(true);
  });

  test('when a snapshot read names a time later than the cluster time, then it fails with InvalidOptions', async () => {
    const err = await serverError(
      db.command({ find: 'unchanged', filter: {}, readConcern: { level: 'snapshot', atClusterTime: anHourAhead() } }),
    );
    expect(err.code).toBe(72);
  });

  test.each([
    ['count', { count: 'refused' }],
    ['insert', { insert: 'refused', documents: [{ _id: 1 }] }],
    ['update', { update: 'refused', updates: [{ q: {}, u: { $set: { v: 1 } } }] }],
    ['listCollections', { listCollections: 1 }],
    ['listIndexes', { listIndexes: 'refused' }],
    ['aggregate with $out', { aggregate: 'refused', pipeline: [{ $out: 'refusedOut' }], cursor: {} }],
  ])('when %s asks for readConcern snapshot outside a transaction, then it fails with InvalidOptions', async (_name, command) => {
    await db.collection<Loose>('refused').updateOne({ _id: 'seed' }, { $set: { seeded: true } }, { upsert: true });
    const err = await serverError(db.command({ ...command, readConcern: { level: 'snapshot' } }));
    expect(err.code).toBe(72);
    expect(await db.collection('refused').countDocuments({})).toBe(1);
  });

  test('when a snapshot session writes, then the write is refused with InvalidOptions and nothing is written', async () => {
    const session = client.startSession({ snapshot: true });
    try {
      const err = await serverError(db.collection<Loose>('snapshotWrite').insertOne({ _id: 1 }, { session }));
      expect(err.code).toBe(72);
    } finally {
      await session.endSession();
    }
    expect(await db.collection('snapshotWrite').countDocuments({})).toBe(0);
  });
});

describe('collections and indexes created in a transaction', () => {
  test('when a transaction inserts into a collection that does not exist, then other clients do not list it until the commit', async () => {
    await inTransaction(client, async (session) => {
      await db.collection<Loose>('implicitCommitted').insertOne({ _id: 1 }, { session });
      expect(await db.collection('implicitCommitted').find({}, { session }).toArray()).toEqual([{ _id: 1 }]);
      expect(await listedNames()).not.toContain('implicitCommitted');
      await session.commitTransaction();
    });
    expect(await listedNames()).toContain('implicitCommitted');
    expect(await db.collection('implicitCommitted').find({}).toArray()).toEqual([{ _id: 1 }]);
  });

  test('when a transaction inserts into a collection that does not exist and aborts, then the collection never appears', async () => {
    await inTransaction(client, async (session) => {
      await db.collection<Loose>('implicitAborted').insertOne({ _id: 1 }, { session });
      expect(await listedNames()).not.toContain('implicitAborted');
      await session.abortTransaction();
    });
    expect(await listedNames()).not.toContain('implicitAborted');
    expect(await db.collection('implicitAborted').countDocuments({})).toBe(0);
  });

  test('when a client inserts into a collection an open transaction is creating, then the insert waits for the commit and lands in the created collection', async () => {
    await inTransaction(client, async (session) => {
      await db.createCollection('contended', { session });
      await db.collection('contended').createIndex({ k: 1 }, { unique: true, session });
      let settled = false;
      const outside = db
        .collection<Loose>('contended')
        .insertOne({ _id: 'outside', k: 1 })
        .finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
      await session.commitTransaction();
      await outside;
    });
    const indexes = await db.collection('contended').listIndexes().toArray();
    expect(indexes.map((ix) => ix.name).sort()).toEqual(['_id_', 'k_1']);
    expect(await db.collection('contended').find({}).toArray()).toEqual([{ _id: 'outside', k: 1 }]);
  }, 20_000);

  test('when a transaction creates a collection and a unique index on it and commits, then both appear with the commit and the index is enforced', async () => {
    await inTransaction(client, async (session) => {
      await db.createCollection('created', { session });
      const coll = db.collection<Loose>('created');
      await coll.createIndex({ email: 1 }, { unique: true, session });
      await coll.insertOne({ _id: 1, email: 'a@example.com' }, { session });
      expect(await listedNames()).not.toContain('created');
      await session.commitTransaction();
    });
    expect(await listedNames()).toContain('created');
    const indexes = await db.collection('created').listIndexes().toArray();
    expect(indexes.map((ix) => ix.name).sort()).toEqual(['_id_', 'email_1']);
    const dup = await serverError(db.collection<Loose>('created').insertOne({ _id: 2, email: 'a@example.com' }));
    expect(dup.code).toBe(11000);
  });

  test('when a transaction creates a collection with an index and aborts, then neither exists and the name is free', async () => {
    await inTransaction(client, async (session) => {
      await db.createCollection('createdAborted', { session });
      await db.collection('createdAborted').createIndex({ v: 1 }, { session });
      await session.abortTransaction();
    });
    expect(await listedNames()).not.toContain('createdAborted');
    await db.createCollection('createdAborted');
    const indexes = await db.collection('createdAborted').listIndexes().toArray();
    expect(indexes.map((ix) => ix.name)).toEqual(['_id_']);
  });

  test('when a transaction creates a collection and aborts, then collMod on that name fails with NamespaceNotFound (26) and nothing is listed', async () => {
    await inTransaction(client, async (session) => {
      await db.createCollection('modAborted', { session });
      await db.collection<Loose>('modAborted').insertOne({ _id: 1 }, { session });
      await session.abortTransaction();
    });
    const err = await serverError(db.command({ collMod: 'modAborted', validator: { v: { $exists: true } } }));
    expect(err.code).toBe(26);
    expect(await listedNames()).not.toContain('modAborted');
  });

  test('when a transaction creates indexes on a collection that does not exist, then the collection is created with them at the commit', async () => {
    await inTransaction(client, async (session) => {
      const reply = await db.command({ createIndexes: 'indexedNew', indexes: [{ key: { v: 1 }, name: 'v_1' }] }, { session });
      expect(reply).toMatchObject({ ok: 1, createdCollectionAutomatically: true });
      await session.commitTransaction();
    });
    const indexes = await db.collection('indexedNew').listIndexes().toArray();
    expect(indexes.map((ix) => ix.name).sort()).toEqual(['_id_', 'v_1']);
  });

  test('when a transaction creates an index on an existing collection with documents, then it fails with OperationNotSupportedInTransaction', async () => {
    const coll = db.collection<Loose>('existingFull');
    await coll.insertOne({ _id: 1, v: 1 });
    await inTransaction(client, async (session) => {
      const err = await serverError(coll.createIndex({ v: 1 }, { session }));
      expect(err.code).toBe(263);
    });
    expect((await coll.listIndexes().toArray()).map((ix) => ix.name)).toEqual(['_id_']);
  });

  test('when a transaction creates a collection that already exists, then it fails with NamespaceExists and the transaction is aborted', async () => {
    await db.createCollection('alreadyThere');
    await inTransaction(client, async (session) => {
      const err = await serverError(db.createCollection('alreadyThere', { session }));
      expect(err.code).toBe(48);
      const commit = await serverError(session.commitTransaction());
      expect(commit.code).toBe(251);
    });
  });

  test('when a transaction with read concern snapshot creates a collection or an index, then it fails with InvalidOptions', async () => {
    await inTransaction(
      client,
      async (session) => {
        const err = await serverError(db.createCollection('snapshotDdl', { session }));
        expect(err.code).toBe(72);
      },
      { readConcern: 'snapshot' },
    );
    await inTransaction(
      client,
      async (session) => {
        const err = await serverError(db.command({ createIndexes: 'snapshotDdl', indexes: [{ key: { v: 1 }, name: 'v_1' }] }, { session }));
        expect(err.code).toBe(72);
      },
      { readConcern: 'snapshot' },
    );
    expect(await listedNames()).not.toContain('snapshotDdl');
  });
});
