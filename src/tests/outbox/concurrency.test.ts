/**
 * Several outbox workers on one database, as several processes would run them: every queued
 * message is delivered exactly once, a lease left by a crashed worker is taken over once it
 * expires (and not before), and a worker whose lease was taken over cannot change the result.
 */
import { Message } from '../../models/Message';
import { systemClock } from '../../utils/clock';
import { recordingRealtime } from '../../socket/realtime';
import type { MessageStatusEvent } from '../../socket/events/types';
import { useTestDatabase } from '../helpers/database';
import { createInbox, onManualClock, outboxConfig, outboxFor, queued, useFakeMetaBot, waitUntil, type Inbox } from './support';

useTestDatabase();

// A little latency keeps both workers busy at the same time.
const fake = useFakeMetaBot({ latencyMs: 15 });

const sentEvents = (realtime: ReturnType<typeof recordingRealtime>) =>
  realtime.events.filter((e) => e.event === 'message:status').map((e) => e.payload as MessageStatusEvent);

/** Puts a lease on the message as another worker's claim would. */
async function leaseHeldBy(inbox: Inbox, id: string, owner: string, until: Date) {
  await Message.updateOne(
    { _id: id, company_id: inbox.companyId },
    { $set: { delivery_lock_owner: owner, delivery_locked_until: until }, $inc: { delivery_attempts: 1 } },
  );
}

test('when two outbox processes drain 30 queued messages concurrently, then every message is delivered exactly once', async () => {
  // Small claim batches, so both workers get some of the 30 messages.
  const config = outboxConfig(fake(), { OUTBOX_CONCURRENCY: '8', OUTBOX_BATCH_SIZE: '4' });
  const inbox = await createInbox(config);
  const ids: string[] = [];
  for (let i = 0; i < 30; i++)
    ids.push(await queued(inbox, { content: `Reminder ${i}`, platform: i % 3 === 0 ? 'instagram' : 'facebook' }));
  const realtimeA = recordingRealtime();
  const realtimeB = recordingRealtime();
  const a = outboxFor(config, { realtime: realtimeA, clock: systemClock });
  const b = outboxFor(config, { realtime: realtimeB, clock: systemClock });

  const [byA, byB] = await Promise.all([a.drain(), b.drain()]);

  expect(byA + byB).toBe(30);
  expect(byA).toBeGreaterThan(0);
  expect(byB).toBeGreaterThan(0);
  const stored = await Message.find({ company_id: inbox.companyId }).lean();
  expect(stored).toHaveLength(30);
  expect(stored.every((m) => m.delivery_status === 'sent' && m.delivery_attempts === 1)).toBe(true);
  expect(new Set(stored.map((m) => m.external_message_id)).size).toBe(30);
  // The Meta Bot saw each message's key exactly once, and sent each message once.
  expect(fake().requests).toHaveLength(30);
  const keys = fake().requests.map((r) => r.key);
  expect(new Set(keys).size).toBe(30);
  expect(new Set(stored.map((m) => m.delivery_key))).toEqual(new Set(keys));
  expect(new Set(fake().deliveries.map((d) => d.body.content)).size).toBe(30);
  // One message:status sent per message, from whichever process delivered it.
  const events = [...sentEvents(realtimeA), ...sentEvents(realtimeB)];
  expect(events.every((e) => e.status === 'sent')).toBe(true);
  expect(events.flatMap((e) => e.messageIds).sort()).toEqual([...ids].sort());
  await Promise.all([a.stop(), b.stop()]);
});

test('when a crashed worker left an expired lease on a queued message, then another worker takes it over and delivers it', async () => {
  const { clock, inbox, outbox } = await onManualClock(fake());
  const id = await queued(inbox);
  await leaseHeldBy(inbox, id, 'crashed-worker', new Date(clock.now().getTime() - 1000));

  expect(await outbox.drain()).toBe(1);

  const doc = await inbox.stored(id);
  expect(doc.delivery_status).toBe('sent');
  expect(doc.delivery_attempts).toBe(2);
  expect(doc.delivery_lock_owner).toBeUndefined();
  expect(doc.delivery_locked_until).toBeUndefined();
  expect(fake().requests).toHaveLength(1);
  expect(inbox.statusEvents(id).map((e) => e.status)).toEqual(['sent']);
});

test('when another worker holds a live lease, then the message is left alone until the lease expires', async () => {
  const { clock, inbox, outbox } = await onManualClock(fake());
  const id = await queued(inbox);
  await leaseHeldBy(inbox, id, 'busy-worker', new Date(clock.now().getTime() + 30_000));

  expect(await outbox.drain()).toBe(0);
  expect(fake().requests).toHaveLength(0);
  expect(await inbox.stored(id)).toEqual(expect.objectContaining({ delivery_status: 'queued', delivery_lock_owner: 'busy-worker' }));

  clock.advance(30_001);
  expect(await outbox.drain()).toBe(1);
  expect((await inbox.stored(id)).delivery_status).toBe('sent');
  expect(fake().requests).toHaveLength(1);
});

test('when a worker whose lease expired mid-attempt finally gives up, then the message another worker sent stays sent and only sent is published', async () => {
  // One attempt allowed: the slow worker's timeout is its last chance, so it will try to fail the message.
  const world = await onManualClock(fake(), { env: { OUTBOX_MAX_ATTEMPTS: '1', META_BOT_TIMEOUT_MS: '1000' } });
  const { config, clock, inbox, outbox: slow } = world;
  const id = await queued(inbox);
  const fast = outboxFor(config, { realtime: inbox.realtime, clock });
  fake().script(['hang', 'ok']);

  const slowRun = slow.drain();
  try {
    await waitUntil(() => fake().requests.length === 1, 5000, 'the slow worker reaching the Meta Bot');
    // The slow worker's lease runs out while its request is still open.
    clock.advance(slow.leaseMs + 1000);
    expect(await fast.drain()).toBe(1);
    expect((await inbox.stored(id)).delivery_status).toBe('sent');
  } finally {
    await slowRun;
  }

  const doc = await inbox.stored(id);
  expect(doc.delivery_status).toBe('sent');
  expect(doc.delivery_error).toBeUndefined();
  expect(fake().deliveries).toHaveLength(1);
  expect(inbox.statusEvents(id).map((e) => e.status)).toEqual(['sent']);
});

test('when a worker is partway through a batch, then its lease still covers the messages it has not reached, so no other worker sends them too', async () => {
  // Four messages, one at a time, one second per attempt: the batch can take four attempts.
  const world = await onManualClock(fake(), {
    env: { OUTBOX_BATCH_SIZE: '4', OUTBOX_CONCURRENCY: '1', OUTBOX_MAX_ATTEMPTS: '1', META_BOT_TIMEOUT_MS: '1000' },
  });
  const { config, clock, inbox, outbox: slow } = world;
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await queued(inbox, { content: `Batch ${i}` }));
  const other = outboxFor(config, { realtime: inbox.realtime, clock });
  fake().script(['hang']);

  const slowRun = slow.drain();
  try {
    await waitUntil(() => fake().requests.length === 1, 5000, 'the first worker reaching the Meta Bot');
    // Past one attempt plus the margin, within the batch's lease.
    clock.advance(config.metaBot.timeoutMs + 31_000);
    expect(await other.drain()).toBe(0);
  } finally {
    // Even when an expectation failed, the first worker finishes before the database goes away.
    await slowRun;
  }

  // The message that hung gave up on its one attempt; the other three were each sent exactly once.
  const stored = await Promise.all(ids.map((id) => inbox.stored(id)));
  expect(stored.map((m) => m.delivery_status).sort()).toEqual(['failed', 'sent', 'sent', 'sent']);
  expect(fake().requests).toHaveLength(4);
  expect(new Set(fake().requests.map((r) => r.key)).size).toBe(4);
});
