/**
 * Shared by the HTTP scale-out suites: the machine's Redis (127.0.0.1:6379, which .ci/run starts),
 * a redis-server of a test's own that it may kill and restart, and PetBuddy processes using them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient } from 'redis';
import type { RedisClient } from '../../config/redis';
import { testServerUri, uriWithDb } from '../helpers/mongo';
import { runTs, within, type Child } from '../helpers/process';

export const SHARED_REDIS_URL = 'redis://127.0.0.1:6379';
const START_SHARED = 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

const SECRETS = {
  JWT_ACCESS_SECRET: 'scaleout-http-access-secret-0123456789abcdef',
  JWT_REFRESH_SECRET: 'scaleout-http-refresh-secret-0123456789abcdef',
  INTERNAL_SERVICE_API_KEY: 'scaleout-http-internal-api-key-0123456789ab',
  DATA_ENCRYPTION_KEY: 'scaleout-http-data-encryption-key-0123456789',
};
const LISTENING = /PetBuddy API listening on (http:\/\/127\.0\.0\.1:\d+)/;

let seq = 0;

/** A key prefix no other run or suite uses (so its keys can be found and deleted). */
export function uniqueKeyPrefix(suite: string): string {
  seq++;
  return `pbtest:${suite}:${process.pid}:${Date.now()}:${seq}:`;
}

async function connectedClient(url: string): Promise<RedisClient> {
  const client: RedisClient = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A client of the machine's Redis; fails saying how to start it when it does not answer. */
export async function sharedRedisClient(): Promise<RedisClient> {
  try {
    const client = await connectedClient(SHARED_REDIS_URL);
    await client.ping();
    return client;
  } catch (err) {
    throw new Error(`Redis is not reachable at 127.0.0.1:6379: start it with ${START_SHARED} (${(err as Error).message})`);
  }
}

export async function keysWithPrefix(client: RedisClient, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) keys.push(...batch);
  return keys.sort();
}

export async function deleteKeys(client: RedisClient, prefix: string): Promise<void> {
  const keys = await keysWithPrefix(client, prefix);
  if (keys.length > 0) await client.del(keys);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return address.port;
}

/** A redis-server of the test's own (never the machine's), on one port across restarts. */
export interface OwnRedis {
  url: string;
  port: number;
  start(): Promise<void>;
  /** Kills it (SIGKILL, as a crash would) and waits until it has exited. */
  kill(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open and commands get no answer until resume(). */
  pause(): void;
  resume(): void;
  /** A client of it, closed by kill(). */
  client(): Promise<RedisClient>;
}

export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  const clients: RedisClient[] = [];
  const own: OwnRedis = {
    url,
    port,
    async start() {
      const p = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc = p;
      let out = '';
      const ready = new Promise<void>((resolve, reject) => {
        p.once('error', (err) => reject(new Error(`could not start redis-server (is it installed?): ${err.message}`)));
        p.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${out}`)));
        const collect = (c: Buffer): void => {
          out += c.toString();
          if (out.includes('Ready to accept connections')) resolve();
        };
        p.stdout!.on('data', collect);
        p.stderr!.on('data', collect);
      });
      await within(ready, 10_000, `redis-server on port ${port} starting`);
    },
    async kill() {
      await Promise.all(clients.splice(0).map((c) => c.destroy()));
      const p = proc;
      proc = undefined;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((resolve) => p.once('exit', resolve));
      p.kill('SIGCONT');
      p.kill('SIGKILL');
      await within(exited, 10_000, 'redis-server exiting');
    },
    pause: () => void proc?.kill('SIGSTOP'),
    resume: () => void proc?.kill('SIGCONT'),
    async client() {
      const c = await connectedClient(url);
      clients.push(c);
      return c;
    },
  };
  await own.start();
  return own;
}

/** A PetBuddy process (server.ts) on the test database `dbName`, using Redis at `redisUrl`. */
export async function startApp(opts: {
  dbName: string;
  dataDir: string;
  redisUrl: string;
  keyPrefix: string;
  env?: Record<string, string>;
}): Promise<{ child: Child; url: string }> {
  const dataDir = fs.mkdtempSync(path.join(opts.dataDir, 'app-'));
  const child = runTs('server.ts', {
    NODE_ENV: 'test',
    ...SECRETS,
    BCRYPT_SALT_ROUNDS: '4',
    MONGODB_URI: uriWithDb(testServerUri(), opts.dbName),
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_DIR: path.join(dataDir, 'logs'),
    REDIS_URL: opts.redisUrl,
    REDIS_KEY_PREFIX: opts.keyPrefix,
    ...opts.env,
  });
  const url = (await child.waitFor(LISTENING, 30_000))[1]!;
  return { child, url };
}

export function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `pb-scaleout-${name}-`));
}
