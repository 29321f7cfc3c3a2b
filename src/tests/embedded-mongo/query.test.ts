/**
 * Conformance: find filters, projections, sorts, counts and distinct, as MongoDB 7 answers them.
 * Runs against the embedded server, or a real MongoDB replica set when TEST_MONGODB_URI is set.
 */
import fc from 'fast-check';
import { Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';
import type { Collection, Db, Document, Filter } from 'mongodb';
import { useFreshDatabase } from '../helpers/mongo';

/** Any document shape with the _id types these tests use (the driver's default schema assumes ObjectId). */
interface AnyDoc extends Document {
  _id?: number | string | ObjectId;
}

let db: Db;

useFreshDatabase('query', (fresh) => ({ db } = fresh));

async function seed(name: string, docs: Document[]): Promise<Collection<AnyDoc>> {
  const coll = db.collection<AnyDoc>(name);
  await coll.insertMany(docs);
  return coll;
}

/** The _ids of the matching documents, in _id order. */
async function idsOf(coll: Collection<AnyDoc>, filter: Filter<AnyDoc>): Promise<unknown[]> {
  const docs = await coll
    .find(filter, { projection: { _id: 1 } })
    .sort({ _id: 1 })
    .toArray();
  return docs.map((d) => d._id);
}

describe('comparison operators', () => {
  let coll: Collection<AnyDoc>;
  beforeAll(async () => {
    coll = await seed('mixed', [
      { _id: 1, n: 1 },
      { _id: 2, n: 5 },
      { _id: 3, n: 10 },
      { _id: 4, n: '10' },
      { _id: 5, n: 'abc' },
      { _id: 6, n: null },
      { _id: 7 },
      { _id: 8, n: [3, 7] },
      { _id: 9, n: true },
      { _id: 10, n: new Date(0) },
    ]);
  });

  test('when a range operator takes a number, then only numbers (or arrays holding one) match, never strings, null or dates', async () => {
    expect(await idsOf(coll, { n: { $gt: 5 } })).toEqual([3, 8]);
    expect(await idsOf(coll, { n: { $gte: 5 } })).toEqual([2, 3, 8]);
    expect(await idsOf(coll, { n: { $lt: 5 } })).toEqual([1, 8]);
    expect(await idsOf(coll, { n: { $lte: 5 } })).toEqual([1, 2, 8]);
  });

  test('when a range operator takes a string, date or boolean, then only values of that type match', async () => {
    expect(await idsOf(coll, { n: { $gt: 'a' } })).toEqual([5]);
    expect(await idsOf(coll, { n: { $lt: 'a' } })).toEqual([4]);
    expect(await idsOf(coll, { n: { $gte: new Date(-1000) } })).toEqual([10]);
    expect(await idsOf(coll, { n: { $gt: false } })).toEqual([9]);
  });

  test('when $eq, $ne, $in and $nin are used, then arrays match by element and $ne/$nin also match missing fields', async () => {
    expect(await idsOf(coll, { n: { $eq: 5 } })).toEqual([2]);
    expect(await idsOf(coll, { n: { $ne: 5 } })).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await idsOf(coll, { n: { $in: [1, 'abc'] } })).toEqual([1, 5]);
    expect(await idsOf(coll, { n: { $in: [null] } })).toEqual([6, 7]);
    expect(await idsOf(coll, { n: { $nin: [1, 'abc', null] } })).toEqual([2, 3, 4, 8, 9, 10]);
    expect(await idsOf(coll, { n: 7 })).toEqual([8]);
    expect(await idsOf(coll, { n: [3, 7] })).toEqual([8]);
    expect(await idsOf(coll, { n: [7, 3] })).toEqual([]);
  });

  test('when two range conditions are given on an array field, then different elements may satisfy each, unlike $elemMatch', async () => {
    expect(await idsOf(coll, { n: { $gt: 4, $lt: 6 } })).toEqual([2, 8]);
    expect(await idsOf(coll, { n: { $elemMatch: { $gt: 4, $lt: 6 } } })).toEqual([]);
    expect(await idsOf(coll, { n: { $elemMatch: { $gt: 6 } } })).toEqual([8]);
  });

  test('when querying for null, then null and missing fields match, and $exists and $type tell them apart', async () => {
    expect(await idsOf(coll, { n: null })).toEqual([6, 7]);
    expect(await idsOf(coll, { n: { $ne: null } })).toEqual([1, 2, 3, 4, 5, 8, 9, 10]);
    expect(await idsOf(coll, { n: { $exists: false } })).toEqual([7]);
    expect(await idsOf(coll, { n: { $exists: true } })).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10]);
    expect(await idsOf(coll, { n: { $type: 'null' } })).toEqual([6]);
  });

  test('when logical operators combine conditions, then $and, $or, $nor and $not select as MongoDB does', async () => {
    expect(await idsOf(coll, { $or: [{ n: 1 }, { n: 'abc' }] })).toEqual([1, 5]);
    expect(await idsOf(coll, { $and: [{ n: { $gt: 0 } }, { n: { $lt: 5 } }] })).toEqual([1, 8]);
    expect(await idsOf(coll, { $nor: [{ n: { $gte: 5 } }, { n: /./ }] })).toEqual([1, 6, 7, 9, 10]);
    expect(await idsOf(coll, { n: { $not: { $gt: 5 } } })).toEqual([1, 2, 4, 5, 6, 7, 9, 10]);
    expect(await idsOf(coll, { n: { $not: /^a/ } })).toEqual([1, 2, 3, 4, 6, 7, 8, 9, 10]);
  });
});

describe('$type', () => {
  let coll: Collection<AnyDoc>;
  beforeAll(async () => {
    coll = await seed('typed', [
      { _id: 1, v: new ObjectId() },
      { _id: 2, v: Long.fromNumber(5) },
      { _id: 3, v: new Double(5) },
      { _id: 4, v: 2.5 },
      { _id: 5, v: new Int32(5) },
      { _id: 6, v: Decimal128.fromString('5') },
      { _id: 7, v: new Date() },
      { _id: 8, v: null },
      { _id: 9, v: ['x', 'y'] },
      { _id: 10, v: 'x' },
      { _id: 11 },
      { _id: 12, v: [] },
    ]);
  });

  test('when $type names a numeric type, then int, long, double and decimal are told apart (an integral double stays a double)', async () => {
    expect(await idsOf(coll, { v: { $type: 'int' } })).toEqual([5]);
    expect(await idsOf(coll, { v: { $type: 'long' } })).toEqual([2]);
    expect(await idsOf(coll, { v: { $type: 'double' } })).toEqual([3, 4]);
    expect(await idsOf(coll, { v: { $type: 'decimal' } })).toEqual([6]);
  });

  test('when $type is objectId, date or null, then only fields stored with that type match', async () => {
    expect(await idsOf(coll, { v: { $type: 'objectId' } })).toEqual([1]);
    expect(await idsOf(coll, { v: { $type: 'date' } })).toEqual([7]);
    expect(await idsOf(coll, { v: { $type: 'null' } })).toEqual([8]);
  });

  test('when $type is array or an element type, then arrays match as arrays and by their elements', async () => {
    expect(await idsOf(coll, { v: { $type: 'array' } })).toEqual([9, 12]);
    expect(await idsOf(coll, { v: { $type: 'string' } })).toEqual([9, 10]);
  });

  test('when $type is the number alias, a list or a numeric code, then any numeric type, any listed type or that code matches', async () => {
    expect(await idsOf(coll, { v: { $type: 'number' } })).toEqual([2, 3, 4, 5, 6]);
    expect(await idsOf(coll, { v: { $type: ['int', 'long'] } })).toEqual([2, 5]);
    expect(await idsOf(coll, { v: { $type: 18 } })).toEqual([2]);
  });
});

describe('strings, arrays and subdocuments', () => {
  let orders: Collection<AnyDoc>;
  beforeAll(async () => {
    orders = await seed('orders', [
      {
        _id: 1,
        customer: { name: 'Ann', city: 'Oslo' },
        items: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 5 },
        ],
        tags: ['red', 'blue'],
      },
      { _id: 2, customer: { name: 'Bob', city: 'Rome' }, items: [{ sku: 'a', qty: 5 }], tags: ['red'] },
      { _id: 3, customer: { name: 'apple', city: 'Oslo' }, items: [], tags: ['blue', 'green', 'red'] },
      { _id: 4, customer: { name: 'Apricot', city: 'Bern' }, items: [{ sku: 'c', qty: 2 }], tags: ['swan', 'blue'] },
    ]);
  });

  test('when $regex is used, then options, regex literals, $in with regexes and array elements all match', async () => {
    expect(await idsOf(orders, { 'customer.name': /^ap/i })).toEqual([3, 4]);
    expect(await idsOf(orders, { 'customer.name': { $regex: '^ap', $options: 'i' } })).toEqual([3, 4]);
    expect(await idsOf(orders, { 'customer.name': { $regex: '^ap' } })).toEqual([3]);
    expect(await idsOf(orders, { 'customer.name': { $in: [/^B/, 'Ann'] } })).toEqual([1, 2]);
    expect(await idsOf(orders, { tags: /^sw/ })).toEqual([4]);
  });

  test('when a dotted path reaches into subdocuments and arrays of subdocuments, then any element may match', async () => {
    expect(await idsOf(orders, { 'customer.city': 'Oslo' })).toEqual([1, 3]);
    expect(await idsOf(orders, { 'items.sku': 'b' })).toEqual([1]);
    expect(await idsOf(orders, { 'items.0.qty': 1 })).toEqual([1]);
    expect(await idsOf(orders, { 'items.1.sku': { $exists: true } })).toEqual([1]);
    expect(await idsOf(orders, { 'items.qty': { $gte: 5 } })).toEqual([1, 2]);
  });

  test('when conditions on array subdocuments use $elemMatch, then one element must satisfy all of them', async () => {
    expect(await idsOf(orders, { 'items.sku': 'a', 'items.qty': 5 })).toEqual([1, 2]);
    expect(await idsOf(orders, { items: { $elemMatch: { sku: 'a', qty: 5 } } })).toEqual([2]);
  });

  test('when a whole subdocument is given, then it matches only with the same fields in the same order', async () => {
    expect(await idsOf(orders, { customer: { name: 'Bob', city: 'Rome' } })).toEqual([2]);
    expect(await idsOf(orders, { customer: { city: 'Rome', name: 'Bob' } })).toEqual([]);
  });

  test('when $size and $all are used, then array length and containment of every value decide', async () => {
    expect(await idsOf(orders, { tags: { $size: 1 } })).toEqual([2]);
    expect(await idsOf(orders, { items: { $size: 0 } })).toEqual([3]);
    expect(await idsOf(orders, { tags: { $all: ['red', 'blue'] } })).toEqual([1, 3]);
    expect(await idsOf(orders, { tags: { $all: ['blue'] } })).toEqual([1, 3, 4]);
  });
});

describe('$expr and bad operators', () => {
  test('when $expr compares two fields of the document, then only documents where the expression is true match', async () => {
    const coll = await seed('budgets', [
      { _id: 1, spent: 120, budget: 100 },
      { _id: 2, spent: 80, budget: 100 },
      { _id: 3, spent: 100, budget: 100 },
    ]);
    expect(await idsOf(coll, { $expr: { $gt: ['$spent', '$budget'] } })).toEqual([1]);
    expect(await idsOf(coll, { $expr: { $gte: ['$spent', '$budget'] }, _id: { $ne: 1 } })).toEqual([3]);
    expect(await idsOf(coll, { $expr: { $lt: [{ $multiply: ['$spent', 2] }, 200] } })).toEqual([2]);
  });

  test('when a filter uses an unknown operator, then the server answers BadValue (code 2)', async () => {
    const coll = await seed('bad_ops', [{ _id: 1, n: 1 }]);
    await expect(coll.find({ n: { $foo: 1 } } as Filter<AnyDoc>).toArray()).rejects.toMatchObject({ code: 2, codeName: 'BadValue' });
    await expect(coll.find({ $foo: 1 } as Filter<AnyDoc>).toArray()).rejects.toMatchObject({ code: 2, codeName: 'BadValue' });
  });

  test('when an operator object also holds a plain field name, even one every object inherits, then the server answers BadValue (code 2)', async () => {
    const coll = await seed('mixed_ops', [{ _id: 1, n: 5 }]);
    for (const name of ['b', 'constructor', 'toString']) {
      const filter = { n: { $gt: 1, [name]: 2 } } as Filter<AnyDoc>;
      await expect(coll.find(filter).toArray()).rejects.toMatchObject({ code: 2, codeName: 'BadValue' });
      await expect(coll.countDocuments(filter)).rejects.toMatchObject({ code: 2 });
    }
  });
});

describe('projection', () => {
  let coll: Collection<AnyDoc>;
  beforeAll(async () => {
    coll = await seed('profiles', [
      {
        _id: 1,
        name: 'Ann',
        secret: 's1',
        address: { city: 'Oslo', zip: '0150' },
        items: [
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 5 },
          { sku: 'c', qty: 9 },
        ],
        scores: [1, 2, 3, 4, 5],
      },
    ]);
  });

  const one = async (projection: Document): Promise<Document | null> => coll.findOne({ _id: 1 }, { projection });

  test('when fields are included, then only they and _id come back, unless _id is switched off', async () => {
    expect(await one({ name: 1 })).toEqual({ _id: 1, name: 'Ann' });
    expect(await one({ name: 1, _id: 0 })).toEqual({ name: 'Ann' });
  });

  test('when fields are excluded, then everything else comes back', async () => {
    expect(await one({ secret: 0, items: 0, scores: 0 })).toEqual({ _id: 1, name: 'Ann', address: { city: 'Oslo', zip: '0150' } });
    expect(await one({ 'address.zip': 0, secret: 0, items: 0, scores: 0, _id: 0 })).toEqual({ name: 'Ann', address: { city: 'Oslo' } });
  });

  test('when a dotted path is included, then the subdocument and each array element keep only that field', async () => {
    expect(await one({ 'address.city': 1 })).toEqual({ _id: 1, address: { city: 'Oslo' } });
    expect(await one({ 'items.sku': 1, _id: 0 })).toEqual({ items: [{ sku: 'a' }, { sku: 'b' }, { sku: 'c' }] });
  });

  test('when $slice is projected, then the array is cut and, alone, it keeps every other field', async () => {
    const sliced = await one({ scores: { $slice: 2 } });
    expect(sliced).toEqual({
      _id: 1,
      name: 'Ann',
      secret: 's1',
      address: { city: 'Oslo', zip: '0150' },
      items: expect.any(Array),
      scores: [1, 2],
    });
    expect(await one({ name: 1, scores: { $slice: -2 } })).toEqual({ _id: 1, name: 'Ann', scores: [4, 5] });
    expect(await one({ _id: 0, name: 1, scores: { $slice: [1, 2] } })).toEqual({ name: 'Ann', scores: [2, 3] });
  });

  test('when $elemMatch is projected, then only the first matching element comes back, or the field is left out', async () => {
    expect(await one({ items: { $elemMatch: { qty: { $gt: 2 } } } })).toEqual({ _id: 1, items: [{ sku: 'b', qty: 5 }] });
    expect(await one({ items: { $elemMatch: { qty: 99 } } })).toEqual({ _id: 1 });
  });

  test('when a projection mixes inclusion and exclusion, then the server refuses it (code 31254)', async () => {
    await expect(coll.find({}, { projection: { name: 1, secret: 0 } }).toArray()).rejects.toMatchObject({ code: 31254 });
  });
});

describe('sort, skip and limit', () => {
  let people: Collection<AnyDoc>;
  beforeAll(async () => {
    people = await seed('people', [
      { _id: 1, group: 'b', age: 30 },
      { _id: 2, group: 'a', age: 25 },
      { _id: 3, group: 'b', age: 40 },
      { _id: 4, group: 'a', age: 35 },
      { _id: 5, group: 'c' },
    ]);
  });

  const sorted = async (coll: Collection<AnyDoc>, sort: Document, skip = 0, limit = 0): Promise<unknown[]> =>
    (await coll.find({}).sort(sort).skip(skip).limit(limit).toArray()).map((d) => d._id);

  test('when sorting on several keys with mixed directions, then later keys break ties of earlier ones', async () => {
    expect(await sorted(people, { group: 1, age: -1 })).toEqual([4, 2, 3, 1, 5]);
    expect(await sorted(people, { group: -1, age: 1 })).toEqual([5, 1, 3, 2, 4]);
  });

  test('when the sort field is missing, then that document sorts as null: first ascending, last descending', async () => {
    expect(await sorted(people, { age: 1 })).toEqual([5, 2, 1, 4, 3]);
    expect(await sorted(people, { age: -1 })).toEqual([3, 4, 1, 2, 5]);
  });

  test('when skip and limit follow a sort, then that page of the sorted result comes back', async () => {
    expect(await sorted(people, { age: 1 }, 1, 2)).toEqual([2, 1]);
    expect(await sorted(people, { age: 1 }, 4, 10)).toEqual([3]);
    expect(await sorted(people, { age: 1 }, 5)).toEqual([]);
  });

  test('when a field holds different types, then the sort follows the BSON type order', async () => {
    const coll = await seed('mixed_sort', [
      { _id: 1, v: 'b' },
      { _id: 2, v: 10 },
      { _id: 3, v: null },
      { _id: 4, v: { a: 1 } },
      { _id: 5, v: true },
      { _id: 6, v: new Date(0) },
      { _id: 7, v: 'a' },
      { _id: 8, v: 2.5 },
      { _id: 9, v: new ObjectId() },
    ]);
    expect(await sorted(coll, { v: 1 })).toEqual([3, 8, 2, 7, 1, 4, 9, 5, 6]);
    expect(await sorted(coll, { v: -1 })).toEqual([6, 5, 9, 4, 1, 7, 2, 8, 3]);
  });

  test('when sorting on an array field, then ascending uses the smallest element and descending the largest', async () => {
    const coll = await seed('array_sort', [
      { _id: 1, a: [1, 10] },
      { _id: 2, a: [5] },
      { _id: 3, a: [3, 4] },
      { _id: 4, a: 2 },
    ]);
    expect(await sorted(coll, { a: 1 })).toEqual([1, 4, 3, 2]);
    expect(await sorted(coll, { a: -1 })).toEqual([1, 2, 3, 4]);
  });
});

describe('counting and distinct', () => {
  test('when counting, then countDocuments honours filter, skip and limit and estimatedDocumentCount gives the total', async () => {
    const coll = await seed(
      'counted',
      Array.from({ length: 12 }, (_, i) => ({ i, odd: i % 2 === 1 })),
    );
    expect(await coll.countDocuments()).toBe(12);
    expect(await coll.countDocuments({ odd: true })).toBe(6);
    expect(await coll.countDocuments({ i: { $gte: 3 } }, { skip: 2, limit: 4 })).toBe(4);
    expect(await coll.countDocuments({ i: { $gte: 10 } }, { skip: 1 })).toBe(1);
    expect(await coll.countDocuments({ i: { $gt: 100 } })).toBe(0);
    expect(await coll.estimatedDocumentCount()).toBe(12);
    expect(await db.collection<AnyDoc>('never_created').countDocuments()).toBe(0);
  });

  test('when distinct runs on an array field, then the arrays are unwound into their distinct elements', async () => {
    const coll = await seed('distinct_tags', [
      { _id: 1, tags: ['red', 'blue'], items: [{ sku: 'a' }, { sku: 'b' }], city: 'Oslo' },
      { _id: 2, tags: ['red'], items: [{ sku: 'a' }], city: 'Rome' },
      { _id: 3, tags: ['green', 'blue'], items: [], city: 'Oslo' },
      { _id: 4, tags: 'solo' },
    ]);
    expect((await coll.distinct('tags')).sort()).toEqual(['blue', 'green', 'red', 'solo']);
    expect((await coll.distinct('items.sku')).sort()).toEqual(['a', 'b']);
    expect((await coll.distinct('city')).sort()).toEqual(['Oslo', 'Rome']);
    expect((await coll.distinct('tags', { city: 'Oslo' })).sort()).toEqual(['blue', 'green', 'red']);
  });
});

describe('empty $in', () => {
  test('when $in is empty on an indexed field (or _id), then nothing matches and no error is raised', async () => {
    const coll = await seed('emptyin', [
      { _id: 1, tag: 'a' },
      { _id: 2, tag: 'b' },
    ]);
    await coll.createIndex({ tag: 1 });
    expect(await idsOf(coll, { tag: { $in: [] } })).toEqual([]);
    expect(await idsOf(coll, { _id: { $in: [] } })).toEqual([]);
    expect(await idsOf(coll, { tag: { $nin: [] } })).toEqual([1, 2]);
  });
});

describe('property: a filter of comparisons answers as the same filter inside $and', () => {
  // The embedded server answers filters made only of comparisons on plain paths without its
  // general matcher; wrapped in $and they take the general path. MongoDB answers both alike.
  const scalar = fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: -2, max: 4 }) },
    { weight: 1, arbitrary: fc.constantFrom(1.5, -0.5) },
    { weight: 1, arbitrary: fc.constantFrom('a', 'b', 'B', '') },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(new Date(0), new Date(1)) },
    { weight: 1, arbitrary: fc.constant(new Long(3)) },
  );
  const value = fc.oneof(
    { weight: 5, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(scalar, { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.record({ x: scalar }) },
    { weight: 1, arbitrary: fc.array(fc.record({ x: scalar }), { maxLength: 2 }) },
  );
  const doc = fc.record({ a: value, b: scalar, n: fc.record({ x: value }, { requiredKeys: [] }) }, { requiredKeys: [] });
  const docs = fc.array(doc, { maxLength: 20 }).map((ds) => ds.map((d, i) => ({ _id: i, ...d })));
  const path = fc.constantFrom('a', 'b', 'n', 'n.x', 'a.x', 'a.0', 'missing');
  const operand = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: value });
  const op = fc.oneof(
    fc.tuple(fc.constantFrom('$eq', '$ne', '$gt', '$gte', '$lt', '$lte'), operand),
    fc.tuple(fc.constantFrom('$in', '$nin'), fc.array(operand, { maxLength: 3 })),
  );
  const condition = fc.oneof(
    operand,
    fc.array(op, { minLength: 1, maxLength: 2 }).map((ops) => Object.fromEntries(ops)),
  );
  const filter = fc.dictionary(path, condition, { minKeys: 1, maxKeys: 3 });

  test('when random documents are queried with random comparisons, then the plain and the $and form match the same documents', async () => {
    await fc.assert(
      fc.asyncProperty(docs, fc.array(filter, { minLength: 1, maxLength: 5 }), async (rows, filters) => {
        const coll = db.collection<AnyDoc>('comparisons');
        await coll.deleteMany({});
        if (rows.length > 0) await coll.insertMany(rows);
        for (const f of filters) {
          expect(await idsOf(coll, f)).toEqual(await idsOf(coll, { $and: [f] }));
        }
      }),
      { numRuns: 80, plugins: [fc.interruptAfterTimeLimit(20_000)] },
    );
  }, 30_000);
});
