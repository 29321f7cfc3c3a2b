/** Starts the embedded MongoDB once per test run (unless TEST_MONGODB_URI names a real one). */
import { exportEmbeddedUri, testEnvironment } from '../../config/testing';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../embedded-mongo';

declare global {
  var __PETBUDDY_TEST_MONGO__: EmbeddedMongo | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (testEnvironment().realMongoUri) return;
  const server = await startEmbeddedMongo({ ttlMonitorIntervalMs: 250 });
  globalThis.__PETBUDDY_TEST_MONGO__ = server;
  exportEmbeddedUri(server.uri);
}
