/**
 * The limiters' Redis store in one process (buildApp on a real RedisConnection): counts shared by
 * two apps through Redis; a Redis that is unreachable or frozen costs no request (each process
 * counts in memory meanwhile, logged once) and the count returns to Redis; /ready's shapes.
 * Requests failing validation are enough here: the limiter counts them before validation.
 */
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../../app';
import { connectRedis, type RedisClient, type RedisConnection } from '../../config/redis';
import { createReadiness } from '../../services/health.service';
import { testConfig } from '../helpers/config';
import { captureLogs } from '../helpers/logs';
import {
  deleteKeys,
  freePort,
  keysWithPrefix,
  ownRedis,
  sharedRedisClient,
  SHARED_REDIS_URL,
  uniqueKeyPrefix,
  type OwnRedis,
} from './httpSupport';

const LOGIN = '/api/v1/auth/login';
const RATE_LIMITED = { error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Too many authentication attempts, please try again later' } };

const connections: RedisConnection[] = [];
let shared: RedisClient | undefined;
let own: OwnRedis | undefined;
const prefixes: string[] = [];

/** A Redis connection (closed after the file) whose keys start with `prefix` (deleted after the file). */
async function connection(url: string, prefix = uniqueKeyPrefix('store')): Promise<RedisConnection> {
  prefixes.push(prefix);
  const c = await connectRedis(url, prefix);
  connections.push(c);
  return c;
}

function app(redis: RedisConnection | undefined, max: number): Express {
  return buildApp({ config: testConfig({ AUTH_RATE_LIMIT_MAX: String(max) }), ...(redis ? { redis } : {}) });
}

/** A login that fails validation (counted by the limiter all the same), with how long it took. */
async function attempt(target: Express): Promise<{ status: number; body: unknown; ms: number }> {
  const started = Date.now();
  const res = await request(target).post(LOGIN).send({});
  return { status: res.status, body: res.body as unknown, ms: Date.now() - started };
}

/** The auth limiter's count in Redis for `prefix` (one client key: every request comes from loopback). */
async function authCount(client: RedisClient, prefix: string): Promise<number> {
  const keys = await keysWithPrefix(client, `${prefix}rl:auth:`);
  if (keys.length > 1) throw new Error(`expected one auth key, got ${keys.join(', ')}`);
  return keys[0] ? Number(await client.get(keys[0])) : 0;
}

beforeAll(async () => {
  shared = await sharedRedisClient();
});

afterAll(async () => {
  // destroy(), not close(): close() waits for a Redis that may be down (it sends QUIT).
  for (const c of connections) for (const client of [c.client, c.subscriber]) if (client.isOpen) client.destroy();
  if (shared) {
    for (const p of prefixes) await deleteKeys(shared, p);
    shared.destroy();
  }
  await own?.kill();
});

test('when two apps share one Redis, then the auth limit counts across both, under <prefix>rl:auth:', async () => {
  // One prefix for both, as the processes of one deployment have.
  const prefix = uniqueKeyPrefix('store');
  const a = app(await connection(SHARED_REDIS_URL, prefix), 3);
  const b = app(await connection(SHARED_REDIS_URL, prefix), 3);

  const statuses = [(await attempt(a)).status, (await attempt(b)).status, (await attempt(a)).status];
  const refused = await attempt(b);
  expect({ statuses, refused: [refused.status, refused.body] }).toEqual({ statuses: [400, 400, 400], refused: [429, RATE_LIMITED] });
  expect(await authCount(shared!, prefix)).toBe(4);
});

test('when Redis is not reachable, then the limit still holds per process, every answer is immediate, and the fallback is logged once', async () => {
  const logs = captureLogs();
  try {
    const redis = await connection(`redis://127.0.0.1:${await freePort()}`);
    expect(redis.isReady()).toBe(false);
    const target = app(redis, 2);

    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await attempt(target));
    expect(answers.map((a) => a.status)).toEqual([400, 400, 429, 429]);
    expect(answers[2]!.body).toEqual(RATE_LIMITED);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(1000);
    const fallbacks = logs.lines.filter((l) => l.module === 'rateLimit' && /counted in this process only/.test(String(l.message)));
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatchObject({ level: 'warn', limiter: 'auth' });
  } finally {
    logs.stop();
  }
}, 15_000);

test('when Redis freezes (connected, no answers), then requests are answered from memory within the timeout, and counted in Redis again once it answers', async () => {
  own = await ownRedis();
  const redis = await connection(own.url);
  const client = await own.client();
  const target = app(redis, 100);
  const logs = captureLogs();
  try {
    expect((await attempt(target)).status).toBe(400);
    expect(await authCount(client, redis.keyPrefix)).toBe(1);

    own.pause();
    const frozen = [await attempt(target), await attempt(target)];
    own.resume();
    // The first waits for the Redis timeout (500 ms); the next, within the retry pause, does not wait at all.
    expect(frozen.map((a) => a.status)).toEqual([400, 400]);
    expect(frozen[0]!.ms).toBeLessThan(1500);
    expect(frozen[1]!.ms).toBeLessThan(300);

    // After the retry pause (1 s) the next request is counted in Redis.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = await authCount(client, redis.keyPrefix);
    expect((await attempt(target)).status).toBe(400);
    expect(await authCount(client, redis.keyPrefix)).toBe(before + 1);
    const messages = logs.lines.filter((l) => l.module === 'rateLimit').map((l) => l.message);
    expect(messages).toEqual([
      'Redis unreachable: rate limits are counted in this process only until it returns',
      'Redis reachable: rate limits are counted in Redis again',
    ]);
  } finally {
    logs.stop();
    own.resume();
  }
}, 20_000);

describe('/ready', () => {
  const ready = async (readiness: ReturnType<typeof createReadiness>) => {
    const res = await request(buildApp({ config: testConfig(), readiness })).get('/ready');
    return { status: res.status, body: res.body as unknown };
  };

  test('when Redis is not configured, then /ready has no redis entry', async () => {
    expect(await ready(createReadiness(async () => true))).toEqual({
      status: 200,
      body: { status: 'ready', database: 'up', shuttingDown: false },
    });
  });

  // Redis answering, or down: /ready names it and stays 200 (HTTP is still served without Redis).
  test.each([
    ['answers', async () => SHARED_REDIS_URL, 'up'],
    ['is down', async () => `redis://127.0.0.1:${await freePort()}`, 'down'],
  ])(
    'when only Redis %s, then /ready reports it and stays 200',
    async (_what, url, state) => {
      const redis = await connection(await url());
      expect(
        await ready(
          createReadiness(
            async () => true,
            () => redis.ping(500),
          ),
        ),
      ).toEqual({ status: 200, body: { status: 'ready', database: 'up', shuttingDown: false, redis: state } });
    },
    10_000,
  );

  test('when the database is down and Redis up, then /ready is 503 naming both', async () => {
    expect(
      await ready(
        createReadiness(
          async () => false,
          async () => true,
        ),
      ),
    ).toEqual({
      status: 503,
      body: { status: 'not_ready', database: 'down', shuttingDown: false, redis: 'up' },
    });
  });
});
