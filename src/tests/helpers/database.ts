/**
 * Mongoose against the test database: one database per jest worker (suites in a worker run one
 * after another), indexes of every model ensured, and all data removed before each test.
 */
import mongoose from 'mongoose';
import { testEnvironment } from '../../config/testing';
import { testServerUri, uriWithDb } from './mongo';

export function workerDatabaseName(): string {
  return `petbuddy_test_w${testEnvironment().workerId}`;
}

async function clearAll(): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) return;
  const collections = await db.listCollections({}, { nameOnly: true }).toArray();
  await Promise.all(collections.map((c) => db.collection(c.name).deleteMany({})));
}

/** Registers hooks: connect before the suite, clean before each test, disconnect after. */
export function useTestDatabase(): void {
  beforeAll(async () => {
    if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected) {
      await mongoose.connect(uriWithDb(testServerUri(), workerDatabaseName()), { serverSelectionTimeoutMS: 5000 });
    }
    await Promise.all(Object.values(mongoose.models).map((m) => m.createIndexes()));
  });
  beforeEach(async () => {
    await clearAll();
  });
  afterAll(async () => {
    await mongoose.disconnect();
  });
}
