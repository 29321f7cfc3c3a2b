/**
 * Conformance: multi-document transactions, sessions and retryable writes through the real
 * driver and Mongoose. Runs against the embedded server, or against a real MongoDB replica set
 * when TEST_MONGODB_URI is set.
 */
import {
  Long,
  MongoClient as Client,
  type ClientSession,
  type Collection,
  type CommandStartedEvent,
  type Db,
  type Document,
  type MongoClient,
} from 'mongodb';
import mongoose from 'mongoose';
import { inTransaction, serverError, useFreshDatabase, testServerUri, uriWithDb } from '../helpers/mongo';
import { within } from '../helpers/process';

let client: MongoClient;

/** Test documents use numbers and strings as _id, not only ObjectIds. */
type Loose = Document & { _id: string | number };
let db: Db;
let dbName: string;

useFreshDatabase('txn', (fresh) => ({ client, db, dbName } = fresh));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The whole collection as plain data, ordered by _id, for before/after comparisons. */
async function contents(coll: Collection<Loose>, session?: ClientSession): Promise<Document[]> {
  return coll
    .find({}, session ? { session } : {})
    .sort({ _id: 1 })
    .toArray();
}

/** A collection that exists before any transaction touches it, holding `docs`. */
async function seeded(name: string, docs: Loose[]): Promise<Collection<Loose>> {
  const coll = db.collection<Loose>(name);
  await coll.insertMany(docs);
  return coll;
}

describe('isolation and atomicity', () => {
  test('when a transaction inserts, updates and deletes, then readers outside it still see the old data', async () => {
    const coll = await seeded('isolation', [
      { _id: 1, v: 'a' },
      { _id: 2, v: 'b' },
    ]);
    const before = await contents(coll);
    await inTransaction(client, async (session) => {
      await coll.insertOne({ _id: 3, v: 'c' }, { session });
      await coll.updateOne({ _id: 1 }, { $set: { v: 'changed' } }, { session });
      await coll.deleteOne({ _id: 2 }, { session });
      expect(await contents(coll)).toEqual(before);
      expect(await coll.countDocuments({})).toBe(2);
      expect(await coll.findOne({ _id: 3 })).toBeNull();
    });
  });

  test('when a transaction reads after its own writes, then it sees them', async () => {
    const coll = await seeded('ownWrites', [
      { _id: 1, v: 'a' },
      { _id: 2, v: 'b' },
    ]);
    await inTransaction(client, async (session) => {
      await coll.insertOne({ _id: 3, v: 'c' }, { session });
      await coll.updateOne({ _id: 1 }, { $set: { v: 'changed' } }, { session });
      await coll.deleteOne({ _id: 2 }, { session });
      expect(await contents(coll, session)).toEqual([
        { _id: 1, v: 'changed' },
        { _id: 3, v: 'c' },
      ]);
      expect(await coll.countDocuments({}, { session })).toBe(2);
    });
  });

  test('when a transaction commits, then all its writes become visible together to an outside reader', async () => {
    const ids = [1, 2, 3, 4, 5];
    const coll = await seeded(
      'atomicCommit',
      ids.map((_id) => ({ _id, v: 'old' })),
    );
    const isOld = (docs: Document[]): boolean => docs.length === 5 && docs.every((d) => d.v === 'old');
    const isNew = (docs: Document[]): boolean => docs.length === 5 && docs.every((d) => d.v === 'new') && !docs.some((d) => d._id === 1);
    const seen: Document[][] = [];
    let committed = false;
    const reader = (async () => {
      // Keep reading while the commit runs, and a few times after it.
      for (let after = 0; after < 3 && seen.length < 5000;) {
        seen.push(await contents(coll));
        if (committed) after++;
      }
    })();
    await inTransaction(client, async (session) => {
      await coll.updateMany({ _id: { $in: [2, 3, 4, 5] } }, { $set: { v: 'new' } }, { session });
      await coll.deleteOne({ _id: 1 }, { session });
      await coll.insertOne({ _id: 6, v: 'new' }, { session });
      await session.commitTransaction();
      committed = true;
    });
    await within(reader, 10_000, 'reader');
    const torn = seen.filter((docs) => !isOld(docs) && !isNew(docs));
    expect(torn).toEqual([]);
    expect(isNew(seen[seen.length - 1]!)).toBe(true);
    expect(isNew(await contents(coll))).toBe(true);
  });

  test('when a transaction aborts, then every one of its writes is undone', async () => {
    const coll = await seeded('abort', [
      { _id: 1, v: 'a' },
      { _id: 2, v: 'b' },
    ]);
    const other = db.collection<Loose>('abortOther');
    const before = await contents(coll);
    await inTransaction(client, async (session) => {
      await coll.insertOne({ _id: 3, v: 'c' }, { session });
      await coll.updateMany({}, { $set: { v: 'changed' } }, { session });
      await coll.deleteOne({ _id: 2 }, { session });
      await other.insertOne({ _id: 'x' }, { session });
      await session.abortTransaction();
    });
    expect(await contents(coll)).toEqual(before);
    expect(await other.countDocuments({})).toBe(0);
  });

  test('when another client changes a document after the transaction first read, then the transaction still reads the old version', async () => {
    const coll = await seeded('snapshot', [
      { _id: 1, v: 'first' },
      { _id: 2, v: 'first' },
    ]);
    await inTransaction(
      client,
      async (session) => {
        expect(await coll.findOne({ _id: 1 }, { session })).toEqual({ _id: 1, v: 'first' });
        await coll.updateOne({ _id: 2 }, { $set: { v: 'second' } });
        await coll.updateOne({ _id: 1 }, { $set: { v: 'second' } });
        await coll.insertOne({ _id: 3, v: 'second' });
        expect(await contents(coll, session)).toEqual([
          { _id: 1, v: 'first' },
          { _id: 2, v: 'first' },
        ]);
      },
      { readConcern: 'snapshot' },
    );
    expect((await contents(coll)).map((d) => d.v)).toEqual(['second', 'second', 'second']);
  });
});

describe('conflicts and locking', () => {
  test('when two transactions update the same document, then the second gets a transient WriteConflict', async () => {
    const coll = await seeded('conflict', [{ _id: 'c', n: 0 }]);
    await inTransaction(client, async (first) => {
      await coll.updateOne({ _id: 'c' }, { $inc: { n: 1 } }, { session: first });
      await inTransaction(client, async (second) => {
        const err = await serverError(coll.updateOne({ _id: 'c' }, { $inc: { n: 10 } }, { session: second }));
        expect(err.code).toBe(112);
        expect(err.errorLabels).toContain('TransientTransactionError');
      });
      await first.commitTransaction();
    });
    expect(await coll.findOne({ _id: 'c' })).toEqual({ _id: 'c', n: 1 });
  });

  test('when 5 concurrent withTransaction calls each increment one counter, then all 5 increments land', async () => {
    const coll = await seeded('counter', [{ _id: 'counter', n: 0 }]);
    const increment = async (): Promise<void> => {
      const session = client.startSession();
      try {
        await session.withTransaction(async () => {
          await coll.updateOne({ _id: 'counter' }, { $inc: { n: 1 } }, { session });
          // Keep the transaction open a moment so the others collide with it.
          await sleep(20);
        });
      } finally {
        await session.endSession();
      }
    };
    await within(Promise.all(Array.from({ length: 5 }, increment)), 50_000, 'concurrent transactions');
    expect(await coll.findOne({ _id: 'counter' })).toEqual({ _id: 'counter', n: 5 });
  }, 60_000);

  test('when a write outside transactions targets a document an open transaction wrote, then it waits for the commit and then applies', async () => {
    const coll = await seeded('waiting', [{ _id: 'w', n: 0 }]);
    await inTransaction(client, async (session) => {
      await coll.updateOne({ _id: 'w' }, { $set: { byTxn: true } }, { session });
      let settled = false;
      const outside = coll.updateOne({ _id: 'w' }, { $set: { byOutside: true } }).finally(() => (settled = true));
      await sleep(500);
      expect(settled).toBe(false);
      await session.commitTransaction();
      const res = await within(outside, 10_000, 'outside write');
      expect(res.modifiedCount).toBe(1);
    });
    expect(await coll.findOne({ _id: 'w' })).toEqual({ _id: 'w', n: 0, byTxn: true, byOutside: true });
  }, 20_000);

  test('when an aggregation $merges into a document an open transaction wrote, then it waits for the commit and merges into the committed version', async () => {
    const target = await seeded('merge_target', [{ _id: 'm', n: 0 }]);
    const source = await seeded('merge_source', [{ _id: 'm', fromMerge: true }]);
    await inTransaction(client, async (session) => {
      await target.updateOne({ _id: 'm' }, { $set: { byTxn: true } }, { session });
      let settled = false;
      const merging = source
        .aggregate([{ $merge: { into: 'merge_target', whenMatched: 'merge' } }])
        .toArray()
        .finally(() => (settled = true));
      await sleep(500);
      expect(settled).toBe(false);
      await session.commitTransaction();
      await within(merging, 10_000, 'the $merge');
    });
    expect(await target.findOne({ _id: 'm' })).toEqual({ _id: 'm', n: 0, byTxn: true, fromMerge: true });
  }, 20_000);

  test('when an insert in a transaction hits a duplicate key, then the transaction is aborted and commit fails with NoSuchTransaction', async () => {
    const coll = await seeded('dupInTxn', [{ _id: 'taken' }]);
    await inTransaction(client, async (session) => {
      await coll.insertOne({ _id: 'fresh' }, { session });
      const dup = await serverError(coll.insertOne({ _id: 'taken' }, { session }));
      expect(dup.code).toBe(11000);
      expect(dup.errorLabels).not.toContain('TransientTransactionError');
      const commit = await serverError(session.commitTransaction());
      expect(commit.code).toBe(251);
    });
    expect(await contents(coll)).toEqual([{ _id: 'taken' }]);
  });
});

describe('Mongoose transactions', () => {
  let conn: mongoose.Connection;
  let Pet: mongoose.Model<{ name: string; species: string }>;

  beforeAll(async () => {
    conn = await mongoose.createConnection(uriWithDb(testServerUri(), dbName), { serverSelectionTimeoutMS: 5000 }).asPromise();
    Pet = conn.model('TxnPet', new mongoose.Schema({ name: { type: String, required: true }, species: { type: String, required: true } }));
    await Pet.createCollection();
  });

  afterAll(async () => {
    await conn.close();
  });

  beforeEach(async () => {
    await Pet.deleteMany({});
  });

  test('when connection.transaction() creates documents and returns, then they are committed', async () => {
    await conn.transaction(async (session) => {
      await Pet.create(
        [
          { name: 'Rex', species: 'dog' },
          { name: 'Tom', species: 'cat' },
        ],
        { session, ordered: true },
      );
      expect(await Pet.countDocuments({})).toBe(0);
      expect(await Pet.countDocuments({}).session(session)).toBe(2);
    });
    const names = (await Pet.find({}).sort({ name: 1 }).lean()).map((p) => p.name);
    expect(names).toEqual(['Rex', 'Tom']);
  });

  test('when connection.transaction() callback throws after creating documents, then nothing is stored and the error propagates', async () => {
    await Pet.create({ name: 'Old', species: 'fish' });
    const run = conn.transaction(async (session) => {
      await Pet.create([{ name: 'Rex', species: 'dog' }], { session });
      await Pet.updateOne({ name: 'Old' }, { $set: { species: 'bird' } }, { session });
      throw new Error('booking failed');
    });
    await expect(run).rejects.toThrow('booking failed');
    const all = await Pet.find({}, { _id: 0, __v: 0 }).lean();
    expect(all).toEqual([{ name: 'Old', species: 'fish' }]);
  });

  test('when session.withTransaction() creates documents, then they are committed, and a throwing one rolls back', async () => {
    const session = await conn.startSession();
    try {
      await session.withTransaction(async () => {
        await Pet.create([{ name: 'Kept', species: 'dog' }], { session });
      });
      await expect(
        session.withTransaction(async () => {
          await Pet.create([{ name: 'Dropped', species: 'cat' }], { session });
          throw new Error('rollback please');
        }),
      ).rejects.toThrow('rollback please');
    } finally {
      await session.endSession();
    }
    expect((await Pet.find({}).lean()).map((p) => p.name)).toEqual(['Kept']);
  });
});

describe('retryable writes', () => {
  test('when a client with default retryWrites inserts, then each write carries a session txnNumber and is stored once', async () => {
    const started: CommandStartedEvent[] = [];
    const monitored = new Client(testServerUri(), { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    monitored.on('commandStarted', (e) => {
      if (e.commandName === 'insert' || e.commandName === 'update') started.push(e);
    });
    try {
      const coll = monitored.db(dbName).collection<Loose>('retryable');
      await coll.insertOne({ _id: 'one' });
      await coll.insertMany([{ _id: 'two' }, { _id: 'three' }]);
      await coll.updateOne({ _id: 'one' }, { $set: { touched: true } });
      expect(started).toHaveLength(3);
      for (const e of started) {
        expect(e.command.lsid).toBeDefined();
        expect(e.command.txnNumber).toBeDefined();
      }
      const numbers = started.map((e) => String(e.command.txnNumber));
      expect(new Set(numbers).size).toBe(3);
      expect(await contents(coll)).toEqual([{ _id: 'one', touched: true }, { _id: 'three' }, { _id: 'two' }]);
    } finally {
      await monitored.close();
    }
  });

  test('when the same insert is resent on the same session with the same txnNumber, then it is acknowledged again and applied once', async () => {
    // A client of its own: its sessions are fresh on the server, so txnNumber 1 is not too old.
    const own = new Client(testServerUri(), { serverSelectionTimeoutMS: 5000 });
    const ownDb = own.db(dbName);
    const session = own.startSession();
    try {
      const cmd = { insert: 'retried', documents: [{ _id: 'once', v: 1 }], txnNumber: Long.fromNumber(1) };
      const first = await ownDb.command(cmd, { session });
      const again = await ownDb.command(cmd, { session });
      expect(first).toMatchObject({ ok: 1, n: 1 });
      expect(again).toMatchObject({ ok: 1, n: 1 });
      expect(again.writeErrors).toBeUndefined();
    } finally {
      await session.endSession();
      await own.close();
    }
    expect(await contents(db.collection<Loose>('retried'))).toEqual([{ _id: 'once', v: 1 }]);
  });
});
