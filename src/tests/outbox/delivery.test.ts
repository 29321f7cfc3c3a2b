/**
 * The outbox delivering queued operator messages to the fake Meta Bot until they are sent:
 * the contract's path and body per platform, the stored result and `message:status`, retries
 * with one idempotency key, Retry-After, lost responses, and the backoff schedule. Time is a
 * manual clock, so a retry is due only when a test moves it.
 */
import request from 'supertest';
import type { manualClock } from '../../utils/clock';
import { useTestDatabase } from '../helpers/database';
import { IGSID, MESSAGES, onManualClock, PAGE_TOKEN, PSID, queued, useFakeMetaBot, type Inbox } from './support';

useTestDatabase();

const fake = useFakeMetaBot();
let clock: ReturnType<typeof manualClock>;
let inbox: Inbox;

async function setup(env: Record<string, string> = {}, random?: () => number) {
  const world = await onManualClock(fake(), { env, ...(random ? { random } : {}) });
  ({ clock, inbox } = world);
  return world;
}

describe('when the Meta Bot accepts the message', () => {
  test('when a Facebook message is delivered, then it is stored sent once with the platform message id and one message:status sent is published', async () => {
    const { config, outbox, untilSettled } = await setup();
    const id = await queued(inbox);

    const doc = await untilSettled(id);

    expect(doc).toEqual(
      expect.objectContaining({
        delivery_status: 'sent',
        delivered: true,
        delivered_at: clock.now(),
        external_message_id: 'mid.1',
        delivery_attempts: 1,
      }),
    );
    expect(doc.delivery_error).toBeUndefined();
    expect(doc.delivery_lock_owner).toBeUndefined();
    expect(inbox.statusEvents(id)).toEqual([
      { conversationId: inbox.contactId, messageIds: [id], status: 'sent', timestamp: clock.now().toISOString() },
    ]);
    expect(fake().requests).toHaveLength(1);
    expect(fake().requests[0]!.headers['x-api-key']).toBe(config.internalApiKey);

    // Later polls find nothing to do: the message is never sent again.
    clock.advance(60_000);
    expect(await outbox.drain()).toBe(0);
    expect(fake().requests).toHaveLength(1);

    // The dashboard reads the final state through the API, without the outbox bookkeeping.
    const res = await request(inbox.app).get(`${MESSAGES}/${id}`).set(inbox.auth);
    expect(res.status).toBe(200);
    expect(res.body.message).toEqual(
      expect.objectContaining({ _id: id, delivery_status: 'sent', delivered: true, external_message_id: 'mid.1' }),
    );
    expect(res.body.message).not.toHaveProperty('delivery_key');
    expect(res.body.message).not.toHaveProperty('delivery_lock_owner');
  });

  test('when a Facebook message with attachments is delivered, then the Meta Bot gets the contract body on /chat/manual-facebook with the decrypted page token and no attachments', async () => {
    const { untilSettled } = await setup();
    const id = await queued(inbox, {
      content: '  See you at 3pm  ',
      attachments: [{ type: 'image', url: 'https://cdn.example.com/dog.jpg', file_description: 'the dog' }],
    });

    await untilSettled(id);

    expect(fake().requests).toHaveLength(1);
    const req = fake().requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/chat/manual-facebook');
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.body).toEqual({
      company_id: String(inbox.companyId),
      customer_id: inbox.contactId,
      platform: 'facebook',
      content: 'See you at 3pm',
      access_token: PAGE_TOKEN,
      customer_social_id: PSID,
      idempotency_key: req.key,
    });
    expect(req.headers['idempotency-key']).toEqual(expect.any(String));
  });

  test('when an Instagram message is delivered, then it goes to /chat/manual-instagram with the Instagram id and the same page token', async () => {
    const { untilSettled } = await setup();
    const id = await queued(inbox, { platform: 'instagram', content: 'Hi from the salon' });

    const doc = await untilSettled(id);

    expect(doc.delivery_status).toBe('sent');
    expect(fake().requests.map((r) => r.path)).toEqual(['/chat/manual-instagram']);
    expect(fake().requests[0]!.body).toEqual(
      expect.objectContaining({ platform: 'instagram', customer_social_id: IGSID, access_token: PAGE_TOKEN, content: 'Hi from the salon' }),
    );
    expect(fake().requests[0]!.body).not.toHaveProperty('attachments');
  });
});

describe('when the Meta Bot fails before it succeeds', () => {
  test('when the Meta Bot answers 500, 500 and then 200, then the message is sent after 3 attempts, every attempt carrying the same idempotency key', async () => {
    const { untilSettled } = await setup();
    fake().script(['error500', 'error500', 'ok']);
    const id = await queued(inbox);

    const doc = await untilSettled(id);

    expect(doc.delivery_status).toBe('sent');
    expect(doc.delivery_attempts).toBe(3);
    expect(doc.external_message_id).toBe('mid.1');
    expect(doc.delivery_error).toBeUndefined();
    expect(fake().requests.map((r) => r.step)).toEqual(['error500', 'error500', 'ok']);
    const keys = new Set(fake().requests.flatMap((r) => [r.key, r.headers['idempotency-key'], r.body.idempotency_key]));
    expect(keys.size).toBe(1);
    expect(doc.delivery_key).toBe(fake().requests[0]!.key);
    expect(fake().deliveries).toHaveLength(1);
    expect(inbox.statusEvents(id).map((e) => e.status)).toEqual(['sent']);
  });

  test('when the Meta Bot answers 429 with Retry-After: 0, then the retry is due at once (no backoff) and the message is sent', async () => {
    const { outbox } = await setup();
    fake().script(['rateLimited']);
    const id = await queued(inbox);

    // The clock does not move: only a retry scheduled "now" can run in this drain.
    await outbox.drain();

    const doc = await inbox.stored(id);
    expect(doc.delivery_status).toBe('sent');
    expect(doc.delivery_attempts).toBe(2);
    expect(fake().requests.map((r) => r.step)).toEqual(['rateLimited', 'ok']);
    expect(inbox.statusEvents(id).map((e) => e.status)).toEqual(['sent']);
  });

  test('when the first response never arrives and the attempt times out, then the retry uses the same key and the customer gets the message once', async () => {
    const { untilSettled } = await setup();
    fake().script(['hang']);
    const id = await queued(inbox);

    const doc = await untilSettled(id);

    expect(doc.delivery_status).toBe('sent');
    expect(doc.delivery_attempts).toBe(2);
    expect(fake().requests.map((r) => r.step)).toEqual(['hang', 'ok']);
    expect(fake().requests[1]!.key).toBe(fake().requests[0]!.key);
    // The receiver honours the key: one delivery, and its id is the one stored.
    expect(fake().deliveries).toHaveLength(1);
    expect(doc.external_message_id).toBe(fake().deliveries[0]!.messageId);
    expect(inbox.statusEvents(id).map((e) => e.status)).toEqual(['sent']);
  });

  test('when attempts keep failing, then each retry waits twice as long as the last, capped at OUTBOX_RETRY_MAX_DELAY_MS, and nothing is sent before it is due', async () => {
    // random() = 1 takes the top of the jitter range, so the delays are exactly base·2^(n-1).
    const { outbox } = await setup({ OUTBOX_MAX_ATTEMPTS: '6' }, () => 1);
    await fake().setMode('error500');
    const id = await queued(inbox);

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      await outbox.drain();
      expect(fake().requests).toHaveLength(attempt);
      const doc = await inbox.stored(id);
      expect(doc.delivery_status).toBe('queued');
      const delay = doc.delivery_next_attempt_at!.getTime() - clock.now().getTime();
      delays.push(delay);
      clock.advance(delay - 1);
      await outbox.drain();
      expect(fake().requests).toHaveLength(attempt);
      clock.advance(1);
    }
    expect(delays).toEqual([20, 40, 80, 100, 100]);
  });

  test('when jitter is drawn low, then the delay is half the exponential step', async () => {
    const { outbox } = await setup({}, () => 0);
    await fake().setMode('error500');
    const id = await queued(inbox);

    await outbox.drain();
    clock.advance(10);
    await outbox.drain();

    const doc = await inbox.stored(id);
    expect(fake().requests).toHaveLength(2);
    expect(doc.delivery_next_attempt_at!.getTime() - clock.now().getTime()).toBe(20);
  });
});
