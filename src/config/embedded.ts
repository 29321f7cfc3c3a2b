/**
 * Where the process finds its database when MONGODB_URI is unset: the embedded server, with its
 * data under DATA_DIR/db. The app runs it in a worker thread (src/config/embedded.host.ts), so its
 * commands never hold up HTTP and sockets. A running server records its URI in
 * DATA_DIR/embedded-mongo.json so operator scripts (seed, migrate, clear:lockout) reach the same
 * data while it runs; when none runs, a script starts the embedded server on the data directory
 * itself, on the script's own thread: a script waits for each database call anyway and answers nobody else.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { processAlive, startEmbeddedMongo } from '../embedded-mongo';
import { startEmbeddedThread, type EmbeddedMongoThread } from './embedded.host';
import type { Config } from './env';

const RUNTIME_FILE = 'embedded-mongo.json';
const EMBEDDED_DB_NAME = 'petbuddy';

const dbPathOf = (config: Config): string => path.join(config.dataDir, 'db');

/** The embedded server on DATA_DIR/db in a worker thread, and the URI of the app's database on it. */
export async function startEmbeddedForApp(config: Config): Promise<{ server: EmbeddedMongoThread; uri: string; dbPath: string }> {
  const dbPath = dbPathOf(config);
  const server = await startEmbeddedThread({ host: '127.0.0.1', port: config.embeddedMongoPort, dbPath });
  const uri = `${server.uri}${EMBEDDED_DB_NAME}`;
  writeFileSync(path.join(config.dataDir, RUNTIME_FILE), JSON.stringify({ uri, pid: process.pid }) + '\n');
  const stop = server.stop.bind(server);
  server.stop = async () => {
    rmSync(path.join(config.dataDir, RUNTIME_FILE), { force: true });
    await stop();
  };
  return { server, uri, dbPath };
}

/** The database URI for an operator script, and a cleanup to call when it is done. */
export async function databaseForScript(config: Config): Promise<{ uri: string; close: () => Promise<void> }> {
  if (config.mongodbUri) return { uri: config.mongodbUri, close: async () => undefined };
  const file = path.join(config.dataDir, RUNTIME_FILE);
  if (existsSync(file)) {
    const running = JSON.parse(readFileSync(file, 'utf8')) as { uri: string; pid: number };
    if (processAlive(running.pid)) return { uri: running.uri, close: async () => undefined };
  }
  const server = await startEmbeddedMongo({ dbPath: dbPathOf(config) });
  return { uri: `${server.uri}${EMBEDDED_DB_NAME}`, close: () => server.stop() };
}
