/**
 * The per-contact conversation summaries behind the inbox list: every write that changes a
 * conversation (ingest, operator messages, mark-read by route or socket, update, delete) keeps its
 * summary equal to what the messages say, also when they race; a database written before
 * summaries existed gets them from the rebuild.
 */
import mongoose, { Types } from 'mongoose';
import request from 'supertest';
import { MIGRATIONS, checkMigrations, pendingMigrations, runMigrations } from '../../migrations';
import { Conversation } from '../../models/Conversation';
import { Message } from '../../models/Message';
import { rebuildConversationSummaries } from '../../services/conversationSummary.service';
import { markReadByIds } from '../../services/message.service';
import { bearer, companyWithStaff } from '../factories/accounts';
import { createContact, createMessage } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';
import { CONVERSATIONS, MESSAGES, inboxApp, type Co } from './support';

useTestDatabase();

const { app, config } = inboxApp();
let co: Co;
beforeEach(async () => {
  co = await companyWithStaff(config);
});

const asManager = () => bearer(co.users.manager.token);
const ingest = (body: Record<string, unknown>) =>
  request(app)
    .post('/api/v1/internal/messages')
    .set('x-api-key', config.internalApiKey)
    .send({ company_id: String(co.companyId), platform: 'instagram', customer_social_id: 'IG-1', ...body });
const list = async (body: Record<string, unknown> = {}) => {
  const res = await request(app)
    .post(`${CONVERSATIONS}/list`)
    .set(asManager())
    .send({ platform: 'all', ...body });
  expect(res.status).toBe(200);
  return res.body as {
    conversations: { contactId: string; unreadCount: number; latestMessage: { _id: string; content: string } }[];
    totalConversations: number;
  };
};

/** The company's summaries as stored, without their ids (an unread count of 0 is the same as none). */
async function summaries() {
  const docs = await Conversation.find({ companyId: co.companyId }).sort({ contactId: 1 }).lean();
  return docs.map(({ _id, unread, ...rest }) => ({
    ...rest,
    unread: Object.fromEntries(Object.entries(unread ?? {}).filter(([, n]) => n !== 0)),
  }));
}

/** The summaries are exactly what a rebuild from the messages gives. */
async function expectConsistent(): Promise<void> {
  const kept = await summaries();
  await rebuildConversationSummaries({ companyId: co.companyId });
  expect(kept).toEqual(await summaries());
}

describe('kept with every write', () => {
  test('when messages arrive out of order, then the newest by created_at is the latest and unread counts every inbound one', async () => {
    await ingest({ external_message_id: 'm2', content: 'second', created_at: '2025-05-01T10:00:02.000Z' });
    await ingest({ external_message_id: 'm1', content: 'first', created_at: '2025-05-01T10:00:01.000Z' });
    const { conversations } = await list();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toEqual(
      expect.objectContaining({ unreadCount: 2, latestMessage: expect.objectContaining({ content: 'second' }) }),
    );
    await expectConsistent();
  });

  test('when the latest message is deleted, then the one before takes its place; when the last is deleted, the conversation is gone', async () => {
    const contact = await createContact(co.companyId);
    const older = await createMessage(co.companyId, contact._id, { content: 'older', at: new Date('2025-01-01T00:00:00Z') });
    const newer = await createMessage(co.companyId, contact._id, { content: 'newer', at: new Date('2025-01-02T00:00:00Z') });
    const del = (id: Types.ObjectId) =>
      request(app)
        .delete(`${MESSAGES}/delete`)
        .set(asManager())
        .send({ _id: String(id) });
    expect((await del(newer._id)).status).toBe(200);
    expect((await list()).conversations[0]).toEqual(
      expect.objectContaining({ unreadCount: 1, latestMessage: expect.objectContaining({ content: 'older' }) }),
    );
    await expectConsistent();
    expect((await del(older._id)).status).toBe(200);
    expect(await list()).toEqual(expect.objectContaining({ conversations: [], totalConversations: 0 }));
    expect(await summaries()).toEqual([]);
  });

  test('when a message is marked read or unread through update, then the unread count follows', async () => {
    const contact = await createContact(co.companyId);
    const m = await createMessage(co.companyId, contact._id);
    const update = (read: boolean) =>
      request(app)
        .put(`${MESSAGES}/update`)
        .set(asManager())
        .send({ _id: String(m._id), read });
    await update(true);
    expect((await list()).conversations[0]?.unreadCount).toBe(0);
    await update(false);
    expect((await list()).conversations[0]?.unreadCount).toBe(1);
    await update(false);
    expect((await list()).conversations[0]?.unreadCount).toBe(1);
    await expectConsistent();
  });

  test('when mark-read names one platform, then only that platform is read; without one, all are', async () => {
    const contact = await createContact(co.companyId);
    await createMessage(co.companyId, contact._id, { platform: 'facebook' });
    await createMessage(co.companyId, contact._id, { platform: 'instagram' });
    const mark = (body: Record<string, unknown>) =>
      request(app)
        .post(`${CONVERSATIONS}/mark-read`)
        .set(asManager())
        .send({ contactId: String(contact._id), ...body });
    await mark({ platform: 'facebook' });
    expect((await list()).conversations[0]?.unreadCount).toBe(1);
    expect((await list({ platform: 'instagram' })).conversations[0]?.unreadCount).toBe(1);
    expect((await list({ platform: 'facebook' })).conversations[0]?.unreadCount).toBe(0);
    await mark({});
    expect((await list()).conversations[0]?.unreadCount).toBe(0);
    await expectConsistent();
  });

  test('when an operator replies, then the reply is the latest and nothing becomes unread', async () => {
    const contact = await createContact(co.companyId);
    await createMessage(co.companyId, contact._id, { platform: 'web', at: new Date('2025-01-01T00:00:00Z') });
    const res = await request(app)
      .post(MESSAGES)
      .set(asManager())
      .send({
        company_id: String(co.companyId),
        contact_id: String(contact._id),
        role: 'operator',
        platform: 'web',
        content: 'on it',
        direction: 'outbound',
      });
    expect(res.status).toBe(201);
    expect((await list()).conversations[0]).toEqual(
      expect.objectContaining({ unreadCount: 1, latestMessage: expect.objectContaining({ content: 'on it' }) }),
    );
    await expectConsistent();
  });
});

describe('under concurrency', () => {
  test('when ingest, operator replies, mark-read (route and socket) and deletes race on the same conversations, then every summary equals the messages', async () => {
    const contacts = await Promise.all([1, 2, 3].map(() => createContact(co.companyId)));
    const seeded = await Promise.all(contacts.flatMap((c) => [0, 1, 2].map(() => createMessage(co.companyId, c._id))));
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 24; i++) {
      const c = contacts[i % 3]!;
      ops.push(
        request(app)
          .post('/api/v1/internal/messages')
          .set('x-api-key', config.internalApiKey)
          .send({
            company_id: String(co.companyId),
            platform: i % 2 ? 'facebook' : 'web',
            contact_id: String(c._id),
            external_message_id: `race-${i}`,
            content: `in ${i}`,
          }),
      );
      if (i % 3 === 0)
        ops.push(
          request(app)
            .post(`${CONVERSATIONS}/mark-read`)
            .set(asManager())
            .send({ contactId: String(c._id) }),
        );
      if (i % 4 === 0)
        ops.push(
          request(app)
            .post(MESSAGES)
            .set(asManager())
            .send({
              company_id: String(co.companyId),
              contact_id: String(c._id),
              role: 'operator',
              platform: 'web',
              content: `out ${i}`,
              direction: 'outbound',
            }),
        );
      if (i % 5 === 0)
        ops.push(
          markReadByIds(
            co.companyId,
            String(c._id),
            seeded.map((m) => String(m._id)),
            new Date(),
          ),
        );
      if (i < seeded.length && i % 2 === 0)
        ops.push(
          request(app)
            .delete(`${MESSAGES}/delete`)
            .set(asManager())
            .send({ _id: String(seeded[i]!._id) }),
        );
    }
    const results = await Promise.allSettled(ops);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const r of results)
      if (r.status === 'fulfilled' && r.value && typeof r.value === 'object' && 'status' in r.value)
        expect((r.value as { status: number }).status).toBeLessThan(300);
    await expectConsistent();
    const { conversations, totalConversations } = await list();
    expect(totalConversations).toBe(3);
    const unread = await Message.countDocuments({ company_id: co.companyId, direction: 'inbound', read: { $ne: true } });
    expect(conversations.reduce((n, c) => n + c.unreadCount, 0)).toBe(unread);
  });
});

describe('rebuild for an existing database', () => {
  test('when messages were written without summaries, then the rebuild lists them as the old aggregation did', async () => {
    const a = await createContact(co.companyId, { fullName: 'Ann' });
    const b = await createContact(co.companyId, { fullName: 'Bob' });
    const raw = (contactId: Types.ObjectId, at: string, extra: Record<string, unknown> = {}) => ({
      _id: new Types.ObjectId(),
      company_id: co.companyId,
      contact_id: contactId,
      role: 'user',
      platform: 'facebook',
      content: `at ${at}`,
      direction: 'inbound',
      read: false,
      delivered: false,
      created_at: new Date(at),
      updated_at: new Date(at),
      ...extra,
    });
    // As an older version (or the Meta Bot) wrote them: straight into the collection.
    await mongoose.connection
      .db!.collection('messages')
      .insertMany([
        raw(a._id, '2025-01-01T00:00:00Z'),
        raw(a._id, '2025-01-03T00:00:00Z', { read: true }),
        raw(b._id, '2025-01-02T00:00:00Z'),
        raw(b._id, '2025-01-02T00:00:01Z', { direction: 'outbound', role: 'operator' }),
      ]);
    expect((await list()).conversations).toEqual([]);
    expect(await rebuildConversationSummaries()).toEqual({ conversations: 2, messages: 4 });
    const { conversations, totalConversations } = await list();
    expect(totalConversations).toBe(2);
    expect(conversations.map((c) => [c.contactId, c.unreadCount, c.latestMessage.content])).toEqual([
      [String(a._id), 1, 'at 2025-01-03T00:00:00Z'],
      [String(b._id), 1, 'at 2025-01-02T00:00:01Z'],
    ]);
    // Idempotent.
    const once = await summaries();
    await rebuildConversationSummaries();
    expect(await summaries()).toEqual(once);
  });

  test('when the server starts on a fresh database, then the summaries migration is recorded as not needed; with legacy messages, it is reported', async () => {
    expect(await checkMigrations()).toEqual([]);
    expect(await pendingMigrations()).toEqual([]);
    await mongoose.connection.db!.collection('migrations').deleteMany({});
    await createMessage(co.companyId, (await createContact(co.companyId))._id);
    expect(await checkMigrations()).toEqual(['2026-12-05-conversation-summaries']);
  });

  test('when npm run migrate runs, then it builds the summaries once and records it; a second run has nothing to do', async () => {
    const contact = await createContact(co.companyId);
    await mongoose.connection.db!.collection('messages').insertOne({
      company_id: co.companyId,
      contact_id: contact._id,
      role: 'user',
      platform: 'whatsapp',
      content: 'legacy',
      direction: 'inbound',
      read: false,
      created_at: new Date('2025-02-01T00:00:00Z'),
    });
    expect(await pendingMigrations()).toContain('2026-12-05-conversation-summaries');
    const lines: string[] = [];
    expect(await runMigrations((l) => lines.push(l))).toBe(MIGRATIONS.length);
    expect(lines.join('\n')).toContain('1 conversations from 1 messages');
    expect((await list()).conversations.map((c) => c.latestMessage.content)).toEqual(['legacy']);
    expect(await pendingMigrations()).toEqual([]);
    expect(await runMigrations(() => undefined)).toBe(0);
  });
});
