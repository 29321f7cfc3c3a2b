/**
 * The embedded server's durability promise: with a dbPath, every acknowledged write survives a
 * clean stop and a kill -9, and nothing uncommitted or half-written comes back. The server runs
 * as a child process through its CLI and is restarted on the same dbPath.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient, type Db, type Document } from 'mongodb';
import { startEmbeddedMongo } from '../../embedded-mongo';
import { serverError, usingRealMongo } from '../helpers/mongo';
import { within } from '../helpers/process';

const describeEmbedded = usingRealMongo() ? describe.skip : describe;

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'src', 'embedded-mongo', 'cli.ts');
const TSX_BIN = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const DB = 'durable';

/** Test documents use numbers and strings as _id, not only ObjectIds. */
type Loose = Document & { _id: string | number };

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Server {
  proc: ChildProcess;
  uri: string;
  output: () => string;
  exited: Promise<Exit>;
}

const running = new Map<ChildProcess, { group: boolean; exited: Promise<Exit> }>();
const dirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'petbuddy-durability-'));
  dirs.push(dir);
  return dir;
}

/**
 * Starts the CLI on `dbPath` and waits (bounded) for its URI line. By default node runs the CLI
 * with tsx's loader in one process, so a signal reaches the server itself; `viaTsxBin` runs it
 * the way `npm run db:embedded` does, through tsx's wrapper process.
 */
async function launch(dbPath: string, opts: { port?: number; viaTsxBin?: boolean; extra?: string[] } = {}): Promise<Server> {
  const args = [CLI, '--port', String(opts.port ?? 0), '--host', '127.0.0.1', '--dbpath', dbPath, ...(opts.extra ?? [])];
  const proc = opts.viaTsxBin
    ? spawn(process.execPath, [TSX_BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<Exit>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  running.set(proc, { group: opts.viaTsxBin === true, exited });
  void exited.then(() => running.delete(proc));
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URI line within 20 s; output:\n${out}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /mongodb:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${e.code ?? e.signal}) before printing its URI; output:\n${out}`));
    });
  });
  return { proc, uri, output: () => out, exited };
}

/** Sends `signal` and waits (bounded) for the process to exit. */
async function stop(server: Server, signal: NodeJS.Signals): Promise<Exit> {
  server.proc.kill(signal);
  return within(server.exited, 20_000, `exit after ${signal}`);
}

async function withClient<T>(uri: string, fn: (db: Db, client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
  try {
    return await fn(client.db(DB), client);
  } finally {
    await within(client.close(), 10_000, 'client close').catch(() => undefined);
  }
}

/** Every collection of the database with its documents (by _id) and indexes (by name). */
async function dump(db: Db): Promise<Record<string, { docs: Document[]; indexes: Document[] }>> {
  const out: Record<string, { docs: Document[]; indexes: Document[] }> = {};
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  for (const name of names) {
    const coll = db.collection<Loose>(name);
    const indexes = (await coll.listIndexes().toArray()).sort((a, b) => String(a.name).localeCompare(String(b.name)));
    out[name] = { docs: await coll.find({}).sort({ _id: 1 }).toArray(), indexes };
  }
  return out;
}

const DELETED_PET_IDS = [10, 11, 15, 16, 17, 18, 19];

/** Inserts, updates, deletes, a unique and a TTL index, and a committed transaction. */
async function writeWorkload(db: Db, client: MongoClient): Promise<void> {
  const pets = db.collection<{ _id: number; name: string; visits: number }>('pets');
  await pets.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, name: `pet${i}`, visits: 0 })));
  await pets.updateMany({ _id: { $lt: 5 } }, { $inc: { visits: 2 } });
  await pets.updateOne({ _id: 7 }, { $set: { name: 'renamed' } });
  await pets.replaceOne({ _id: 8 }, { name: 'replaced', visits: 9 });
  await pets.deleteMany({ _id: { $gte: 15 } });
  await pets.deleteOne({ _id: 10 });
  const owners = db.collection<Loose>('owners');
  await owners.createIndex({ email: 1 }, { unique: true, name: 'email_unique' });
  await owners.insertMany([
    { _id: 'ann', email: 'ann@example.com' },
    { _id: 'bob', email: 'bob@example.com' },
  ]);
  const visits = db.collection<Loose>('visits');
  await visits.createIndex({ createdAt: 1 }, { expireAfterSeconds: 3600, name: 'visits_ttl' });
  await visits.insertOne({ _id: 'v1', createdAt: new Date() });
  const session = client.startSession();
  try {
    await session.withTransaction(async () => {
      await pets.insertOne({ _id: 100, name: 'fromTxn', visits: 1 }, { session });
      await owners.updateOne({ _id: 'bob' }, { $set: { email: 'robert@example.com' } }, { session });
      await pets.deleteOne({ _id: 11 }, { session });
    });
  } finally {
    await session.endSession();
  }
}

/** What the workload promises beyond "same as before": deletes stay deleted, indexes still work. */
async function expectWorkloadSemantics(db: Db): Promise<void> {
  const pets = db.collection<Loose>('pets');
  expect(await pets.find({ _id: { $in: DELETED_PET_IDS } }).toArray()).toEqual([]);
  expect(await pets.findOne({ _id: 100 })).toEqual({ _id: 100, name: 'fromTxn', visits: 1 });
  expect(await pets.findOne({ _id: 8 })).toEqual({ _id: 8, name: 'replaced', visits: 9 });
  expect(await db.collection<Loose>('owners').findOne({ _id: 'bob' })).toEqual({ _id: 'bob', email: 'robert@example.com' });
  const dup = await serverError(db.collection<Loose>('owners').insertOne({ _id: 'ann2', email: 'ann@example.com' }));
  expect(dup.code).toBe(11000);
  const ttl = (await db.collection<Loose>('visits').listIndexes().toArray()).find((ix) => ix.name === 'visits_ttl');
  expect(ttl).toMatchObject({ key: { createdAt: 1 }, expireAfterSeconds: 3600 });
  const unique = (await db.collection<Loose>('owners').listIndexes().toArray()).find((ix) => ix.name === 'email_unique');
  expect(unique).toMatchObject({ key: { email: 1 }, unique: true });
}

afterAll(async () => {
  for (const [proc, { group, exited }] of running) {
    try {
      if (group && proc.pid) process.kill(-proc.pid, 'SIGKILL');
      else proc.kill('SIGKILL');
    } catch {
      // already gone
    }
    await within(exited, 10_000, 'child exit').catch(() => undefined);
  }
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describeEmbedded('durability (embedded server only: restarts the server process)', () => {
  test('when the server is stopped with SIGTERM and restarted, then every acknowledged write and index is there', async () => {
    const dir = tempDir();
    const first = await launch(dir);
    const before = await withClient(first.uri, async (db, client) => {
      await writeWorkload(db, client);
      return dump(db);
    });
    expect((await stop(first, 'SIGTERM')).code).toBe(0);
    const second = await launch(dir);
    await withClient(second.uri, async (db) => {
      expect(await dump(db)).toEqual(before);
      await expectWorkloadSemantics(db);
    });
    expect((await stop(second, 'SIGTERM')).code).toBe(0);
  }, 60_000);

  test('when the server is killed with SIGKILL right after acknowledged writes, then after restart they are all there', async () => {
    const dir = tempDir();
    const first = await launch(dir);
    const before = await withClient(first.uri, async (db, client) => {
      await writeWorkload(db, client);
      const state = await dump(db);
      expect((await stop(first, 'SIGKILL')).signal).toBe('SIGKILL');
      return state;
    });
    const second = await launch(dir);
    await withClient(second.uri, async (db) => {
      expect(await dump(db)).toEqual(before);
      await expectWorkloadSemantics(db);
    });
    await stop(second, 'SIGTERM');
  }, 60_000);

  test('when the server is killed with SIGKILL while writes stream in, then every acknowledged write survives and no document is half-written', async () => {
    const dir = tempDir();
    const first = await launch(dir);
    const acked = new Set<string>();
    const ackedCounter = new Map<number, number>();
    const client = new MongoClient(first.uri, { serverSelectionTimeoutMS: 1000, maxPoolSize: 8 });
    let stopping = false;
    const worker = async (w: number): Promise<void> => {
      const coll = client.db(DB).collection<Loose>('stream');
      for (let i = 0; !stopping; i++) {
        try {
          const payload = `${w}:${i}:`.padEnd(100 + ((i * 37) % 400), 'x');
          await coll.insertOne({ _id: `w${w}-${i}`, w, i, payload, length: payload.length });
          acked.add(`w${w}-${i}`);
          // Several fields in one update: after the crash they must agree with each other.
          await coll.updateOne({ _id: `counter-${w}` }, { $set: { a: i, b: i, c: `${i}` } }, { upsert: true });
          ackedCounter.set(w, i);
        } catch {
          return; // the server was killed under this write: it was never acknowledged
        }
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    const deadline = Date.now() + 20_000;
    while (acked.size < 300 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(acked.size).toBeGreaterThanOrEqual(300);
    const ackedAtKill = new Set(acked);
    const countersAtKill = new Map(ackedCounter);
    first.proc.kill('SIGKILL');
    stopping = true;
    await within(first.exited, 10_000, 'exit after SIGKILL');
    await within(Promise.all(workers), 20_000, 'writers to give up');
    await within(client.close(), 10_000, 'client close').catch(() => undefined);

    const second = await launch(dir);
    await withClient(second.uri, async (db) => {
      const docs = await db.collection<Loose>('stream').find({}).toArray();
      const byId = new Map(docs.map((d) => [String(d._id), d]));
      const missing = [...ackedAtKill].filter((id) => !byId.has(id));
      expect(missing).toEqual([]);
      for (const d of docs.filter((x) => String(x._id).startsWith('w'))) {
        expect(d.payload).toHaveLength(d.length as number);
        expect(String(d.payload).startsWith(`${d.w}:${d.i}:`)).toBe(true);
      }
      for (const [w, i] of countersAtKill) {
        const counter = byId.get(`counter-${w}`);
        expect(counter).toBeDefined();
        expect(counter!.a).toBe(counter!.b);
        expect(counter!.c).toBe(String(counter!.a));
        expect(counter!.a as number).toBeGreaterThanOrEqual(i);
      }
      // The journal's tail was left in order: the restarted server takes new writes.
      await db.collection<Loose>('stream').insertOne({ _id: 'after-restart' });
    });
    await stop(second, 'SIGTERM');
  }, 60_000);

  test('when the server is restarted several times in a row, mixing SIGKILL and SIGTERM, then all data from every run is there', async () => {
    const dir = tempDir();
    const run1 = await launch(dir);
    await withClient(run1.uri, (db, client) => writeWorkload(db, client));
    await stop(run1, 'SIGKILL');

    const run2 = await launch(dir);
    const afterRun2 = await withClient(run2.uri, async (db) => {
      await expectWorkloadSemantics(db);
      await db.collection<Loose>('pets').insertOne({ _id: 200, name: 'second run', visits: 0 });
      await db.collection<Loose>('pets').updateOne({ _id: 0 }, { $inc: { visits: 5 } });
      await db.collection<Loose>('pets').deleteOne({ _id: 1 });
      return dump(db);
    });
    expect((await stop(run2, 'SIGTERM')).code).toBe(0);

    const run3 = await launch(dir);
    const afterRun3 = await withClient(run3.uri, async (db) => {
      expect(await dump(db)).toEqual(afterRun2);
      await db.collection<Loose>('pets').insertOne({ _id: 300, name: 'third run', visits: 0 });
      return dump(db);
    });
    await stop(run3, 'SIGKILL');

    const run4 = await launch(dir);
    await withClient(run4.uri, async (db) => {
      expect(await dump(db)).toEqual(afterRun3);
      expect(await db.collection<Loose>('pets').findOne({ _id: 0 })).toMatchObject({ visits: 7 });
      expect(await db.collection<Loose>('pets').findOne({ _id: 1 })).toBeNull();
      await expectWorkloadSemantics(db);
    });
    await stop(run4, 'SIGTERM');
  }, 90_000);

  test('when the server is killed with SIGKILL while a transaction is open, then after restart none of its writes exist', async () => {
    const dir = tempDir();
    const first = await launch(dir);
    await withClient(first.uri, async (db, client) => {
      const coll = db.collection<Loose>('accounts');
      await coll.insertMany([
        { _id: 'base', v: 1 },
        { _id: 'doomed', v: 1 },
      ]);
      const session = client.startSession();
      session.startTransaction();
      await coll.insertOne({ _id: 'txn-only', v: 1 }, { session });
      await coll.updateOne({ _id: 'base' }, { $set: { v: 2 } }, { session });
      await coll.deleteOne({ _id: 'doomed' }, { session });
      // An acknowledged write after the transaction's writes, so the journal moved on past them.
      await coll.insertOne({ _id: 'outside', v: 1 });
      expect((await stop(first, 'SIGKILL')).signal).toBe('SIGKILL');
      await session.endSession().catch(() => undefined);
    });
    const second = await launch(dir);
    await withClient(second.uri, async (db) => {
      expect(await db.collection<Loose>('accounts').find({}).sort({ _id: 1 }).toArray()).toEqual([
        { _id: 'base', v: 1 },
        { _id: 'doomed', v: 1 },
        { _id: 'outside', v: 1 },
      ]);
    });
    await stop(second, 'SIGTERM');
  }, 60_000);

  test('when the CLI is run through tsx on a given port, then it prints that URI, serves, and exits 0 on SIGINT', async () => {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const p = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const dir = tempDir();
    const first = await launch(dir, { port, viaTsxBin: true });
    expect(first.uri).toBe(`mongodb://127.0.0.1:${port}`);
    expect(
      first
        .output()
        .split('\n')
        .filter((l) => l.includes(`mongodb://127.0.0.1:${port}`)),
    ).toHaveLength(1);
    await withClient(first.uri, async (db) => {
      expect(await db.command({ ping: 1 })).toMatchObject({ ok: 1 });
      await db.collection<Loose>('cli').insertOne({ _id: 'kept' });
    });
    expect(await stop(first, 'SIGINT')).toEqual({ code: 0, signal: null });
    const second = await launch(dir);
    await withClient(second.uri, async (db) => {
      expect(await db.collection<Loose>('cli').find({}).toArray()).toEqual([{ _id: 'kept' }]);
    });
    await stop(second, 'SIGTERM');
  }, 60_000);

  test('when startEmbeddedMongo with a dbPath is stopped and started again in-process, then the data is kept', async () => {
    const dir = tempDir();
    const first = await startEmbeddedMongo({ dbPath: dir });
    let before: Awaited<ReturnType<typeof dump>>;
    try {
      before = await withClient(first.uri, async (db, client) => {
        await writeWorkload(db, client);
        return dump(db);
      });
    } finally {
      await first.stop();
    }
    const second = await startEmbeddedMongo({ dbPath: dir });
    try {
      await withClient(second.uri, async (db) => {
        expect(await dump(db)).toEqual(before);
        await expectWorkloadSemantics(db);
      });
    } finally {
      await second.stop();
    }
  }, 60_000);

  test('when the journal outgrows its compaction size while running, then a snapshot replaces it and a kill -9 afterwards loses nothing', async () => {
    const dir = tempDir();
    const first = await launch(dir, { extra: ['--compact-bytes', String(64 * 1024)] });
    const count = await withClient(first.uri, async (db) => {
      const notes = db.collection<Loose>('notes');
      await notes.createIndex({ n: 1 }, { unique: true });
      for (let b = 0; b < 20; b++) {
        await notes.insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: `n${b * 100 + i}`, n: b * 100 + i, text: 'x'.repeat(200) })));
      }
      await notes.deleteMany({ n: { $lt: 100 } });
      return notes.countDocuments();
    });
    expect(count).toBe(1900);
    // Compaction runs in the background after the write that crossed the threshold.
    const deadline = Date.now() + 10_000;
    while (!fs.existsSync(path.join(dir, 'snapshot.bson')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(path.join(dir, 'snapshot.bson'))).toBe(true);
    expect((await stop(first, 'SIGKILL')).signal).toBe('SIGKILL');
    const second = await launch(dir);
    await withClient(second.uri, async (db) => {
      const notes = db.collection<Loose>('notes');
      expect(await notes.countDocuments()).toBe(1900);
      expect(await notes.findOne({ n: 50 })).toBeNull();
      expect(await notes.findOne({ n: 1999 })).toMatchObject({ _id: 'n1999' });
      await expect(notes.insertOne({ _id: 'dup', n: 1999 })).rejects.toMatchObject({ code: 11000 });
    });
    expect((await stop(second, 'SIGTERM')).code).toBe(0);
  }, 60_000);
});
