/**
 * Conformance: collation (ICU locales, strength, numericOrdering) in filters, sorts, count,
 * distinct, updates and aggregation, collection default collations, and the errors for collation
 * documents MongoDB refuses, as MongoDB 7 answers them. Runs against the embedded server, or a
 * real MongoDB replica set when TEST_MONGODB_URI is set.
 */
import type { CollationOptions, Collection, Db, Document } from 'mongodb';
import { serverError, useFreshDatabase } from '../helpers/mongo';

interface Word extends Document {
  _id: number;
  w: string;
}

let db: Db;

useFreshDatabase('collation', (fresh) => ({ db } = fresh));

let collCounter = 0;

async function words(list: string[]): Promise<Collection<Word>> {
  const coll = db.collection<Word>(`words${++collCounter}`);
  await coll.insertMany(list.map((w, i) => ({ _id: i + 1, w })));
  return coll;
}

const ids = (docs: Document[]): unknown[] => docs.map((d) => d._id).sort();

const primary: CollationOptions = { locale: 'en', strength: 1 };
const secondary: CollationOptions = { locale: 'en', strength: 2 };

describe('collation documents', () => {
  test('when a find names en_US, fr_CA or de@collation=phonebook, then it runs with that locale', async () => {
    const coll = await words(['ping', 'PING']);
    for (const locale of ['en_US', 'fr_CA', 'de@collation=phonebook']) {
      expect(ids(await coll.find({ w: 'ping' }).collation({ locale }).toArray())).toEqual([1]);
      expect(ids(await coll.find({ w: 'ping' }).collation({ locale, strength: 2 }).toArray())).toEqual([1, 2]);
    }
  });

  test('when the locale is one MongoDB does not know, then the command fails with BadValue (2)', async () => {
    const coll = await words(['a']);
    for (const locale of ['xx', 'en-US', 'en_ZZ']) {
      expect((await serverError(coll.find({}).collation({ locale }).toArray())).code).toBe(2);
    }
    expect((await serverError(db.createCollection('badLocale', { collation: { locale: 'zz' } }))).code).toBe(2);
  });

  test('when a collation field has a value MongoDB refuses, then the command fails', async () => {
    const coll = await words(['a']);
    for (const collation of [
      { locale: 'en', strength: 6 },
      { locale: 'en', caseFirst: 'sideways' },
      { locale: 'en', alternate: 'ignore' },
      { locale: 'en', unknownField: true },
      { locale: 'simple', strength: 2 },
    ]) {
      await serverError(
        coll
          .find({})
          .collation(collation as CollationOptions)
          .toArray(),
      );
    }
  });

  test('when the locale is simple, then strings compare as binary', async () => {
    const coll = await words(['ping', 'PING']);
    expect(ids(await coll.find({ w: 'ping' }).collation({ locale: 'simple' }).toArray())).toEqual([1]);
  });
});

describe('strength', () => {
  const list = ['cafe', 'Cafe', 'café', 'CAFÉ', 'tea'];

  test('when strength is 1, then only base letters count: case and accents are ignored', async () => {
    const coll = await words(list);
    expect(ids(await coll.find({ w: 'CAFE' }).collation(primary).toArray())).toEqual([1, 2, 3, 4]);
  });

  test('when strength is 2, then accents count but case does not', async () => {
    const coll = await words(list);
    expect(ids(await coll.find({ w: 'CAFE' }).collation(secondary).toArray())).toEqual([1, 2]);
    expect(ids(await coll.find({ w: 'cafÉ' }).collation(secondary).toArray())).toEqual([3, 4]);
  });

  test('when strength is 3 (the default), then case counts too', async () => {
    const coll = await words(list);
    expect(ids(await coll.find({ w: 'Cafe' }).collation({ locale: 'en' }).toArray())).toEqual([2]);
    expect(ids(await coll.find({ w: 'Cafe' }).collation({ locale: 'en', strength: 3 }).toArray())).toEqual([2]);
  });

  test('when $in, $ne and ranges run under a collation, then they compare by it', async () => {
    const coll = await words(['apple', 'Banana', 'cherry']);
    expect(
      ids(
        await coll
          .find({ w: { $in: ['APPLE', 'CHERRY'] } })
          .collation(secondary)
          .toArray(),
      ),
    ).toEqual([1, 3]);
    expect(
      ids(
        await coll
          .find({ w: { $ne: 'BANANA' } })
          .collation(secondary)
          .toArray(),
      ),
    ).toEqual([1, 3]);
    // Binary order puts every capital before every lowercase letter; en sorts 'Banana' after 'b'.
    expect(ids(await coll.find({ w: { $lt: 'b' } }).toArray())).toEqual([1, 2]);
    expect(
      ids(
        await coll
          .find({ w: { $lt: 'b' } })
          .collation({ locale: 'en' })
          .toArray(),
      ),
    ).toEqual([1]);
  });
});

describe('sort, count, distinct and updates', () => {
  test('when numericOrdering is on, then digits sort by their number, in find and in aggregate', async () => {
    const coll = await words(['item10', 'item9', 'item100', 'item1']);
    const numeric: CollationOptions = { locale: 'en', numericOrdering: true };
    const expected = ['item1', 'item9', 'item10', 'item100'];
    expect((await coll.find().sort({ w: 1 }).collation(numeric).toArray()).map((d) => d.w)).toEqual(expected);
    expect((await coll.aggregate([{ $sort: { w: 1 } }], { collation: numeric }).toArray()).map((d) => d.w)).toEqual(expected);
    expect((await coll.find().sort({ w: 1 }).toArray()).map((d) => d.w)).toEqual(['item1', 'item10', 'item100', 'item9']);
  });

  test('when a find sorts under en, then letters sort alphabetically whatever their case', async () => {
    const coll = await words(['b', 'A', 'C']);
    expect((await coll.find().sort({ w: 1 }).collation({ locale: 'en' }).toArray()).map((d) => d.w)).toEqual(['A', 'b', 'C']);
    expect((await coll.find().sort({ w: 1 }).toArray()).map((d) => d.w)).toEqual(['A', 'C', 'b']);
  });

  test('when distinct runs at strength 2, then values that differ only in case count once', async () => {
    const coll = await words(['PING', 'ping', 'pong']);
    expect(await coll.distinct('w')).toEqual(['PING', 'ping', 'pong']);
    const values = await coll.distinct('w', {}, { collation: secondary });
    expect(values).toHaveLength(2);
    expect(values.map((v) => String(v).toLowerCase()).sort()).toEqual(['ping', 'pong']);
  });

  test('when countDocuments, updateMany and deleteMany have a collation, then they match by it', async () => {
    const coll = await words(['ping', 'PING', 'pong']);
    expect(await coll.countDocuments({ w: 'Ping' }, { collation: secondary })).toBe(2);
    expect(await coll.updateMany({ w: 'Ping' }, { $set: { hit: true } }, { collation: secondary })).toMatchObject({ matchedCount: 2 });
    expect(await coll.deleteMany({ w: 'PONG' }, { collation: secondary })).toMatchObject({ deletedCount: 1 });
    expect(ids(await coll.find({ hit: true }).toArray())).toEqual([1, 2]);
  });
});

describe('aggregation', () => {
  test('when an aggregate has a collation, then $match and $expr comparisons use it', async () => {
    const coll = await words(['ping', 'PING', 'pong']);
    expect(ids(await coll.aggregate([{ $match: { w: 'Ping' } }]).toArray())).toEqual([]);
    expect(ids(await coll.aggregate([{ $match: { w: 'Ping' } }], { collation: secondary }).toArray())).toEqual([1, 2]);
    const later = [{ $addFields: { n: 1 } }, { $match: { $expr: { $eq: ['$w', 'PONG'] } } }];
    expect(ids(await coll.aggregate(later, { collation: secondary }).toArray())).toEqual([3]);
  });

  test('when $group runs under a collation, then keys equal under it form one group and $addToSet keeps one of them', async () => {
    const coll = await words(['ping', 'PING', 'Ping', 'pong']);
    const groups = await coll
      .aggregate(
        [{ $group: { _id: '$w', n: { $sum: 1 } } }, { $project: { _id: 0, key: { $toLower: '$_id' }, n: 1 } }, { $sort: { key: 1 } }],
        {
          collation: secondary,
        },
      )
      .toArray();
    expect(groups).toEqual([
      { key: 'ping', n: 3 },
      { key: 'pong', n: 1 },
    ]);
    const [set] = await coll.aggregate([{ $group: { _id: null, all: { $addToSet: '$w' } } }], { collation: secondary }).toArray();
    expect(set!.all).toHaveLength(2);
  });

  test('when $min and $max accumulate strings under a collation, then they order by it, not by code point', async () => {
    const coll = await words(['b', 'C', 'a']);
    const spec = [{ $group: { _id: null, lo: { $min: '$w' }, hi: { $max: '$w' } } }];
    expect(await coll.aggregate(spec).toArray()).toEqual([{ _id: null, lo: 'C', hi: 'b' }]);
    expect(await coll.aggregate(spec, { collation: secondary }).toArray()).toEqual([{ _id: null, lo: 'a', hi: 'C' }]);
  });

  test('when $lookup joins on localField/foreignField under a collation, then values equal under it join', async () => {
    const customers = db.collection<{ _id: number; name: string }>(`customers${++collCounter}`);
    await customers.insertMany([
      { _id: 1, name: 'alice' },
      { _id: 2, name: 'Bob' },
      { _id: 3, name: 'ALICE' },
    ]);
    const orders = await words(['Alice', 'bob', 'carol']);
    const spec = [
      { $lookup: { from: customers.collectionName, localField: 'w', foreignField: 'name', as: 'who' } },
      { $project: { _id: 1, who: '$who._id' } },
      { $sort: { _id: 1 } },
    ];
    expect(await orders.aggregate(spec).toArray()).toEqual([
      { _id: 1, who: [] },
      { _id: 2, who: [] },
      { _id: 3, who: [] },
    ]);
    expect(await orders.aggregate(spec, { collation: secondary }).toArray()).toEqual([
      { _id: 1, who: [1, 3] },
      { _id: 2, who: [2] },
      { _id: 3, who: [] },
    ]);
  });
});

describe('collection default collation', () => {
  test('when a collection is created with a collation, then commands without one use it and {locale: "simple"} overrides it', async () => {
    await db.createCollection('caseless', { collation: { locale: 'en', strength: 2 } });
    const coll = db.collection<Word>('caseless');
    await coll.insertMany([
      { _id: 1, w: 'ping' },
      { _id: 2, w: 'PING' },
    ]);
    expect(ids(await coll.find({ w: 'Ping' }).toArray())).toEqual([1, 2]);
    expect(await coll.countDocuments({ w: 'Ping' })).toBe(2);
    expect(ids(await coll.aggregate([{ $match: { w: 'Ping' } }]).toArray())).toEqual([1, 2]);
    expect(ids(await coll.find({ w: 'ping' }).collation({ locale: 'simple' }).toArray())).toEqual([1]);
    const [info] = await db.listCollections({ name: 'caseless' }).toArray();
    expect((info as Document).options.collation).toMatchObject({ locale: 'en', strength: 2 });
  });
});
