/**
 * Conformance: what a driver or Mongoose can tell apart at the protocol level — fields a command
 * does not define, write concerns a one-member replica set cannot satisfy, and the address hello
 * advertises for replica-set discovery. Runs against the embedded server, or against a real
 * MongoDB 7.0 replica set when TEST_MONGODB_URI is set (the advertise tests are embedded-only).
 */
import * as dns from 'node:dns/promises';
import * as net from 'node:net';
import { MongoClient, MongoWriteConcernError, type Db, type Document, type MongoServerError, type WriteConcernSettings } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo, type EmbeddedMongoOptions } from '../../embedded-mongo/server';
import { serverError, useFreshDatabase, usingRealMongo } from '../helpers/mongo';
import { runTs, within } from '../helpers/process';

let client: MongoClient;
let db: Db;
let dbName: string;

useFreshDatabase('protocol', (fresh) => ({ client, db, dbName } = fresh));

/** 40415 has no name in MongoDB 7.0 (Location40415); later servers call it IDLUnknownField. */
function expectUnknownField(err: MongoServerError, field: string): void {
  expect(err.code).toBe(40415);
  expect(['Location40415', 'IDLUnknownField']).toContain(err.codeName);
  expect(err.errmsg).toContain(field);
}

describe('fields a command does not define', () => {
  test('when find carries a field find does not define, then it is refused with 40415 naming find.<field>', async () => {
    const err = await serverError(db.command({ find: 'pets', filter: {}, frobnicate: 1 }));
    expectUnknownField(err, 'find.frobnicate');
  });

  test('when one update statement carries sort, then the whole update is refused with 40415 and nothing changes', async () => {
    const queue = db.collection('queue');
    await queue.insertMany([
      { _id: 1, n: 1 },
      { _id: 2, n: 2 },
    ] as Document[]);
    const err = await serverError(
      db.command({
        update: 'queue',
        updates: [
          { q: { _id: 1 }, u: { $set: { picked: true } } },
          { q: {}, u: { $set: { picked: true } }, sort: { n: -1 } },
        ],
      }),
    );
    expectUnknownField(err, 'update.updates.sort');
    expect(await queue.countDocuments({ picked: true })).toBe(0);
  });

  test('when a delete statement or an insert carries an unknown field, then it is refused with 40415 and nothing changes', async () => {
    const kept = db.collection('kept');
    await kept.insertOne({ _id: 'k' } as Document);
    expectUnknownField(await serverError(db.command({ delete: 'kept', deletes: [{ q: {}, limit: 0, justOne: true }] })), 'justOne');
    expectUnknownField(await serverError(db.command({ insert: 'kept', documents: [{ _id: 'new' }], upsert: true })), 'upsert');
    expectUnknownField(
      await serverError(db.command({ findAndModify: 'kept', query: {}, update: { $set: { x: 1 } }, returnNew: true })),
      'returnNew',
    );
    expect(await kept.find().toArray()).toEqual([{ _id: 'k' }]);
  });

  test('when explain wraps a find with an unknown field, then it is refused with 40415', async () => {
    expectUnknownField(await serverError(db.command({ explain: { find: 'pets', query: {} }, verbosity: 'queryPlanner' })), 'query');
  });

  test('when a command the server does not know carries extra fields, then it is CommandNotFound (59), not 40415', async () => {
    const err = await serverError(db.command({ frobnicate: 1, extra: true }));
    expect(err.code).toBe(59);
    expect(err.codeName).toBe('CommandNotFound');
  });

  test('when each command carries options MongoDB 7.0 documents for it, then none is refused', async () => {
    await db.collection('opts').insertMany([
      { _id: 1, n: 1 },
      { _id: 2, n: 2 },
    ] as Document[]);
    const why = { comment: 'conformance', maxTimeMS: 10_000 };
    const wc = { writeConcern: { w: 'majority', wtimeout: 5000 } };
    // One session throughout: a cursor may only be continued or killed from the session that opened it.
    const session = client.startSession();
    const first = await db.command({ find: 'opts', filter: {}, sort: { _id: 1 }, batchSize: 1 }, { session });
    const cursorId = first.cursor.id;
    const commands: [Db, Document][] = [
      [
        db,
        {
          find: 'opts',
          filter: { n: { $gte: 1 } },
          projection: { n: 1 },
          sort: { n: 1 },
          hint: { _id: 1 },
          skip: 0,
          limit: 5,
          batchSize: 5,
          singleBatch: true,
          allowDiskUse: false,
          let: { x: 1 },
          readConcern: { level: 'local' },
          noCursorTimeout: false,
          allowPartialResults: false,
          returnKey: false,
          showRecordId: false,
          ...why,
        },
      ],
      [db, { getMore: cursorId, collection: 'opts', batchSize: 1, comment: 'conformance' }],
      [db, { killCursors: 'opts', cursors: [cursorId], comment: 'conformance' }],
      [db, { count: 'opts', query: { n: 1 }, limit: 5, skip: 0, hint: { _id: 1 }, readConcern: { level: 'local' }, ...why }],
      [db, { distinct: 'opts', key: 'n', query: {}, readConcern: { level: 'local' }, ...why }],
      [
        db,
        {
          aggregate: 'opts',
          pipeline: [{ $match: {} }],
          cursor: { batchSize: 5 },
          allowDiskUse: false,
          hint: { _id: 1 },
          let: { x: 1 },
          ...why,
        },
      ],
      [db, { insert: 'opts', documents: [{ _id: 3, tags: [1, 2] }], ordered: true, bypassDocumentValidation: false, ...why, ...wc }],
      [
        db,
        {
          update: 'opts',
          updates: [
            { q: { _id: 3 }, u: { $set: { seen: true } }, upsert: false, multi: false, hint: { _id: 1 } },
            { q: { _id: 3 }, u: { $set: { 'tags.$[t]': 9 } }, arrayFilters: [{ t: 2 }], multi: true },
          ],
          ordered: false,
          let: { x: 1 },
          bypassDocumentValidation: false,
          ...why,
          ...wc,
        },
      ],
      [db, { delete: 'opts', deletes: [{ q: { _id: 99 }, limit: 1, hint: { _id: 1 } }], ordered: true, let: { x: 1 }, ...why, ...wc }],
      [
        db,
        {
          findAndModify: 'opts',
          query: { _id: 3 },
          sort: { _id: 1 },
          update: { $set: { found: true } },
          new: true,
          fields: { found: 1 },
          upsert: false,
          bypassDocumentValidation: false,
          hint: { _id: 1 },
          let: { x: 1 },
          ...why,
          ...wc,
        },
      ],
      [db, { createIndexes: 'opts', indexes: [{ key: { n: 1 }, name: 'n_1' }], commitQuorum: 'votingMembers', ...why, ...wc }],
      [db, { listIndexes: 'opts', cursor: { batchSize: 10 }, comment: 'conformance' }],
      [db, { dropIndexes: 'opts', index: 'n_1', ...why, ...wc }],
      [
        db,
        { listCollections: 1, filter: { name: 'opts' }, nameOnly: true, authorizedCollections: false, cursor: {}, comment: 'conformance' },
      ],
      [db, { create: 'opts_capped', capped: true, size: 4096, max: 10, ...why, ...wc }],
      [db, { collMod: 'opts', validator: {}, validationLevel: 'off', validationAction: 'error', ...why, ...wc }],
      [client.db('admin'), { renameCollection: `${dbName}.opts_capped`, to: `${dbName}.opts_renamed`, dropTarget: false, ...why, ...wc }],
      [db, { drop: 'opts_renamed', ...why, ...wc }],
      [
        client.db('admin'),
        { listDatabases: 1, filter: { name: dbName }, nameOnly: true, authorizedDatabases: false, comment: 'conformance' },
      ],
      [db, { explain: { find: 'opts', filter: {} }, verbosity: 'queryPlanner', comment: 'conformance' }],
    ];
    const refused: string[] = [];
    try {
      for (const [target, command] of commands) {
        await target.command(command, { session }).catch((err: Error) => refused.push(`${Object.keys(command)[0]}: ${err.message}`));
      }
    } finally {
      await session.endSession();
    }
    expect(refused).toEqual([]);
    expect(await db.collection('opts').findOne({ _id: 3 } as Document)).toMatchObject({ tags: [1, 9], seen: true, found: true });
  });
});

describe('write concerns', () => {
  test('when an insert asks for w: 10, then it is applied and answered with UnsatisfiableWriteConcern (100)', async () => {
    const coll = db.collection('wc_many');
    const err = await coll.insertOne({ _id: 'counted' } as Document, { writeConcern: { w: 10 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoWriteConcernError);
    const wce = err as MongoWriteConcernError;
    expect(wce.code).toBe(100);
    expect(wce.codeName).toBe('UnsatisfiableWriteConcern');
    expect(wce.errInfo?.writeConcern).toMatchObject({ w: 10 });
    expect(wce.result).toMatchObject({ n: 1, ok: 1 });
    expect(await coll.countDocuments({ _id: 'counted' } as Document)).toBe(1);
  });

  test('when a write names a tag set mode the replica set does not define, then it is applied and answered with UnknownReplWriteConcern (79)', async () => {
    const coll = db.collection('wc_tag');
    await coll.insertOne({ _id: 't', v: 1 } as Document);
    // The driver types w as number | 'majority'; a tag set mode name is a valid w all the same.
    const someTag = { w: 'someTag' } as unknown as WriteConcernSettings;
    const err = await coll.updateOne({ _id: 't' } as Document, { $set: { v: 2 } }, { writeConcern: someTag }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoWriteConcernError);
    expect((err as MongoWriteConcernError).code).toBe(79);
    expect((err as MongoWriteConcernError).codeName).toBe('UnknownReplWriteConcern');
    expect(await coll.findOne({ _id: 't' } as Document)).toEqual({ _id: 't', v: 2 });
  });

  test('when create asks for w: 10, then the collection is created and the writeConcernError is reported', async () => {
    const err = await db.createCollection('wc_created', { writeConcern: { w: 10 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoWriteConcernError);
    expect((err as MongoWriteConcernError).code).toBe(100);
    expect((await db.listCollections({ name: 'wc_created' }).toArray()).map((c) => c.name)).toEqual(['wc_created']);
  });

  test('when w is majority, 1 with j and wtimeout, or 0, then writes are acknowledged plainly (or not at all for w: 0)', async () => {
    const coll = db.collection('wc_plain');
    await coll.insertOne({ _id: 'majority' } as Document, { writeConcern: { w: 'majority', wtimeout: 1000 } });
    await coll.insertOne({ _id: 'journaled' } as Document, { writeConcern: { w: 1, j: true, wtimeout: 0 } });
    const unacknowledged = await coll.insertOne({ _id: 'fire-and-forget' } as Document, { writeConcern: { w: 0 } });
    expect(unacknowledged.acknowledged).toBe(false);
    let seen = 0;
    for (let i = 0; i < 50 && seen < 3; i++) {
      seen = await coll.countDocuments();
      if (seen < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen).toBe(3);
  });

  test('when the write concern is malformed, then the write is refused before it runs with the code mongod uses', async () => {
    const cases: [unknown, number][] = [
      [{ w: -1 }, 9],
      [{ w: 51 }, 9],
      [{ w: true }, 9],
      [{ w: {} }, 9],
      [{ j: true, fsync: true }, 9],
      ['majority', 14],
      [{ w: 1, j: 'yes' }, 14],
      [{ w: 1, frobnicate: 1 }, 40415],
    ];
    const answers: [unknown, unknown][] = [];
    for (const [writeConcern] of cases) {
      const err = await serverError(db.command({ insert: 'wc_bad', documents: [{ x: 1 }], writeConcern }));
      answers.push([writeConcern, err.code]);
    }
    expect(answers).toEqual(cases);
    expect(await db.collection('wc_bad').countDocuments()).toBe(0);
  });

  test('when a read command carries a write concern, then it is refused with InvalidOptions (72)', async () => {
    for (const command of [
      { find: 'wc_plain', filter: {}, writeConcern: { w: 1 } },
      { count: 'wc_plain', writeConcern: { w: 'majority' } },
    ]) {
      const err = await serverError(db.command(command));
      expect(err.code).toBe(72);
      expect(err.codeName).toBe('InvalidOptions');
    }
  });

  test('when a statement inside a transaction carries a write concern, then it is refused with InvalidOptions (72)', async () => {
    await db.createCollection('wc_txn');
    const session = client.startSession();
    try {
      session.startTransaction();
      const err = await serverError(db.command({ insert: 'wc_txn', documents: [{ x: 1 }], writeConcern: { w: 1 } }, { session }));
      expect(err.code).toBe(72);
    } finally {
      if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    }
    expect(await db.collection('wc_txn').countDocuments()).toBe(0);
  });
});

// These start embedded servers of their own (127.0.0.1 or the name localhost, port 0) to see what
// hello advertises; a real MongoDB advertises its replica-set configuration, which tests cannot set.
const embeddedOnly = usingRealMongo() ? describe.skip : describe;

/** A TCP forwarder on 127.0.0.1, as Docker port mapping or NAT would be; at most 64 connections. */
async function startForwarder(target: () => number): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((downstream) => {
    accepted++;
    const upstream = net.connect(target(), '127.0.0.1');
    for (const [a, b] of [
      [downstream, upstream],
      [upstream, downstream],
    ] as const) {
      sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  server.maxConnections = 64;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Connects WITHOUT directConnection (replica-set discovery), writes, reads, and reports what the driver saw. */
async function discover(uri: string): Promise<{ opened: string[]; known: string[]; me: string }> {
  const driver = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  const opened: string[] = [];
  let known: string[] = [];
  driver.on('serverOpening', (e) => opened.push(e.address));
  driver.on('topologyDescriptionChanged', (e) => (known = [...e.newDescription.servers.keys()]));
  try {
    const things = driver.db('advertise').collection('things');
    await things.insertOne({ via: uri });
    expect(await things.findOne({ via: uri }, { projection: { _id: 0 } })).toEqual({ via: uri });
    const hello = await driver.db('admin').command({ hello: 1 });
    return { opened: [...new Set(opened)], known, me: String(hello.me) };
  } finally {
    await within(driver.close(), 10_000, 'driver close');
  }
}

async function withServer<T>(opts: EmbeddedMongoOptions, fn: (server: EmbeddedMongo) => Promise<T>): Promise<T> {
  const server = await startEmbeddedMongo({ port: 0, host: '127.0.0.1', ...opts });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

embeddedOnly('hello advertises an address the client can reach', () => {
  test('when the server listens on 127.0.0.1, then hello names 127.0.0.1:port and discovery stays there', async () => {
    await withServer({}, async (server) => {
      const address = `127.0.0.1:${server.port}`;
      expect(await discover(`mongodb://${address}/`)).toEqual({ opened: [address], known: [address], me: address });
    });
  });

  test('when the server was started with the host name localhost, then hello names localhost:port, even to a client that came by IP', async () => {
    // The server binds the first address localhost resolves to (here 127.0.0.1; ::1 where the
    // resolver prefers it); the driver resolves the name itself and tries each address.
    const [bound] = await dns.lookup('localhost', { all: true });
    expect(bound).toBeDefined();
    await withServer({ host: 'localhost' }, async (server) => {
      const named = `localhost:${server.port}`;
      expect(await discover(`mongodb://${named}/`)).toEqual({ opened: [named], known: [named], me: named });
      const byIp = `${bound!.family === 6 ? `[${bound!.address}]` : bound!.address}:${server.port}`;
      expect(await discover(`mongodb://${byIp}/`)).toEqual({ opened: [byIp, named], known: [named], me: named });
    });
  });

  test('when a port-mapped address is advertised, then a driver coming through the forwarder only ever uses that address', async () => {
    let serverPort = 0;
    const forwarder = await startForwarder(() => serverPort);
    const mapped = `127.0.0.1:${forwarder.port}`;
    try {
      await withServer({ advertiseHost: mapped }, async (server) => {
        serverPort = server.port;
        expect(server.advertised).toBe(mapped);
        expect(await discover(`mongodb://${mapped}/`)).toEqual({ opened: [mapped], known: [mapped], me: mapped });
        expect(forwarder.accepted()).toBeGreaterThan(0);
      });
      // Control: without advertiseHost the driver leaves the forwarder for the server's own address,
      // which behind real port mapping it could not reach.
      await withServer({}, async (server) => {
        serverPort = server.port;
        const own = `127.0.0.1:${server.port}`;
        expect(await discover(`mongodb://${mapped}/`)).toEqual({ opened: [mapped, own], known: [own], me: own });
      });
    } finally {
      await forwarder.close();
    }
  });

  test('when advertiseHost has no port or is an IPv6 literal, then the listening port fills in and IPv6 is bracketed', async () => {
    await withServer({ advertiseHost: 'localhost' }, async (server) => {
      const named = `localhost:${server.port}`;
      expect(await discover(`mongodb://127.0.0.1:${server.port}/`)).toEqual({
        opened: [`127.0.0.1:${server.port}`, named],
        known: [named],
        me: named,
      });
    });
    await withServer({ advertiseHost: '::1' }, async (server) => expect(server.advertised).toBe(`[::1]:${server.port}`));
    await withServer({ advertiseHost: '[::1]:27999' }, async (server) => expect(server.advertised).toBe('[::1]:27999'));
  });

  test('when advertiseHost is not host[:port], then the server refuses to start', async () => {
    for (const bad of ['', 'db:', 'db:0', 'db:99999', 'db:12ab', 'two words', '[::1', '[db]:27017', 'db/x:1']) {
      await expect(startEmbeddedMongo({ port: 0, host: '127.0.0.1', advertiseHost: bad })).rejects.toThrow(/invalid advertise host/);
    }
  });

  test('when the CLI gets --advertise-host, then it prints and advertises that address for every connection', async () => {
    const child = runTs('src/embedded-mongo/cli.ts', {}, ['--port', '0', '--advertise-host', 'db.example.test:27999']);
    try {
      const [, uri] = await child.waitFor(/listening on (mongodb:\/\/\S+) \(in memory, hello advertises db\.example\.test:27999\)/);
      const direct = new MongoClient(`${uri}/?directConnection=true`, { serverSelectionTimeoutMS: 5000 });
      try {
        expect(await direct.db('admin').command({ hello: 1 })).toMatchObject({
          me: 'db.example.test:27999',
          primary: 'db.example.test:27999',
          hosts: ['db.example.test:27999'],
        });
      } finally {
        await direct.close();
      }
    } finally {
      child.proc.kill('SIGTERM');
      await within(child.exited, 10_000, 'CLI exit');
    }
  });
});
