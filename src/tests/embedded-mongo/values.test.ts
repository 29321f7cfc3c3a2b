/**
 * Conformance: BSON values keep their exact type through the server, numbers compare by value
 * across types, and mixed types sort in MongoDB's BSON order. Runs against the embedded server, or
 * a real MongoDB replica set when TEST_MONGODB_URI is set.
 */
import { Binary, BSONRegExp, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from 'mongodb';
import type { Collection, Db, Document, Filter } from 'mongodb';
import { useFreshDatabase } from '../helpers/mongo';

/** Any document shape with the _id types these tests use (the driver's default schema assumes ObjectId). */
interface AnyDoc extends Document {
  _id?: number | string | ObjectId;
}

let db: Db;

useFreshDatabase('values', (fresh) => ({ db } = fresh));

/** Read options under which the driver hands back every BSON type as its own class. */
const RAW_TYPES = {
  promoteValues: false,
  promoteLongs: false,
  bsonRegExp: true,
} as const;

async function idsOf(coll: Collection<AnyDoc>, filter: Filter<AnyDoc>): Promise<unknown[]> {
  return (await coll.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
}

describe('round trips', () => {
  const oid = new ObjectId();
  const uuid = new UUID('0f8fad5b-d9cb-469f-a165-70867728950e');
  const stored = {
    _id: 'all',
    oid,
    date: new Date('2024-02-29T12:34:56.789Z'),
    oldDate: new Date(-86_400_000),
    int: new Int32(42),
    long: Long.fromString('9007199254740993'),
    smallLong: Long.fromNumber(7),
    double: new Double(2.5),
    integralDouble: new Double(5),
    decimal: Decimal128.fromString('1234.50'),
    bin: new Binary(Buffer.from([1, 2, 3, 255]), Binary.SUBTYPE_DEFAULT),
    uuid,
    nothing: null,
    yes: true,
    no: false,
    text: 'héllo ✓',
    nested: {
      list: [new Int32(1), [new Double(2), 'x'], { deep: Long.fromNumber(3) }],
      empty: {},
      none: [],
    },
    ts: new Timestamp({ t: 1_700_000_000, i: 7 }),
    min: new MinKey(),
    max: new MaxKey(),
    re: new BSONRegExp('^a.c$', 'i'),
  };
  let coll: Collection<AnyDoc>;

  beforeAll(async () => {
    coll = db.collection<AnyDoc>('round_trip');
    await coll.insertOne(stored);
  });

  test('when numbers of each BSON numeric type are stored, then they come back with the same class and value', async () => {
    const doc = (await coll.findOne({ _id: 'all' }, RAW_TYPES))!;
    expect(doc.int).toBeInstanceOf(Int32);
    expect(doc.int.value).toBe(42);
    expect(doc.long).toBeInstanceOf(Long);
    expect(doc.long.toString()).toBe('9007199254740993');
    expect(doc.smallLong).toBeInstanceOf(Long);
    expect(doc.smallLong.toString()).toBe('7');
    expect(doc.double).toBeInstanceOf(Double);
    expect(doc.double.value).toBe(2.5);
    expect(doc.decimal).toBeInstanceOf(Decimal128);
    expect(doc.decimal.toString()).toBe('1234.50');
  });

  test('when an integral double such as 5.0 is stored, then it is still a double when read and when queried by type', async () => {
    const doc = (await coll.findOne({ _id: 'all' }, RAW_TYPES))!;
    expect(doc.integralDouble).toBeInstanceOf(Double);
    expect(doc.integralDouble.value).toBe(5);
    expect(await coll.countDocuments({ integralDouble: { $type: 'double' } })).toBe(1);
    expect(await coll.countDocuments({ integralDouble: { $type: 'int' } })).toBe(0);
  });

  test('when a document is updated elsewhere, then its untouched values keep their exact types', async () => {
    const other = db.collection<AnyDoc>('round_trip_update');
    await other.insertOne({
      _id: 1,
      d: new Double(5),
      l: Long.fromNumber(5),
      i: new Int32(5),
      n: 0,
    });
    await other.updateOne({ _id: 1 }, { $set: { n: 1 } });
    const doc = (await other.findOne({ _id: 1 }, RAW_TYPES))!;
    expect(doc.d).toBeInstanceOf(Double);
    expect(doc.l).toBeInstanceOf(Long);
    expect(doc.i).toBeInstanceOf(Int32);
  });

  test('when the default read options are used, then small numbers come back as JS numbers and large longs stay Long', async () => {
    const doc = (await coll.findOne({ _id: 'all' }))!;
    expect(doc.int).toBe(42);
    expect(doc.smallLong).toBe(7);
    expect(doc.integralDouble).toBe(5);
    expect(doc.long).toBeInstanceOf(Long);
    expect(doc.re).toBeInstanceOf(RegExp);
    expect((doc.re as RegExp).source).toBe('^a.c$');
    expect((doc.re as RegExp).flags).toBe('i');
  });

  test('when non-numeric values are stored, then ObjectId, dates, binaries, UUIDs and scalars come back equal', async () => {
    const doc = (await coll.findOne({ _id: 'all' }, RAW_TYPES))!;
    expect(doc.oid).toBeInstanceOf(ObjectId);
    expect(doc.oid.toHexString()).toBe(oid.toHexString());
    expect(doc.date).toEqual(new Date('2024-02-29T12:34:56.789Z'));
    expect(doc.oldDate).toEqual(new Date(-86_400_000));
    expect(doc.bin).toBeInstanceOf(Binary);
    expect(doc.bin.sub_type).toBe(0);
    expect(doc.bin.toString('hex')).toBe('010203ff');
    expect(doc.uuid).toBeInstanceOf(Binary);
    expect(doc.uuid.sub_type).toBe(Binary.SUBTYPE_UUID);
    expect(doc.uuid.toUUID().toHexString()).toBe(uuid.toHexString());
    expect(doc.nothing).toBeNull();
    expect(doc.yes).toBe(true);
    expect(doc.no).toBe(false);
    expect(doc.text).toBe('héllo ✓');
  });

  test('when nested arrays and documents are stored, then their shape and element types survive', async () => {
    const doc = (await coll.findOne({ _id: 'all' }, RAW_TYPES))!;
    const [first, pair, inner] = doc.nested.list;
    expect(first).toBeInstanceOf(Int32);
    expect(pair[0]).toBeInstanceOf(Double);
    expect(pair[0].value).toBe(2);
    expect(pair[1]).toBe('x');
    expect(inner.deep).toBeInstanceOf(Long);
    expect(doc.nested.empty).toEqual({});
    expect(doc.nested.none).toEqual([]);
  });

  test('when Timestamp, MinKey, MaxKey and a regex are stored, then they come back as those types', async () => {
    const doc = (await coll.findOne({ _id: 'all' }, RAW_TYPES))!;
    expect(doc.ts).toBeInstanceOf(Timestamp);
    expect(doc.ts.getHighBitsUnsigned()).toBe(1_700_000_000);
    expect(doc.ts.getLowBitsUnsigned()).toBe(7);
    expect(doc.min).toBeInstanceOf(MinKey);
    expect(doc.max).toBeInstanceOf(MaxKey);
    expect(doc.re).toBeInstanceOf(BSONRegExp);
    expect(doc.re.pattern).toBe('^a.c$');
    expect(doc.re.options).toBe('i');
  });

  test('when a stored value is used as an equality filter, then the document is found by it', async () => {
    for (const field of ['oid', 'date', 'long', 'decimal', 'bin', 'uuid', 'ts', 'integralDouble'] as const) {
      expect(await coll.countDocuments({ [field]: stored[field] })).toBe(1);
    }
  });

  test('when $type names minKey, maxKey, timestamp, regex or binData, then the stored values of those types match', async () => {
    for (const [field, type] of [
      ['min', 'minKey'],
      ['max', 'maxKey'],
      ['ts', 'timestamp'],
      ['re', 'regex'],
      ['bin', 'binData'],
      ['uuid', 'binData'],
    ]) {
      expect({
        field,
        count: await coll.countDocuments({ [field!]: { $type: type } }),
      }).toEqual({ field, count: 1 });
    }
    expect(await coll.countDocuments({ text: { $type: 'timestamp' } })).toBe(0);
  });
});

describe('numeric comparison across types', () => {
  let coll: Collection<AnyDoc>;
  beforeAll(async () => {
    coll = db.collection<AnyDoc>('numbers');
    await coll.insertMany([
      { _id: 'int', v: new Int32(1) },
      { _id: 'long', v: Long.fromNumber(1) },
      { _id: 'double', v: new Double(1) },
      { _id: 'decimal', v: Decimal128.fromString('1') },
      { _id: 'decimal.0', v: Decimal128.fromString('1.0') },
      { _id: 'two', v: 2 },
      { _id: 'string', v: '1' },
    ]);
  });

  const ones = ['decimal', 'decimal.0', 'double', 'int', 'long'];

  test('when the query value is 1 of any numeric type, then every numeric type holding 1 matches, and no string', async () => {
    expect(await idsOf(coll, { v: new Int32(1) })).toEqual(ones);
    expect(await idsOf(coll, { v: Long.fromNumber(1) })).toEqual(ones);
    expect(await idsOf(coll, { v: new Double(1) })).toEqual(ones);
    expect(await idsOf(coll, { v: Decimal128.fromString('1.00') })).toEqual(ones);
    expect(await idsOf(coll, { v: { $in: [Long.fromNumber(1)] } })).toEqual(ones);
    expect(await idsOf(coll, { v: { $gt: Decimal128.fromString('1') } })).toEqual(['two']);
  });

  test('when a decimal and a double both read 9.99, then each matches only itself (the double is not exactly 9.99)', async () => {
    const money = db.collection<AnyDoc>('money');
    await money.insertMany([
      { _id: 'dec', v: Decimal128.fromString('9.99') },
      { _id: 'dbl', v: 9.99 },
    ]);
    expect(await idsOf(money, { v: 9.99 })).toEqual(['dbl']);
    expect(await idsOf(money, { v: Decimal128.fromString('9.99') })).toEqual(['dec']);
  });

  describe('longs beyond 2^53', () => {
    let big: Collection<AnyDoc>;
    beforeAll(async () => {
      big = db.collection<AnyDoc>('big_longs');
      await big.insertMany([
        { _id: 'p53', v: Long.fromString('9007199254740992') },
        { _id: 'p53+1', v: Long.fromString('9007199254740993') },
        { _id: 'p53+3', v: Long.fromString('9007199254740995') },
      ]);
    });

    test('when they are filtered with $gt, $lt or equality, then they are compared exactly, not as rounded doubles', async () => {
      expect(await idsOf(big, { v: { $gt: Long.fromString('9007199254740992') } })).toEqual(['p53+1', 'p53+3']);
      expect(await idsOf(big, { v: { $lt: Long.fromString('9007199254740993') } })).toEqual(['p53']);
      expect(await idsOf(big, { v: Long.fromString('9007199254740993') })).toEqual(['p53+1']);
    });

    test('when they are sorted, then neighbours that round to the same double still sort apart', async () => {
      const desc = await big.find({}).sort({ v: -1 }).toArray();
      expect(desc.map((d) => d._id)).toEqual(['p53+3', 'p53+1', 'p53']);
    });
  });
});

describe('BSON type order', () => {
  // A nested array sorts as the inner array itself: sorting only unwinds the outer array.
  const byType: Array<[string, unknown]> = [
    ['01 minKey', new MinKey()],
    ['02 null', null],
    ['03 number', Long.fromNumber(2)],
    ['04 number', new Double(2.5)],
    ['05 number', Decimal128.fromString('2.75')],
    ['06 number', new Int32(3)],
    ['07 string', 'a'],
    ['08 object', { a: 1 }],
    ['09 array', [[1, 2]]],
    ['10 binData', new Binary(Buffer.from([0]))],
    ['11 objectId', new ObjectId('000000000000000000000001')],
    ['12 bool', false],
    ['13 bool', true],
    ['14 date', new Date(0)],
    ['15 timestamp', new Timestamp({ t: 1, i: 1 })],
    ['16 regex', new BSONRegExp('a', '')],
    ['17 maxKey', new MaxKey()],
  ];
  let coll: Collection<AnyDoc>;

  beforeAll(async () => {
    coll = db.collection<AnyDoc>('type_order');
    // Inserted in reverse so insertion order cannot pass for sort order.
    await coll.insertMany([...byType].reverse().map(([label, v]) => ({ _id: label, v })));
  });

  test('when a field holding every BSON type is sorted ascending, then MinKey < null < numbers < strings < objects < arrays < binData < ObjectId < booleans < dates < timestamps < regex < MaxKey', async () => {
    const docs = await coll.find({}).sort({ v: 1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual(byType.map(([label]) => label));
  });

  test('when the same field is sorted descending, then the order is exactly reversed', async () => {
    const docs = await coll.find({}).sort({ v: -1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual(byType.map(([label]) => label).reverse());
  });

  test('when an aggregation $sort after another stage sorts the same values, then it gives the same BSON order', async () => {
    const docs = await coll.aggregate([{ $addFields: { seen: true } }, { $sort: { v: 1 } }, { $project: { _id: 1 } }]).toArray();
    expect(docs.map((d) => d._id)).toEqual(byType.map(([label]) => label));
  });
});
