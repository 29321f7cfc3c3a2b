/**
 * Conformance: a command's `let` variables (update, delete, findAndModify, bulkWrite, find,
 * aggregate), each value evaluated once as an expression, and MongoDB's errors for undefined and
 * misnamed variables, as MongoDB 7 answers them. Runs against the embedded server, or a real
 * MongoDB replica set when TEST_MONGODB_URI is set.
 */
import { Timestamp } from 'mongodb';
import type { Collection, Db, Document } from 'mongodb';
import { serverError, useFreshDatabase } from '../helpers/mongo';

interface Item extends Document {
  _id: number;
  qty?: number;
  tag?: string;
}

let db: Db;

useFreshDatabase('let', (fresh) => ({ db } = fresh));

let collCounter = 0;

/** A new collection holding items 1..4 with qty 10, 20, 30, 40. */
async function items(): Promise<Collection<Item>> {
  const coll = db.collection<Item>(`items${++collCounter}`);
  await coll.insertMany([1, 2, 3, 4].map((i) => ({ _id: i, qty: i * 10 })));
  return coll;
}

const qtyIs = { $expr: { $eq: ['$qty', '$$target'] } };

describe('let on writes', () => {
  test('when updateOne has let, then $expr in the filter and the update pipeline see the variables', async () => {
    const coll = await items();
    const res = await coll.updateOne(qtyIs, [{ $set: { tag: '$$label' } }], { let: { target: 20, label: 'picked' } });
    expect(res).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.find({ tag: 'picked' }).toArray()).toEqual([{ _id: 2, qty: 20, tag: 'picked' }]);
  });

  test('when updateMany upserts with let and nothing matches, then the inserted document is built from the variables', async () => {
    const coll = await items();
    const res = await coll.updateMany({ _id: 9, ...qtyIs }, [{ $set: { qty: '$$target', tag: '$$label' } }], {
      upsert: true,
      let: { target: 90, label: 'new' },
    });
    expect(res).toMatchObject({ matchedCount: 0, upsertedId: 9 });
    expect(await coll.findOne({ _id: 9 })).toEqual({ _id: 9, qty: 90, tag: 'new' });
  });

  test('when deleteMany has let, then $expr in the filter sees the variable', async () => {
    const coll = await items();
    const res = await coll.deleteMany({ $expr: { $gte: ['$qty', '$$min'] } }, { let: { min: 30 } });
    expect(res.deletedCount).toBe(2);
    expect((await coll.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2]);
  });

  test('when findOneAndUpdate and findOneAndDelete have let, then their filters and pipelines see the variables', async () => {
    const coll = await items();
    const updated = await coll.findOneAndUpdate(qtyIs, [{ $set: { qty: { $add: ['$qty', '$$step'] } } }], {
      let: { target: 30, step: 5 },
      returnDocument: 'after',
    });
    expect(updated).toEqual({ _id: 3, qty: 35 });
    const removed = await coll.findOneAndDelete(qtyIs, { let: { target: 40 } });
    expect(removed).toEqual({ _id: 4, qty: 40 });
    expect(await coll.countDocuments()).toBe(3);
  });

  test('when bulkWrite has let, then every update and delete statement sees the variables', async () => {
    const coll = await items();
    const res = await coll.bulkWrite(
      [
        { updateOne: { filter: qtyIs, update: [{ $set: { tag: '$$label' } }] } },
        { updateMany: { filter: { $expr: { $lt: ['$qty', '$$target'] } }, update: { $set: { small: true } } } },
        { deleteOne: { filter: { $expr: { $eq: ['$qty', '$$gone'] } } } },
      ],
      { let: { target: 20, label: 'bulk', gone: 40 } },
    );
    expect(res).toMatchObject({ matchedCount: 2, modifiedCount: 2, deletedCount: 1 });
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, qty: 10, small: true },
      { _id: 2, qty: 20, tag: 'bulk' },
      { _id: 3, qty: 30 },
    ]);
  });
});

describe('let on reads', () => {
  test('when aggregate has let, then each value is an expression evaluated once: $literal stays a string, $add is summed', async () => {
    const coll = await items();
    const [out] = await coll
      .aggregate(
        [{ $match: { _id: 1 } }, { $project: { _id: 0, literal: '$$lit', sum: '$$sum', nested: '$$nested', nowType: { $type: '$$now' } } }],
        { let: { lit: { $literal: '$bar' }, sum: { $add: [1, 2] }, nested: { a: { $multiply: [2, 3] } }, now: '$$NOW' } },
      )
      .toArray();
    expect(out).toEqual({ literal: '$bar', sum: 3, nested: { a: 6 }, nowType: 'date' });
  });

  test('when a pipeline reads $$NOW and $$CLUSTER_TIME, then they are a date and a timestamp', async () => {
    const coll = await items();
    const [out] = await coll.aggregate([{ $match: { _id: 1 } }, { $project: { _id: 0, now: '$$NOW', time: '$$CLUSTER_TIME' } }]).toArray();
    expect(out!.now).toBeInstanceOf(Date);
    expect(out!.time).toBeInstanceOf(Timestamp);
  });

  test('when find has let, then $expr in the filter sees the variable', async () => {
    const coll = await items();
    expect(
      await coll
        .find({ $expr: { $gt: ['$qty', '$$min'] } }, { let: { min: 25 } })
        .sort({ _id: 1 })
        .toArray(),
    ).toEqual([
      { _id: 3, qty: 30 },
      { _id: 4, qty: 40 },
    ]);
  });

  test('when a $lookup pipeline has its own let and the command has let, then the sub-pipeline sees both', async () => {
    const coll = await items();
    const other = db.collection<Item>(`other${collCounter}`);
    await other.insertMany([
      { _id: 1, qty: 10, tag: 'x' },
      { _id: 2, qty: 10, tag: 'y' },
      { _id: 3, qty: 20, tag: 'x' },
    ]);
    const docs = await coll
      .aggregate(
        [
          { $match: { _id: { $lte: 2 } } },
          {
            $lookup: {
              from: other.collectionName,
              let: { q: '$qty' },
              pipeline: [
                { $match: { $expr: { $and: [{ $eq: ['$qty', '$$q'] }, { $eq: ['$tag', '$$wanted'] }] } } },
                { $project: { _id: 1 } },
              ],
              as: 'hits',
            },
          },
          { $sort: { _id: 1 } },
        ],
        { let: { wanted: 'x' } },
      )
      .toArray();
    expect(docs).toEqual([
      { _id: 1, qty: 10, hits: [{ _id: 1 }] },
      { _id: 2, qty: 20, hits: [{ _id: 3 }] },
    ]);
  });
});

describe('variable errors', () => {
  test('when an aggregate uses a variable nothing defines, then it fails with 17276 (Use of undefined variable)', async () => {
    const coll = await items();
    const err = await serverError(coll.aggregate([{ $project: { x: '$$nowhere' } }]).toArray());
    expect(err.code).toBe(17276);
  });

  test('when an update or delete filter uses a variable nothing defines, then it fails with 17276 and nothing changes', async () => {
    const coll = await items();
    expect((await serverError(coll.updateMany({ $expr: { $eq: ['$qty', '$$missing'] } }, { $set: { tag: 'x' } }))).code).toBe(17276);
    expect((await serverError(coll.deleteMany({ $expr: { $eq: ['$qty', '$$missing'] } }))).code).toBe(17276);
    expect(await coll.countDocuments({ tag: 'x' })).toBe(0);
    expect(await coll.countDocuments()).toBe(4);
  });

  test('when let names a variable starting with an uppercase letter, then the command fails with 16867', async () => {
    const coll = await items();
    expect((await serverError(coll.aggregate([{ $match: {} }], { let: { Target: 1 } }).toArray())).code).toBe(16867);
    expect((await serverError(coll.updateOne(qtyIs, { $set: { tag: 'x' } }, { let: { Target: 1 } }))).code).toBe(16867);
  });

  test('when a let value reads a document field, then the command fails with 4890500', async () => {
    const coll = await items();
    expect((await serverError(coll.aggregate([{ $match: {} }], { let: { q: '$qty' } }).toArray())).code).toBe(4890500);
  });
});
