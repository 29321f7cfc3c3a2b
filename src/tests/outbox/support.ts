/**
 * Shared by the outbox suites: configuration pointed at the fake Meta Bot, a company with a
 * connected page and a contact, an app whose M1 queues messages, an outbox like server.ts builds,
 * and bounded waits. Contacts and integrations are written with the models directly.
 */
import type { Express } from 'express';
import type { Types } from 'mongoose';
import request from 'supertest';
import { buildApp } from '../../app';
import type { Config } from '../../config/env';
import { Message, type MessageFields } from '../../models/Message';
import { createMetaBotClient } from '../../services/metaBot.client';
import { createOutbox, type Outbox } from '../../services/outbox.service';
import { recordingRealtime } from '../../socket/realtime';
import type { MessageStatusEvent } from '../../socket/events/types';
import { manualClock, type Clock } from '../../utils/clock';
import { bearer, companyWithStaff } from '../factories/accounts';
import { createContact, createIntegration, operatorMessageBody } from '../factories/inbox';

export { PAGE_TOKEN } from '../factories/inbox';
import { startFakeMetaBot, type FakeMetaBot } from '../helpers/fakeMetaBot';
import { testConfig } from '../helpers/config';

export const MESSAGES = '/api/v1/messages';
export const PSID = '24681357900001';
export const IGSID = '17841400000000002';

/** Registers hooks: one fake Meta Bot for the suite, back to `ok` with nothing recorded before each test. */
export function useFakeMetaBot(options: { latencyMs?: number } = {}): () => FakeMetaBot {
  let fake: FakeMetaBot | undefined;
  beforeAll(async () => {
    fake = await startFakeMetaBot(options);
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(async () => {
    await fake!.reset();
  });
  return () => fake!;
}

/** The outbox settings of the brief: 300 ms per attempt, 20–100 ms backoff, 4 attempts. */
export function outboxConfig(fake: FakeMetaBot, overrides: Record<string, string> = {}): Config {
  return testConfig({
    META_BOT_BASE_URL: fake.url,
    META_BOT_TIMEOUT_MS: '300',
    OUTBOX_RETRY_BASE_MS: '20',
    OUTBOX_RETRY_MAX_DELAY_MS: '100',
    OUTBOX_MAX_ATTEMPTS: '4',
    OUTBOX_POLL_MS: '50',
    MESSAGE_RATE_LIMIT_MAX: '1000',
    ...overrides,
  });
}

export function outboxFor(config: Config, deps: { realtime: ReturnType<typeof recordingRealtime>; clock: Clock; random?: () => number }) {
  const metaBot = createMetaBotClient({
    baseUrl: config.metaBot.baseUrl,
    timeoutMs: config.metaBot.timeoutMs,
    apiKey: config.internalApiKey,
  });
  return createOutbox({ config, metaBot, ...deps });
}

export interface Inbox {
  app: Express;
  companyId: Types.ObjectId;
  contactId: string;
  auth: { Authorization: string };
  realtime: ReturnType<typeof recordingRealtime>;
  /** M1 as the dashboard sends it; `body` overrides fields. */
  send(body?: Record<string, unknown>): request.Test;
  stored(id: string): Promise<MessageFields>;
  statusEvents(id: string): MessageStatusEvent[];
}

/**
 * A company with staff, a contact with both social ids, and (unless `page: false`) a connected
 * page; the app records events and kicks `kickOutbox` like server.ts wires it.
 */
export async function createInbox(
  config: Config,
  options: { clock?: Clock; kickOutbox?: () => void; page?: boolean; social?: { facebookId?: string; instagramId?: string } } = {},
): Promise<Inbox> {
  const co = await companyWithStaff(config);
  // Only the ids named in `social` (both by default).
  const social = options.social ?? { facebookId: PSID, instagramId: IGSID };
  const contact = await createContact(co.companyId, { facebookId: social.facebookId ?? null, instagramId: social.instagramId ?? null });
  if (options.page !== false) await createIntegration(config, co.companyId);
  const realtime = recordingRealtime();
  const app = buildApp({
    config,
    realtime,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.kickOutbox ? { kickOutbox: options.kickOutbox } : {}),
  });
  const auth = bearer(co.users.receptionist.token);
  const contactId = String(contact._id);
  return {
    app,
    companyId: co.companyId,
    contactId,
    auth,
    realtime,
    send: (body = {}) =>
      request(app)
        .post(MESSAGES)
        .set(auth)
        .send(operatorMessageBody(co.companyId, contactId, body)),
    stored: async (id) => {
      const doc = await Message.findOne({ _id: id, company_id: co.companyId }).lean<MessageFields>();
      if (!doc) throw new Error(`message ${id} is not stored`);
      return doc;
    },
    statusEvents: (id) =>
      realtime.events
        .filter((e) => e.event === 'message:status')
        .map((e) => e.payload as MessageStatusEvent)
        .filter((p) => p.messageIds.includes(id)),
  };
}

/** Posts M1 and returns the new message's id (fails the test unless it answered 201). */
export async function queued(inbox: Inbox, body: Record<string, unknown> = {}): Promise<string> {
  const res = await inbox.send(body);
  if (res.status !== 201) throw new Error(`M1 answered ${res.status}: ${JSON.stringify(res.body)}`);
  return String(res.body.messageData._id);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined/false, or fails after `ms`. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
}

/**
 * Runs the outbox as its poll would until the message leaves `queued`: drain, then let time pass
 * (`pass`, e.g. advance a manual clock by the longest backoff, or sleep). Bounded by `rounds`.
 */
export async function settle(
  outbox: Outbox,
  inbox: Inbox,
  id: string,
  pass: () => void | Promise<void>,
  rounds = 20,
): Promise<MessageFields> {
  for (let i = 0; i < rounds; i++) {
    await outbox.drain();
    const doc = await inbox.stored(id);
    if (doc.delivery_status !== 'queued') return doc;
    await pass();
  }
  throw new Error(`message ${id} still queued after ${rounds} outbox rounds`);
}

/**
 * An inbox and an outbox on one manual clock: a retry is due only when the test moves time.
 * `untilSettled` drains and moves the clock by the longest backoff until the message is final.
 */
export async function onManualClock(
  fake: FakeMetaBot,
  options: {
    env?: Record<string, string>;
    random?: () => number;
    page?: boolean;
    social?: { facebookId?: string; instagramId?: string };
  } = {},
) {
  const config = outboxConfig(fake, options.env);
  const clock = manualClock(new Date('2025-03-03T10:00:00Z'));
  const inbox = await createInbox(config, {
    clock,
    ...(options.page !== undefined ? { page: options.page } : {}),
    ...(options.social ? { social: options.social } : {}),
  });
  const outbox = outboxFor(config, { realtime: inbox.realtime, clock, ...(options.random ? { random: options.random } : {}) });
  const untilSettled = (id: string) => settle(outbox, inbox, id, () => clock.advance(config.outbox.retryMaxDelayMs));
  return { config, clock, inbox, outbox, untilSettled };
}
