/**
 * Socket.io on two PetBuddy processes (server.ts) sharing one database and the machine's Redis
 * (127.0.0.1:6379; the suite fails saying how to start it when it does not answer): an event
 * emitted on one process reaches sockets on the other, a revocation on one drops the user's sockets
 * and cached answers on the other, and a dashboard away for ten seconds, or whose process shuts
 * down, recovers every event it missed after reconnecting to the other process.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import type { RedisClient } from '../../config/redis';
import { bearer, createStaff } from '../factories/accounts';
import { testServerUri, uniqueDbName, uriWithDb } from '../helpers/mongo';
import { connected, disconnected, openClient, record, settle, waitUntil, type ClientSocket } from '../socket/support';
import { deleteKeys, sharedRedisClient, SHARED_REDIS_URL, uniqueKeyPrefix } from './httpSupport';
import {
  dashboard,
  inbox,
  nextConnect,
  postMessage,
  startRelay,
  startSocketApp,
  tokenIssuedAgo,
  type App,
  type Relay,
} from './socket-support';

const dbName = uniqueDbName('scaleout_socket');
const keyPrefix = uniqueKeyPrefix('socket');
let redis: RedisClient | undefined;
let a: App | undefined;
let b: App | undefined;
const clients: ClientSocket[] = [];
const relays: Relay[] = [];

/** Both processes: the sweep is off and cached users are kept a minute, so only a cross-process signal can act. */
const start = () =>
  startSocketApp({ dbName, redisUrl: SHARED_REDIS_URL, keyPrefix, env: { SOCKET_AUTH_SWEEP_MS: '3600000', AUTH_USER_CACHE_MS: '60000' } });

beforeAll(async () => {
  redis = await sharedRedisClient();
  await mongoose.connect(uriWithDb(testServerUri(), dbName), { serverSelectionTimeoutMS: 5000 });
  await mongoose.connection.db!.dropDatabase();
  [a, b] = await Promise.all([start(), start()]);
}, 60_000);

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await mongoose.connection.db?.dropDatabase();
  await mongoose.disconnect();
  if (redis) {
    await deleteKeys(redis, keyPrefix);
    redis.destroy();
  }
}, 30_000);

const tracked = (s: ClientSocket): ClientSocket => {
  clients.push(s);
  return s;
};

test('when a message is posted through process A, then a dashboard connected to process B receives its message:new', async () => {
  const co = await inbox();
  const tab = await connected(tracked(openClient(b!.url, { token: co.token }) as ClientSocket));
  const events = record(tab, 'message:new');

  const id = await postMessage(a!.url, co, 'Posted on A');

  await waitUntil(() => events.length >= 1, 'message:new on process B');
  await settle(tab);
  expect(events.map((e) => e.message.id)).toEqual([id]);
});

test('when a password is changed through process A, then the user’s socket on process B is dropped and B refuses their old token at once', async () => {
  const co = await inbox();
  const groomer = await createStaff(co.companyId, 'groomer');
  const old = tokenIssuedAgo(groomer.userId, 60);
  const tab = await connected(tracked(openClient(b!.url, { token: old }) as ClientSocket));
  // B has now read the user, and would keep that answer for a minute.
  expect((await request(b!.url).get('/api/v1/locations').set(bearer(old))).status).toBe(200);
  const dropped = disconnected(tab, 5000);

  const res = await request(a!.url)
    .put(`/api/v1/catalog/staff/${String(groomer.userId)}`)
    .set(bearer(co.token))
    .send({ password: 'Fresh1Password' });
  expect(res.status).toBe(200);

  expect(await dropped).toBe('io server disconnect');
  // Within a second, where B's cache alone would keep the old answer for a minute.
  const deadline = Date.now() + 1000;
  let status: number;
  do {
    status = (await request(b!.url).get('/api/v1/locations').set(bearer(old))).status;
  } while (status !== 401 && Date.now() < deadline);
  expect(status).toBe(401);
});

test('when a dashboard on process B is cut off for ten seconds while process A emits ten events, then after reconnecting to process A it recovers all ten, in order, once', async () => {
  const co = await inbox();
  const relay = await startRelay(b!.url);
  relays.push(relay);
  const tab = tracked(dashboard(relay.url, co.token));
  expect(await nextConnect(tab)).toEqual({ recovered: false });
  const events = record(tab, 'message:new');
  const syncs = record(tab, 'sync:required');
  // One event first: the client learns the offset it will recover from.
  const ids = [await postMessage(a!.url, co, 'before the cut')];
  await waitUntil(() => events.length === 1, 'the first message:new');

  const gone = disconnected(tab, 5000);
  relay.setTarget(undefined);
  relay.cut();
  expect(await gone).toBe('transport close');
  const cutAt = Date.now();
  for (let i = 1; i <= 10; i++) {
    ids.push(await postMessage(a!.url, co, `missed ${i}`));
    await new Promise((r) => setTimeout(r, Math.max(0, cutAt + i * 1000 - Date.now())));
  }
  expect(events).toHaveLength(1);

  // The load balancer now sends the reconnection to process A.
  relay.setTarget(a!.url);
  const back = await nextConnect(tab, 10_000);
  await waitUntil(() => events.length >= 11, 'the ten missed events', 5000);
  await settle(tab);

  expect(back).toEqual({ recovered: true });
  expect(relay.relayed).toEqual([b!.url, a!.url]);
  expect(events.map((e) => e.message.id)).toEqual(ids);
  expect(syncs).toEqual([]);
  // Live again, through A.
  ids.push(await postMessage(b!.url, co, 'after the reconnection'));
  await waitUntil(() => events.length === 12, 'a live event after recovery');
  expect(events.map((e) => e.message.id)).toEqual(ids);
}, 40_000);

// Last: it stops process B.
test('when process B shuts down (a deploy), then its dashboard reconnects to process A and recovers the events emitted meanwhile', async () => {
  const co = await inbox();
  const relay = await startRelay(b!.url);
  relays.push(relay);
  const tab = tracked(dashboard(relay.url, co.token));
  await nextConnect(tab);
  const events = record(tab, 'message:new');
  const ids = [await postMessage(a!.url, co, 'before the deploy')];
  await waitUntil(() => events.length === 1, 'the first message:new');

  // The load balancer stops sending connections to B while it drains.
  relay.setTarget(undefined);
  const gone = disconnected(tab, 10_000);
  await b!.stop();
  // Closed, not disconnected by the server: the client reconnects by itself.
  expect(await gone).toBe('transport close');
  for (let i = 1; i <= 3; i++) ids.push(await postMessage(a!.url, co, `during the deploy ${i}`));

  relay.setTarget(a!.url);
  expect(await nextConnect(tab)).toEqual({ recovered: true });
  await waitUntil(() => events.length >= 4, 'the missed events');
  await settle(tab);
  expect(events.map((e) => e.message.id)).toEqual(ids);
}, 40_000);
