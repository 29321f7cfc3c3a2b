/**
 * Conformance: indexes as a driver user sees them (uniqueness, duplicate key errors, TTL, text
 * search, index use in explain, Mongoose index sync). Runs against the embedded server, or
 * against a real MongoDB 7 replica set when TEST_MONGODB_URI is set.
 */
import { MongoBulkWriteError, type Db, type Document } from 'mongodb';
import mongoose from 'mongoose';
import { serverError, useFreshDatabase, testServerUri, uriWithDb, usingRealMongo } from '../helpers/mongo';

let db: Db;
let dbName: string;

useFreshDatabase('indexes', (fresh) => ({ db, dbName } = fresh));

async function indexNames(coll: string): Promise<string[]> {
  const specs = await db.collection(coll).listIndexes().toArray();
  return specs.map((s) => s.name as string).sort();
}

/** Every plan stage under a node of an explain tree (inputStage, inputStages, queryPlan, ...). */
function stagesOf(node: unknown, out: Document[] = []): Document[] {
  if (Array.isArray(node)) node.forEach((n) => stagesOf(n, out));
  else if (node && typeof node === 'object') {
    const doc = node as Document;
    if (typeof doc.stage === 'string') out.push(doc);
    Object.values(doc).forEach((v) => stagesOf(v, out));
  }
  return out;
}

function stageNames(explain: Document): string[] {
  return stagesOf(explain.queryPlanner.winningPlan).map((s) => s.stage as string);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
describe('unique indexes and duplicate key errors', () => {
  test('when a second document repeats a unique field, then the insert fails with E11000, keyPattern and keyValue', async () => {
    const users = db.collection('users');
    await users.createIndex({ email: 1 }, { unique: true });
    await users.insertOne({ email: 'ann@example.com' });
    const err = await serverError(users.insertOne({ email: 'ann@example.com' }));
    expect(err.code).toBe(11000);
    expect(err.message).toBe(`E11000 duplicate key error collection: ${dbName}.users index: email_1 dup key: { email: "ann@example.com" }`);
    expect(err.keyPattern).toEqual({ email: 1 });
    expect(err.keyValue).toEqual({ email: 'ann@example.com' });
    expect(await users.countDocuments({ email: 'ann@example.com' })).toBe(1);
  });

  test('when two documents both lack a field under a non-sparse unique index, then the second is a duplicate of null', async () => {
    const coll = db.collection('nullable');
    await coll.createIndex({ code: 1 }, { unique: true });
    await coll.insertOne({ name: 'first' });
    const err = await serverError(coll.insertOne({ name: 'second' }));
    expect(err.code).toBe(11000);
    expect(err.message).toContain('dup key: { code: null }');
    expect(err.keyValue).toEqual({ code: null });
  });

  test('when a compound unique index is set, then only the full combination must be unique', async () => {
    const pets = db.collection('pets');
    await pets.createIndex({ owner: 1, name: 1 }, { unique: true });
    await pets.insertMany([
      { owner: 'u1', name: 'Rex' },
      { owner: 'u1', name: 'Tom' },
      { owner: 'u2', name: 'Rex' },
    ]);
    const err = await serverError(pets.insertOne({ owner: 'u1', name: 'Rex' }));
    expect(err.code).toBe(11000);
    expect(err.message).toBe(
      `E11000 duplicate key error collection: ${dbName}.pets index: owner_1_name_1 dup key: { owner: "u1", name: "Rex" }`,
    );
    expect(err.keyPattern).toEqual({ owner: 1, name: 1 });
    expect(err.keyValue).toEqual({ owner: 'u1', name: 'Rex' });
    expect(await pets.countDocuments()).toBe(3);
  });

  test('when a unique index is sparse, then many documents may lack the field but present values stay unique', async () => {
    const coll = db.collection('sparse_unique');
    await coll.createIndex({ phone: 1 }, { unique: true, sparse: true });
    await coll.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4, phone: '555' }]);
    expect(await coll.countDocuments()).toBe(4);
    const err = await serverError(coll.insertOne({ n: 5, phone: '555' }));
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ phone: '555' });
  });

  test('when a unique index has a partialFilterExpression, then duplicates outside the filter are accepted', async () => {
    const coll = db.collection('partial_unique');
    await coll.createIndex({ slug: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await coll.insertMany([
      { slug: 'spa', active: false },
      { slug: 'spa', active: false },
      { slug: 'spa', active: true },
    ]);
    const err = await serverError(coll.insertOne({ slug: 'spa', active: true }));
    expect(err.code).toBe(11000);
    expect(err.keyValue).toEqual({ slug: 'spa' });
    expect(await coll.countDocuments({ slug: 'spa' })).toBe(3);
  });

  test('when an update would give a document a taken unique value, then it fails with 11000 and the document is unchanged', async () => {
    const coll = db.collection<{ _id: number; handle: string }>('renames');
    await coll.createIndex({ handle: 1 }, { unique: true });
    await coll.insertMany([
      { _id: 1, handle: 'a' },
      { _id: 2, handle: 'b' },
    ]);
    const err = await serverError(coll.updateOne({ _id: 2 }, { $set: { handle: 'a' } }));
    expect(err.code).toBe(11000);
    expect((await coll.findOne({ _id: 2 }))?.handle).toBe('b');
  });

  test('when an ordered insertMany hits a duplicate, then it stops there, keeps earlier documents and reports that index', async () => {
    const coll = db.collection('ordered');
    await coll.createIndex({ sku: 1 }, { unique: true });
    await coll.insertOne({ sku: 'taken' });
    const err = await serverError(coll.insertMany([{ sku: 'a' }, { sku: 'b' }, { sku: 'taken' }, { sku: 'c' }], { ordered: true }));
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    const bulk = err as MongoBulkWriteError;
    expect(bulk.code).toBe(11000);
    const writeErrors = [bulk.writeErrors].flat();
    expect(writeErrors.map((w) => w.index)).toEqual([2]);
    expect(writeErrors[0]!.code).toBe(11000);
    expect(writeErrors[0]!.errmsg).toContain(`collection: ${dbName}.ordered index: sku_1 dup key: { sku: "taken" }`);
    expect(bulk.insertedCount).toBe(2);
    const skus = (await coll.find({}).toArray()).map((d) => d.sku).sort();
    expect(skus).toEqual(['a', 'b', 'taken']);
  });

  test('when an unordered insertMany hits duplicates, then it inserts the rest and reports every failing index', async () => {
    const coll = db.collection('unordered');
    await coll.createIndex({ sku: 1 }, { unique: true });
    await coll.insertOne({ sku: 'taken' });
    const err = await serverError(
      coll.insertMany([{ sku: 'a' }, { sku: 'taken' }, { sku: 'b' }, { sku: 'a' }, { sku: 'c' }], { ordered: false }),
    );
    expect(err).toBeInstanceOf(MongoBulkWriteError);
    const bulk = err as MongoBulkWriteError;
    const writeErrors = [bulk.writeErrors].flat();
    expect(writeErrors.map((w) => w.index).sort()).toEqual([1, 3]);
    expect(writeErrors.every((w) => w.code === 11000)).toBe(true);
    expect(bulk.insertedCount).toBe(3);
    const skus = (await coll.find({}).toArray()).map((d) => d.sku).sort();
    expect(skus).toEqual(['a', 'b', 'c', 'taken']);
  });

  test('when a unique index is built over existing duplicates, then it fails with 11000 and no index is left', async () => {
    const coll = db.collection('dirty');
    await coll.insertMany([{ tag: 'x' }, { tag: 'x' }, { tag: 'y' }]);
    const err = await serverError(coll.createIndex({ tag: 1 }, { unique: true }));
    expect(err.code).toBe(11000);
    expect(await indexNames('dirty')).toEqual(['_id_']);
  });
});

describe('creating, listing and dropping indexes', () => {
  test('when the same index is created twice, then the second call is a no-op that reports all indexes already exist', async () => {
    const coll = db.collection('twice');
    expect(await coll.createIndex({ a: 1 })).toBe('a_1');
    expect(await coll.createIndex({ a: 1 })).toBe('a_1');
    const again = await db.command({ createIndexes: 'twice', indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(again.numIndexesBefore).toBe(2);
    expect(again.numIndexesAfter).toBe(2);
    expect(again.note).toBe('all indexes already exist');
    expect(await indexNames('twice')).toEqual(['_id_', 'a_1']);
  });

  test('when an index name is reused with a different key, then it fails with IndexKeySpecsConflict', async () => {
    const coll = db.collection('conflict_keys');
    await coll.createIndex({ a: 1 }, { name: 'lookup' });
    const err = await serverError(coll.createIndex({ b: 1 }, { name: 'lookup' }));
    expect(err.code).toBe(86);
    expect(err.codeName).toBe('IndexKeySpecsConflict');
  });

  test('when an index name and key are reused with another expireAfterSeconds, then it fails with IndexOptionsConflict', async () => {
    const coll = db.collection('conflict_options');
    await coll.createIndex({ at: 1 }, { name: 'at_ttl', expireAfterSeconds: 3600 });
    const err = await serverError(coll.createIndex({ at: 1 }, { name: 'at_ttl', expireAfterSeconds: 60 }));
    expect(err.code).toBe(85);
    expect(err.codeName).toBe('IndexOptionsConflict');
    const spec = (await coll.indexes()).find((i) => i.name === 'at_ttl');
    expect(spec?.expireAfterSeconds).toBe(3600);
  });

  test('when indexes are listed, then listIndexes and indexes() show the _id index and each spec with its options', async () => {
    const coll = db.collection('listed');
    await coll.createIndex({ city: 1, zip: -1 });
    await coll.createIndex({ email: 1 }, { unique: true, name: 'by_email' });
    const listed = await coll.listIndexes().toArray();
    expect(listed.map((i) => i.name)).toEqual(['_id_', 'city_1_zip_-1', 'by_email']);
    expect(listed[0]).toMatchObject({ key: { _id: 1 }, name: '_id_', v: 2 });
    expect(listed[1]!.key).toEqual({ city: 1, zip: -1 });
    expect(listed[2]).toMatchObject({ key: { email: 1 }, unique: true });
    expect(await coll.indexes()).toEqual(listed);
  });

  test('when an index is dropped by name, then it disappears; dropping it again fails with IndexNotFound', async () => {
    const coll = db.collection('dropping');
    await coll.createIndex({ a: 1 });
    await coll.createIndex({ b: 1 });
    await coll.dropIndex('a_1');
    expect(await indexNames('dropping')).toEqual(['_id_', 'b_1']);
    const err = await serverError(coll.dropIndex('a_1'));
    expect(err.code).toBe(27);
    expect(err.codeName).toBe('IndexNotFound');
  });

  test('when dropIndexes is called, then every index but _id_ is gone, and _id_ itself cannot be dropped', async () => {
    const coll = db.collection('dropping_all');
    await coll.createIndexes([{ key: { a: 1 } }, { key: { b: 1 } }, { key: { c: 1 }, unique: true }]);
    expect(await coll.dropIndexes()).toBe(true);
    expect(await indexNames('dropping_all')).toEqual(['_id_']);
    const err = await serverError(coll.dropIndex('_id_'));
    expect(err.code).toBe(72);
    expect(err.codeName).toBe('InvalidOptions');
  });
});

describe('TTL indexes', () => {
  // Real MongoDB's TTL monitor runs every 60 s; the embedded one in tests every 250 ms.
  const waitMs = usingRealMongo() ? 75_000 : 5_000;

  test(
    'when a TTL index exists, then documents past expireAfterSeconds are removed and fresh or non-date ones kept',
    async () => {
      const coll = db.collection('sessions');
      await coll.createIndex({ lastSeen: 1 }, { expireAfterSeconds: 3600 });
      const now = Date.now();
      await coll.insertMany([
        { name: 'stale', lastSeen: new Date(now - 2 * 3600_000) },
        { name: 'stale-too', lastSeen: new Date(now - 5 * 3600_000) },
        { name: 'fresh', lastSeen: new Date(now) },
        { name: 'not-a-date', lastSeen: 'yesterday' },
      ]);
      const deadline = Date.now() + waitMs;
      while ((await coll.countDocuments({ name: /^stale/ })) > 0 && Date.now() < deadline) await sleep(250);
      const names = (await coll.find({}).toArray()).map((d) => d.name).sort();
      expect(names).toEqual(['fresh', 'not-a-date']);
    },
    waitMs + 15_000,
  );
});

describe('text indexes', () => {
  beforeAll(async () => {
    const notes = db.collection('notes');
    await notes.createIndex({ title: 'text', body: 'text' });
    await notes.insertMany([
      { key: 'espresso', title: 'coffee notes', body: 'coffee coffee coffee' },
      { key: 'breakfast', title: 'morning routine', body: 'a cup of coffee and a pot of tea with the paper' },
      { key: 'garden', title: 'garden party', body: 'green tea with lemon' },
      { key: 'cafe', title: 'iced drinks', body: 'the cold brew here beats any coffee' },
      { key: 'brewery', title: 'beer', body: 'brew days are cold in winter' },
    ]);
  });

  test('when $text is searched with a textScore projection and sort, then matches come best first with their scores', async () => {
    const hits = await db
      .collection('notes')
      .find({ $text: { $search: 'Coffee' } }, { projection: { key: 1, score: { $meta: 'textScore' } } })
      .sort({ score: { $meta: 'textScore' } })
      .toArray();
    expect(hits.map((h) => h.key).sort()).toEqual(['breakfast', 'cafe', 'espresso']);
    expect(hits[0]!.key).toBe('espresso');
    const scores = hits.map((h) => h.score as number);
    expect(scores.every((s) => typeof s === 'number' && s > 0)).toBe(true);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  test('when $text searches a quoted phrase, then only documents containing that exact phrase match', async () => {
    const hits = await db
      .collection('notes')
      .find({ $text: { $search: '"cold brew"' } })
      .toArray();
    expect(hits.map((h) => h.key)).toEqual(['cafe']);
  });

  test('when $text negates a term, then documents containing it are excluded', async () => {
    const hits = await db
      .collection('notes')
      .find({ $text: { $search: 'coffee -tea' } })
      .toArray();
    expect(hits.map((h) => h.key).sort()).toEqual(['cafe', 'espresso']);
  });

  test('when $text is used on a collection without a text index, then it fails with IndexNotFound', async () => {
    await db.collection('plain').insertOne({ body: 'coffee' });
    const err = await serverError(
      db
        .collection('plain')
        .find({ $text: { $search: 'coffee' } })
        .toArray(),
    );
    expect(err.code).toBe(27);
    expect(err.message).toContain('text index required for $text query');
  });
});

describe('indexes kept right by updates', () => {
  /** The ids a query finds through the index named (a hinted index answers only from its own entries). */
  async function idsVia(coll: string, filter: Document, index: Document): Promise<unknown[]> {
    const docs = await db.collection(coll).find(filter).hint(index).sort({ _id: 1 }).toArray();
    return docs.map((d) => d._id);
  }

  test('when an update changes an indexed field, then the index finds the document under the new value and not the old', async () => {
    const coll = db.collection<{ _id: number; owner: string; note: string }>('moves');
    await coll.createIndex({ owner: 1 });
    await coll.insertMany([
      { _id: 1, owner: 'ana', note: 'a' },
      { _id: 2, owner: 'ana', note: 'b' },
    ]);
    await coll.updateOne({ _id: 1 }, { $set: { owner: 'ben' } });
    expect(await idsVia('moves', { owner: 'ana' }, { owner: 1 })).toEqual([2]);
    expect(await idsVia('moves', { owner: 'ben' }, { owner: 1 })).toEqual([1]);
  });

  test('when an update changes only fields no index covers, then every index still finds the document, with its new content', async () => {
    const coll = db.collection<{ _id: number; owner: string; visits: number; note?: string }>('touches');
    await coll.createIndex({ owner: 1, visits: 1 });
    await coll.insertOne({ _id: 1, owner: 'ana', visits: 3 });
    for (let i = 0; i < 3; i++) await coll.updateOne({ _id: 1 }, { $set: { note: `edit ${i}` } });
    const found = await db.collection('touches').find({ owner: 'ana', visits: 3 }).hint({ owner: 1, visits: 1 }).toArray();
    expect(found).toEqual([{ _id: 1, owner: 'ana', visits: 3, note: 'edit 2' }]);
    expect(await coll.countDocuments({ owner: 'ana' })).toBe(1);
  });

  test('when an update moves a document out of a partial index and back, then the partial index follows it', async () => {
    const coll = db.collection<{ _id: number; state: string; due: number }>('queue');
    const partial = { state: 1, due: 1 };
    await coll.createIndex(partial, { partialFilterExpression: { state: 'queued' } });
    await coll.insertMany([
      { _id: 1, state: 'queued', due: 5 },
      { _id: 2, state: 'queued', due: 6 },
    ]);
    await coll.updateOne({ _id: 1 }, { $set: { state: 'sent' } });
    expect(await idsVia('queue', { state: 'queued' }, partial)).toEqual([2]);
    await coll.updateOne({ _id: 1 }, { $set: { state: 'queued', due: 1 } });
    expect(await idsVia('queue', { state: 'queued', due: { $lte: 5 } }, partial)).toEqual([1]);
  });

  test('when an update fails on a unique index, then the other indexes still hold the document under its old values', async () => {
    const coll = db.collection<{ _id: number; handle: string; city: string }>('handles');
    await coll.createIndex({ handle: 1 }, { unique: true });
    await coll.createIndex({ city: 1 });
    await coll.insertMany([
      { _id: 1, handle: 'a', city: 'Oslo' },
      { _id: 2, handle: 'b', city: 'Rome' },
    ]);
    const err = await serverError(coll.updateOne({ _id: 2 }, { $set: { handle: 'a', city: 'Paris' } }));
    expect(err.code).toBe(11000);
    expect(await idsVia('handles', { city: 'Rome' }, { city: 1 })).toEqual([2]);
    expect(await idsVia('handles', { city: 'Paris' }, { city: 1 })).toEqual([]);
    expect(await idsVia('handles', { handle: 'b' }, { handle: 1 })).toEqual([2]);
  });

  test('when an update rewrites a text field, then $text finds the new words and no longer the old ones', async () => {
    const coll = db.collection<{ _id: number; body: string }>('memos');
    await coll.createIndex({ body: 'text' });
    await coll.insertOne({ _id: 1, body: 'poodle grooming' });
    await coll.updateOne({ _id: 1 }, { $set: { body: 'parrot boarding' } });
    expect(await coll.countDocuments({ $text: { $search: 'poodle' } })).toBe(0);
    expect(await coll.countDocuments({ $text: { $search: 'parrot' } })).toBe(1);
  });
});

describe('index use shown by explain', () => {
  const total = 20_000;

  beforeAll(async () => {
    const big = db.collection('big');
    await big.insertMany(Array.from({ length: total }, (_, i) => ({ n: i, group: i % 100, pad: 'x'.repeat(20) })));
    await big.createIndexes([{ key: { n: 1 } }, { key: { group: 1 } }]);
  }, 120_000);

  test('when an indexed field is queried by equality, then only the matching documents are examined via IXSCAN', async () => {
    const found = await db.collection('big').find({ group: 7 }).toArray();
    expect(found).toHaveLength(total / 100);
    const explain = await db.collection('big').find({ group: 7 }).explain('executionStats');
    expect(stageNames(explain)).toContain('IXSCAN');
    expect(explain.executionStats.nReturned).toBe(found.length);
    expect(explain.executionStats.totalDocsExamined).toBe(found.length);
  });

  test('when an indexed field is queried by range, then only the documents in range are examined', async () => {
    const filter = { n: { $gte: 1000, $lt: 1150 } };
    const explain = await db.collection('big').find(filter).explain('executionStats');
    expect(stageNames(explain)).toContain('IXSCAN');
    expect(explain.executionStats.nReturned).toBe(150);
    expect(explain.executionStats.totalDocsExamined).toBe(150);
  });

  test('when the same query is hinted to $natural order, then every document is examined by a COLLSCAN', async () => {
    const explain = await db.collection('big').find({ group: 7 }).hint({ $natural: 1 }).explain('executionStats');
    expect(stageNames(explain)).toContain('COLLSCAN');
    expect(stageNames(explain)).not.toContain('IXSCAN');
    expect(explain.executionStats.nReturned).toBe(total / 100);
    expect(explain.executionStats.totalDocsExamined).toBe(total);
  });

  test('when results are sorted on an indexed field with a limit, then the index supplies the order without a full scan', async () => {
    const cursor = () => db.collection('big').find({}).sort({ n: -1 }).limit(5);
    expect((await cursor().toArray()).map((d) => d.n)).toEqual([19_999, 19_998, 19_997, 19_996, 19_995]);
    const explain = await cursor().explain('executionStats');
    expect(stageNames(explain)).toContain('IXSCAN');
    expect(stageNames(explain)).not.toContain('SORT');
    expect(explain.executionStats.totalDocsExamined).toBe(5);
  });

  test('when an array field is indexed, then a query matching several of its elements returns each document once', async () => {
    const tagged = db.collection('tagged');
    await tagged.createIndex({ tags: 1 });
    await tagged.insertMany([
      { name: 'a', tags: ['red', 'green', 'blue'], scores: [5, 7, 9] },
      { name: 'b', tags: ['red'], scores: [1] },
      { name: 'c', tags: ['yellow'], scores: [8, 9] },
    ]);
    const byTag = await tagged.find({ tags: { $in: ['red', 'green', 'blue'] } }).toArray();
    expect(byTag.map((d) => d.name).sort()).toEqual(['a', 'b']);
    const explain = await tagged.find({ tags: { $in: ['red', 'green', 'blue'] } }).explain('executionStats');
    const ixscan = stagesOf(explain.queryPlanner.winningPlan).find((s) => s.stage === 'IXSCAN');
    expect(ixscan?.isMultiKey).toBe(true);
    expect(explain.executionStats.nReturned).toBe(2);
    await tagged.createIndex({ scores: 1 });
    const byScore = await tagged.find({ scores: { $gt: 4 } }).toArray();
    expect(byScore.map((d) => d.name).sort()).toEqual(['a', 'c']);
  });
});

describe('Mongoose indexes', () => {
  let conn: mongoose.Connection;
  const schema = new mongoose.Schema({
    email: { type: String, unique: true },
    city: { type: String, index: true },
    nickname: String,
  });

  beforeAll(async () => {
    conn = await mongoose.createConnection(uriWithDb(testServerUri(), dbName)).asPromise();
  });

  afterAll(async () => {
    await conn.close();
  });

  test('when Model.init() runs, then the unique and plain schema indexes exist on the collection', async () => {
    const Member = conn.model('Member', schema, 'members');
    await Member.init();
    const specs = await db.collection('members').indexes();
    expect(specs.map((s) => s.name).sort()).toEqual(['_id_', 'city_1', 'email_1']);
    expect(specs.find((s) => s.name === 'email_1')).toMatchObject({ key: { email: 1 }, unique: true });
    expect(specs.find((s) => s.name === 'city_1')?.unique).toBeUndefined();
  });

  test('when syncIndexes() runs, then missing schema indexes are built and indexes not in the schema are dropped', async () => {
    await db.collection('members_sync').createIndex({ nickname: 1 });
    const Synced = conn.model('MemberSync', schema, 'members_sync');
    await Synced.init();
    const dropped = await Synced.syncIndexes();
    expect(dropped).toEqual(['nickname_1']);
    expect(await indexNames('members_sync')).toEqual(['_id_', 'city_1', 'email_1']);
  });

  test('when a duplicate unique value is saved, then save rejects with code 11000 and keyValue', async () => {
    const Saver = conn.model('MemberSave', schema, 'members_save');
    await Saver.init();
    await Saver.create({ email: 'dup@example.com', city: 'Tbilisi' });
    const err = await new Saver({ email: 'dup@example.com', city: 'Batumi' }).save().then(
      () => undefined,
      (e: unknown) => e as { code?: number; keyValue?: unknown },
    );
    expect(err?.code).toBe(11000);
    expect(err?.keyValue).toEqual({ email: 'dup@example.com' });
    expect(await Saver.countDocuments()).toBe(1);
  });
});
