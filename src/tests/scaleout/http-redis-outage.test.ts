/**
 * A Redis outage costs no HTTP request: a PetBuddy process (server.ts) on a redis-server of this
 * test's own (never the machine's) gets a steady stream of rate-limited and plain requests while
 * that Redis is killed, kept down about 2 s and restarted on the same port. Every request gets
 * its usual answer in bounded time, /ready says Redis is down and stays 200, the process logs the
 * fallback once, and once Redis is back the limiters count there again.
 */
import * as fs from 'node:fs';
import request from 'supertest';
import { registerBody } from '../accounts/support';
import { bearer } from '../factories/accounts';
import { freshDatabase } from '../helpers/mongo';
import { killAllChildren, within } from '../helpers/process';
import { keysWithPrefix, ownRedis, startApp, tempDir, uniqueKeyPrefix, type OwnRedis } from './httpSupport';

const LOGIN = '/api/v1/auth/login';
const LIST = '/api/v1/conversations/list';
/** How long one request may take before the test calls it hung. */
const ANSWER_WITHIN_MS = 3000;
const SEND_EVERY_MS = 20;
/** Bounds the stream whatever happens (about 30 s at one request per 20 ms). */
const MAX_REQUESTS = 1500;

const prefix = uniqueKeyPrefix('http-outage');
const dir = tempDir('http-outage');
let own: OwnRedis | undefined;
let drop: (() => Promise<void>) | undefined;
let dbName = '';

beforeAll(async () => {
  own = await ownRedis();
  const db = await freshDatabase('scaleout_http_outage');
  dbName = db.dbName;
  drop = db.drop;
});

afterAll(async () => {
  killAllChildren();
  await own?.kill();
  await drop?.();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Kind = 'login' | 'list' | 'health';
const EXPECTED: Record<Kind, number> = { login: 401, list: 200, health: 200 };
const KINDS: Kind[] = ['login', 'list', 'health'];
type Phase = 'before' | 'outage' | 'reconnecting' | 'after';

interface Outcome {
  kind: Kind;
  phase: Phase;
  /** The HTTP status, or what went wrong instead (a connection error, a timeout). */
  answer: number | string;
  ms: number;
}

async function readyBody(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(url).get('/ready').timeout(ANSWER_WITHIN_MS);
  return { status: res.status, body: res.body as Record<string, unknown> };
}

async function untilRedis(url: string, state: 'up' | 'down', ms: number) {
  const started = Date.now();
  for (;;) {
    const ready = await readyBody(url);
    if (ready.body.redis === state) return ready;
    if (Date.now() - started > ms) throw new Error(`/ready did not say redis ${state} within ${ms} ms: ${JSON.stringify(ready)}`);
    await sleep(100);
  }
}

const occurrences = (text: string, what: string) => text.split(what).length - 1;

test('when Redis is killed and restarted while requests stream in, then every request gets its answer and the limiters count in Redis again', async () => {
  const redis = own!;
  // Development logs to the console, so the process's log lines can be read from its output.
  const app = await startApp({
    dbName,
    dataDir: dir,
    redisUrl: redis.url,
    keyPrefix: prefix,
    env: { NODE_ENV: 'development', LOG_LEVEL: 'info', AUTH_RATE_LIMIT_MAX: '100000' },
  });
  const { url } = app;
  const registered = await request(url).post('/api/v1/auth/register-manager').send(registerBody());
  expect(registered.status).toBe(201);
  const token = (registered.body as { accessToken: string }).accessToken;
  expect(await readyBody(url)).toEqual({ status: 200, body: expect.objectContaining({ status: 'ready', redis: 'up' }) });

  let phase: Phase = 'before';
  const outcomes: Outcome[] = [];
  const inFlight: Promise<unknown>[] = [];
  let sent = 0;
  const send = (kind: Kind): Promise<unknown> => {
    const at = phase;
    const started = Date.now();
    const req =
      kind === 'login'
        ? request(url)
            .post(LOGIN)
            .send({ email: `nobody${sent}@happypaws.example`, password: 'Wr0ngPass1' })
        : kind === 'list'
          ? request(url).post(LIST).set(bearer(token)).send({ platform: 'all' })
          : request(url).get('/health');
    return req.timeout(ANSWER_WITHIN_MS).then(
      (res) => outcomes.push({ kind, phase: at, answer: res.status, ms: Date.now() - started }),
      (err: Error & { code?: string }) => outcomes.push({ kind, phase: at, answer: err.code ?? err.message, ms: Date.now() - started }),
    );
  };
  const stream = setInterval(() => {
    if (sent >= MAX_REQUESTS) return;
    inFlight.push(send(KINDS[sent % KINDS.length]!));
    sent++;
  }, SEND_EVERY_MS);

  let duringOutage: Awaited<ReturnType<typeof readyBody>>;
  try {
    await sleep(500);
    phase = 'outage';
    await redis.kill();
    const killedAt = Date.now();
    duringOutage = await untilRedis(url, 'down', 5000);
    await sleep(Math.max(0, 2000 - (Date.now() - killedAt)));

    phase = 'reconnecting';
    await redis.start();
    await untilRedis(url, 'up', 15_000);
    phase = 'after';
    // Past the limiters' retry pause, so the last requests are counted in Redis.
    await sleep(1500);
  } finally {
    clearInterval(stream);
  }
  await within(Promise.all(inFlight), ANSWER_WITHIN_MS + 2000, 'the last requests');

  expect(duringOutage).toEqual({ status: 200, body: expect.objectContaining({ status: 'ready', database: 'up', redis: 'down' }) });
  const wrong = outcomes.filter((o) => o.answer !== EXPECTED[o.kind]);
  expect(wrong).toEqual([]);
  expect(outcomes).toHaveLength(sent);
  expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(ANSWER_WITHIN_MS);
  // The stream went on through the outage: each kind of request was sent while Redis was down.
  const sentInOutage = KINDS.map((kind) => outcomes.filter((o) => o.kind === kind && o.phase === 'outage').length);
  expect(Math.min(...sentInOutage)).toBeGreaterThanOrEqual(10);

  // The restarted Redis began empty: its counters were written after the outage.
  const client = await redis.client();
  expect(await keysWithPrefix(client, prefix)).toEqual([`${prefix}rl:auth:127.0.0.1`, `${prefix}rl:conversations:127.0.0.1`]);
  const authKey = `${prefix}rl:auth:127.0.0.1`;
  const before = Number(await client.get(authKey));
  expect((await request(url).post(LOGIN).send({ email: 'last@happypaws.example', password: 'Wr0ngPass1' })).status).toBe(401);
  expect(Number(await client.get(authKey))).toBe(before + 1);

  // One line for the outage and one for the recovery, however many requests and limiters saw it.
  const output = app.child.output();
  expect({
    fallback: occurrences(output, 'rate limits are counted in this process only'),
    recovered: occurrences(output, 'rate limits are counted in Redis again'),
  }).toEqual({ fallback: 1, recovered: 1 });
}, 90_000);
