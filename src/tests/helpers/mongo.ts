/**
 * The database tests talk to: a real MongoDB replica set when TEST_MONGODB_URI is set, otherwise
 * the embedded server that globalSetup started for this run. Each worker and suite gets its own
 * database so suites can run in parallel.
 */
import { MongoClient, MongoServerError, type ClientSession, type Db } from 'mongodb';
import { testEnvironment } from '../../config/testing';

export function usingRealMongo(): boolean {
  return Boolean(testEnvironment().realMongoUri);
}

/** Base URI of the test server (no database name). */
export function testServerUri(): string {
  const { realMongoUri, embeddedUri } = testEnvironment();
  const uri = realMongoUri ?? embeddedUri;
  if (!uri) throw new Error('no test database: globalSetup did not run and TEST_MONGODB_URI is unset');
  return uri;
}

/** The same URI with a database name put in its path. */
export function uriWithDb(base: string, db: string): string {
  const u = new URL(base);
  u.pathname = `/${db}`;
  return u.toString();
}

let counter = 0;

/** A database name unique to this worker and call, safe to drop. */
export function uniqueDbName(prefix: string): string {
  counter++;
  return `${prefix}_w${testEnvironment().workerId}_${process.pid}_${counter}`.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 60);
}

/** A connected client on a fresh database; drop() removes the database. */
export async function freshDatabase(prefix: string): Promise<{ client: MongoClient; dbName: string; drop: () => Promise<void> }> {
  const dbName = uniqueDbName(prefix);
  const client = new MongoClient(testServerUri(), { serverSelectionTimeoutMS: 5000 });
  await client.connect();
  await client.db(dbName).dropDatabase();
  return {
    client,
    dbName,
    drop: async () => {
      await client.db(dbName).dropDatabase();
      await client.close();
    },
  };
}

export interface FreshDatabase {
  client: MongoClient;
  db: Db;
  dbName: string;
}

/**
 * Gives a test file its own empty database, dropped (and the client closed) after the file.
 * `ready` receives it in a beforeAll registered here, so the file's own beforeAll hooks see it.
 */
export function useFreshDatabase(prefix: string, ready: (fresh: FreshDatabase) => void): void {
  let drop: () => Promise<void> = () => Promise.resolve();
  beforeAll(async () => {
    const fresh = await freshDatabase(prefix);
    drop = fresh.drop;
    ready({ client: fresh.client, dbName: fresh.dbName, db: fresh.client.db(fresh.dbName) });
  });
  afterAll(() => drop());
}

/** The error a promise rejects with; fails the test if it resolves or throws a non-server error. */
export async function serverError(p: Promise<unknown>): Promise<MongoServerError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MongoServerError);
  return err as MongoServerError;
}

/**
 * Runs `fn` with a session of `client` that has a transaction open, and always ends the session
 * (aborting the transaction if the test left it open).
 */
export async function inTransaction(
  client: MongoClient,
  fn: (s: ClientSession) => Promise<void>,
  opts: { readConcern?: 'snapshot' } = {},
): Promise<void> {
  const session = client.startSession();
  try {
    session.startTransaction(opts.readConcern ? { readConcern: { level: opts.readConcern } } : {});
    await fn(session);
  } finally {
    // Cleanup only: the server may already have aborted it, which the test itself checks.
    if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
    await session.endSession();
  }
}
