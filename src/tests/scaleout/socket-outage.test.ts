/**
 * A PetBuddy process whose Redis (a redis-server of this suite's own, killed and restarted) goes
 * away: the process keeps answering and delivering its own events to its own sockets, and once
 * Redis is back tells them to refetch (events of other processes may have been lost meanwhile).
 */
import mongoose from 'mongoose';
import { testServerUri, uniqueDbName, uriWithDb } from '../helpers/mongo';
import { within } from '../helpers/process';
import { connected, openClient, record, settle, waitUntil, type ClientSocket } from '../socket/support';
import { ownRedis, uniqueKeyPrefix, type OwnRedis } from './httpSupport';
import { inbox, postMessage, startSocketApp, type App } from './socket-support';

const dbName = uniqueDbName('scaleout_socket_outage');
let redis: OwnRedis | undefined;
let app: App | undefined;
let tab: ClientSocket | undefined;

beforeAll(async () => {
  redis = await ownRedis();
  await mongoose.connect(uriWithDb(testServerUri(), dbName), { serverSelectionTimeoutMS: 5000 });
  await mongoose.connection.db!.dropDatabase();
  app = await startSocketApp({ dbName, redisUrl: redis.url, keyPrefix: uniqueKeyPrefix('socket-outage') });
}, 60_000);

afterAll(async () => {
  tab?.close();
  await app?.stop();
  await redis?.kill();
  await mongoose.connection.db?.dropDatabase();
  await mongoose.disconnect();
}, 30_000);

test('when Redis is killed, then the process still answers and delivers its events to its own sockets; once Redis is back, they get sync:required', async () => {
  const co = await inbox();
  const client = openClient(app!.url, { token: co.token }) as ClientSocket;
  tab = client;
  const events = record(client, 'message:new');
  const syncs = record(client, 'sync:required');
  await connected(client);

  await redis!.kill();
  // Long enough for every Redis client of the process to notice.
  await new Promise((r) => setTimeout(r, 1000));
  const id = await within(postMessage(app!.url, co, 'while Redis is down'), 5000, 'a request while Redis is down');
  await waitUntil(() => events.length === 1, 'message:new while Redis is down', 3000);
  await within(settle(client), 5000, 'a socket round trip while Redis is down');
  expect(syncs).toEqual([]);

  await redis!.start();
  await waitUntil(() => syncs.length >= 1, 'sync:required after Redis is back', 10_000);
  await settle(client);
  expect(syncs).toEqual([{ reason: 'missed_events_unavailable' }]);
  expect(events.map((e) => e.message.id)).toEqual([id]);
}, 40_000);
