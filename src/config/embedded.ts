/**
 * Where the process finds its database when MONGODB_URI is unset: the embedded server, with its
 * data under DATA_DIR/db. A running server records its URI in DATA_DIR/embedded-mongo.json so
 * operator scripts (seed, migrate, clear:lockout) reach the same data while it runs; when none
 * runs, a script starts the embedded server on the data directory itself.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { processAlive, startEmbeddedMongo, type EmbeddedMongo } from '../embedded-mongo';
import type { Config } from './env';

const RUNTIME_FILE = 'embedded-mongo.json';
const EMBEDDED_DB_NAME = 'petbuddy';

/** The embedded server on DATA_DIR/db, and the URI of the app's database on it. */
async function startOnDataDir(config: Config, port?: number): Promise<{ server: EmbeddedMongo; uri: string; dbPath: string }> {
  const dbPath = path.join(config.dataDir, 'db');
  const server = await startEmbeddedMongo({ ...(port !== undefined ? { port } : {}), dbPath });
  return { server, uri: `${server.uri}${EMBEDDED_DB_NAME}`, dbPath };
}

export async function startEmbeddedForApp(config: Config): Promise<{ server: EmbeddedMongo; uri: string; dbPath: string }> {
  const { server, uri, dbPath } = await startOnDataDir(config, config.embeddedMongoPort);
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
  const { server, uri } = await startOnDataDir(config);
  return { uri, close: () => server.stop() };
}
