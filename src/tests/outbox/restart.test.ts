/**
 * The outbox of the real process (server.ts main(), run as a child): a message queued while the
 * Meta Bot is down survives SIGKILL and is sent by the next process, and the outbox thread's
 * message:status events reach the dashboard's sockets.
 * The child writes to a database of this suite's own, dropped afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose from 'mongoose';
import request from 'supertest';
import { Message, type MessageFields } from '../../models/Message';
import { accessTokenFor, bearer, createCompany, createStaff } from '../factories/accounts';
import { operatorMessageBody } from '../factories/inbox';
import { testConfig } from '../helpers/config';
import { startFakeMetaBot, type FakeMetaBot } from '../helpers/fakeMetaBot';
import { testServerUri, uniqueDbName, uriWithDb } from '../helpers/mongo';
import { killAllChildren, runTs, within, type Child } from '../helpers/process';
import { connected, openClient, record } from '../socket/support';
import { createContact, createIntegration } from '../factories/inbox';
import { MESSAGES, PAGE_TOKEN, PSID, waitUntil } from './support';

const SECRETS = {
  JWT_ACCESS_SECRET: 'restart-suite-access-secret-0123456789abcdef',
  JWT_REFRESH_SECRET: 'restart-suite-refresh-secret-0123456789abcdef',
  INTERNAL_SERVICE_API_KEY: 'restart-suite-internal-api-key-0123456789ab',
  DATA_ENCRYPTION_KEY: 'restart-suite-data-encryption-key-0123456789',
};
const LISTENING = /PetBuddy API listening on (http:\/\/127\.0\.0\.1:\d+)/;

const dbName = uniqueDbName('outbox_restart');
const mongoUri = uriWithDb(testServerUri(), dbName);
const config = testConfig(SECRETS);
let fake: FakeMetaBot;
let dir: string;

beforeAll(async () => {
  fake = await startFakeMetaBot();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-outbox-restart-'));
  await mongoose.connect(mongoUri, { serverSelectionTimeoutMS: 5000 });
  await mongoose.connection.db!.dropDatabase();
});

afterAll(async () => {
  killAllChildren();
  await fake.close();
  await mongoose.connection.db?.dropDatabase();
  await mongoose.disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

function startProcess(): Child {
  return runTs('server.ts', {
    NODE_ENV: 'test',
    ...SECRETS,
    MONGODB_URI: mongoUri,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_DIR: path.join(dir, 'logs'),
    META_BOT_BASE_URL: fake.url,
    META_BOT_TIMEOUT_MS: '300',
    OUTBOX_POLL_MS: '50',
    OUTBOX_RETRY_BASE_MS: '20',
    OUTBOX_RETRY_MAX_DELAY_MS: '100',
    // Enough attempts that the message is still queued, not failed, when the process is killed.
    OUTBOX_MAX_ATTEMPTS: '100000',
  });
}

async function storedMessage(companyId: mongoose.Types.ObjectId, id: string): Promise<MessageFields> {
  const doc = await Message.findOne({ _id: id, company_id: companyId }).lean<MessageFields>();
  if (!doc) throw new Error(`message ${id} is not stored`);
  return doc;
}

/** A company with a manager, a Facebook contact and a connected page. */
async function companyWithPage() {
  const company = await createCompany();
  const manager = await createStaff(company.companyId, 'manager');
  const contact = await createContact(company.companyId, { facebookId: PSID });
  await createIntegration(config, company.companyId);
  return { company, contact, token: accessTokenFor(config, manager.userId) };
}

test('when the process is killed while a message waits for the Meta Bot, then the restarted process sends it once', async () => {
  const { company, contact, token } = await companyWithPage();
  await fake.setMode('down');

  const first = startProcess();
  const url = (await first.waitFor(LISTENING, 30_000))[1]!;
  const res = await request(url)
    .post(MESSAGES)
    .set(bearer(token))
    .send(operatorMessageBody(company.companyId, contact._id, { content: 'Your appointment is confirmed' }));
  expect(res.status).toBe(201);
  expect(res.body.forwarding).toEqual(expect.objectContaining({ status: 'queued' }));
  const id = String(res.body.messageData._id);

  // The first process is trying and failing to reach the Meta Bot; kill it between attempts.
  const pending = await waitUntil(
    async () => {
      const d = await storedMessage(company.companyId, id);
      return (d.delivery_attempts ?? 0) >= 1 && !d.delivery_lock_owner ? d : undefined;
    },
    15_000,
    'a failed attempt by the first process',
  );
  first.proc.kill('SIGKILL');
  expect((await within(first.exited, 10_000, 'the first process dying')).signal).toBe('SIGKILL');
  expect(pending.delivery_status).toBe('queued');
  expect(pending.delivery_error).toBe('Meta Bot server is not reachable. Message forwarding failed.');
  expect((await storedMessage(company.companyId, id)).delivery_status).toBe('queued');

  await fake.setMode('ok');
  const second = startProcess();
  await second.waitFor(LISTENING, 30_000);

  // Bounded by the longest lease a kill mid-attempt could leave (META_BOT_TIMEOUT_MS + 30 s).
  const sent = await waitUntil(
    async () => {
      const d = await storedMessage(company.companyId, id);
      return d.delivery_status === 'sent' ? d : undefined;
    },
    40_000,
    'delivery by the restarted process',
  );
  expect(sent).toEqual(expect.objectContaining({ delivered: true, external_message_id: 'mid.1' }));
  expect(fake.requests).toHaveLength(1);
  expect(fake.requests[0]!.headers['x-api-key']).toBe(SECRETS.INTERNAL_SERVICE_API_KEY);
  expect(fake.requests[0]!.body).toEqual(expect.objectContaining({ customer_social_id: PSID, access_token: PAGE_TOKEN }));
  expect(fake.deliveries).toHaveLength(1);
  second.proc.kill('SIGTERM');
  expect((await within(second.exited, 15_000, 'the second process stopping')).code).toBe(0);
}, 120_000);

test('when a dashboard is connected to the real process, then each delivered message reaches it as one message:status sent from the outbox thread', async () => {
  const { company, contact, token } = await companyWithPage();
  await fake.setMode('ok');

  const server = startProcess();
  const url = (await server.waitFor(LISTENING, 30_000))[1]!;
  const socket = openClient(url, { token });
  try {
    const statuses = record(await within(connected(socket), 10_000, 'the socket connecting'), 'message:status');
    // Several at once, so the outbox thread has outcomes of one batch to relay together.
    const sends = Array.from({ length: 6 }, (_, i) =>
      request(url)
        .post(MESSAGES)
        .set(bearer(token))
        .send(operatorMessageBody(company.companyId, contact._id, { content: `Reminder ${i}` })),
    );
    const ids = (await Promise.all(sends)).map((r) => String(r.body.messageData._id));
    await waitUntil(() => (statuses.length >= ids.length ? true : undefined), 15_000, 'a message:status for every message');
    expect(statuses.flatMap((e) => e.messageIds).sort()).toEqual([...ids].sort());
    for (const e of statuses) {
      expect(e).toEqual(expect.objectContaining({ conversationId: String(contact._id), status: 'sent' }));
      expect(e.messageIds).toHaveLength(1);
    }
  } finally {
    socket.close();
    server.proc.kill('SIGTERM');
    await within(server.exited, 15_000, 'the process stopping');
  }
}, 90_000);
