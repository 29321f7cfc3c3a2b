/**
 * The recovery window (SOCKET_RECOVERY_MS, one second here) on a PetBuddy process using the
 * machine's Redis: a dashboard away for longer is not recovered and is told to refetch instead.
 */
import mongoose from 'mongoose';
import type { RedisClient } from '../../config/redis';
import { testServerUri, uniqueDbName, uriWithDb } from '../helpers/mongo';
import { disconnected, record, settle, waitUntil, type ClientSocket } from '../socket/support';
import { deleteKeys, sharedRedisClient, SHARED_REDIS_URL, uniqueKeyPrefix } from './httpSupport';
import { dashboard, inbox, nextConnect, postMessage, startRelay, startSocketApp, type App, type Relay } from './socket-support';

const dbName = uniqueDbName('scaleout_socket_expiry');
const keyPrefix = uniqueKeyPrefix('socket-expiry');
let redis: RedisClient | undefined;
let app: App | undefined;
let relay: Relay | undefined;
let tab: ClientSocket | undefined;

beforeAll(async () => {
  redis = await sharedRedisClient();
  await mongoose.connect(uriWithDb(testServerUri(), dbName), { serverSelectionTimeoutMS: 5000 });
  await mongoose.connection.db!.dropDatabase();
  app = await startSocketApp({ dbName, redisUrl: SHARED_REDIS_URL, keyPrefix, env: { SOCKET_RECOVERY_MS: '1000' } });
}, 60_000);

afterAll(async () => {
  tab?.close();
  await relay?.close();
  await app?.stop();
  await mongoose.connection.db?.dropDatabase();
  await mongoose.disconnect();
  if (redis) {
    await deleteKeys(redis, keyPrefix);
    redis.destroy();
  }
}, 30_000);

test('when a dashboard reconnects after longer than SOCKET_RECOVERY_MS, then it is not recovered, gets sync:required once and not the missed event', async () => {
  const co = await inbox();
  relay = await startRelay(app!.url);
  tab = dashboard(relay.url, co.token);
  const syncs = record(tab, 'sync:required');
  const events = record(tab, 'message:new');
  expect(await nextConnect(tab)).toEqual({ recovered: false });
  const first = await postMessage(app!.url, co, 'before the cut');
  await waitUntil(() => events.length === 1, 'the first message:new');
  await settle(tab);
  // A first connection is not told anything.
  expect(syncs).toEqual([]);

  const gone = disconnected(tab, 5000);
  relay.setTarget(undefined);
  relay.cut();
  await gone;
  await postMessage(app!.url, co, 'missed');
  await new Promise((r) => setTimeout(r, 2500));
  relay.setTarget(app!.url);
  const back = await nextConnect(tab);
  await waitUntil(() => syncs.length >= 1, 'sync:required');
  await settle(tab);

  expect(back).toEqual({ recovered: false });
  expect(syncs).toEqual([{ reason: 'missed_events_unavailable' }]);
  expect(events.map((e) => e.message.id)).toEqual([first]);
  // The new connection is in the company's rooms again: live events arrive.
  const live = await postMessage(app!.url, co, 'after the reconnection');
  await waitUntil(() => events.length === 2, 'a live event');
  expect(events.map((e) => e.message.id)).toEqual([first, live]);
}, 30_000);
