/**
 * The embedded server's wire protocol under hand-built and malformed messages, sent over raw
 * sockets. After every bad input the server must still serve an ordinary MongoClient.
 */
import { Binary, deserialize, Long, serialize, Timestamp, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../embedded-mongo';
import { usingRealMongo } from '../helpers/mongo';

const describeEmbedded = usingRealMongo() ? describe.skip : describe;

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const DB = 'wire_test';

let server: EmbeddedMongo;
/** The server keeps its data on disk, so the suite can check its files survive the bad traffic. */
let dbPath: string;
let nextRequestId = 1000;

interface Reply {
  requestId: number;
  responseTo: number;
  opCode: number;
  numberReturned?: number;
  doc: Document;
}

function header(length: number, requestId: number, opCode: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

/** Section kind 0: the command body. */
function bodySection(doc: Document | Buffer): Buffer {
  return Buffer.concat([Buffer.from([0]), Buffer.isBuffer(doc) ? doc : serialize(doc)]);
}

/** Section kind 1: a document sequence named `id`. */
function sequenceSection(id: string, docs: Document[]): Buffer {
  const payload = Buffer.concat([Buffer.from(`${id}\0`, 'utf8'), ...docs.map((d) => serialize(d))]);
  const size = Buffer.alloc(4);
  size.writeInt32LE(payload.length + 4, 0);
  return Buffer.concat([Buffer.from([1]), size, payload]);
}

function opMsg(sections: Buffer[], opts: { flags?: number; requestId?: number } = {}): Buffer {
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(opts.flags ?? 0, 0);
  const rest = Buffer.concat([flags, ...sections]);
  return Buffer.concat([header(16 + rest.length, opts.requestId ?? nextRequestId++, OP_MSG), rest]);
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the OP_MSG checksum. */
function crc32c(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC32C_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An OP_MSG with the checksumPresent flag and a correct CRC-32C appended. */
function opMsgWithChecksum(body: Document): Buffer {
  const withoutSum = opMsg([bodySection(body)], { flags: 1 });
  const total = Buffer.concat([withoutSum, Buffer.alloc(4)]);
  total.writeInt32LE(total.length, 0);
  total.writeUInt32LE(crc32c(total.subarray(0, total.length - 4)), total.length - 4);
  return total;
}

function opQuery(ns: string, query: Document, requestId = nextRequestId++): Buffer {
  const flags = Buffer.alloc(4);
  const skipAndReturn = Buffer.alloc(8);
  skipAndReturn.writeInt32LE(0, 0);
  skipAndReturn.writeInt32LE(-1, 4);
  const rest = Buffer.concat([flags, Buffer.from(`${ns}\0`, 'utf8'), skipAndReturn, serialize(query)]);
  return Buffer.concat([header(16 + rest.length, requestId, OP_QUERY), rest]);
}

function parseReply(msg: Buffer): Reply {
  const base = { requestId: msg.readInt32LE(4), responseTo: msg.readInt32LE(8), opCode: msg.readInt32LE(12) };
  if (base.opCode === OP_REPLY) {
    return { ...base, numberReturned: msg.readInt32LE(32), doc: deserialize(msg.subarray(36)) };
  }
  if (base.opCode !== OP_MSG || msg.readUInt8(20) !== 0) throw new Error(`unexpected reply opCode ${base.opCode}`);
  return { ...base, doc: deserialize(msg.subarray(21)) };
}

/**
 * Sends bytes on a new connection and waits (bounded) for one whole reply or for the server to
 * close the connection. With `end`, our side is half-closed after sending.
 */
function exchange(bytes: Buffer, opts: { end?: boolean; timeoutMs?: number } = {}): Promise<{ reply?: Reply; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: server.port });
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (result: { reply?: Reply; closed: boolean } | Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => finish(new Error('no reply and no close within the time limit')), opts.timeoutMs ?? 5000);
    socket.on('connect', () => {
      socket.write(bytes);
      if (opts.end) socket.end();
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
        try {
          finish({ reply: parseReply(buffered.subarray(0, buffered.readInt32LE(0))), closed: false });
        } catch (err) {
          finish(err as Error);
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => finish({ closed: true }));
  });
}

/** An ordinary driver client on a new connection can ping and read the seeded document. */
async function expectServerStillServes(): Promise<void> {
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    expect(await client.db(DB).collection<{ _id: string; v: number }>('items').find({ _id: 'seed' }).toArray()).toEqual([
      { _id: 'seed', v: 1 },
    ]);
  } finally {
    await client.close();
  }
}

/** Every collection of the test database with its documents, by _id. */
async function everything(): Promise<Record<string, Document[]>> {
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    const db = client.db(DB);
    const out: Record<string, Document[]> = {};
    for (const c of await db.listCollections().toArray()) out[c.name] = await db.collection(c.name).find({}).sort({ _id: 1 }).toArray();
    return out;
  } finally {
    await client.close();
  }
}

async function findIds(coll: string): Promise<unknown[]> {
  const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
  try {
    return (await client.db(DB).collection(coll).find({}).sort({ _id: 1 }).toArray()).map((d) => d._id);
  } finally {
    await client.close();
  }
}

describeEmbedded('wire protocol (embedded server only: sends raw malformed bytes)', () => {
  beforeAll(async () => {
    dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'petbuddy-wire-'));
    server = await startEmbeddedMongo({ dbPath });
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
    try {
      await client.db(DB).collection<{ _id: string; v: number }>('items').insertOne({ _id: 'seed', v: 1 });
    } finally {
      await client.close();
    }
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dbPath, { recursive: true, force: true });
  });

  describe('malformed framing', () => {
    test('when a message length is smaller than a header, then the server closes that connection without replying and keeps serving', async () => {
      const msg = Buffer.concat([header(10, nextRequestId++, OP_MSG), Buffer.alloc(8)]);
      const res = await exchange(msg);
      expect(res).toEqual({ closed: true });
      await expectServerStillServes();
    });

    test('when a header claims a message over 48 MB, then the server closes that connection without waiting for the body and keeps serving', async () => {
      const res = await exchange(header(50_000_000, nextRequestId++, OP_MSG));
      expect(res).toEqual({ closed: true });
      await expectServerStillServes();
    });

    test('when a message is cut off and the client closes, then nothing of it is executed and the server keeps serving', async () => {
      const full = opMsg([bodySection({ insert: 'truncated', documents: [{ _id: 'partial' }], $db: DB })]);
      const res = await exchange(full.subarray(0, full.length - 10), { end: true });
      expect(res.reply).toBeUndefined();
      await expectServerStillServes();
      expect(await findIds('truncated')).toEqual([]);
    });

    test('when a message has an unknown opcode, then the server closes that connection without replying and keeps serving', async () => {
      const body = serialize({ ping: 1, $db: 'admin' });
      const msg = Buffer.concat([header(16 + 5 + body.length, nextRequestId++, 9999), Buffer.alloc(5), body]);
      const res = await exchange(msg);
      expect(res).toEqual({ closed: true });
      await expectServerStillServes();
    });
  });

  describe('malformed OP_MSG', () => {
    test('when the body section is not valid BSON, then the server answers ok 0 to that request and keeps serving', async () => {
      // Declares 16 bytes; holds an element of type 0x55, which BSON does not define.
      const garbage = Buffer.from([16, 0, 0, 0, 0x55, 0x78, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
      const requestId = nextRequestId++;
      const res = await exchange(opMsg([bodySection(garbage)], { requestId }));
      expect(res.reply?.responseTo).toBe(requestId);
      expect(res.reply?.doc.ok).toBe(0);
      expect(typeof res.reply?.doc.errmsg).toBe('string');
      await expectServerStillServes();
    });

    test('when the body BSON declares more bytes than the message holds, then the server answers ok 0 and keeps serving', async () => {
      const garbage = Buffer.from([0xff, 0x00, 0x00, 0x00, 0x10, 0x61, 0x00, 1, 0, 0, 0, 0]);
      const res = await exchange(opMsg([bodySection(garbage)]));
      expect(res.reply?.doc.ok).toBe(0);
      await expectServerStillServes();
    });

    test('when an OP_MSG sets an unknown required flag bit, then the command is refused, not run, and the server keeps serving', async () => {
      const msg = opMsg([bodySection({ insert: 'flagged', documents: [{ _id: 'should-not-exist' }], $db: DB })], { flags: 1 << 5 });
      const res = await exchange(msg);
      if (res.reply) expect(res.reply.doc.ok).toBe(0);
      else expect(res.closed).toBe(true);
      await expectServerStillServes();
      expect(await findIds('flagged')).toEqual([]);
    });
  });

  describe('valid but less common messages', () => {
    test('when an OP_MSG carries the checksum flag and a CRC-32C, then it is answered and executed', async () => {
      const requestId = nextRequestId;
      const res = await exchange(opMsgWithChecksum({ insert: 'checksummed', documents: [{ _id: 'summed' }], $db: DB }));
      expect(res.reply?.responseTo).toBe(requestId);
      expect(res.reply?.opCode).toBe(OP_MSG);
      expect(res.reply?.doc).toMatchObject({ ok: 1, n: 1 });
      expect(await findIds('checksummed')).toEqual(['summed']);
      await expectServerStillServes();
    });

    test('when an insert sends its documents as a kind-1 document sequence, then every document is inserted', async () => {
      const docs = [
        { _id: 'a', n: 1 },
        { _id: 'b', n: 2 },
        { _id: 'c', n: 3 },
      ];
      const msg = opMsg([bodySection({ insert: 'sequenced', $db: DB }), sequenceSection('documents', docs)]);
      const res = await exchange(msg);
      expect(res.reply?.doc).toMatchObject({ ok: 1, n: 3 });
      expect(await findIds('sequenced')).toEqual(['a', 'b', 'c']);
    });

    test('when a command gossips $clusterTime as drivers do, then the clock moves up to it and the fields around it still count', async () => {
      const ahead = new Timestamp({ t: Math.floor(Date.now() / 1000) + 600, i: 7 });
      const gossip = { clusterTime: ahead, signature: { hash: new Binary(Buffer.alloc(20), 0), keyId: Long.ZERO } };
      const docs = [{ _id: 'g1' }, { _id: 'g1' }, { _id: 'g2' }];
      const msg = opMsg([
        bodySection({ insert: 'gossiped', $clusterTime: gossip, ordered: false, $db: DB }),
        sequenceSection('documents', docs),
      ]);
      const res = await exchange(msg);
      // ordered: false comes after $clusterTime: the duplicate fails alone and g2 is still inserted.
      expect(res.reply?.doc).toMatchObject({ ok: 1, n: 2 });
      expect((res.reply?.doc.writeErrors as Document[]).map((e) => e.index)).toEqual([1]);
      expect(await findIds('gossiped')).toEqual(['g1', 'g2']);
      const stamp = res.reply?.doc.$clusterTime as { clusterTime: Timestamp };
      expect(stamp.clusterTime.compare(ahead)).toBeGreaterThanOrEqual(0);
      expect((res.reply?.doc.operationTime as Timestamp).compare(ahead)).toBeGreaterThanOrEqual(0);
    });

    test('when $clusterTime has an unusual shape or its bytes appear inside a document, then the command runs and the document is stored as sent', async () => {
      const later = new Timestamp({ t: Math.floor(Date.now() / 1000) + 900, i: 1 });
      const unusual = { clusterTime: later, signature: { hash: new Binary(Buffer.alloc(20), 0), keyId: 0, note: 'extra' } };
      const nested = {
        _id: 'n1',
        meta: {
          $clusterTime: { clusterTime: new Timestamp({ t: 1, i: 1 }), signature: { hash: new Binary(Buffer.alloc(20), 0), keyId: 0 } },
        },
      };
      const res = await exchange(opMsg([bodySection({ insert: 'nestedGossip', documents: [nested], $clusterTime: unusual, $db: DB })]));
      expect(res.reply?.doc).toMatchObject({ ok: 1, n: 1 });
      expect((res.reply?.doc.operationTime as Timestamp).compare(later)).toBeGreaterThanOrEqual(0);
      const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5000 });
      try {
        expect(await client.db(DB).collection<{ _id: string; meta: unknown }>('nestedGossip').findOne({ _id: 'n1' })).toEqual(nested);
      } finally {
        await client.close();
      }
    });

    test('when a legacy OP_QUERY isMaster is sent to admin.$cmd, then it is answered with an OP_REPLY handshake', async () => {
      const requestId = nextRequestId++;
      const res = await exchange(opQuery('admin.$cmd', { isMaster: 1 }, requestId));
      expect(res.reply).toBeDefined();
      const reply = res.reply!;
      expect(reply.opCode).toBe(OP_REPLY);
      expect(reply.responseTo).toBe(requestId);
      expect(reply.numberReturned).toBe(1);
      expect(reply.doc).toMatchObject({ ok: 1, ismaster: true });
      expect(typeof reply.doc.maxWireVersion).toBe('number');
      expect(reply.doc.maxWireVersion).toBeGreaterThanOrEqual(reply.doc.minWireVersion as number);
    });
  });

  describe('its files', () => {
    test('when the server restarts after all the malformed traffic above, then it loads its files and holds exactly what it held', async () => {
      const before = await everything();
      expect(before.items).toEqual([{ _id: 'seed', v: 1 }]);
      await server.stop();
      server = await startEmbeddedMongo({ dbPath });
      expect(await everything()).toEqual(before);
      await expectServerStillServes();
    });
  });
});
