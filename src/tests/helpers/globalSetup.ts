/** Starts the embedded MongoDB once per test run (unless TEST_MONGODB_URI names a real one). */
import { startEmbeddedMongo, type EmbeddedMongo } from '../../embedded-mongo';

declare global {
  // eslint-disable-next-line no-var
  var __PETBUDDY_TEST_MONGO__: EmbeddedMongo | undefined;
}

export default async function globalSetup(): Promise<void> {
  /* eslint-disable no-restricted-properties -- the harness hands the URI to workers via env */
  if (process.env.TEST_MONGODB_URI) return;
  const server = await startEmbeddedMongo({ ttlMonitorIntervalMs: 250 });
  globalThis.__PETBUDDY_TEST_MONGO__ = server;
  process.env.PETBUDDY_TEST_MONGO_URI = server.uri;
  /* eslint-enable no-restricted-properties */
}
