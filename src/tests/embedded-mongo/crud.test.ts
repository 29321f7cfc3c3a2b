/**
 * Conformance: basic reads and writes through the real driver. Runs against the embedded
 * server, or against a real MongoDB replica set when TEST_MONGODB_URI is set.
 */
import type { Db } from 'mongodb';
import { useFreshDatabase } from '../helpers/mongo';

let db: Db;

useFreshDatabase('crud', (fresh) => ({ db } = fresh));

describe('insert and find', () => {
  test('when documents are inserted, then find returns them with _id as the first field', async () => {
    const coll = db.collection('people');
    const res = await coll.insertMany([
      { name: 'Ann', age: 30 },
      { name: 'Bob', age: 25 },
    ]);
    expect(res.insertedCount).toBe(2);
    const docs = await coll.find({}).sort({ age: 1 }).toArray();
    expect(docs.map((d) => d.name)).toEqual(['Bob', 'Ann']);
    expect(Object.keys(docs[0]!)[0]).toBe('_id');
  });

  test('when a filter, projection, skip and limit are given, then only those fields of that page come back', async () => {
    const coll = db.collection('paging');
    await coll.insertMany(Array.from({ length: 10 }, (_, i) => ({ i, even: i % 2 === 0, secret: 'x' })));
    const page = await coll
      .find({ even: true }, { projection: { secret: 0 } })
      .sort({ i: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(page.map((d) => d.i)).toEqual([6, 4]);
    expect(page[0]).not.toHaveProperty('secret');
  });

  test('when more documents match than one batch holds, then the cursor fetches the rest with getMore', async () => {
    const coll = db.collection('batches');
    await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const all = await coll.find({}, { batchSize: 7 }).toArray();
    expect(all).toHaveLength(250);
    expect(new Set(all.map((d) => d.i)).size).toBe(250);
  });
});
