/**
 * Conformance: aggregation stages, joins across collections, $out, cursor batching and Mongoose's
 * Model.aggregate(), as MongoDB 7 answers them. Runs against the embedded server, or a real MongoDB
 * replica set when TEST_MONGODB_URI is set.
 */
import fc from 'fast-check';
import mongoose from 'mongoose';
import { Binary, Double, Long, MongoClient } from 'mongodb';
import type { CommandStartedEvent, Db, Document, ObjectId } from 'mongodb';
import { serverError, useFreshDatabase, testServerUri, uriWithDb } from '../helpers/mongo';

/** Any document shape with the _id types these tests use (the driver's default schema assumes ObjectId). */
interface AnyDoc extends Document {
  _id?: number | string | ObjectId;
}

let db: Db;
let dbName: string;
let client: MongoClient;

const sales = [
  { _id: 1, item: 'apple', qty: 5, price: 2, region: 'north', tags: ['fruit', 'red'] },
  { _id: 2, item: 'pear', qty: 3, price: 3, region: 'south', tags: ['fruit'] },
  { _id: 3, item: 'apple', qty: 10, price: 2, region: 'south', tags: [] },
  { _id: 4, item: 'kale', qty: 1, price: 12, region: 'north', tags: ['veg', 'green'] },
  { _id: 5, item: 'pear', qty: 7, price: 3, region: 'north' },
];

useFreshDatabase('aggregate', (fresh) => ({ db, dbName, client } = fresh));

beforeAll(async () => {
  await db.collection<AnyDoc>('sales').insertMany(sales);
  await db.collection<AnyDoc>('customers').insertMany([
    { _id: 'c1', name: 'Ann' },
    { _id: 'c2', name: 'Bob' },
    { _id: 'c3', name: 'Cy' },
  ]);
  await db.collection<AnyDoc>('orders').insertMany([
    { _id: 1, customerId: 'c1', amount: 30 },
    { _id: 2, customerId: 'c1', amount: 5 },
    { _id: 3, customerId: 'c2', amount: 12 },
  ]);
  await db.collection<AnyDoc>('employees').insertMany([
    { _id: 1, name: 'ceo', boss: null },
    { _id: 2, name: 'cto', boss: 1 },
    { _id: 3, name: 'dev', boss: 2 },
    { _id: 4, name: 'intern', boss: 3 },
    { _id: 5, name: 'cfo', boss: 1 },
  ]);
});

const run = (coll: string, pipeline: Document[]): Promise<Document[]> => db.collection<AnyDoc>(coll).aggregate(pipeline).toArray();

describe('grouping', () => {
  test('when $group uses each accumulator, then sums, averages, extremes, pushes, sets and firsts are per group', async () => {
    const groups = await run('sales', [
      { $sort: { _id: 1 } },
      {
        $group: {
          _id: '$item',
          total: { $sum: '$qty' },
          count: { $sum: 1 },
          avgQty: { $avg: '$qty' },
          minQty: { $min: '$qty' },
          maxQty: { $max: '$qty' },
          regions: { $push: '$region' },
          regionSet: { $addToSet: '$region' },
          firstId: { $first: '$_id' },
        },
      },
      { $sort: { _id: 1 } },
    ]);
    for (const g of groups) g.regionSet.sort();
    expect(groups).toEqual([
      {
        _id: 'apple',
        total: 15,
        count: 2,
        avgQty: 7.5,
        minQty: 5,
        maxQty: 10,
        regions: ['north', 'south'],
        regionSet: ['north', 'south'],
        firstId: 1,
      },
      { _id: 'kale', total: 1, count: 1, avgQty: 1, minQty: 1, maxQty: 1, regions: ['north'], regionSet: ['north'], firstId: 4 },
      {
        _id: 'pear',
        total: 10,
        count: 2,
        avgQty: 5,
        minQty: 3,
        maxQty: 7,
        regions: ['south', 'north'],
        regionSet: ['north', 'south'],
        firstId: 2,
      },
    ]);
  });

  test('when $match precedes a $group on null with an expression, then only the matched documents are totalled', async () => {
    expect(
      await run('sales', [
        { $match: { region: 'north' } },
        { $group: { _id: null, revenue: { $sum: { $multiply: ['$qty', '$price'] } } } },
      ]),
    ).toEqual([{ _id: null, revenue: 43 }]);
  });

  test('when $count ends a pipeline, then one document holds the count', async () => {
    expect(await run('sales', [{ $match: { region: 'north' } }, { $count: 'n' }])).toEqual([{ n: 3 }]);
  });

  test('when $count receives no documents, then the pipeline returns no document at all (not a zero count)', async () => {
    expect(await run('sales', [{ $match: { region: 'west' } }, { $count: 'n' }])).toEqual([]);
  });

  test('when $sortByCount runs, then groups come back with their counts, largest first', async () => {
    expect(await run('sales', [{ $sortByCount: '$region' }])).toEqual([
      { _id: 'north', count: 3 },
      { _id: 'south', count: 2 },
    ]);
  });

  test('when $bucket runs, then documents fall into boundary ranges, ordered, with the rest in the default bucket', async () => {
    const buckets = await run('sales', [
      {
        $bucket: {
          groupBy: '$price',
          boundaries: [0, 3, 10],
          default: 'other',
          output: { count: { $sum: 1 }, items: { $addToSet: '$item' } },
        },
      },
    ]);
    expect(buckets).toEqual([
      { _id: 0, count: 2, items: ['apple'] },
      { _id: 3, count: 2, items: ['pear'] },
      { _id: 'other', count: 1, items: ['kale'] },
    ]);
  });

  test('when $facet runs sub-pipelines, then one document holds each sub-pipeline result', async () => {
    const [facets] = await run('sales', [
      { $facet: { byRegion: [{ $sortByCount: '$region' }], top: [{ $sort: { qty: -1 } }, { $limit: 1 }, { $project: { _id: 1 } }] } },
    ]);
    expect(facets).toEqual({
      byRegion: [
        { _id: 'north', count: 3 },
        { _id: 'south', count: 2 },
      ],
      top: [{ _id: 3 }],
    });
  });
});

describe('counting', () => {
  test('when countDocuments runs with and without matches, skip and limit, then it counts as MongoDB does', async () => {
    const sales_ = db.collection<AnyDoc>('sales');
    expect(await sales_.countDocuments({ region: 'north' })).toBe(3);
    expect(await sales_.countDocuments({ region: 'east' })).toBe(0);
    expect(await sales_.countDocuments({}, { skip: 1, limit: 3 })).toBe(3);
    expect(await sales_.countDocuments({ qty: { $gt: 4 } }, { skip: 2 })).toBe(1);
  });

  test('when a count is answered by an index (equality, $in, the partial index condition), then it matches a scan, in and out of a transaction', async () => {
    const c = db.collection<AnyDoc>('counted');
    await c.createIndex({ team: 1, rank: -1 });
    await c.createIndex({ team: 1, 'extra.flag': -1 }, { partialFilterExpression: { 'extra.flag': { $exists: true } } });
    await c.insertMany(
      Array.from({ length: 700 }, (_, i) => ({ _id: i, team: `t${i % 7}`, rank: i, ...(i % 3 === 0 ? { extra: { flag: i } } : {}) })),
    );
    const byScan = async (filter: Document) => (await c.find(filter).toArray()).length;
    for (const filter of [
      { team: 't3' },
      { team: { $in: ['t1', 't4', 'none'] } },
      { team: 't2', 'extra.flag': { $exists: true } },
      { team: 't2', rank: { $gt: 300 } },
      { team: 'none' },
    ]) {
      expect(await c.countDocuments(filter)).toBe(await byScan(filter));
    }
    expect(await c.countDocuments({ team: 't3' }, { skip: 90, limit: 50 })).toBe(10);
    const session = client.startSession();
    try {
      session.startTransaction();
      await c.insertOne({ _id: 'new', team: 't3', rank: 1 }, { session });
      expect(await c.countDocuments({ team: 't3' }, { session })).toBe(101);
      expect(await c.countDocuments({ team: 't3' })).toBe(100);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
  });

  test('when a constant group sums constants, then every accumulator is the count times the constant; no match gives no group', async () => {
    const run = (match: Document, group: Document) =>
      db
        .collection<AnyDoc>('sales')
        .aggregate([{ $match: match }, { $group: group }])
        .toArray();
    expect(await run({ item: 'pear' }, { _id: null, n: { $sum: 1 }, twice: { $sum: 2 }, none: { $sum: 0 } })).toEqual([
      { _id: null, n: 2, twice: 4, none: 0 },
    ]);
    expect(await run({ item: 'plum' }, { _id: 1, n: { $sum: 1 } })).toEqual([]);
    expect(await run({}, { _id: 'all', q: { $sum: '$qty' } })).toEqual([{ _id: 'all', q: 26 }]);
  });
});

describe('reshaping', () => {
  test('when $project computes fields, then only the listed and computed fields come back', async () => {
    const docs = await run('sales', [
      { $match: { _id: 1 } },
      { $project: { _id: 0, item: 1, total: { $multiply: ['$qty', '$price'] }, upper: { $toUpper: '$item' } } },
    ]);
    expect(docs).toEqual([{ item: 'apple', total: 10, upper: 'APPLE' }]);
  });

  test('when $addFields and $set add fields, then the rest of the document is kept', async () => {
    const docs = await run('sales', [
      { $match: { _id: 4 } },
      { $addFields: { total: { $multiply: ['$qty', '$price'] } } },
      { $set: { 'meta.flag': true } },
    ]);
    expect(docs).toEqual([{ ...sales[3], total: 12, meta: { flag: true } }]);
  });

  test('when $unwind runs, then each array element becomes a document and empty or missing arrays are dropped', async () => {
    const docs = await run('sales', [{ $sort: { _id: 1 } }, { $unwind: '$tags' }, { $project: { tags: 1 } }]);
    expect(docs).toEqual([
      { _id: 1, tags: 'fruit' },
      { _id: 1, tags: 'red' },
      { _id: 2, tags: 'fruit' },
      { _id: 4, tags: 'veg' },
      { _id: 4, tags: 'green' },
    ]);
  });

  test('when $unwind keeps empty arrays and records the index, then those documents come back with a null index', async () => {
    const docs = await run('sales', [
      { $sort: { _id: 1 } },
      { $unwind: { path: '$tags', preserveNullAndEmptyArrays: true, includeArrayIndex: 'i' } },
      { $project: { tags: 1, i: 1 } },
    ]);
    expect(docs).toEqual([
      { _id: 1, tags: 'fruit', i: 0 },
      { _id: 1, tags: 'red', i: 1 },
      { _id: 2, tags: 'fruit', i: 0 },
      { _id: 3, i: null },
      { _id: 4, tags: 'veg', i: 0 },
      { _id: 4, tags: 'green', i: 1 },
      { _id: 5, i: null },
    ]);
  });

  test('when $sort, $skip and $limit follow a computed field, then that page of the computed order comes back', async () => {
    const docs = await run('sales', [
      { $addFields: { revenue: { $multiply: ['$qty', '$price'] } } },
      { $sort: { revenue: -1 } },
      { $skip: 1 },
      { $limit: 2 },
      { $project: { revenue: 1 } },
    ]);
    expect(docs).toEqual([
      { _id: 3, revenue: 20 },
      { _id: 4, revenue: 12 },
    ]);
  });

  test('when $replaceRoot promotes a computed document, then it becomes the whole output document', async () => {
    const docs = await run('orders', [{ $match: { _id: 1 } }, { $replaceRoot: { newRoot: { total: '$amount', cust: '$customerId' } } }]);
    expect(docs).toEqual([{ total: 30, cust: 'c1' }]);
  });
});

describe('joins across collections', () => {
  test('when $lookup joins on localField and foreignField, then each document carries its matches, or an empty array', async () => {
    const docs = await run('customers', [
      { $sort: { _id: 1 } },
      { $lookup: { from: 'orders', localField: '_id', foreignField: 'customerId', as: 'orders' } },
      { $project: { orderIds: '$orders._id' } },
    ]);
    expect(docs.map((d) => ({ ...d, orderIds: [...d.orderIds].sort() }))).toEqual([
      { _id: 'c1', orderIds: [1, 2] },
      { _id: 'c2', orderIds: [3] },
      { _id: 'c3', orderIds: [] },
    ]);
  });

  test('when $lookup uses let and a pipeline, then the sub-pipeline sees the variables and shapes the joined documents', async () => {
    const docs = await run('customers', [
      { $sort: { _id: 1 } },
      {
        $lookup: {
          from: 'orders',
          let: { cid: '$_id' },
          pipeline: [
            { $match: { $expr: { $and: [{ $eq: ['$customerId', '$$cid'] }, { $gte: ['$amount', 10] }] } } },
            { $project: { _id: 0, amount: 1 } },
          ],
          as: 'big',
        },
      },
      { $project: { big: 1 } },
    ]);
    expect(docs).toEqual([
      { _id: 'c1', big: [{ amount: 30 }] },
      { _id: 'c2', big: [{ amount: 12 }] },
      { _id: 'c3', big: [] },
    ]);
  });

  test('when $graphLookup walks another collection recursively, then every ancestor comes back with its depth', async () => {
    await db.collection<AnyDoc>('tickets').insertOne({ _id: 't1', assignee: 4 });
    const [ticket] = await run('tickets', [
      {
        $graphLookup: {
          from: 'employees',
          startWith: '$assignee',
          connectFromField: 'boss',
          connectToField: '_id',
          as: 'chain',
          depthField: 'depth',
        },
      },
    ]);
    const chain = [...ticket!.chain].sort((a, b) => a.depth - b.depth).map((e) => [e.name, e.depth]);
    expect(chain).toEqual([
      ['intern', 0],
      ['dev', 1],
      ['cto', 2],
      ['ceo', 3],
    ]);
  });

  test('when $graphLookup has maxDepth, then the walk stops at that depth', async () => {
    const [intern] = await run('employees', [
      { $match: { _id: 4 } },
      {
        $graphLookup: { from: 'employees', startWith: '$boss', connectFromField: 'boss', connectToField: '_id', as: 'chain', maxDepth: 1 },
      },
    ]);
    expect(intern!.chain.map((e: Document) => e.name).sort()).toEqual(['cto', 'dev']);
  });

  test('when $unionWith adds another collection, then its documents follow, shaped by its own pipeline', async () => {
    const docs = await run('employees', [
      { $project: { _id: 0, name: 1 } },
      { $unionWith: { coll: 'customers', pipeline: [{ $project: { _id: 0, name: 1 } }] } },
    ]);
    expect(docs.map((d) => d.name).sort()).toEqual(['Ann', 'Bob', 'Cy', 'ceo', 'cfo', 'cto', 'dev', 'intern']);
  });
});

describe('output and cursors', () => {
  test('when a pipeline ends in $out, then it returns nothing and the target collection holds exactly the results', async () => {
    expect(await run('sales', [{ $match: { region: 'north' } }, { $project: { item: 1 } }, { $out: 'north_items' }])).toEqual([]);
    expect(await db.collection<AnyDoc>('north_items').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, item: 'apple' },
      { _id: 4, item: 'kale' },
      { _id: 5, item: 'pear' },
    ]);
    await run('sales', [{ $match: { region: 'south' } }, { $project: { item: 1 } }, { $out: 'north_items' }]);
    expect(await db.collection<AnyDoc>('north_items').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 2, item: 'pear' },
      { _id: 3, item: 'apple' },
    ]);
  });

  test('when the result is larger than the batch size, then the rest arrives through getMore in batches of that size', async () => {
    await db.collection<AnyDoc>('many').insertMany(Array.from({ length: 25 }, (_, i) => ({ _id: i })));
    const watcher = new MongoClient(testServerUri(), { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    const getMores: CommandStartedEvent[] = [];
    watcher.on('commandStarted', (e) => {
      if (e.commandName === 'getMore') getMores.push(e);
    });
    try {
      const pipeline = [{ $addFields: { double: { $multiply: ['$_id', 2] } } }, { $sort: { _id: 1 } }];
      const docs = await watcher.db(dbName).collection('many').aggregate(pipeline, { batchSize: 2 }).toArray();
      expect(docs.map((d) => d.double)).toEqual(Array.from({ length: 25 }, (_, i) => i * 2));
      // 23 documents after the first batch of 2, at most 2 per getMore.
      expect(getMores.length).toBeGreaterThanOrEqual(12);
    } finally {
      await watcher.close();
    }
  });
});

describe('Mongoose', () => {
  test('when Model.aggregate() runs, then it returns the pipeline results through Mongoose', async () => {
    const conn = await mongoose.createConnection(uriWithDb(testServerUri(), dbName)).asPromise();
    try {
      const Pet = conn.model('Pet', new mongoose.Schema({ name: String, species: String, age: Number }));
      await Pet.create([
        { name: 'Rex', species: 'dog', age: 3 },
        { name: 'Tom', species: 'cat', age: 5 },
        { name: 'Ace', species: 'dog', age: 7 },
      ]);
      const bySpecies = await Pet.aggregate<{ _id: string; n: number; avgAge: number }>([
        { $group: { _id: '$species', n: { $sum: 1 }, avgAge: { $avg: '$age' } } },
        { $sort: { _id: 1 } },
      ]);
      expect(bySpecies).toEqual([
        { _id: 'cat', n: 1, avgAge: 5 },
        { _id: 'dog', n: 2, avgAge: 5 },
      ]);
      const names = await Pet.aggregate().match({ species: 'dog' }).sort({ age: -1 }).project({ _id: 0, name: 1 });
      expect(names).toEqual([{ name: 'Ace' }, { name: 'Rex' }]);
    } finally {
      await conn.close();
    }
  });
});

describe('database-level aggregation ({aggregate: 1})', () => {
  test('when db.aggregate starts with $documents, then the later stages run over those documents', async () => {
    const docs = await db
      .aggregate([
        { $documents: [{ x: 1 }, { x: 2 }, { x: 3 }] },
        { $match: { x: { $gte: 2 } } },
        { $set: { y: { $multiply: ['$x', 10] } } },
      ])
      .toArray();
    expect(docs).toEqual([
      { x: 2, y: 20 },
      { x: 3, y: 30 },
    ]);
  });

  test('when $documents is an expression and a later $lookup reads a collection, then both work', async () => {
    const docs = await db
      .aggregate([
        { $documents: { $map: { input: ['c1', 'c3'], as: 'id', in: { cust: '$$id' } } } },
        { $lookup: { from: 'orders', localField: 'cust', foreignField: 'customerId', as: 'orders' } },
        { $project: { _id: 0, cust: 1, n: { $size: '$orders' } } },
      ])
      .toArray();
    expect(docs).toEqual([
      { cust: 'c1', n: 2 },
      { cust: 'c3', n: 0 },
    ]);
  });

  test('when $documents feeds $merge or $out, then the target collection holds the documents and nothing is returned', async () => {
    const merged = await db
      .aggregate([
        {
          $documents: [
            { _id: 1, v: 'a' },
            { _id: 2, v: 'b' },
          ],
        },
        { $merge: { into: 'from_documents' } },
      ])
      .toArray();
    expect(merged).toEqual([]);
    expect(await db.collection<AnyDoc>('from_documents').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, v: 'a' },
      { _id: 2, v: 'b' },
    ]);
    await db.aggregate([{ $documents: [{ _id: 3, v: 'c' }] }, { $out: 'from_documents' }]).toArray();
    expect(await db.collection<AnyDoc>('from_documents').find().toArray()).toEqual([{ _id: 3, v: 'c' }]);
  });

  test('when $listLocalSessions runs, then the session a command used is listed with its id, uid and last use', async () => {
    const session = client.startSession();
    try {
      await db.collection<AnyDoc>('sales').findOne({}, { session });
      const sessionId = session.id!.id as Binary;
      const listed = await db.aggregate([{ $listLocalSessions: {} }, { $match: { '_id.id': sessionId } }]).toArray();
      expect(listed).toHaveLength(1);
      const record = listed[0]!;
      expect(record._id.id).toBeInstanceOf(Binary);
      expect(Buffer.from(record._id.id.buffer).equals(Buffer.from(sessionId.buffer))).toBe(true);
      expect(record._id.uid).toBeInstanceOf(Binary);
      expect(record._id.uid.buffer.length).toBe(32);
      expect(record.lastUse).toBeInstanceOf(Date);
    } finally {
      await session.endSession();
    }
  });

  test('when {aggregate: 1} starts with a stage that needs a collection, then it fails with InvalidNamespace (73)', async () => {
    expect((await serverError(db.aggregate([{ $match: {} }]).toArray())).code).toBe(73);
    expect((await serverError(db.aggregate([{ $group: { _id: null } }]).toArray())).code).toBe(73);
  });
});

describe('$group as the first stage', () => {
  // The embedded server groups `{_id: '$field' | constant, ...$sum/$avg/$count}` itself when
  // $group comes first; after a $project mingo groups. MongoDB answers both forms alike.
  const key = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer({ min: -2, max: 2 }),
    fc.constantFrom(new Double(1), new Double(2.5)),
    fc.constantFrom('a', 'b', 'A'),
    fc.boolean(),
    fc.constant(new Date(1000)),
    fc.constant([1, 2]),
  );
  const value = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.integer({ min: -5, max: 5 }),
    fc.constantFrom(new Double(0.25), new Double(3), new Long(7)),
    fc.constant('x'),
    fc.constant([1]),
  );
  const docs = fc.array(fc.record({ k: key, v: value }), { maxLength: 12 }).map((rows) =>
    rows.map((r, i) => {
      const d: Document = { _id: i };
      if (r.k !== undefined) d.k = r.k;
      if (r.v !== undefined) d.v = r.v;
      return d;
    }),
  );
  const accumulators = fc.subarray(
    [
      ['n', { $sum: 1 }],
      ['half', { $sum: 0.5 }],
      ['s', { $sum: '$v' }],
      ['a', { $avg: '$v' }],
      ['c', { $count: {} }],
    ] as [string, Document][],
    { minLength: 1 },
  );
  const spec = fc
    .tuple(fc.constantFrom<unknown>('$k', null, 'all', 5), accumulators)
    .map(([id, accs]) => ({ _id: id, ...Object.fromEntries(accs) }));

  test('when random documents are grouped by a field or a constant with $sum, $avg and $count, then it answers as the same $group after a $project', async () => {
    await fc.assert(
      fc.asyncProperty(docs, spec, async (rows, group) => {
        const coll = db.collection<Document>('grouped');
        await coll.deleteMany({});
        if (rows.length > 0) await coll.insertMany(rows);
        const first = await coll.aggregate([{ $group: group }, { $sort: { _id: 1 } }]).toArray();
        const later = await coll.aggregate([{ $project: { k: 1, v: 1 } }, { $group: group }, { $sort: { _id: 1 } }]).toArray();
        expect(first).toEqual(later);
      }),
      { numRuns: 80, plugins: [fc.interruptAfterTimeLimit(20_000)] },
    );
  }, 30_000);

  test('when documents are grouped by a field, then null and missing keys form one group, 1 and 1.0 one group, and non-numbers are left out of $sum and $avg', async () => {
    const coll = db.collection<{ _id: number; k?: unknown; v?: unknown }>('groupedFixed');
    await coll.insertMany([
      { _id: 1, k: null, v: 'x' },
      { _id: 2 },
      { _id: 3, k: 1, v: 2 },
      { _id: 4, k: new Double(1), v: 3 },
      { _id: 5, k: 'a', v: null },
    ]);
    const out = await coll
      .aggregate([
        { $group: { _id: '$k', n: { $sum: 1 }, s: { $sum: '$v' }, a: { $avg: '$v' }, c: { $count: {} } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { _id: null, n: 2, s: 0, a: null, c: 2 },
      { _id: 1, n: 2, s: 5, a: 2.5, c: 2 },
      { _id: 'a', n: 1, s: 0, a: null, c: 1 },
    ]);
  });
});
