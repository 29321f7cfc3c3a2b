/**
 * M1 (POST /api/v1/messages) with the outbox wired as server.ts wires it: the message is saved
 * `queued` and answered 201 at once (contract README decision 2, B-5), whatever the Meta Bot
 * does; the kick delivers it without waiting for the poll.
 */
import { Message } from '../../models/Message';
import type { Outbox } from '../../services/outbox.service';
import { systemClock } from '../../utils/clock';
import { useTestDatabase } from '../helpers/database';
import { createInbox, outboxConfig, outboxFor, settle, sleep, useFakeMetaBot, waitUntil, type Inbox } from './support';

useTestDatabase();

const fake = useFakeMetaBot();
let outbox: Outbox | undefined;
afterEach(async () => {
  await outbox?.stop();
  outbox = undefined;
});

/** An inbox whose M1 kicks a real outbox (system clock), as in the running process. */
async function wiredInbox(env: Record<string, string> = {}): Promise<{ inbox: Inbox; outbox: Outbox; timeoutMs: number }> {
  const config = outboxConfig(fake(), env);
  const inbox = await createInbox(config, { kickOutbox: () => outbox?.kick() });
  const box = outboxFor(config, { realtime: inbox.realtime, clock: systemClock });
  outbox = box;
  return { inbox, outbox: box, timeoutMs: config.metaBot.timeoutMs };
}

test('when the Meta Bot hangs, then M1 still answers 201 with forwarding queued before the delivery attempt can end', async () => {
  const { inbox, outbox: box, timeoutMs } = await wiredInbox({ META_BOT_TIMEOUT_MS: '3000' });
  await fake().setMode('hang');

  const started = Date.now();
  const res = await inbox.send();
  const elapsed = Date.now() - started;

  expect(res.status).toBe(201);
  expect(elapsed).toBeLessThan(timeoutMs);
  expect(res.body).toEqual({
    message: 'Message created successfully',
    messageData: expect.objectContaining({ role: 'operator', direction: 'outbound', delivery_status: 'queued', delivered: false }),
    forwarding: expect.objectContaining({ status: 'queued', platform: 'facebook' }),
    warning: null,
  });
  expect(res.body.messageData).not.toHaveProperty('delivery_key');
  const id = String(res.body.messageData._id);

  // The kick did start a delivery, and it is still hanging while the client already has its 201.
  await waitUntil(() => fake().requests.length === 1, timeoutMs - 500, 'the kicked delivery reaching the Meta Bot');
  expect(fake().hanging()).toBe(1);
  expect((await inbox.stored(id)).delivery_status).toBe('queued');

  // Once the Meta Bot recovers, the timed-out attempt is retried and the message is sent.
  await fake().setMode('ok');
  const doc = await settle(box, inbox, id, () => sleep(50), 200);
  expect(doc.delivery_status).toBe('sent');
  expect(fake().deliveries).toHaveLength(1);
});

test('when the Meta Bot is up, then the kick from M1 delivers the message without the poll', async () => {
  const { inbox } = await wiredInbox();

  const res = await inbox.send();
  expect(res.status).toBe(201);
  const id = String(res.body.messageData._id);

  const doc = await waitUntil(
    async () => {
      const d = await inbox.stored(id);
      return d.delivery_status === 'sent' ? d : undefined;
    },
    5000,
    'the kicked delivery',
  );
  expect(doc.external_message_id).toBe('mid.1');
  expect(inbox.statusEvents(id).map((e) => e.status)).toEqual(['sent']);
});

test('when M1 queues a message, then message:new is published at once with the queued state', async () => {
  const { inbox } = await wiredInbox();
  await fake().setMode('down');

  const res = await inbox.send({ content: 'Booked for Friday' });

  expect(res.status).toBe(201);
  const news = inbox.realtime.events.filter((e) => e.event === 'message:new');
  expect(news).toEqual([
    {
      event: 'message:new',
      companyId: String(inbox.companyId),
      payload: {
        conversationId: inbox.contactId,
        message: expect.objectContaining({
          id: res.body.messageData._id,
          content: 'Booked for Friday',
          direction: 'outbound',
          delivered: false,
          deliveryStatus: 'queued',
        }),
      },
    },
  ]);
});

test('when an operator message goes to a platform the Meta Bot does not serve, then it is saved without delivery state and the Meta Bot is never called', async () => {
  const { inbox, outbox: box } = await wiredInbox();

  const res = await inbox.send({ platform: 'web' });

  expect(res.status).toBe(201);
  expect(res.body.forwarding).toBeNull();
  const id = String(res.body.messageData._id);
  await box.drain();
  const doc = await inbox.stored(id);
  expect(doc.delivery_status).toBeUndefined();
  expect(fake().requests).toHaveLength(0);
  expect(inbox.statusEvents(id)).toEqual([]);
});

test('when M1 is refused (not an operator message), then nothing is queued and the Meta Bot is never called', async () => {
  const { inbox, outbox: box } = await wiredInbox();

  const res = await inbox.send({ role: 'user', direction: 'inbound' });

  expect(res.status).toBe(403);
  await box.drain();
  expect(await Message.countDocuments({ company_id: inbox.companyId })).toBe(0);
  expect(fake().requests).toHaveLength(0);
});
