/**
 * Metrics of the real process (startServer from server.ts, METRICS_PORT=0): /metrics on the
 * internal listener only; the socket connections gauge and the sent-events counter follow a real
 * dashboard client; the outbox thread's delivery outcomes and poll runs reach the main thread's
 * registry, and the depth follows the queue; the database pool and the scheduler's jobs are
 * measured; the listener closes with the process.
 */
import mongoose from 'mongoose';
import request from 'supertest';
import { startServer, type RunningServer } from '../../../server';
import { accessTokenFor, bearer, createCompany, createStaff } from '../factories/accounts';
import { createContact, createIntegration, operatorMessageBody } from '../factories/inbox';
import { testConfig } from '../helpers/config';
import { startFakeMetaBot, type FakeMetaBot } from '../helpers/fakeMetaBot';
import { testServerUri, uniqueDbName, uriWithDb } from '../helpers/mongo';
import { within } from '../helpers/process';
import { waitUntil } from '../outbox/support';
import { connected, disconnected, openClient, record } from '../socket/support';
import { scrapeUrl, total, type Exposition } from './support';

const mongoUri = uriWithDb(testServerUri(), uniqueDbName('metrics'));
let fake: FakeMetaBot;
let server: RunningServer;

beforeAll(async () => {
  fake = await startFakeMetaBot();
  server = await startServer({
    config: testConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      METRICS_PORT: '0',
      MONGODB_URI: mongoUri,
      META_BOT_BASE_URL: fake.url,
      META_BOT_TIMEOUT_MS: '300',
      OUTBOX_POLL_MS: '50',
      OUTBOX_RETRY_BASE_MS: '20',
      OUTBOX_RETRY_MAX_DELAY_MS: '100',
      // Enough attempts that a message waiting for the Meta Bot stays queued.
      OUTBOX_MAX_ATTEMPTS: '100000',
      MESSAGE_RATE_LIMIT_MAX: '1000',
    }),
  });
}, 30_000);

afterAll(async () => {
  await server.shutdown('test over');
  await fake.close();
  // The shutdown closed the connection: this suite's database is dropped through a new one.
  await mongoose.connect(mongoUri, { serverSelectionTimeoutMS: 5000 });
  await mongoose.connection.dropDatabase();
  await mongoose.disconnect();
});

const scrape = (): Promise<Exposition> => scrapeUrl(server.metricsUrl!);

/** A company with a manager, a Facebook contact and a connected page. */
async function companyWithPage() {
  const company = await createCompany();
  const manager = await createStaff(company.companyId, 'manager');
  const contact = await createContact(company.companyId);
  await createIntegration(server.config, company.companyId);
  const token = accessTokenFor(server.config, manager.userId);
  const send = async (content: string): Promise<string> => {
    const res = await request(server.url)
      .post('/api/v1/messages')
      .set(bearer(token))
      .send(operatorMessageBody(company.companyId, contact._id, { content }));
    expect(res.status).toBe(201);
    return String(res.body.messageData._id);
  };
  return { token, send };
}

test('when METRICS_PORT is set, then /metrics is served on 127.0.0.1 by the internal listener and not on the app port', async () => {
  expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  expect(new URL(server.metricsUrl!).port).not.toBe(new URL(server.url).port);
  expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
  expect((await fetch(server.metricsUrl!.replace(/\/metrics$/, '/health'))).status).toBe(404);
  const e = await scrape();
  expect(e.families.get('petbuddy_http_request_duration_seconds')?.type).toBe('histogram');
  // The app's own 404 above was measured; the listener's requests are not.
  expect(total(e, 'petbuddy_http_request_duration_seconds_count', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
  expect(total(e, 'petbuddy_http_request_duration_seconds_count', { route: '/metrics' })).toBe(0);
});

test('when a dashboard connects, receives events and disconnects, then the connections gauge and the sent-events counter follow', async () => {
  const { token, send } = await companyWithPage();
  const before = await scrape();
  const socket = await within(connected(openClient(server.url, { token })), 10_000, 'the socket connecting');
  const received = record(socket, 'message:new');
  const statuses = record(socket, 'message:status');
  const connectedNow = await scrape();
  expect(total(connectedNow, 'petbuddy_socket_connections')).toBe(total(before, 'petbuddy_socket_connections') + 1);

  await send('Your dog is ready');
  // message:new from the request, then message:status relayed from the outbox thread once delivered.
  await waitUntil(() => received.length === 1 && statuses.length === 1, 5000, 'message:new and message:status on the socket');
  const after = await scrape();
  const sent = (e: Exposition, event: string) => total(e, 'petbuddy_socket_events_sent_total', { event });
  expect(sent(after, 'message:new') - sent(before, 'message:new')).toBe(1);
  expect(sent(after, 'message:status') - sent(before, 'message:status')).toBe(1);

  socket.close();
  await disconnected(socket);
  await waitUntil(
    async () => total(await scrape(), 'petbuddy_socket_connections') === total(before, 'petbuddy_socket_connections'),
    5000,
    'the gauge back to its value before the connection',
  );
});

test('when the Meta Bot is down and then back, then the depth, retry and delivered counters from the outbox thread follow', async () => {
  const { send } = await companyWithPage();
  await fake.reset();
  const outcomes = (e: Exposition, outcome: string) => total(e, 'petbuddy_outbox_deliveries_total', { outcome });
  const before = await scrape();
  await fake.setMode('down');
  await send('Reminder: grooming tomorrow at 10');

  const waiting = await waitUntil(
    async () => {
      const e = await scrape();
      return outcomes(e, 'retry') > outcomes(before, 'retry') ? e : undefined;
    },
    10_000,
    'a retry counted while the Meta Bot is down',
  );
  expect(total(waiting, 'petbuddy_outbox_depth')).toBe(1);

  await fake.setMode('ok');
  const done = await waitUntil(
    async () => {
      const e = await scrape();
      return outcomes(e, 'delivered') === outcomes(before, 'delivered') + 1 ? e : undefined;
    },
    10_000,
    'the delivery counted',
  );
  expect(fake.deliveries).toHaveLength(1);
  expect(outcomes(done, 'failed')).toBe(outcomes(before, 'failed'));
  expect(total(done, 'petbuddy_outbox_depth')).toBe(0);
  // The thread's poll is a scheduled job too; its runs are forwarded with the outcomes.
  expect(total(done, 'petbuddy_job_runs_total', { job: 'outbox-delivery', outcome: 'success' })).toBeGreaterThan(0);
  expect(total(done, 'petbuddy_job_duration_seconds_count', { job: 'outbox-delivery' })).toBeGreaterThan(0);
});

test('when the process has served database requests, then the pool gauges show its open connections', async () => {
  await createCompany();
  const e = await scrape();
  const open = total(e, 'petbuddy_db_pool_open_connections');
  const inUse = total(e, 'petbuddy_db_pool_in_use_connections');
  expect(open).toBeGreaterThanOrEqual(1);
  expect(inUse).toBeGreaterThanOrEqual(0);
  expect(inUse).toBeLessThanOrEqual(open);
  expect(e.families.get('petbuddy_db_pool_checkout_failures_total')?.type).toBe('counter');
});

test("when a job of the process's scheduler runs, then its run is counted", async () => {
  const runs = (e: Exposition) => total(e, 'petbuddy_job_runs_total', { job: 'socket-auth-sweep', outcome: 'success' });
  const before = runs(await scrape());
  await server.scheduler.runNow('socket-auth-sweep');
  expect(runs(await scrape())).toBe(before + 1);
});

test('when the process shuts down, then the metrics listener closes with it', async () => {
  await server.shutdown('test over');
  await expect(fetch(server.metricsUrl!)).rejects.toThrow();
});
