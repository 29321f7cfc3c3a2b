/**
 * Conformance: kinds of collection as a driver and Mongoose see them (views, validators,
 * clustered and time-series collections, prepareUnique and unique index conversion) and their
 * definitions surviving a restart. Runs against the embedded server, or against a real
 * MongoDB 7 replica set when TEST_MONGODB_URI is set (the restart tests then skip).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient, type Db, type Document, type MongoBulkWriteError } from 'mongodb';
import mongoose from 'mongoose';
import { startEmbeddedMongo } from '../../embedded-mongo';
import { serverError, testServerUri, uriWithDb, useFreshDatabase, usingRealMongo } from '../helpers/mongo';

let db: Db;
let dbName: string;

useFreshDatabase('collections', (fresh) => ({ db, dbName } = fresh));

/** Test documents use numbers and strings as _id, not only ObjectIds. */
type Loose = Document & { _id?: string | number };

async function info(name: string): Promise<Document | undefined> {
  return (await db.listCollections({ name }).toArray())[0];
}

async function indexSpecs(name: string): Promise<Document[]> {
  return db.collection(name).listIndexes().toArray();
}

const pets = [
  { _id: 1, name: 'Rex', kind: 'dog', age: 3, owner: 'ann' },
  { _id: 2, name: 'Bo', kind: 'dog', age: 7, owner: 'bob' },
  { _id: 3, name: 'Tom', kind: 'cat', age: 5, owner: 'ann' },
  { _id: 4, name: 'Kit', kind: 'cat', age: 1, owner: 'cid' },
  { _id: 5, name: 'Nemo', kind: 'fish', age: 2, owner: 'bob' },
];

describe('views', () => {
  beforeAll(async () => {
    await db.collection<Loose>('pets').insertMany(pets);
    await db.collection<Loose>('owners').insertMany([
      { _id: 'ann', city: 'Tbilisi' },
      { _id: 'bob', city: 'Batumi' },
    ]);
    await db.createCollection('dogs', { viewOn: 'pets', pipeline: [{ $match: { kind: 'dog' } }, { $project: { owner: 0 } }] });
  });

  test('when a view is created, then listCollections reports type view with viewOn, pipeline and readOnly info', async () => {
    const view = await info('dogs');
    expect(view).toMatchObject({
      name: 'dogs',
      type: 'view',
      options: { viewOn: 'pets', pipeline: [{ $match: { kind: 'dog' } }, { $project: { owner: 0 } }] },
      info: { readOnly: true },
    });
    const names = await db.listCollections({ type: 'view' }, { nameOnly: true }).toArray();
    expect(names).toContainEqual({ name: 'dogs', type: 'view' });
  });

  test('when a view is read with find, then its pipeline runs first, then filter, sort, skip, limit and projection', async () => {
    const dogs = db.collection<Loose>('dogs');
    expect(await dogs.find({}).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, name: 'Rex', kind: 'dog', age: 3 },
      { _id: 2, name: 'Bo', kind: 'dog', age: 7 },
    ]);
    expect(await dogs.find({ age: { $gt: 5 } }, { projection: { name: 1, _id: 0 } }).toArray()).toEqual([{ name: 'Bo' }]);
    expect(
      await dogs
        .find({}, { projection: { name: 1 } })
        .sort({ age: -1 })
        .skip(1)
        .limit(1)
        .toArray(),
    ).toEqual([{ _id: 1, name: 'Rex' }]);
    expect(await dogs.findOne({ name: 'Tom' })).toBeNull();
  });

  test('when a view is counted or asked for distinct values, then only its documents count', async () => {
    const dogs = db.collection('dogs');
    expect(await dogs.countDocuments()).toBe(2);
    expect(await dogs.countDocuments({ age: { $lt: 5 } })).toBe(1);
    expect((await db.command({ count: 'dogs' })).n).toBe(2);
    expect((await dogs.distinct('owner')).length).toBe(0);
    expect((await dogs.distinct('name')).sort()).toEqual(['Bo', 'Rex']);
  });

  test('when aggregate runs on a view, then the view pipeline comes before the given stages, including a $lookup', async () => {
    const rows = await db
      .collection('dogs')
      .aggregate([{ $group: { _id: null, total: { $sum: '$age' } } }])
      .toArray();
    expect(rows).toEqual([{ _id: null, total: 10 }]);
    await db.createCollection('pet_owners', {
      viewOn: 'pets',
      pipeline: [{ $lookup: { from: 'owners', localField: 'owner', foreignField: '_id', as: 'o' } }],
    });
    const joined = await db.collection('pet_owners').find({ name: 'Tom' }).toArray();
    expect(joined[0]?.o).toEqual([{ _id: 'ann', city: 'Tbilisi' }]);
  });

  test('when a view is defined on another view, then reads run both pipelines, and a $lookup may read a view', async () => {
    await db.createCollection('old_dogs', { viewOn: 'dogs', pipeline: [{ $match: { age: { $gte: 5 } } }] });
    expect((await db.collection('old_dogs').find({}).toArray()).map((d) => d.name)).toEqual(['Bo']);
    const withDogs = await db
      .collection('owners')
      .aggregate([{ $lookup: { from: 'dogs', localField: '_id', foreignField: 'name', as: 'd' } }, { $match: { _id: 'ann' } }])
      .toArray();
    expect(withDogs[0]?.d).toEqual([]);
    const byOldDogs = await db
      .collection('pets')
      .aggregate([{ $match: { _id: 2 } }, { $lookup: { from: 'old_dogs', localField: '_id', foreignField: '_id', as: 'same' } }])
      .toArray();
    expect(byOldDogs[0]?.same).toEqual([{ _id: 2, name: 'Bo', kind: 'dog', age: 7 }]);
  });

  test('when a view is written to, then every write fails with CommandNotSupportedOnView (166) and the source is unchanged', async () => {
    const dogs = db.collection<Loose>('dogs');
    const attempts: (() => Promise<unknown>)[] = [
      () => dogs.insertOne({ _id: 9, name: 'Ace', kind: 'dog' }),
      () => dogs.updateOne({ _id: 1 }, { $set: { age: 4 } }),
      () => dogs.replaceOne({ _id: 1 }, { name: 'Max' }),
      () => dogs.deleteMany({}),
      () => dogs.findOneAndUpdate({ _id: 1 }, { $set: { age: 4 } }),
      () => dogs.createIndex({ name: 1 }),
    ];
    for (const attempt of attempts) {
      const err = await serverError(attempt());
      expect(err.code).toBe(166);
      expect(err.codeName).toBe('CommandNotSupportedOnView');
    }
    expect(await db.collection('pets').countDocuments()).toBe(5);
    expect((await db.collection<Loose>('pets').findOne({ _id: 1 }))?.age).toBe(3);
  });

  test('when a view is dropped, then only the view goes and its source keeps its documents', async () => {
    await db.createCollection('cats', { viewOn: 'pets', pipeline: [{ $match: { kind: 'cat' } }] });
    expect(await db.collection('cats').countDocuments()).toBe(2);
    expect(await db.collection('cats').drop()).toBe(true);
    expect(await info('cats')).toBeUndefined();
    expect(await db.collection('pets').countDocuments()).toBe(5);
  });

  test('when collMod gives a view a new pipeline, then listCollections and reads use the new definition', async () => {
    await db.createCollection('young', { viewOn: 'pets', pipeline: [{ $match: { age: { $lt: 3 } } }] });
    await db.command({ collMod: 'young', viewOn: 'pets', pipeline: [{ $match: { age: { $lt: 4 } } }] });
    expect((await info('young'))?.options.pipeline).toEqual([{ $match: { age: { $lt: 4 } } }]);
    expect((await db.collection('young').find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 4, 5]);
  });

  test('when a view is created with a name that exists, then it fails with NamespaceExists (48)', async () => {
    const onCollection = await serverError(db.createCollection('pets', { viewOn: 'owners', pipeline: [] }));
    expect(onCollection.code).toBe(48);
    const onView = await serverError(db.createCollection('dogs', { viewOn: 'owners', pipeline: [] }));
    expect(onView.code).toBe(48);
  });

  test('when a view definition would lead back to itself, then create and collMod fail with GraphContainsCycle (5)', async () => {
    const self = await serverError(db.createCollection('loop', { viewOn: 'loop', pipeline: [] }));
    expect(self.code).toBe(5);
    await db.createCollection('ring_a', { viewOn: 'pets', pipeline: [] });
    await db.createCollection('ring_b', { viewOn: 'ring_a', pipeline: [] });
    const cycle = await serverError(db.command({ collMod: 'ring_a', viewOn: 'ring_b', pipeline: [] }));
    expect(cycle.code).toBe(5);
    expect(cycle.codeName).toBe('GraphContainsCycle');
    const viaLookup = await serverError(
      db.command({
        collMod: 'ring_a',
        viewOn: 'pets',
        pipeline: [{ $lookup: { from: 'ring_b', localField: 'x', foreignField: 'x', as: 'y' } }],
      }),
    );
    expect(viaLookup.code).toBe(5);
    expect((await info('ring_a'))?.options.viewOn).toBe('pets');
  });

  test('when a view pipeline ends in $out, then create fails with OptionNotSupportedOnView (167)', async () => {
    const err = await serverError(db.createCollection('copying', { viewOn: 'pets', pipeline: [{ $out: 'elsewhere' }] }));
    expect(err.code).toBe(167);
    expect(await info('copying')).toBeUndefined();
  });
});

describe('validators', () => {
  const schema = {
    $jsonSchema: {
      bsonType: 'object',
      required: ['name', 'age'],
      additionalProperties: false,
      properties: {
        _id: {},
        name: { bsonType: 'string', minLength: 2, pattern: '^[A-Z]' },
        age: { bsonType: 'int', minimum: 0, maximum: 30 },
        kind: { enum: ['dog', 'cat'] },
        tags: { bsonType: 'array', items: { bsonType: 'string' }, maxItems: 3 },
      },
    },
  };

  test('when a collection is created with a validator, then listCollections shows it with the level and action given', async () => {
    await db.createCollection('checked', { validator: { age: { $gte: 0 } }, validationLevel: 'moderate', validationAction: 'error' });
    expect((await info('checked'))?.options).toEqual({
      validator: { age: { $gte: 0 } },
      validationLevel: 'moderate',
      validationAction: 'error',
    });
    await db.createCollection('checked_plain', { validator: { age: { $gte: 0 } } });
    expect((await info('checked_plain'))?.options.validator).toEqual({ age: { $gte: 0 } });
  });

  test('when an insert fails a query-operator validator, then DocumentValidationFailure (121) names the document and nothing is stored', async () => {
    const coll = db.collection<Loose>('adults');
    await db.createCollection('adults', { validator: { age: { $gte: 18 }, name: { $type: 'string' } } });
    await coll.insertOne({ _id: 'ok', name: 'Ann', age: 30 });
    const err = await serverError(coll.insertOne({ _id: 'kid', name: 'Tim', age: 9 }));
    expect(err.code).toBe(121);
    expect(err.errInfo?.failingDocumentId).toBe('kid');
    expect(err.errInfo?.details).toBeDefined();
    const bulk = (await serverError(
      coll.insertMany(
        [
          { _id: 'a', name: 'A', age: 20 },
          { _id: 'b', age: 40 },
        ],
        { ordered: false },
      ),
    )) as MongoBulkWriteError;
    const writeErrors = [bulk.writeErrors].flat();
    expect(writeErrors.map((w) => [w.index, w.code, w.errInfo?.failingDocumentId])).toEqual([[1, 121, 'b']]);
    expect((await coll.find({}).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['a', 'ok']);
  });

  test('when a $jsonSchema validator is set, then documents breaking required, bsonType, range, enum, pattern, items or additionalProperties are refused', async () => {
    await db.createCollection('schema_pets', { validator: schema });
    const coll = db.collection<Loose>('schema_pets');
    await coll.insertOne({ _id: 0, name: 'Rex', age: 3, kind: 'dog', tags: ['loud'] });
    const bad: Document[] = [
      { _id: 1, name: 'Rex' },
      { _id: 2, name: 'Rex', age: 3.5 },
      { _id: 3, name: 'Rex', age: 31 },
      { _id: 4, name: 'Rex', age: 3, kind: 'fish' },
      { _id: 5, name: 'rex', age: 3 },
      { _id: 6, name: 'R', age: 3 },
      { _id: 7, name: 'Rex', age: 3, tags: ['a', 1] },
      { _id: 8, name: 'Rex', age: 3, color: 'red' },
    ];
    for (const doc of bad) {
      const err = await serverError(coll.insertOne(doc));
      expect(err.code).toBe(121);
      expect(err.errInfo?.failingDocumentId).toBe(doc._id);
      expect(err.errInfo?.details?.operatorName).toBe('$jsonSchema');
    }
    const missing = await serverError(coll.insertOne({ _id: 1, name: 'Rex' }));
    expect(missing.errInfo?.details?.schemaRulesNotSatisfied).toContainEqual(
      expect.objectContaining({ operatorName: 'required', missingProperties: ['age'] }),
    );
    expect(await coll.countDocuments()).toBe(1);
  });

  test('when an update, replace, findOneAndUpdate or upsert would break the validator, then it is refused and the document is unchanged', async () => {
    await db.createCollection('schema_updates', { validator: schema });
    const coll = db.collection<Loose>('schema_updates');
    await coll.insertOne({ _id: 1, name: 'Rex', age: 3 });
    const failures: (() => Promise<unknown>)[] = [
      () => coll.updateOne({ _id: 1 }, { $set: { age: 99 } }),
      () => coll.replaceOne({ _id: 1 }, { name: 'Rex' }),
      () => coll.findOneAndUpdate({ _id: 1 }, { $unset: { name: '' } }),
      () => coll.updateOne({ _id: 2 }, { $set: { name: 'Bo', age: -1 } }, { upsert: true }),
    ];
    for (const attempt of failures) {
      const err = await serverError(attempt());
      expect(err.code).toBe(121);
    }
    expect(await coll.find({}).toArray()).toEqual([{ _id: 1, name: 'Rex', age: 3 }]);
    await coll.updateOne({ _id: 1 }, { $set: { age: 4 } });
    expect((await coll.findOne({ _id: 1 }))?.age).toBe(4);
  });

  test('when bypassDocumentValidation is true, then invalid inserts and updates are accepted', async () => {
    await db.createCollection('bypassed', { validator: { age: { $gte: 0 } } });
    const coll = db.collection<Loose>('bypassed');
    await coll.insertOne({ _id: 1, age: -5 }, { bypassDocumentValidation: true });
    await coll.updateOne({ _id: 1 }, { $set: { age: -6 } }, { bypassDocumentValidation: true });
    await coll.findOneAndUpdate({ _id: 1 }, { $set: { age: -7 } }, { bypassDocumentValidation: true });
    expect((await coll.findOne({ _id: 1 }))?.age).toBe(-7);
  });

  test('when the level is moderate, then documents already invalid may be updated while valid ones and inserts are still checked', async () => {
    const coll = db.collection<Loose>('moderate');
    await coll.insertMany([
      { _id: 'legacy', age: -1 },
      { _id: 'good', age: 1 },
    ]);
    await db.command({ collMod: 'moderate', validator: { age: { $gte: 0 } }, validationLevel: 'moderate' });
    await coll.updateOne({ _id: 'legacy' }, { $set: { age: -2 } });
    expect((await coll.findOne({ _id: 'legacy' }))?.age).toBe(-2);
    expect((await serverError(coll.updateOne({ _id: 'good' }, { $set: { age: -1 } }))).code).toBe(121);
    expect((await serverError(coll.insertOne({ _id: 'new', age: -1 }))).code).toBe(121);
  });

  test('when collMod adds a validator, then existing documents stay and new writes are checked; level strict checks invalid documents too', async () => {
    const coll = db.collection<Loose>('later');
    await coll.insertOne({ _id: 'old', age: -1 });
    await db.command({ collMod: 'later', validator: { age: { $gte: 0 } } });
    expect((await info('later'))?.options.validator).toEqual({ age: { $gte: 0 } });
    expect(await coll.countDocuments()).toBe(1);
    expect((await serverError(coll.updateOne({ _id: 'old' }, { $set: { age: -2 } }))).code).toBe(121);
    expect((await serverError(coll.insertOne({ _id: 'new', age: -1 }))).code).toBe(121);
  });

  test('when the action is warn or the level is off, then invalid documents are accepted without an error', async () => {
    await db.createCollection('warned', { validator: { age: { $gte: 0 } }, validationAction: 'warn' });
    await db.createCollection('unchecked', { validator: { age: { $gte: 0 } }, validationLevel: 'off' });
    const warned = await db.collection<Loose>('warned').insertOne({ _id: 1, age: -1 });
    expect(warned.acknowledged).toBe(true);
    await db.collection<Loose>('unchecked').insertOne({ _id: 1, age: -1 });
    expect(await db.collection('warned').countDocuments()).toBe(1);
    expect(await db.collection('unchecked').countDocuments()).toBe(1);
  });

  test('when a validator uses an unknown $jsonSchema keyword or a bad level, then create fails and nothing is created', async () => {
    expect(
      (await serverError(db.createCollection('bad_schema', { validator: { $jsonSchema: { bsonType: 'object', frob: 1 } } }))).code,
    ).toBe(9);
    expect((await serverError(db.createCollection('bad_level', { validator: {}, validationLevel: 'sometimes' as 'off' }))).code).toBe(2);
    expect(await info('bad_schema')).toBeUndefined();
  });

  test('when a Mongoose schema has a validator in collectionOptions, then Model.createCollection() creates it and the server enforces it', async () => {
    const conn = await mongoose.createConnection(uriWithDb(testServerUri(), dbName), { autoCreate: false }).asPromise();
    try {
      const s = new mongoose.Schema(
        { name: String, age: Number },
        { collectionOptions: { validator: { $jsonSchema: { bsonType: 'object', required: ['name'] } } }, validateBeforeSave: false },
      );
      const Visitor = conn.model('Visitor', s, 'visitors');
      await Visitor.createCollection();
      await Visitor.createCollection();
      expect((await info('visitors'))?.options.validator).toEqual({ $jsonSchema: { bsonType: 'object', required: ['name'] } });
      await Visitor.create({ name: 'Ann', age: 3 });
      const err = await new Visitor({ age: 4 }).save().then(
        () => undefined,
        (e: unknown) => e as { code?: number },
      );
      expect(err?.code).toBe(121);
      expect(await Visitor.countDocuments()).toBe(1);
    } finally {
      await conn.close();
    }
  });
});

describe('$out and $merge into an existing collection', () => {
  async function source(name: string, docs: Loose[]): Promise<void> {
    await db.collection<Loose>(name).insertMany(docs);
  }

  test('when $out replaces a collection, then its indexes and validator stay and the new documents are its contents', async () => {
    await db.createCollection('report', { validator: { n: { $gte: 0 } } });
    await db.collection('report').createIndex({ n: 1 }, { unique: true });
    await db.collection<Loose>('report').insertOne({ _id: 'old', n: 100 });
    await source('report_src', [
      { _id: 1, n: 1 },
      { _id: 2, n: 2 },
    ]);
    await db
      .collection('report_src')
      .aggregate([{ $out: 'report' }])
      .toArray();
    expect(await db.collection('report').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, n: 1 },
      { _id: 2, n: 2 },
    ]);
    expect((await indexSpecs('report')).map((ix) => ix.name).sort()).toEqual(['_id_', 'n_1']);
    expect((await info('report'))?.options.validator).toEqual({ n: { $gte: 0 } });
  });

  test('when $out writes documents that fail the target`s validator or unique index, then it fails and the target keeps its old contents', async () => {
    await db.createCollection('kept', { validator: { n: { $gte: 0 } } });
    await db.collection('kept').createIndex({ k: 1 }, { unique: true });
    await db.collection<Loose>('kept').insertOne({ _id: 'old', n: 5, k: 0 });
    await source('kept_bad', [
      { _id: 1, n: 1, k: 1 },
      { _id: 2, n: -1, k: 2 },
    ]);
    const invalid = await serverError(
      db
        .collection('kept_bad')
        .aggregate([{ $out: 'kept' }])
        .toArray(),
    );
    expect(invalid.code).toBe(121);
    await source('kept_dup', [
      { _id: 1, n: 1, k: 7 },
      { _id: 2, n: 2, k: 7 },
    ]);
    const dup = await serverError(
      db
        .collection('kept_dup')
        .aggregate([{ $out: 'kept' }])
        .toArray(),
    );
    expect(dup.code).toBe(11000);
    expect(await db.collection('kept').find().toArray()).toEqual([{ _id: 'old', n: 5, k: 0 }]);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('tmp.'))).toEqual([]);
  });

  test('when the aggregate bypasses document validation, then $out and $merge write documents the validator refuses', async () => {
    await db.createCollection('lenient', { validator: { n: { $gte: 0 } } });
    await source('lenient_src', [{ _id: 1, n: -5 }]);
    await db
      .collection('lenient_src')
      .aggregate([{ $out: 'lenient' }], { bypassDocumentValidation: true })
      .toArray();
    expect(await db.collection('lenient').find().toArray()).toEqual([{ _id: 1, n: -5 }]);
    await source('lenient_more', [{ _id: 2, n: -6 }]);
    await db
      .collection('lenient_more')
      .aggregate([{ $merge: { into: 'lenient' } }], { bypassDocumentValidation: true })
      .toArray();
    expect(await db.collection('lenient').countDocuments()).toBe(2);
  });

  test('when $merge inserts or merges a document that fails the target`s validator, then it fails with 121', async () => {
    await db.createCollection('merged', { validator: { n: { $gte: 0 } } });
    await db.collection<Loose>('merged').insertOne({ _id: 1, n: 1 });
    const mergeFrom = (from: string) =>
      serverError(
        db
          .collection(from)
          .aggregate([{ $merge: { into: 'merged' } }])
          .toArray(),
      );
    await source('merge_new', [{ _id: 2, n: -1 }]);
    expect((await mergeFrom('merge_new')).code).toBe(121);
    await source('merge_upd', [{ _id: 1, n: -2 }]);
    expect((await mergeFrom('merge_upd')).code).toBe(121);
    expect(await db.collection('merged').find().toArray()).toEqual([{ _id: 1, n: 1 }]);
  });
});

describe('clustered collections', () => {
  test('when a collection is clustered by _id, then listCollections and listIndexes show the clustered index as MongoDB does', async () => {
    await db.createCollection('clustered', { clusteredIndex: { key: { _id: 1 }, unique: true } });
    expect((await info('clustered'))?.options.clusteredIndex).toEqual({ v: 2, key: { _id: 1 }, name: '_id_', unique: true });
    expect(await indexSpecs('clustered')).toEqual([{ v: 2, key: { _id: 1 }, name: '_id_', unique: true, clustered: true }]);
  });

  test('when a clustered index has a name, then both listings use it, and duplicate _id values are refused with 11000', async () => {
    await db.createCollection('clustered_named', { clusteredIndex: { key: { _id: 1 }, unique: true, name: 'by_id' } });
    expect((await info('clustered_named'))?.options.clusteredIndex).toMatchObject({ name: 'by_id' });
    expect((await indexSpecs('clustered_named')).map((i) => i.name)).toEqual(['by_id']);
    const coll = db.collection<Loose>('clustered_named');
    await coll.insertMany([{ _id: 2 }, { _id: 1 }]);
    expect((await serverError(coll.insertOne({ _id: 1 }))).code).toBe(11000);
    expect(
      (
        await coll
          .find({ _id: { $gte: 1 } })
          .sort({ _id: 1 })
          .toArray()
      ).map((d) => d._id),
    ).toEqual([1, 2]);
  });

  test('when a clustered index names a key other than _id or is not unique, then create fails', async () => {
    await serverError(db.createCollection('clustered_bad', { clusteredIndex: { key: { a: 1 }, unique: true } }));
    await serverError(db.createCollection('clustered_bad', { clusteredIndex: { key: { _id: 1 }, unique: false } }));
    expect(await info('clustered_bad')).toBeUndefined();
  });
});

describe('time-series collections', () => {
  const at = (minute: number): Date => new Date(Date.UTC(2024, 0, 1, 0, minute));

  test('when a time-series collection is created, then listCollections reports type timeseries with its options', async () => {
    await db.createCollection('readings', { timeseries: { timeField: 'ts', metaField: 'sensor', granularity: 'minutes' } });
    expect(await info('readings')).toMatchObject({
      name: 'readings',
      type: 'timeseries',
      options: { timeseries: { timeField: 'ts', metaField: 'sensor', granularity: 'minutes', bucketMaxSpanSeconds: 86400 } },
    });
  });

  test('when measurements repeat an _id, then all are stored and read back', async () => {
    await db.createCollection('temps', { timeseries: { timeField: 'ts', metaField: 'sensor' } });
    const coll = db.collection<Loose>('temps');
    await coll.insertMany([
      { _id: 'same', ts: at(1), sensor: 'a', value: 1 },
      { _id: 'same', ts: at(2), sensor: 'a', value: 2 },
    ]);
    await coll.insertOne({ _id: 'same', ts: at(3), sensor: 'b', value: 3 });
    expect(await coll.countDocuments({ _id: 'same' })).toBe(3);
    expect((await coll.find({ sensor: 'a' }).sort({ ts: 1 }).toArray()).map((d) => d.value)).toEqual([1, 2]);
    expect((await info('temps'))?.options.timeseries).toMatchObject({ timeField: 'ts', metaField: 'sensor', granularity: 'seconds' });
  });

  test('when a measurement has no date in the timeField, then the insert is refused with BadValue (2)', async () => {
    await db.createCollection('strict_time', { timeseries: { timeField: 'ts' } });
    expect((await serverError(db.collection('strict_time').insertOne({ value: 1 }))).code).toBe(2);
    expect((await serverError(db.collection('strict_time').insertOne({ ts: 'yesterday' }))).code).toBe(2);
  });

  test('when measurements are deleted or their metaField updated, then the change applies; updating other fields is refused (72)', async () => {
    await db.createCollection('levels', { timeseries: { timeField: 'ts', metaField: 'tank' } });
    const coll = db.collection<Loose>('levels');
    await coll.insertMany([
      { ts: at(1), tank: 'x', level: 1 },
      { ts: at(2), tank: 'x', level: 2 },
      { ts: at(3), tank: 'y', level: 3 },
    ]);
    await coll.updateMany({ tank: 'y' }, { $set: { tank: 'z' } });
    expect(await coll.countDocuments({ tank: 'z' })).toBe(1);
    expect((await serverError(coll.updateMany({ tank: 'x' }, { $set: { level: 9 } }))).code).toBe(72);
    expect((await serverError(coll.updateMany({ level: 1 }, { $set: { tank: 'w' } }))).code).toBe(72);
    await coll.deleteMany({ level: { $lt: 2 } });
    expect((await coll.find({}).sort({ ts: 1 }).toArray()).map((d) => d.level)).toEqual([2, 3]);
  });
});

describe('prepareUnique and converting an index to unique', () => {
  test('when prepareUnique is set, then new duplicates are refused with 11000 while existing ones stay, and listIndexes shows it', async () => {
    const coll = db.collection<Loose>('handles');
    await coll.insertMany([
      { _id: 1, handle: 'a' },
      { _id: 2, handle: 'a' },
      { _id: 3, handle: 'b' },
    ]);
    await coll.createIndex({ handle: 1 });
    const reply = await db.command({ collMod: 'handles', index: { keyPattern: { handle: 1 }, prepareUnique: true } });
    expect(reply).toMatchObject({ prepareUnique_old: false, prepareUnique_new: true });
    expect((await indexSpecs('handles')).find((i) => i.name === 'handle_1')).toMatchObject({ prepareUnique: true });
    expect((await serverError(coll.insertOne({ _id: 4, handle: 'b' }))).code).toBe(11000);
    expect((await serverError(coll.updateOne({ _id: 3 }, { $set: { handle: 'a' } }))).code).toBe(11000);
    await coll.updateOne({ _id: 2 }, { $set: { note: 'still a duplicate' } });
    expect(await coll.countDocuments({ handle: 'a' })).toBe(2);
  });

  test('when an index is made unique while duplicates exist, then CannotConvertIndexToUnique (359) lists them; once resolved it converts', async () => {
    const coll = db.collection<Loose>('emails');
    await coll.insertMany([
      { _id: 1, email: 'x@p.b' },
      { _id: 2, email: 'x@p.b' },
    ]);
    await coll.createIndex({ email: 1 }, { name: 'email' });
    const early = await serverError(db.command({ collMod: 'emails', index: { name: 'email', unique: true } }));
    expect(early.code).toBe(72);
    await db.command({ collMod: 'emails', index: { name: 'email', prepareUnique: true } });
    const err = await serverError(db.command({ collMod: 'emails', index: { name: 'email', unique: true } }));
    expect(err.code).toBe(359);
    expect(err.errorResponse.violations).toEqual([{ ids: [1, 2] }]);
    await coll.deleteOne({ _id: 2 });
    const done = await db.command({ collMod: 'emails', index: { name: 'email', unique: true } });
    expect(done.unique_new).toBe(true);
    const spec = (await indexSpecs('emails')).find((i) => i.name === 'email');
    expect(spec?.unique).toBe(true);
    expect(spec?.prepareUnique).toBeUndefined();
  });
});

const describeEmbedded = usingRealMongo() ? describe.skip : describe;

describeEmbedded('definitions across a restart (embedded server only: it restarts its own server on a dbPath)', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  async function withServer<T>(dbPath: string, fn: (d: Db) => Promise<T>): Promise<T> {
    const server = await startEmbeddedMongo({ dbPath, host: '127.0.0.1', port: 0 });
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      return await fn(client.db('kept'));
    } finally {
      await client.close();
      await server.stop();
    }
  }

  async function define(d: Db): Promise<void> {
    await d.collection<Loose>('pets').insertMany(pets);
    await d.createCollection('dogs', { viewOn: 'pets', pipeline: [{ $match: { kind: 'dog' } }] });
    await d.createCollection('checked', { validator: { age: { $gte: 0 } } });
    await d.command({ collMod: 'checked', validationLevel: 'moderate' });
    await d.createCollection('clustered', { clusteredIndex: { key: { _id: 1 }, unique: true, name: 'cid' } });
    await d.createCollection('series', { timeseries: { timeField: 'ts', metaField: 'm' } });
    await d.collection<Loose>('series').insertMany([
      { _id: 1, ts: new Date(0), m: 1 },
      { _id: 1, ts: new Date(1), m: 1 },
    ]);
    await d.collection('pets').createIndex({ owner: 1 });
    await d.command({ collMod: 'pets', index: { name: 'owner_1', prepareUnique: true } });
  }

  async function expectKept(d: Db): Promise<void> {
    const infos: Record<string, Document> = Object.fromEntries((await d.listCollections().toArray()).map((c) => [c.name, c]));
    expect(infos.dogs).toMatchObject({ type: 'view', options: { viewOn: 'pets', pipeline: [{ $match: { kind: 'dog' } }] } });
    expect(infos.checked?.options).toEqual({ validator: { age: { $gte: 0 } }, validationLevel: 'moderate' });
    expect(infos.clustered?.options.clusteredIndex).toEqual({ v: 2, key: { _id: 1 }, name: 'cid', unique: true });
    expect(infos.series).toMatchObject({ type: 'timeseries', options: { timeseries: { timeField: 'ts', metaField: 'm' } } });
    expect(await d.collection('dogs').countDocuments()).toBe(2);
    expect((await serverError(d.collection('checked').insertOne({ age: -1 }))).code).toBe(121);
    expect((await d.collection('clustered').listIndexes().toArray()).map((i) => i.name)).toEqual(['cid']);
    expect(await d.collection<Loose>('series').countDocuments({ _id: 1 })).toBe(2);
    expect((await d.collection('pets').listIndexes().toArray()).find((i) => i.name === 'owner_1')).toMatchObject({ prepareUnique: true });
    expect((await serverError(d.collection('pets').insertOne({ owner: 'ann' }))).code).toBe(11000);
  }

  test('when the server stops and starts again on its dbPath, then views, validators, clustered and time-series collections and prepareUnique are kept', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'petbuddy-collections-'));
    dirs.push(dir);
    await withServer(dir, define);
    await withServer(dir, expectKept);
  }, 60_000);

  test('when a second server recovers the journal of one still running, then the definitions come back from the journal alone', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'petbuddy-collections-'));
    dirs.push(dir);
    const first = await startEmbeddedMongo({ dbPath: dir, host: '127.0.0.1', port: 0 });
    const client = new MongoClient(first.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await define(client.db('kept'));
      // No snapshot was taken (the first server is still up): the second reads journal records only.
      expect(fs.existsSync(path.join(dir, 'snapshot.bson'))).toBe(false);
      await withServer(dir, expectKept);
    } finally {
      await client.close();
      await first.stop();
    }
  }, 60_000);
});
