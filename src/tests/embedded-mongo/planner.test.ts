/**
 * Conformance: an index changes how a query runs, never what it answers. Each query here is run
 * twice, as the planner chooses (index scans, direct _id lookups, a sorted scan that stops once the
 * page is full, exact scans that skip the filter) and as a plain collection scan
 * (`hint: {$natural: 1}`), and both answers must be the same documents in the same order. The
 * sorts end with `_id`, so MongoDB's answer is fully determined. Runs against the embedded server,
 * or a real MongoDB replica set when TEST_MONGODB_URI is set.
 */
import fc from 'fast-check';
import type { Collection, Db, Document, Filter, Sort } from 'mongodb';
import { useFreshDatabase } from '../helpers/mongo';

interface Row extends Document {
  _id: number;
  c?: string;
  a?: unknown;
  b?: number;
}

let db: Db;

useFreshDatabase('planner', (fresh) => ({ db } = fresh));

async function collectionOf(name: string, docs: Row[]): Promise<Collection<Row>> {
  await db
    .collection(name)
    .drop()
    .catch(() => undefined);
  const coll = db.collection<Row>(name);
  await coll.createIndexes([{ key: { a: 1 } }, { key: { c: 1, a: -1 } }, { key: { c: 1, b: 1 } }]);
  if (docs.length > 0) await coll.insertMany(docs);
  return coll;
}

interface Query {
  filter: Filter<Row>;
  sort: Sort;
  skip: number;
  limit: number;
}

/** The same query as the planner runs it and as a collection scan: [planned, scanned] ids. */
async function bothWays(coll: Collection<Row>, q: Query): Promise<[number[], number[]]> {
  const run = (hint?: Document) =>
    coll
      .find(q.filter, { sort: q.sort, skip: q.skip, limit: q.limit, projection: { _id: 1 }, ...(hint ? { hint } : {}) })
      .toArray()
      .then((docs) => docs.map((d) => d._id));
  return Promise.all([run(), run({ $natural: 1 })]);
}

describe('a sorted index scan that stops once the page is full', () => {
  test('when documents tie on the indexed sort key across the page boundary, then the page holds the ones the full sort puts there', async () => {
    // The index { c: 1, a: -1 } orders a within c = 'x'. Six documents share a = 2; the page of 3
    // ends inside that run, and the second sort key (b, not in the index) decides which belong to it.
    const coll = await collectionOf('ties', [
      { _id: 1, c: 'x', a: 1, b: 9 },
      { _id: 2, c: 'x', a: 2, b: 6 },
      { _id: 3, c: 'x', a: 2, b: 1 },
      { _id: 4, c: 'x', a: 2, b: 5 },
      { _id: 5, c: 'x', a: 2, b: 2 },
      { _id: 6, c: 'x', a: 2, b: 4 },
      { _id: 7, c: 'x', a: 2, b: 3 },
      { _id: 8, c: 'x', a: 3, b: 0 },
    ]);
    const page = await coll
      .find({ c: 'x' }, { sort: { a: -1, b: 1 }, limit: 3 })
      .toArray()
      .then((d) => d.map((x) => x._id));
    expect(page).toEqual([8, 3, 5]);
    const second = await coll
      .find({ c: 'x' }, { sort: { a: -1, b: 1 }, skip: 3, limit: 3 })
      .toArray()
      .then((d) => d.map((x) => x._id));
    expect(second).toEqual([7, 6, 4]);
  });

  test('when the sort runs against the index direction and documents lack the field, then missing sorts as null before every number', async () => {
    const coll = await collectionOf('missing', [
      { _id: 1, c: 'x', a: 5 },
      { _id: 2, c: 'x' },
      { _id: 3, c: 'x', a: null },
      { _id: 4, c: 'x', a: -1 },
    ]);
    const asc = await coll
      .find({ c: 'x' }, { sort: { a: 1, _id: 1 }, limit: 3 })
      .toArray()
      .then((d) => d.map((x) => x._id));
    expect(asc).toEqual([2, 3, 4]);
    const desc = await coll
      .find({ c: 'x' }, { sort: { a: -1, _id: 1 }, limit: 2 })
      .toArray()
      .then((d) => d.map((x) => x._id));
    expect(desc).toEqual([1, 4]);
  });

  test('when an indexed field holds arrays, then an ascending sort uses each array`s smallest element and a descending one its largest', async () => {
    const coll = await collectionOf('arrays', [
      { _id: 1, a: [5, 1] },
      { _id: 2, a: 3 },
      { _id: 3, a: [4, 9] },
      { _id: 4, a: 2 },
    ]);
    const asc = await coll
      .find({}, { sort: { a: 1, _id: 1 }, limit: 2 })
      .toArray()
      .then((d) => d.map((x) => x._id));
    expect(asc).toEqual([1, 4]);
    const desc = await coll
      .find({}, { sort: { a: -1, _id: 1 }, limit: 2 })
      .toArray()
      .then((d) => d.map((x) => x._id));
    expect(desc).toEqual([3, 1]);
  });
});

describe('_id lookups with other conditions', () => {
  let coll: Collection<Row>;
  beforeAll(async () => {
    coll = await collectionOf('byid', [
      { _id: 1, c: 'x', a: 1 },
      { _id: 2, c: 'y', a: 2 },
      { _id: 3, c: 'x', a: [3, 4] },
    ]);
  });

  test('when _id matches but another condition does not, then nothing is found', async () => {
    expect(await coll.findOne({ _id: 2, c: 'x' })).toBeNull();
    expect(await coll.countDocuments({ _id: 2, c: 'x' })).toBe(0);
  });

  test('when _id is given with $in, repeated and missing values, then each existing document that meets the other conditions comes once', async () => {
    const docs = await coll.find({ _id: { $in: [3, 1, 3, 99, 2] }, c: 'x' }, { sort: { _id: 1 } }).toArray();
    expect(docs.map((d) => d._id)).toEqual([1, 3]);
  });

  test('when _id and an array field`s element are both given, then the document matches through its element', async () => {
    expect(await coll.findOne({ _id: 3, a: 4 })).toMatchObject({ _id: 3 });
    expect(await coll.findOne({ _id: 3, a: 5 })).toBeNull();
  });

  test('when _id is a number of another numeric type, then it finds the same document', async () => {
    expect(await coll.findOne({ _id: 1.0, c: 'x' })).toMatchObject({ _id: 1 });
  });
});

describe('exact index scans', () => {
  let coll: Collection<Row>;
  beforeAll(async () => {
    coll = await collectionOf('exact', [
      { _id: 1, c: 'x', a: 1 },
      { _id: 2, c: 'x', a: null },
      { _id: 3, c: 'x' },
      { _id: 4, c: 'x', a: [1, 2] },
      { _id: 5, c: 'y', a: '1' },
    ]);
  });

  test('when the filter is equality to null on an indexed field, then documents without the field match too', async () => {
    const ids = (await coll.find({ a: null }, { sort: { _id: 1 } }).toArray()).map((d) => d._id);
    expect(ids).toEqual([2, 3]);
    expect(await coll.countDocuments({ a: null })).toBe(2);
  });

  test('when the filter is $in on an indexed field, then numbers match numbers only and array elements count, each document once', async () => {
    const ids = (await coll.find({ a: { $in: [1, 2] } }, { sort: { _id: 1 } }).toArray()).map((d) => d._id);
    expect(ids).toEqual([1, 4]);
    expect(await coll.countDocuments({ c: 'x', a: { $in: [1, 2] } })).toBe(2);
  });

  test('when $in names one value twice or in two numeric types, then each matching document is counted once', async () => {
    // No arrays: the index on a stays single-valued, so the count reads key ranges.
    const scalars = await collectionOf('exact-scalars', [
      { _id: 1, c: 'x', a: 1 },
      { _id: 2, c: 'x', a: 2 },
      { _id: 3, c: 'x' },
      { _id: 4, c: 'y', a: 1 },
    ]);
    expect(await scalars.countDocuments({ a: { $in: [1, 1] } })).toBe(2);
    expect(await scalars.countDocuments({ a: { $in: [2, 2.0, 1] } })).toBe(3);
    expect(await scalars.countDocuments({ c: 'x', a: { $in: [null, null] } })).toBe(1);
  });
});

describe('property: the planner`s answer is the collection scan`s answer', () => {
  const value = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 6 }) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom('a', 'b') },
    { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }) },
  );
  const row = fc.record({ c: fc.constantFrom('x', 'y'), a: value, b: fc.integer({ min: 0, max: 4 }) }, { requiredKeys: ['c', 'b'] });
  const rows = fc.array(row, { minLength: 0, maxLength: 30 }).map((rs) => rs.map((r, i): Row => ({ _id: i + 1, ...r })));
  const int = fc.integer({ min: 0, max: 6 });
  const filter: fc.Arbitrary<Filter<Row>> = fc.oneof(
    fc.constant({}),
    fc.constantFrom('x', 'y').map((c) => ({ c })),
    int.map((a) => ({ a })),
    fc.constant({ a: null }),
    fc.array(int, { minLength: 1, maxLength: 3 }).map((xs) => ({ a: { $in: xs } })),
    int.map((a) => ({ a: { $gte: a } })),
    fc.tuple(fc.constantFrom('x', 'y'), int).map(([c, a]) => ({ c, a: { $lt: a } })),
    fc.tuple(fc.constantFrom('x', 'y'), fc.integer({ min: 0, max: 4 })).map(([c, b]) => ({ c, b })),
    fc.integer({ min: 0, max: 32 }).map((_id) => ({ _id })),
    fc.tuple(fc.integer({ min: 0, max: 32 }), fc.constantFrom('x', 'y')).map(([_id, c]) => ({ _id, c })),
    fc
      .tuple(fc.array(fc.integer({ min: 0, max: 32 }), { minLength: 1, maxLength: 4 }), fc.constantFrom('x', 'y'))
      .map(([ids, c]) => ({ _id: { $in: ids }, c })),
  );
  const sort: fc.Arbitrary<Sort> = fc.constantFrom<Sort>(
    { _id: 1 },
    { a: 1, _id: 1 },
    { a: -1, _id: 1 },
    { c: 1, a: -1, _id: 1 },
    { a: -1, b: 1, _id: 1 },
    { a: -1, _id: -1 },
    { c: 1, b: 1, _id: -1 },
    { a: 1, b: -1, _id: 1 },
  );
  const query: fc.Arbitrary<Query> = fc.record({
    filter,
    sort,
    skip: fc.integer({ min: 0, max: 3 }),
    limit: fc.integer({ min: 0, max: 6 }),
  });

  test('when random documents are queried with random filters, sorts, skips and limits, then both runs give the same documents in the same order', async () => {
    await fc.assert(
      fc.asyncProperty(rows, fc.array(query, { minLength: 1, maxLength: 6 }), async (docs, queries) => {
        const coll = await collectionOf('property', docs);
        for (const q of queries) {
          const [planned, scanned] = await bothWays(coll, q);
          expect(planned).toEqual(scanned);
          const [, all] = await bothWays(coll, { ...q, skip: 0, limit: 0 });
          expect(await coll.countDocuments(q.filter)).toBe(all.length);
        }
      }),
      { numRuns: 60, plugins: [fc.interruptAfterTimeLimit(20_000)] },
    );
  }, 30_000);
});
