/**
 * The app's embedded server in a worker thread (startEmbeddedForApp): a heavy command does not
 * hold up this thread's timers (as the same command on a server in this thread does); stop()
 * frees the port and the dbPath; a start error reaches the caller as the server raised it; a
 * thread that dies is restarted once with its data, and not a second time.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { threadId as thisThreadId } from 'node:worker_threads';
import { MongoClient, type Collection } from 'mongodb';
import { startEmbeddedForApp } from '../../config/embedded';
import { startEmbeddedMongo } from '../../embedded-mongo';
import { testConfig } from '../helpers/config';
import { captureLogs } from '../helpers/logs';
import { killAllChildren, runTs, within } from '../helpers/process';

const dirs: string[] = [];
const clients: MongoClient[] = [];
const stops: (() => Promise<void>)[] = [];

function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-embedded-thread-'));
  dirs.push(d);
  return d;
}

/** startEmbeddedForApp on `dir`, stopped after the file if a test does not stop it. */
async function startForApp(dir: string, port = 0) {
  const started = await startEmbeddedForApp(testConfig({ DATA_DIR: dir, EMBEDDED_MONGO_PORT: String(port) }));
  stops.push(() => started.server.stop());
  return started;
}

function client(uri: string, serverSelectionTimeoutMS = 10_000): MongoClient {
  const c = new MongoClient(uri, { serverSelectionTimeoutMS });
  clients.push(c);
  return c;
}

/**
 * Runs `fn` on the pets collection through a client of its own, closed before the server goes away
 * (a client left open then waits its server selection timeout to end its sessions).
 */
async function withPets<T>(uri: string, fn: (pets: Collection) => Promise<T>): Promise<T> {
  const c = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    return await fn(c.db().collection('pets'));
  } finally {
    await c.close();
  }
}

/** The embedded CLI in a child process on `dbPath` (another process holding the dbPath lock). */
async function cliServer(dbPath: string, port = 0) {
  const child = runTs('src/embedded-mongo/cli.ts', {}, ['--port', String(port), '--host', '127.0.0.1', '--dbpath', dbPath]);
  const [uri] = await child.waitFor(/mongodb:\/\/127\.0\.0\.1:\d+/);
  return { child, uri };
}

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  for (const stop of stops) await stop().catch(() => undefined);
  killAllChildren();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** 4,000 pets with 20 visits each: unwinding and grouping them takes the server several hundred ms. */
const DOCS = Array.from({ length: 4000 }, (_, i) => ({ i, w: i % 1000, visits: Array.from({ length: 20 }, (_, j) => (i * 7 + j) % 50) }));

/** The pets stored on the server at `uri`. */
async function heavyCollection(uri: string) {
  const pets = client(uri).db('thread_test').collection('pets');
  for (let k = 0; k < DOCS.length; k += 1000) await pets.insertMany(DOCS.slice(k, k + 1000).map((d) => ({ ...d })));
  return pets;
}

/** How long the aggregation takes, and the longest this thread's 5 ms timer waited meanwhile. */
async function lagDuringHeavyAggregation(uri: string): Promise<{ durationMs: number; maxLagMs: number }> {
  const pets = await heavyCollection(uri);
  let last = performance.now();
  let maxGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 5);
  const started = performance.now();
  const [result] = await pets
    .aggregate([{ $unwind: '$visits' }, { $group: { _id: { v: '$visits', w: '$w' }, n: { $sum: 1 } } }, { $count: 'groups' }])
    .toArray();
  const durationMs = performance.now() - started;
  clearInterval(timer);
  maxGap = Math.max(maxGap, performance.now() - last);
  expect(result).toEqual({ groups: new Set(DOCS.flatMap((d) => d.visits.map((v) => `${v}:${d.w}`))).size });
  return { durationMs, maxLagMs: maxGap - 5 };
}

test('when a heavy aggregation runs on the app’s embedded server, then this thread’s timers keep firing; on a server in this thread they stall', async () => {
  const { server, uri } = await startForApp(dataDir());
  expect(server.threadId).toEqual(expect.any(Number));
  expect(server.threadId).not.toBe(thisThreadId);

  const inWorker = await lagDuringHeavyAggregation(uri);
  const sameThread = await startEmbeddedMongo();
  stops.push(() => sameThread.stop());
  const inThisThread = await lagDuringHeavyAggregation(sameThread.uri);

  // The control: the same measurement sees the block when the server shares this thread.
  expect(inThisThread.maxLagMs).toBeGreaterThan(inThisThread.durationMs / 2);
  // Long enough for the ratio to mean something (if the server gets this fast, store more pets).
  expect(inWorker.durationMs).toBeGreaterThan(200);
  expect(inWorker.maxLagMs).toBeLessThan(inWorker.durationMs / 2);
}, 60_000);

test('when stop() returns, then the thread is gone and the port, the dbPath lock and the runtime file are free: another process starts there with the data', async () => {
  const dir = dataDir();
  const dbPath = path.join(dir, 'db');
  const { server, uri } = await startForApp(dir);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'embedded-mongo.json'), 'utf8'))).toEqual({ uri, pid: process.pid });
  await withPets(uri, (pets) => pets.insertMany([{ name: 'Rex' }, { name: 'Tom' }]));

  await server.stop();
  expect(server.threadId).toBeNull();
  expect(fs.existsSync(path.join(dbPath, 'mongod.lock'))).toBe(false);
  expect(fs.existsSync(path.join(dir, 'embedded-mongo.json'))).toBe(false);

  // Another process: the lock would have refused it, the port would have been taken.
  const other = await cliServer(dbPath, server.port);
  expect(other.uri).toBe(`mongodb://127.0.0.1:${server.port}`);
  expect(await withPets(`${other.uri}/petbuddy`, (pets) => pets.countDocuments())).toBe(2);
  other.child.proc.kill('SIGTERM');
  expect((await within(other.child.exited, 15_000, 'the CLI server exiting')).code).toBe(0);

  // And this process again.
  const again = await startForApp(dir);
  expect(await withPets(again.uri, (pets) => pets.countDocuments())).toBe(2);
  await again.server.stop();
}, 60_000);

/** The server's thread id once it has one again (after a restart), within 20 s. */
async function restartedThreadOf(server: { threadId: number | null }): Promise<number> {
  for (const deadline = Date.now() + 20_000; server.threadId === null;) {
    if (Date.now() > deadline) throw new Error('the thread was not restarted within 20 s');
    await new Promise((r) => setTimeout(r, 25));
  }
  return server.threadId;
}

describe('start errors reach the caller as the server raised them', () => {
  test('when another process holds the dbPath, then the start rejects naming that process, and that server keeps serving', async () => {
    const dir = dataDir();
    const dbPath = path.join(dir, 'db');
    const other = await cliServer(dbPath);

    await expect(startForApp(dir)).rejects.toThrow(`dbPath ${dbPath} is in use by process ${other.child.proc.pid}`);
    expect(fs.existsSync(path.join(dir, 'embedded-mongo.json'))).toBe(false);
    expect(await client(other.uri).db('x').command({ ping: 1 })).toMatchObject({ ok: 1 });
  }, 30_000);

  test('when the port is taken, then the start rejects with EADDRINUSE and leaves the dbPath free for the next start', async () => {
    const dir = dataDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const err: unknown = await startForApp(dir, port).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ code: 'EADDRINUSE', message: expect.stringContaining(`127.0.0.1:${port}`) });
    } finally {
      blocker.close();
    }
    const { server } = await startForApp(dir);
    await server.stop();
  }, 30_000);

  test('when a server of this process already runs on the dbPath, then a second start rejects', async () => {
    const dir = dataDir();
    const { server } = await startForApp(dir);
    await expect(startForApp(dir)).rejects.toThrow(
      `dbPath ${path.join(dir, 'db')} is in use by an embedded MongoDB thread of this process`,
    );
    await server.stop();
  }, 30_000);
});

test('when the thread dies, then it is restarted once on the same address with every acknowledged write, and after a second death it stays down', async () => {
  const logs = captureLogs();
  try {
    const { server, uri } = await startForApp(dataDir());
    await withPets(uri, (pets) => pets.insertMany([{ name: 'Rex' }, { name: 'Tom' }, { name: 'Kit' }]));
    const firstThread = server.threadId;

    await server.kill();
    const restartedThread = await restartedThreadOf(server);
    expect(restartedThread).not.toBe(firstThread);
    expect(await withPets(uri, (pets) => pets.countDocuments())).toBe(3);

    await server.kill();
    expect(server.threadId).toBeNull();
    await new Promise((r) => setTimeout(r, 500));
    expect(server.threadId).toBeNull();
    await expect(client(uri, 1000).db().collection('pets').countDocuments()).rejects.toThrow(/ECONNREFUSED/);
    const messages = logs.lines.filter((l) => l.module === 'embedded-mongo').map((l) => `${String(l.level)}: ${String(l.message)}`);
    expect(messages).toEqual([
      expect.stringMatching(/^error: embedded MongoDB thread died unexpectedly; restarting it once/),
      expect.stringMatching(/^warn: embedded MongoDB thread restarted/),
      expect.stringMatching(/^error: embedded MongoDB thread died again; not restarting it/),
    ]);
    await server.stop();
  } finally {
    logs.stop();
  }
}, 60_000);
