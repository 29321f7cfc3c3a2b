/**
 * Conformance: server and database commands as a driver user sees them (handshake, server info,
 * databases and collections, error shapes, count/distinct, rename, cursors). Runs against the
 * embedded server, or against a real MongoDB 7 replica set when TEST_MONGODB_URI is set.
 */
import { Long, MongoClient, type ClientSession, type Db, type Document } from 'mongodb';
import { serverError, useFreshDatabase, testServerUri } from '../helpers/mongo';

let client: MongoClient;
let db: Db;
let dbName: string;

useFreshDatabase('commands', (fresh) => ({ client, db, dbName } = fresh));

async function collectionNames(): Promise<string[]> {
  return (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
}

describe('server information', () => {
  test('when hello is sent, then a writable replica-set primary answers with its limits and its own address', async () => {
    const monitored = new MongoClient(testServerUri(), { monitorCommands: true, serverSelectionTimeoutMS: 5000 });
    const addresses: string[] = [];
    monitored.on('commandStarted', (e) => {
      if (e.commandName === 'hello') addresses.push(e.address);
    });
    try {
      const hello = await monitored.db('admin').command({ hello: 1 });
      expect(addresses).toHaveLength(1);
      const address = addresses[0]!;
      expect(hello.ok).toBe(1);
      expect(hello.isWritablePrimary).toBe(true);
      expect(hello.secondary).toBe(false);
      expect(hello.maxWireVersion).toBeGreaterThanOrEqual(21);
      expect(hello.minWireVersion).toBe(0);
      expect(typeof hello.logicalSessionTimeoutMinutes).toBe('number');
      expect(typeof hello.setName).toBe('string');
      expect(hello.setName.length).toBeGreaterThan(0);
      expect(hello.hosts).toContain(address);
      expect(hello.me).toBe(address);
      expect(hello.primary).toBe(address);
      expect(hello.maxBsonObjectSize).toBe(16 * 1024 * 1024);
      expect(hello.maxMessageSizeBytes).toBe(48_000_000);
      expect(hello.maxWriteBatchSize).toBe(100_000);
      expect(hello.localTime).toBeInstanceOf(Date);
    } finally {
      await monitored.close();
    }
  });

  test('when ping is sent, then the server answers ok: 1', async () => {
    expect(await db.admin().ping()).toMatchObject({ ok: 1 });
  });

  test('when buildInfo is asked, then the version string agrees with versionArray and is at least 7.0', async () => {
    const info = await db.admin().buildInfo();
    expect(info.ok).toBe(1);
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versionArray).toHaveLength(4);
    expect(info.versionArray.every((n: unknown) => Number.isInteger(n))).toBe(true);
    expect(info.version.startsWith(info.versionArray.slice(0, 3).join('.'))).toBe(true);
    expect(info.versionArray[0]).toBeGreaterThanOrEqual(7);
  });

  test('when serverStatus is asked, then it reports uptime and at least this connection', async () => {
    const status = await db.admin().serverStatus();
    expect(status.ok).toBe(1);
    expect(typeof status.uptime).toBe('number');
    expect(status.uptime).toBeGreaterThanOrEqual(0);
    expect(status.connections.current).toBeGreaterThanOrEqual(1);
  });
});

describe('databases and collections', () => {
  test('when a database gets data, then listDatabases shows it, and after dropDatabase it is gone', async () => {
    const otherName = `${dbName}_x`;
    const other = client.db(otherName);
    try {
      await other.collection('things').insertOne({ a: 1 });
      const listed = await db.admin().listDatabases();
      const entry = listed.databases.find((d) => d.name === otherName);
      expect(entry).toMatchObject({ name: otherName, empty: false });
      expect(typeof entry?.sizeOnDisk).toBe('number');
      const namesOnly = await db.admin().listDatabases({ nameOnly: true });
      const bare = namesOnly.databases.find((d) => d.name === otherName);
      expect(Object.keys(bare ?? {})).toEqual(['name']);

      expect(await other.dropDatabase()).toBe(true);
      const after = await db.admin().listDatabases({ nameOnly: true });
      expect(after.databases.map((d) => d.name)).not.toContain(otherName);
    } finally {
      await other.dropDatabase();
    }
  });

  test('when collections are created, then listCollections shows them with options, by filter and by name only', async () => {
    await db.createCollection('alpha');
    await db.createCollection('beta', { capped: true, size: 8192 });
    const [alpha] = await db.listCollections({ name: 'alpha' }).toArray();
    expect(alpha).toMatchObject({
      name: 'alpha',
      type: 'collection',
      options: {},
      info: { readOnly: false },
      idIndex: { key: { _id: 1 }, name: '_id_' },
    });
    const capped = await db.listCollections({ 'options.capped': true }).toArray();
    expect(capped.map((c) => c.name)).toEqual(['beta']);
    expect((capped[0] as Document).options).toMatchObject({ capped: true, size: 8192 });
    const bare = await db.listCollections({}, { nameOnly: true }).toArray();
    expect(bare.map((c) => c.name)).toEqual(expect.arrayContaining(['alpha', 'beta']));
    for (const c of bare) expect(Object.keys(c).sort()).toEqual(['name', 'type']);
  });

  test('when a collection is dropped, then it no longer appears in listCollections', async () => {
    await db.createCollection('doomed');
    expect(await db.collection('doomed').drop()).toBe(true);
    expect(await collectionNames()).not.toContain('doomed');
  });

  test('when an existing collection is created again with the same options, then it succeeds (MongoDB 7.0+)', async () => {
    await db.createCollection('again');
    await db.collection('again').insertOne({ kept: true });
    await db.createCollection('again');
    expect(await db.collection('again').countDocuments({ kept: true })).toBe(1);
  });

  test('when an existing collection is created again with other options, then it fails with NamespaceExists (48)', async () => {
    await db.createCollection('taken');
    const err = await serverError(db.createCollection('taken', { capped: true, size: 4096 }));
    expect(err.code).toBe(48);
    expect(err.codeName).toBe('NamespaceExists');
  });
});

describe('error replies', () => {
  test('when an unknown command is sent, then it answers {ok: 0, errmsg, code: 59, codeName: CommandNotFound}', async () => {
    const err = await serverError(db.command({ frobnicate: 1 }));
    expect(err.code).toBe(59);
    expect(err.codeName).toBe('CommandNotFound');
    expect(err.errmsg).toBe("no such command: 'frobnicate'");
    expect(err.errorResponse).toMatchObject({ ok: 0, errmsg: err.errmsg, code: 59, codeName: 'CommandNotFound' });
  });

  test('when a query uses an unknown operator, then it fails with BadValue (2)', async () => {
    const coll = db.collection('ops');
    await coll.insertOne({ a: 1 });
    const fieldLevel = await serverError(coll.find({ a: { $frobnicate: 1 } }).toArray());
    expect(fieldLevel.code).toBe(2);
    expect(fieldLevel.codeName).toBe('BadValue');
    expect(fieldLevel.errmsg).toContain('unknown operator: $frobnicate');
    const topLevel = await serverError(coll.find({ $frobnicate: 1 } as Document).toArray());
    expect(topLevel.code).toBe(2);
    expect(topLevel.errmsg).toContain('unknown top level operator: $frobnicate');
  });
});

describe('count and distinct', () => {
  beforeAll(async () => {
    await db.collection('animals').insertMany([
      { kind: 'dog', name: 'Rex', tags: ['loud', 'friendly'] },
      { kind: 'dog', name: 'Bo', tags: ['friendly'] },
      { kind: 'dog', name: 'Ace', tags: [] },
      { kind: 'cat', name: 'Tom', tags: ['quiet'] },
      { kind: 'cat', name: 'Kit' },
      { kind: 'fish', name: 'Nemo', tags: ['quiet', 'wet'] },
    ]);
  });

  test('when the count command runs, then n honours query, skip and limit, and is 0 for a missing collection', async () => {
    expect((await db.command({ count: 'animals' })).n).toBe(6);
    expect((await db.command({ count: 'animals', query: { kind: 'dog' } })).n).toBe(3);
    expect((await db.command({ count: 'animals', query: { kind: 'dog' }, skip: 1, limit: 1 })).n).toBe(1);
    expect((await db.command({ count: 'animals', query: { kind: 'dog' }, skip: 2 })).n).toBe(1);
    expect((await db.command({ count: 'no_such_collection' })).n).toBe(0);
    expect(await db.collection('animals').estimatedDocumentCount()).toBe(6);
  });

  test('when the distinct command runs, then each value appears once, arrays are unwound and the query applies', async () => {
    const kinds = await db.command({ distinct: 'animals', key: 'kind' });
    expect([...kinds.values].sort()).toEqual(['cat', 'dog', 'fish']);
    const tags = await db.command({ distinct: 'animals', key: 'tags' });
    expect([...tags.values].sort()).toEqual(['friendly', 'loud', 'quiet', 'wet']);
    const catNames = await db.command({ distinct: 'animals', key: 'name', query: { kind: 'cat' } });
    expect([...catNames.values].sort()).toEqual(['Kit', 'Tom']);
    expect(await db.collection('no_such_collection').distinct('kind')).toEqual([]);
  });
});

describe('renameCollection', () => {
  test('when a collection is renamed, then its documents and indexes move and the old name is gone', async () => {
    const drafts = db.collection('drafts');
    await drafts.insertMany([{ title: 'a' }, { title: 'b' }]);
    await drafts.createIndex({ title: 1 });
    const published = await drafts.rename('published');
    expect(published.collectionName).toBe('published');
    expect(await db.collection('published').countDocuments()).toBe(2);
    expect((await db.collection('published').indexes()).map((i) => i.name)).toEqual(['_id_', 'title_1']);
    const names = await collectionNames();
    expect(names).toContain('published');
    expect(names).not.toContain('drafts');
  });

  test('when the target exists, then rename fails with NamespaceExists unless dropTarget is set', async () => {
    await db.collection('src_coll').insertOne({ from: 'src' });
    await db.collection('dst_coll').insertOne({ from: 'dst' });
    const err = await serverError(db.collection('src_coll').rename('dst_coll'));
    expect(err.code).toBe(48);
    expect(err.codeName).toBe('NamespaceExists');
    await db.collection('src_coll').rename('dst_coll', { dropTarget: true });
    expect((await db.collection('dst_coll').find({}).toArray()).map((d) => d.from)).toEqual(['src']);
  });

  test('when the source does not exist, then rename fails with NamespaceNotFound (26)', async () => {
    const err = await serverError(db.collection('never_was').rename('still_not'));
    expect(err.code).toBe(26);
    expect(err.codeName).toBe('NamespaceNotFound');
  });
});

describe('cursors: batchSize, getMore and killCursors', () => {
  let session: ClientSession;

  beforeAll(async () => {
    await db.collection('stream').insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
    // One explicit session: a cursor may only be continued from the session that opened it.
    session = client.startSession();
  });

  afterAll(async () => {
    await session.endSession();
  });

  const getMore = (id: unknown, batchSize?: number) =>
    db.command({ getMore: Long.fromValue(id as Long), collection: 'stream', ...(batchSize ? { batchSize } : {}) }, { session });

  test('when batchSize is smaller than the result, then the first batch holds batchSize and getMore returns the rest', async () => {
    const first = await db.command({ find: 'stream', filter: {}, sort: { i: 1 }, batchSize: 3 }, { session });
    expect(first.cursor.ns).toBe(`${dbName}.stream`);
    expect(first.cursor.firstBatch).toHaveLength(3);
    expect(String(first.cursor.id)).not.toBe('0');
    const seen: number[] = first.cursor.firstBatch.map((d: Document) => d.i);
    let id: unknown = first.cursor.id;
    for (let rounds = 0; String(id) !== '0' && rounds < 10; rounds++) {
      const more = await getMore(id, 3);
      expect(more.cursor.nextBatch.length).toBeLessThanOrEqual(3);
      seen.push(...more.cursor.nextBatch.map((d: Document) => d.i));
      id = more.cursor.id;
    }
    expect(String(id)).toBe('0');
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('when killCursors names an open cursor, then it is reported killed and getMore on it fails with CursorNotFound', async () => {
    const first = await db.command({ find: 'stream', filter: {}, batchSize: 2 }, { session });
    const id = first.cursor.id;
    const killed = await db.command({ killCursors: 'stream', cursors: [Long.fromValue(id)] }, { session });
    expect(killed.cursorsKilled.map(String)).toEqual([String(id)]);
    expect(killed.cursorsNotFound).toEqual([]);
    const err = await serverError(getMore(id));
    expect(err.code).toBe(43);
    expect(err.codeName).toBe('CursorNotFound');
  });

  test('when a driver cursor is closed early, then its server cursor is gone', async () => {
    const cursor = db.collection('stream').find({}, { batchSize: 2 });
    expect(await cursor.next()).not.toBeNull();
    const id = cursor.id;
    expect(id).toBeDefined();
    expect(String(id)).not.toBe('0');
    await cursor.close();
    const err = await serverError(getMore(id));
    expect(err.code).toBe(43);
    expect(err.codeName).toBe('CursorNotFound');
  });
});
