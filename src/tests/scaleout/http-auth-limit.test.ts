/**
 * The auth limiter across processes: two PetBuddy processes (server.ts) sharing one database and
 * the machine's Redis count one per-IP budget. With AUTH_RATE_LIMIT_MAX=5, three attempts on one
 * and two on the other spend it, so the sixth is refused on either; counted per process (no
 * Redis), each would still have allowed five.
 */
import request from 'supertest';
import type { RedisClient } from '../../config/redis';
import { freshDatabase } from '../helpers/mongo';
import { killAllChildren } from '../helpers/process';
import { deleteKeys, keysWithPrefix, sharedRedisClient, SHARED_REDIS_URL, startApp, tempDir, uniqueKeyPrefix } from './httpSupport';
import * as fs from 'node:fs';

const RATE_LIMITED = { error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Too many authentication attempts, please try again later' } };
const prefix = uniqueKeyPrefix('http-auth');
const dir = tempDir('http-auth');
let redis: RedisClient | undefined;
let drop: (() => Promise<void>) | undefined;
let dbName = '';

beforeAll(async () => {
  redis = await sharedRedisClient();
  const db = await freshDatabase('scaleout_http_auth');
  dbName = db.dbName;
  drop = db.drop;
});

afterAll(async () => {
  killAllChildren();
  if (redis) {
    await deleteKeys(redis, prefix);
    redis.destroy();
  }
  await drop?.();
  fs.rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
function login(url: string): request.Test {
  seq++;
  // A new unknown address each time: 401, and no account lockout in the way.
  return request(url)
    .post('/api/v1/auth/login')
    .send({ email: `nobody${seq}@happypaws.example`, password: 'Wr0ngPass1' })
    .timeout(10_000);
}

test('when 3 login attempts go to process A and 2 to process B, then the 6th on either is 429 RATE_LIMIT_EXCEEDED', async () => {
  const env = { AUTH_RATE_LIMIT_MAX: '5' };
  const [a, b] = await Promise.all([
    startApp({ dbName, dataDir: dir, redisUrl: SHARED_REDIS_URL, keyPrefix: prefix, env }),
    startApp({ dbName, dataDir: dir, redisUrl: SHARED_REDIS_URL, keyPrefix: prefix, env }),
  ]);

  const allowed = [];
  for (const url of [a.url, a.url, a.url, b.url, b.url]) {
    const res = await login(url);
    allowed.push(`${res.status} remaining ${String(res.headers['x-ratelimit-remaining'])}`);
  }
  expect(allowed).toEqual(['401 remaining 4', '401 remaining 3', '401 remaining 2', '401 remaining 1', '401 remaining 0']);

  const onA = await login(a.url);
  const onB = await login(b.url);
  for (const refused of [onA, onB]) {
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(RATE_LIMITED);
    expect(refused.headers['x-ratelimit-limit']).toBe('5');
    expect(refused.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));
  }

  // One counter, in Redis under the deployment's prefix, holding all seven attempts.
  const keys = await keysWithPrefix(redis!, prefix);
  expect(keys).toEqual([`${prefix}rl:auth:127.0.0.1`]);
  expect(await redis!.get(keys[0]!)).toBe('7');
}, 90_000);
