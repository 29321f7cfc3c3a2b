/**
 * Conformance: update, replace, delete, findOneAnd* and bulkWrite, with every update operator,
 * as MongoDB 7 answers them. Runs against the embedded server, or a real MongoDB replica set when
 * TEST_MONGODB_URI is set.
 */
import { Decimal128, Double, Int32, Long, MongoBulkWriteError, ObjectId, Timestamp } from 'mongodb';
import type { Collection, Db, Document, UpdateFilter } from 'mongodb';
import { serverError, useFreshDatabase } from '../helpers/mongo';

/** Any document shape with the _id types these tests use (the driver's default schema assumes ObjectId). */
interface AnyDoc extends Document {
  _id?: number | string | ObjectId;
}

let db: Db;

useFreshDatabase('update', (fresh) => ({ db } = fresh));

let collCounter = 0;

/** A new collection holding `docs`. */
async function seed(docs: Document[]): Promise<Collection<AnyDoc>> {
  const coll = db.collection<AnyDoc>(`c${++collCounter}`);
  if (docs.length > 0) await coll.insertMany(docs);
  return coll;
}

/** Applies `update` to the single document { _id: 1, ...fields } and returns the document after it. */
async function afterUpdate(fields: Document, update: Document): Promise<Document | null> {
  const coll = await seed([{ _id: 1, ...fields }]);
  await coll.updateOne({ _id: 1 }, update);
  return coll.findOne({ _id: 1 });
}

describe('write results', () => {
  test('when updateOne matches several documents, then only one is changed and the counts say so', async () => {
    const coll = await seed([
      { _id: 1, a: 1 },
      { _id: 2, a: 1 },
    ]);
    const res = await coll.updateOne({ a: 1 }, { $set: { b: 1 } });
    expect(res).toMatchObject({ acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
    expect(await coll.countDocuments({ b: 1 })).toBe(1);
  });

  test('when an update leaves the document as it was, then it is matched but not modified', async () => {
    const coll = await seed([{ _id: 1, a: 1 }]);
    expect(await coll.updateOne({ _id: 1 }, { $set: { a: 1 } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    expect(await coll.updateOne({ _id: 2 }, { $set: { a: 1 } })).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedId: null });
  });

  test('when updateMany runs, then every match is counted and only changed documents count as modified', async () => {
    const coll = await seed([
      { _id: 1, s: 'new' },
      { _id: 2, s: 'new' },
      { _id: 3, s: 'done' },
      { _id: 4, s: 'other' },
    ]);
    const res = await coll.updateMany({ s: { $in: ['new', 'done'] } }, { $set: { s: 'done' } });
    expect(res).toMatchObject({ matchedCount: 3, modifiedCount: 2, upsertedCount: 0 });
    expect(await coll.countDocuments({ s: 'done' })).toBe(3);
  });

  test('when replaceOne runs, then the document keeps its _id and only the new fields', async () => {
    const coll = await seed([{ _id: 1, a: 1, b: 2 }]);
    expect(await coll.replaceOne({ _id: 1 }, { c: 3 })).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, c: 3 });
  });

  test('when deleteOne and deleteMany run, then deletedCount tells how many went', async () => {
    const coll = await seed([
      { _id: 1, k: 'x' },
      { _id: 2, k: 'x' },
      { _id: 3, k: 'x' },
      { _id: 4, k: 'y' },
    ]);
    expect(await coll.deleteOne({ k: 'x' })).toEqual({ acknowledged: true, deletedCount: 1 });
    expect(await coll.deleteMany({ k: 'x' })).toEqual({ acknowledged: true, deletedCount: 2 });
    expect(await coll.deleteMany({ k: 'nothing' })).toEqual({ acknowledged: true, deletedCount: 0 });
    expect((await coll.find().toArray()).map((d) => d._id)).toEqual([4]);
  });
});

describe('field operators', () => {
  test('when $set names a dotted path that does not exist, then the subdocuments are created', async () => {
    expect(await afterUpdate({ a: 1 }, { $set: { 'b.c.d': 'x', a: 2 } })).toEqual({ _id: 1, a: 2, b: { c: { d: 'x' } } });
  });

  test('when $unset removes fields, then they are gone and unsetting a missing field changes nothing', async () => {
    const coll = await seed([{ _id: 1, a: 1, b: { c: 1, d: 2 } }]);
    expect(await coll.updateOne({ _id: 1 }, { $unset: { a: '', 'b.c': 1 } })).toMatchObject({ modifiedCount: 1 });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, b: { d: 2 } });
    expect(await coll.updateOne({ _id: 1 }, { $unset: { zzz: '' } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  });

  test('when $inc adds to a number or a missing field, then the sum or the increment is stored', async () => {
    expect(await afterUpdate({ n: 10, f: 1 }, { $inc: { n: 5, f: 0.5, missing: -2 } })).toEqual({ _id: 1, n: 15, f: 1.5, missing: -2 });
  });

  test('when $inc targets a string, then the update fails with TypeMismatch (14) and the document is unchanged', async () => {
    const coll = await seed([{ _id: 1, n: 'ten' }]);
    await expect(coll.updateOne({ _id: 1 }, { $inc: { n: 1 } })).rejects.toMatchObject({ code: 14 });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 'ten' });
  });

  test('when $inc and $mul mix numeric types, then the stored type follows MongoDB promotion (int overflows to long)', async () => {
    const coll = await seed([{ _id: 1, max: new Int32(2147483647), small: new Int32(2), long: Long.fromNumber(5), half: new Int32(2) }]);
    await coll.updateOne({ _id: 1 }, { $inc: { max: 1, small: 1, long: 1 }, $mul: { half: 1.5 } });
    const doc = (await coll.findOne({ _id: 1 }, { promoteValues: false, promoteLongs: false }))!;
    expect(doc.max).toBeInstanceOf(Long);
    expect(doc.max.toString()).toBe('2147483648');
    expect(doc.small).toBeInstanceOf(Int32);
    expect(doc.small.value).toBe(3);
    expect(doc.long).toBeInstanceOf(Long);
    expect(doc.long.toString()).toBe('6');
    expect(doc.half).toBeInstanceOf(Double);
    expect(doc.half.value).toBe(3);
  });

  test('when $inc adds decimals, then the arithmetic is exact decimal, not binary floating point', async () => {
    const coll = await seed([{ _id: 1, dec: Decimal128.fromString('0.1') }]);
    await coll.updateOne({ _id: 1 }, { $inc: { dec: Decimal128.fromString('0.2') } });
    const doc = (await coll.findOne({ _id: 1 }))!;
    expect(doc.dec).toBeInstanceOf(Decimal128);
    expect(doc.dec.toString()).toBe('0.3');
  });

  test('when $mul multiplies, then a missing field becomes 0', async () => {
    expect(await afterUpdate({ price: 10 }, { $mul: { price: 1.5, missing: 3 } })).toEqual({ _id: 1, price: 15, missing: 0 });
  });

  test('when $min and $max compare, then the field changes only if the new value is lower or higher', async () => {
    const coll = await seed([{ _id: 1, low: 5, high: 5, when: new Date('2024-01-01') }]);
    await coll.updateOne({ _id: 1 }, { $min: { low: 3 }, $max: { high: 4, when: new Date('2024-06-01') } });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, low: 3, high: 5, when: new Date('2024-06-01') });
    expect(await coll.updateOne({ _id: 1 }, { $min: { low: 4 }, $max: { high: 1 } })).toMatchObject({ modifiedCount: 0 });
  });

  test('when $rename moves fields, then the value sits under the new name, including into subdocuments', async () => {
    expect(await afterUpdate({ nick: 'Al', a: { b: 1 } }, { $rename: { nick: 'alias', 'a.b': 'c.d' } })).toEqual({
      _id: 1,
      alias: 'Al',
      a: {},
      c: { d: 1 },
    });
  });

  test('when $currentDate runs, then the field holds the server time as a date or a timestamp', async () => {
    const before = Date.now();
    const doc = await afterUpdate({}, { $currentDate: { at: true, asDate: { $type: 'date' }, ts: { $type: 'timestamp' } } });
    expect(doc!.at).toBeInstanceOf(Date);
    expect(doc!.asDate).toBeInstanceOf(Date);
    // Loose bounds: the server's clock may differ slightly from the test's.
    expect(Math.abs((doc!.at as Date).getTime() - before)).toBeLessThan(5 * 60_000);
    expect(doc!.ts).toBeInstanceOf(Timestamp);
    expect(Math.abs((doc!.ts as Timestamp).getHighBitsUnsigned() * 1000 - before)).toBeLessThan(5 * 60_000);
  });
});

describe('array operators', () => {
  test('when $push appends, then a missing field becomes a one-element array', async () => {
    expect(await afterUpdate({ tags: ['a'] }, { $push: { tags: 'b', fresh: 1 } })).toEqual({ _id: 1, tags: ['a', 'b'], fresh: [1] });
  });

  test('when $push has $each with $sort and $slice, then it inserts, then sorts, then slices, whatever the order given', async () => {
    expect(await afterUpdate({ s: [5, 9] }, { $push: { s: { $slice: 3, $each: [1, 7], $sort: 1 } } })).toEqual({ _id: 1, s: [1, 5, 7] });
    expect(await afterUpdate({ s: [1, 2, 3] }, { $push: { s: { $each: [4, 5], $slice: -2 } } })).toEqual({ _id: 1, s: [4, 5] });
  });

  test('when $push has $position, then the elements go in at that index (negative counts from the end)', async () => {
    expect(await afterUpdate({ l: ['a', 'd'] }, { $push: { l: { $each: ['b', 'c'], $position: 1 } } })).toEqual({
      _id: 1,
      l: ['a', 'b', 'c', 'd'],
    });
    expect(await afterUpdate({ l: ['a', 'b', 'c'] }, { $push: { l: { $each: ['z'], $position: -1 } } })).toEqual({
      _id: 1,
      l: ['a', 'b', 'z', 'c'],
    });
  });

  test('when $push sorts subdocuments by a field, then the kept slice is the top of that order', async () => {
    const quizzes = [
      { wk: 1, score: 10 },
      { wk: 2, score: 8 },
    ];
    const doc = await afterUpdate({ quizzes }, { $push: { quizzes: { $each: [{ wk: 3, score: 9 }], $sort: { score: -1 }, $slice: 2 } } });
    expect(doc).toEqual({
      _id: 1,
      quizzes: [
        { wk: 1, score: 10 },
        { wk: 3, score: 9 },
      ],
    });
  });

  test('when $addToSet adds values, then only those not already present are appended', async () => {
    const coll = await seed([{ _id: 1, tags: ['a', 'b'] }]);
    expect(await coll.updateOne({ _id: 1 }, { $addToSet: { tags: 'b' } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    await coll.updateOne({ _id: 1 }, { $addToSet: { tags: { $each: ['b', 'c', 'd'] } } });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, tags: ['a', 'b', 'c', 'd'] });
  });

  test('when $pop runs with 1 or -1, then the last or the first element is removed', async () => {
    expect(await afterUpdate({ a: [1, 2, 3], b: [1, 2, 3] }, { $pop: { a: 1, b: -1 } })).toEqual({ _id: 1, a: [1, 2], b: [2, 3] });
  });

  test('when $pull takes a value or a condition, then every matching element is removed', async () => {
    const doc = await afterUpdate(
      {
        tags: ['a', 'b', 'a', 'c'],
        scores: [1, 5, 8, 3],
        items: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 0 },
        ],
      },
      { $pull: { tags: 'a', scores: { $gte: 5 }, items: { qty: { $lt: 1 } } } },
    );
    expect(doc).toEqual({ _id: 1, tags: ['b', 'c'], scores: [1, 3], items: [{ sku: 'a', qty: 1 }] });
  });

  test('when $pullAll lists values, then every occurrence of each is removed', async () => {
    expect(await afterUpdate({ s: [0, 2, 5, 5, 1, 0] }, { $pullAll: { s: [0, 5] } })).toEqual({ _id: 1, s: [2, 1] });
  });
});

describe('upserts', () => {
  test('when an upsert inserts, then $setOnInsert applies and the equality fields of the filter are kept', async () => {
    const coll = await seed([]);
    const res = await coll.updateOne(
      { sku: 'x', 'meta.kind': 'tool', $and: [{ shelf: 3 }], qty: { $gt: 5 } },
      { $set: { price: 3 }, $setOnInsert: { createdBy: 'seed' } },
      { upsert: true },
    );
    expect(res).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 1 });
    expect(res.upsertedId).toBeInstanceOf(ObjectId);
    const doc = await coll.findOne({ _id: res.upsertedId! });
    expect(doc).toEqual({ _id: res.upsertedId, sku: 'x', meta: { kind: 'tool' }, shelf: 3, price: 3, createdBy: 'seed' });
  });

  test('when an upsert matches an existing document, then $setOnInsert is ignored', async () => {
    const coll = await seed([{ _id: 1, sku: 'y' }]);
    const res = await coll.updateOne({ sku: 'y' }, { $set: { price: 4 }, $setOnInsert: { createdBy: 'seed' } }, { upsert: true });
    expect(res).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, sku: 'y', price: 4 });
  });

  test('when an upsert filter names the _id, then the inserted document takes it, for updates and replacements', async () => {
    const coll = await seed([]);
    expect(await coll.updateOne({ _id: 'u1' }, { $inc: { n: 1 } }, { upsert: true })).toMatchObject({ upsertedId: 'u1', upsertedCount: 1 });
    expect(await coll.replaceOne({ _id: 'r1' }, { x: 1 }, { upsert: true })).toMatchObject({ upsertedId: 'r1', upsertedCount: 1 });
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'r1', x: 1 },
      { _id: 'u1', n: 1 },
    ]);
  });
});

describe('positional updates', () => {
  test('when the positional $ is used, then the first array element the filter matched is updated', async () => {
    const coll = await seed([
      { _id: 1, grades: [80, 85, 80] },
      {
        _id: 2,
        marks: [
          { g: 'a', s: 1 },
          { g: 'b', s: 2 },
        ],
      },
    ]);
    await coll.updateOne({ _id: 1, grades: 80 }, { $set: { 'grades.$': 82 } });
    await coll.updateOne({ 'marks.g': 'b' }, { $inc: { 'marks.$.s': 10 } });
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, grades: [82, 85, 80] },
      {
        _id: 2,
        marks: [
          { g: 'a', s: 1 },
          { g: 'b', s: 12 },
        ],
      },
    ]);
  });

  test('when $[] is used, then every element of the array is updated', async () => {
    expect(await afterUpdate({ g: [1, 2, 3] }, { $inc: { 'g.$[]': 1 } })).toEqual({ _id: 1, g: [2, 3, 4] });
  });

  test('when $[id] is used with arrayFilters, then only the elements the filter selects are updated', async () => {
    const coll = await seed([
      {
        _id: 1,
        g: [95, 80, 92],
        items: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 2 },
        ],
      },
    ]);
    await coll.updateOne(
      { _id: 1 },
      { $set: { 'g.$[high]': 100 }, $inc: { 'items.$[it].qty': 10 } },
      { arrayFilters: [{ high: { $gte: 90 } }, { 'it.sku': 'b' }] },
    );
    expect(await coll.findOne({ _id: 1 })).toEqual({
      _id: 1,
      g: [100, 80, 100],
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 12 },
      ],
    });
  });
});

describe('invalid updates', () => {
  test('when an update would change _id, then it fails with ImmutableField (66) and the document stays', async () => {
    const coll = await seed([{ _id: 1, a: 1 }]);
    await expect(coll.updateOne({ _id: 1 }, { $set: { _id: 2 } })).rejects.toMatchObject({ code: 66 });
    await expect(coll.replaceOne({ _id: 1 }, { _id: 3, a: 2 })).rejects.toMatchObject({ code: 66 });
    expect(await coll.find().toArray()).toEqual([{ _id: 1, a: 1 }]);
  });

  test('when an update uses an unknown operator, then it fails with FailedToParse (9)', async () => {
    const coll = await seed([{ _id: 1, a: 1 }]);
    await expect(coll.updateOne({ _id: 1 }, { $foo: { a: 2 } } as UpdateFilter<AnyDoc>)).rejects.toMatchObject({ code: 9 });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, a: 1 });
  });
});

describe('findOneAnd*', () => {
  const jobs = [
    { _id: 1, kind: 'job', name: 'low', priority: 1 },
    { _id: 2, kind: 'job', name: 'urgent', priority: 9 },
    { _id: 3, kind: 'job', name: 'mid', priority: 5 },
  ];

  test('when findOneAndUpdate runs, then it returns the document before the update, or after it when asked', async () => {
    const coll = await seed([{ _id: 1, name: 'a', n: 1 }]);
    expect(await coll.findOneAndUpdate({ name: 'a' }, { $inc: { n: 1 } })).toEqual({ _id: 1, name: 'a', n: 1 });
    expect(await coll.findOneAndUpdate({ name: 'a' }, { $inc: { n: 1 } }, { returnDocument: 'after' })).toEqual({
      _id: 1,
      name: 'a',
      n: 3,
    });
    expect(await coll.findOneAndUpdate({ name: 'zzz' }, { $inc: { n: 1 } })).toBeNull();
  });

  test('when findOneAndUpdate has a sort and a projection, then the first document in that order is updated and shaped', async () => {
    const coll = await seed(jobs);
    const doc = await coll.findOneAndUpdate(
      { kind: 'job' },
      { $set: { taken: true } },
      { sort: { priority: -1 }, returnDocument: 'after', projection: { _id: 0, name: 1, taken: 1 } },
    );
    expect(doc).toEqual({ name: 'urgent', taken: true });
    expect(await coll.countDocuments({ taken: true })).toBe(1);
  });

  test('when findOneAndUpdate upserts, then before-image is null, the after-image is the new document and the metadata says upserted', async () => {
    const coll = await seed([]);
    expect(await coll.findOneAndUpdate({ name: 'new' }, { $set: { n: 1 } }, { upsert: true })).toBeNull();
    const after = await coll.findOneAndUpdate({ name: 'other' }, { $set: { n: 2 } }, { upsert: true, returnDocument: 'after' });
    expect(after).toEqual({ _id: expect.any(ObjectId), name: 'other', n: 2 });
    const meta = await coll.findOneAndUpdate({ name: 'third' }, { $set: { n: 3 } }, { upsert: true, includeResultMetadata: true });
    expect(meta.value).toBeNull();
    expect(meta.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: expect.any(ObjectId) });
    expect(await coll.countDocuments()).toBe(3);
  });

  test('when findOneAndReplace runs, then the whole document is replaced and the chosen image returned', async () => {
    const coll = await seed([{ _id: 1, name: 'x', old: true }]);
    expect(await coll.findOneAndReplace({ name: 'x' }, { name: 'x2' }, { returnDocument: 'after' })).toEqual({ _id: 1, name: 'x2' });
    expect(await coll.findOneAndReplace({ name: 'x2' }, { name: 'x3' })).toEqual({ _id: 1, name: 'x2' });
  });

  test('when findOneAndDelete has a sort, then the first document in that order is removed and returned', async () => {
    const coll = await seed(jobs);
    expect(await coll.findOneAndDelete({ kind: 'job' }, { sort: { priority: 1 } })).toEqual(jobs[0]);
    expect(await coll.findOneAndDelete({ kind: 'none' })).toBeNull();
    expect((await coll.find().sort({ _id: 1 }).toArray()).map((d) => d.name)).toEqual(['urgent', 'mid']);
  });
});

describe('bulkWrite', () => {
  test('when a mixed bulkWrite succeeds, then the result counts every kind of write', async () => {
    const coll = await seed([
      { _id: 1, k: 'a' },
      { _id: 2, k: 'a' },
      { _id: 3, k: 'b' },
    ]);
    const res = await coll.bulkWrite([
      { insertOne: { document: { _id: 10, k: 'c' } } },
      { updateOne: { filter: { _id: 1 }, update: { $set: { done: true } } } },
      { updateMany: { filter: { k: 'a' }, update: { $set: { seen: true } } } },
      { updateOne: { filter: { _id: 20 }, update: { $set: { k: 'up' } }, upsert: true } },
      { replaceOne: { filter: { _id: 3 }, replacement: { k: 'b2' } } },
      { deleteOne: { filter: { _id: 10 } } },
      { deleteMany: { filter: { k: 'nothing' } } },
    ]);
    expect(res).toMatchObject({ insertedCount: 1, matchedCount: 4, modifiedCount: 4, deletedCount: 1, upsertedCount: 1 });
    expect(res.upsertedIds).toEqual({ 3: 20 });
    expect(res.insertedIds).toEqual({ 0: 10 });
    expect(await coll.countDocuments()).toBe(4);
  });

  test('when an ordered bulkWrite hits a duplicate key, then it stops there and reports the error and what was done', async () => {
    const coll = await seed([]);
    const err = await coll
      .bulkWrite([
        { insertOne: { document: { _id: 1 } } },
        { insertOne: { document: { _id: 1 } } },
        { insertOne: { document: { _id: 2 } } },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    const bulk = err as MongoBulkWriteError;
    expect(bulk.insertedCount).toBe(1);
    expect(bulk.writeErrors).toMatchObject([{ index: 1, code: 11000 }]);
    expect(await coll.countDocuments()).toBe(1);
  });

  test('when an unordered bulkWrite hits a duplicate key, then the other writes still happen', async () => {
    const coll = await seed([]);
    const err = await coll
      .bulkWrite(
        [{ insertOne: { document: { _id: 1 } } }, { insertOne: { document: { _id: 1 } } }, { insertOne: { document: { _id: 2 } } }],
        { ordered: false },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    const bulk = err as MongoBulkWriteError;
    expect(bulk.insertedCount).toBe(2);
    expect(bulk.writeErrors).toMatchObject([{ index: 1, code: 11000 }]);
    expect(await coll.countDocuments()).toBe(2);
  });
});

describe('pipeline updates that replace the root', () => {
  test('when $replaceRoot or $replaceWith promotes a subdocument without _id, then the document keeps its _id', async () => {
    const coll = await seed([
      { _id: 1, profile: { name: 'Rex', age: 3 }, stale: true },
      { _id: 2, profile: { name: 'Tom' }, stale: true },
    ]);
    expect(await coll.updateOne({ _id: 1 }, [{ $replaceRoot: { newRoot: '$profile' } }])).toMatchObject({
      matchedCount: 1,
      modifiedCount: 1,
    });
    await coll.updateOne({ _id: 2 }, [{ $replaceWith: { $mergeObjects: ['$profile', { seen: true }] } }]);
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, name: 'Rex', age: 3 },
      { _id: 2, name: 'Tom', seen: true },
    ]);
  });

  test('when the new root carries the same _id, then the update succeeds; a different _id fails with ImmutableField (66)', async () => {
    const coll = await seed([{ _id: 1, profile: { name: 'Rex' } }]);
    await coll.updateOne({ _id: 1 }, [{ $replaceWith: { _id: '$_id', name: '$profile.name' } }]);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, name: 'Rex' });
    const err = await serverError(coll.updateOne({ _id: 1 }, [{ $replaceWith: { _id: 2, name: 'other' } }]));
    expect(err.code).toBe(66);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, name: 'Rex' });
  });
});
