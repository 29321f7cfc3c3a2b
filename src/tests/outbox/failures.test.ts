/**
 * Queued operator messages that cannot be delivered end `failed` with a reason the dashboard can
 * show, and exactly one `message:status failed`: retryable failures after OUTBOX_MAX_ATTEMPTS (or
 * OUTBOX_MAX_AGE_MS), the rest at once — some without calling the Meta Bot at all.
 */
import type { manualClock } from '../../utils/clock';
import { GRAPH_ERROR_DETAILS } from '../helpers/fakeMetaBot';
import { useTestDatabase } from '../helpers/database';
import { onManualClock, queued, useFakeMetaBot, type Inbox } from './support';

useTestDatabase();

const fake = useFakeMetaBot();
let clock: ReturnType<typeof manualClock>;
let inbox: Inbox;

async function setup(options: Parameters<typeof onManualClock>[1] = {}) {
  const world = await onManualClock(fake(), options);
  ({ clock, inbox } = world);
  return world;
}

/** The one final state of a failed message, as stored and as published. */
async function expectFailedOnce(id: string, error: string, attempts: number) {
  const doc = await inbox.stored(id);
  expect(doc).toEqual(
    expect.objectContaining({ delivery_status: 'failed', delivery_error: error, delivery_attempts: attempts, delivered: false }),
  );
  expect(doc.external_message_id).toBeUndefined();
  expect(doc.delivery_lock_owner).toBeUndefined();
  expect(doc.delivery_locked_until).toBeUndefined();
  expect(inbox.statusEvents(id)).toEqual([
    { conversationId: inbox.contactId, messageIds: [id], status: 'failed', error, timestamp: expect.any(String) },
  ]);
}

describe('when retries run out', () => {
  test('when the Meta Bot answers 500 every time, then the message fails after OUTBOX_MAX_ATTEMPTS with the Meta Bot error and details', async () => {
    const { outbox, untilSettled } = await setup();
    await fake().setMode('error500');
    const id = await queued(inbox);

    await untilSettled(id);

    await expectFailedOnce(
      id,
      `Gave up after 4 attempts: Meta Bot server error (500): Error in manual Facebook message send: ${GRAPH_ERROR_DETAILS}`,
      4,
    );
    expect(fake().requests).toHaveLength(4);
    expect(new Set(fake().requests.map((r) => r.key)).size).toBe(1);
    expect(fake().deliveries).toHaveLength(0);
    // A failed message is final: later polls leave it alone.
    clock.advance(60_000);
    await outbox.drain();
    expect(fake().requests).toHaveLength(4);
  });

  test('when every response is lost past META_BOT_TIMEOUT_MS, then the message fails after OUTBOX_MAX_ATTEMPTS as timed out', async () => {
    const { untilSettled } = await setup();
    await fake().setMode('hang');
    const id = await queued(inbox);

    await untilSettled(id);

    await expectFailedOnce(id, 'Gave up after 4 attempts: Meta Bot server timed out. Message forwarding failed.', 4);
    expect(fake().requests.map((r) => r.step)).toEqual(['hang', 'hang', 'hang', 'hang']);
    expect(new Set(fake().requests.map((r) => r.key)).size).toBe(1);
  });

  test('when the Meta Bot is down (connection refused), then the message fails after OUTBOX_MAX_ATTEMPTS as not reachable', async () => {
    const { untilSettled } = await setup();
    await fake().setMode('down');
    const id = await queued(inbox);

    await untilSettled(id);

    await expectFailedOnce(id, 'Gave up after 4 attempts: Meta Bot server is not reachable. Message forwarding failed.', 4);
    expect(fake().requests).toHaveLength(0);
  });

  test('when the message is older than OUTBOX_MAX_AGE_MS, then it fails after the current attempt although attempts remain', async () => {
    const { outbox } = await setup({ env: { OUTBOX_MAX_AGE_MS: '5000', OUTBOX_MAX_ATTEMPTS: '50' } });
    await fake().setMode('error500');
    const id = await queued(inbox);
    clock.advance(6000);

    await outbox.drain();

    expect(fake().requests).toHaveLength(1);
    await expectFailedOnce(
      id,
      `Gave up after 1 attempt: Meta Bot server error (500): Error in manual Facebook message send: ${GRAPH_ERROR_DETAILS}`,
      1,
    );
  });
});

describe('when the failure is not worth retrying', () => {
  test('when the Meta Bot answers 400, then the message fails at once after one attempt with the Meta Bot error text', async () => {
    const { untilSettled } = await setup();
    await fake().setMode('badRequest');
    const id = await queued(inbox);

    await untilSettled(id);

    await expectFailedOnce(id, 'Meta Bot client error (400): Missing required fields: content, access_token, or customer_social_id', 1);
    expect(fake().requests).toHaveLength(1);
  });

  test('when the company has no page access token, then the message fails at once without calling the Meta Bot', async () => {
    const { untilSettled } = await setup({ page: false });
    const id = await queued(inbox);

    await untilSettled(id);

    await expectFailedOnce(id, 'The company has no connected Facebook page (no page access token)', 1);
    expect(fake().requests).toHaveLength(0);
  });

  test('when the contact has no Instagram id, then an Instagram message fails at once without calling the Meta Bot', async () => {
    const { untilSettled } = await setup({ social: { facebookId: '24681357900001' } });
    const id = await queued(inbox, { platform: 'instagram' });

    await untilSettled(id);

    await expectFailedOnce(id, 'Contact instagram ID not found', 1);
    expect(fake().requests).toHaveLength(0);
  });

  test('when the contact has no Facebook id, then a Facebook message fails at once without calling the Meta Bot', async () => {
    const { untilSettled } = await setup({ social: { instagramId: '17841400000000002' } });
    const id = await queued(inbox);

    await untilSettled(id);

    await expectFailedOnce(id, 'Contact facebook ID not found', 1);
    expect(fake().requests).toHaveLength(0);
  });
});
