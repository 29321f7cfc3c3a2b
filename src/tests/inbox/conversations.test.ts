/**
 * C1–C4: the conversation list (latest message, unread count over the listed platforms, real
 * total, pagination), a conversation's newest messages with a `before` cursor, mark read with
 * message:status, and the bot suspension rules.
 */
import mongoose, { type Types } from 'mongoose';
import request from 'supertest';
import { Contact } from '../../models/Contact';
import { Message } from '../../models/Message';
import { bearer, companyWithStaff } from '../factories/accounts';
import { createChat, createContact, createMessage } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';
import { asJson, CONTACT_NOT_FOUND, CONVERSATIONS, inboxApp, validationError, type Co } from './support';

useTestDatabase();

const { app, config, realtime } = inboxApp();
let co: Co;

beforeEach(async () => {
  realtime.events.length = 0;
  co = await companyWithStaff(config);
});

const post = (path: string, body: Record<string, unknown>) =>
  request(app).post(`${CONVERSATIONS}${path}`).set(bearer(co.users.manager.token)).send(body);
const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 9, minute));
const ids = (list: { contactId?: string; _id?: string }[]) => list.map((c) => c.contactId ?? c._id);

describe('C1 list', () => {
  async function inbox() {
    const suspendUntil = new Date(Date.now() + 86_400_000);
    const anna = await createContact(co.companyId, {
      fullName: 'Anna Adams',
      email: 'anna@example.com',
      phone: '+15550001',
      profileName: 'Anna A',
      leadStage: 'qualified',
      botSuspended: true,
      botSuspendUntil: suspendUntil,
    });
    await createMessage(co.companyId, anna._id, { platform: 'facebook', read: true, at: at(0) });
    await createMessage(co.companyId, anna._id, { platform: 'facebook', at: at(1) });
    await createMessage(co.companyId, anna._id, { platform: 'instagram', at: at(2) });
    await createMessage(co.companyId, anna._id, { platform: 'telegram', at: at(3) });
    const annaLatest = await createMessage(co.companyId, anna._id, { platform: 'facebook', direction: 'outbound', at: at(4) });
    const ben = await createContact(co.companyId, { fullName: null, profileName: 'Ben P', socialNetworkName: 'ben.p' });
    await createMessage(co.companyId, ben._id, { platform: 'web', at: at(5) });
    const cara = await createContact(co.companyId, { fullName: null, socialNetworkName: 'cara.ig', contactStatus: 'customer' });
    await createMessage(co.companyId, cara._id, { platform: 'instagram', direction: 'outbound', at: at(6) });
    const nobody = await createContact(co.companyId, { fullName: null });
    await createMessage(co.companyId, nobody._id, { platform: 'whatsapp', at: at(7) });
    const blank = await createContact(co.companyId, { fullName: '', profileName: 'Zed' });
    await createMessage(co.companyId, blank._id, { platform: 'other', read: true, at: at(8) });
    return { anna, annaLatest, ben, cara, nobody, blank };
  }

  test('when no platform is given, then every platform is listed, newest first, with the contact fields and name rule', async () => {
    const { anna, annaLatest, ben, cara, nobody, blank } = await inbox();
    const res = await post('/list', { company_id: String(co.companyId) });
    expect(res.status).toBe(200);
    expect(ids(res.body.conversations)).toEqual([blank, nobody, cara, ben, anna].map((c) => String(c._id)));
    expect(res.body).toMatchObject({ total: 5, totalConversations: 5, hasMore: false, limit: 50, skip: 0 });
    expect(res.body.conversations.map((c: { name: string }) => c.name)).toEqual(['', 'Unknown', 'cara.ig', 'Ben P', 'Anna Adams']);
    expect(res.body.conversations[4]).toEqual({
      contactId: String(anna._id),
      contactStatus: 'lead',
      fullName: 'Anna Adams',
      email: 'anna@example.com',
      phone: '+15550001',
      social: asJson(anna.social),
      profile: { name: 'Anna A' },
      botSuspended: true,
      botSuspendUntil: anna.botSuspendUntil!.toISOString(),
      leadStage: 'qualified',
      name: 'Anna Adams',
      latestMessage: asJson({
        _id: annaLatest._id,
        content: annaLatest.content,
        created_at: annaLatest.created_at,
        direction: 'outbound',
        read: false,
        delivered: false,
      }),
      platform: 'facebook',
      lastMessageAt: at(4).toISOString(),
      unreadCount: 3,
    });
    expect(res.body.conversations[2]).toMatchObject({ contactStatus: 'customer', socialNetworkName: 'cara.ig', unreadCount: 0 });
    expect(res.body.conversations[2]).not.toHaveProperty('email');
    expect(res.body.conversations[2]).not.toHaveProperty('fullName');
  });

  test('when platform is all, then the answer equals the one without a platform', async () => {
    await inbox();
    const all = await post('/list', { platform: 'all' });
    const omitted = await post('/list', {});
    expect(all.status).toBe(200);
    expect(all.body).toEqual(omitted.body);
  });

  test('when one platform is given, then only its conversations, latest message and unread messages count', async () => {
    const { anna, cara } = await inbox();
    const fb = await post('/list', { platform: 'facebook' });
    expect(ids(fb.body.conversations)).toEqual([String(anna._id)]);
    expect(fb.body.conversations[0]).toMatchObject({ platform: 'facebook', unreadCount: 1, lastMessageAt: at(4).toISOString() });
    const ig = await post('/list', { platform: 'instagram' });
    expect(ids(ig.body.conversations)).toEqual([cara, anna].map((c) => String(c._id)));
    expect(ig.body.conversations[1]).toMatchObject({ platform: 'instagram', unreadCount: 1, lastMessageAt: at(2).toISOString() });
  });

  test('when limit and skip page through 5 conversations, then total is the page size and totalConversations the real total', async () => {
    const contacts: Types.ObjectId[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await createContact(co.companyId);
      await createMessage(co.companyId, c._id, { at: at(10 + i) });
      contacts.unshift(c._id);
    }
    const pages = [];
    for (const skip of [0, 2, 4]) pages.push((await post('/list', { limit: 2, skip })).body);
    expect(pages.map((p) => [p.total, p.totalConversations, p.hasMore, p.skip, p.limit])).toEqual([
      [2, 5, true, 0, 2],
      [2, 5, true, 2, 2],
      [1, 5, false, 4, 2],
    ]);
    expect(pages.flatMap((p) => ids(p.conversations))).toEqual(contacts.map(String));
  });

  test('when 20 conversations are listed, then a fixed handful of queries reads every latest message and unread count (no query per conversation, no aggregation over messages)', async () => {
    for (let i = 0; i < 20; i++) {
      const c = await createContact(co.companyId);
      await createMessage(co.companyId, c._id, { at: at(i), read: true });
      await createMessage(co.companyId, c._id, { at: at(i) });
      await createMessage(co.companyId, c._id, { at: at(i) });
    }
    const calls: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => void calls.push(`${collection}.${method}`));
    try {
      const res = await post('/list', { limit: 50 });
      expect(res.status).toBe(200);
      expect(res.body.conversations).toHaveLength(20);
      expect(res.body.conversations.map((c: { unreadCount: number }) => c.unreadCount)).toEqual(Array(20).fill(2));
    } finally {
      mongoose.set('debug', false);
    }
    expect(calls.filter((c) => !c.startsWith('users.')).sort()).toEqual([
      'contacts.find',
      'conversations.countDocuments',
      'conversations.find',
      'messages.find',
    ]);
  });

  test('when a message points at a contact of another company or at no contact, then that conversation is not listed', async () => {
    const other = await companyWithStaff(config);
    const foreign = await createContact(other.companyId, { fullName: 'Foreign Contact' });
    const gone = await createContact(co.companyId);
    await Contact.deleteOne({ _id: gone._id, companyId: co.companyId });
    await createMessage(co.companyId, foreign._id, { at: at(1) });
    await createMessage(co.companyId, gone._id, { at: at(2) });
    const mine = await createContact(co.companyId);
    await createMessage(co.companyId, mine._id, { at: at(0) });
    const res = await post('/list', {});
    expect(ids(res.body.conversations)).toEqual([String(mine._id)]);
    expect(res.body.totalConversations).toBe(1);
    expect(JSON.stringify(res.body)).not.toContain('Foreign Contact');
  });

  test.each([
    ['platform', { platform: 'sms' }],
    ['limit', { limit: 500 }],
    ['skip', { skip: 'x' }],
  ])('when %s is invalid, then 400 VALIDATION_ERROR', async (field, body) => {
    const res = await post('/list', body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError(field));
  });
});

describe('C2 messages', () => {
  type Page = { messages: { _id: string; created_at: string }[]; hasMore: boolean; nextBefore: string | null; totalMessages: number };

  test('when a chat has 120 messages, then pages of 50, 50 and 20 come newest first, each ascending, with no gap or duplicate', async () => {
    const contact = await createContact(co.companyId);
    // Three messages share each timestamp, so the cursor has to break ties.
    const chat = await createChat(co.companyId, contact._id, 120, { sameTimeEvery: 3 });
    const pages: Page[] = [];
    let before: string | undefined;
    do {
      const res = await post('/messages', { contactId: String(contact._id), ...(before ? { before } : {}) });
      expect(res.status).toBe(200);
      pages.push(res.body as Page);
      before = res.body.nextBefore ?? undefined;
    } while (before && pages.length < 5);
    expect(pages.map((p) => [p.messages.length, p.hasMore, p.totalMessages])).toEqual([
      [50, true, 120],
      [50, true, 120],
      [20, false, 120],
    ]);
    expect(pages.map((p) => p.nextBefore)).toEqual([pages[0]!.messages[0]!._id, pages[1]!.messages[0]!._id, null]);
    const all = [...pages].reverse().flatMap((p) => p.messages.map((m) => m._id));
    expect(all).toEqual(chat.map((m) => String(m._id)));
  });

  test('when limit is given, then the newest messages come in ascending order with the message fields', async () => {
    const contact = await createContact(co.companyId);
    const chat = await createChat(co.companyId, contact._id, 6);
    const res = await post('/messages', { contactId: String(contact._id), limit: 2 });
    expect(res.body).toMatchObject({ totalMessages: 6, limit: 2, skip: 0, hasMore: true, nextBefore: String(chat[4]!._id) });
    expect(res.body.messages).toEqual([
      expect.objectContaining(asJson({ ...chat[4]!, attachments: [] }) as object),
      expect.objectContaining(asJson({ ...chat[5]!, attachments: [] }) as object),
    ]);
  });

  test('when before is an ISO date, then only older messages are returned', async () => {
    const contact = await createContact(co.companyId);
    const chat = await createChat(co.companyId, contact._id, 30);
    const res = await post('/messages', { contactId: String(contact._id), before: chat[10]!.created_at.toISOString() });
    expect(res.status).toBe(200);
    expect(ids(res.body.messages)).toEqual(chat.slice(0, 10).map((m) => String(m._id)));
    expect(res.body).toMatchObject({ hasMore: false, nextBefore: null });
  });

  test('when a platform is given, then only that platform is returned and counted', async () => {
    const contact = await createContact(co.companyId);
    await createMessage(co.companyId, contact._id, { platform: 'facebook', at: at(1) });
    const ig = await createMessage(co.companyId, contact._id, { platform: 'instagram', at: at(2) });
    const res = await post('/messages', { contactId: String(contact._id), platform: 'instagram' });
    expect(ids(res.body.messages)).toEqual([String(ig._id)]);
    expect(res.body.totalMessages).toBe(1);
  });

  test('when the contact is unknown, then 404 Contact not found; when contactId is not an id, then 400', async () => {
    const missing = await post('/messages', { contactId: '65a000000000000000000001' });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(CONTACT_NOT_FOUND);
    const invalid = await post('/messages', { contactId: 'abc' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual(validationError('contactId'));
  });
});

describe('C3 mark-read', () => {
  test('when a conversation is marked read, then its unread inbound messages are read and message:status names them', async () => {
    const contact = await createContact(co.companyId);
    const other = await createContact(co.companyId);
    const a = await createMessage(co.companyId, contact._id, { at: at(1) });
    const b = await createMessage(co.companyId, contact._id, { platform: 'instagram', at: at(2) });
    const out = await createMessage(co.companyId, contact._id, { direction: 'outbound', at: at(3) });
    const elsewhere = await createMessage(co.companyId, other._id, { at: at(4) });
    const res = await post('/mark-read', { contactId: String(contact._id) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Messages marked as read', matched: 2, modified: 2 });
    const read = async (id: Types.ObjectId) => (await Message.findOne({ _id: id, company_id: co.companyId }).lean())!.read;
    expect([await read(a._id), await read(b._id), await read(out._id), await read(elsewhere._id)]).toEqual([true, true, false, false]);
    expect(realtime.events).toHaveLength(1);
    expect(realtime.events[0]).toEqual({
      event: 'message:status',
      companyId: String(co.companyId),
      payload: {
        conversationId: String(contact._id),
        messageIds: expect.arrayContaining([String(a._id), String(b._id)]),
        status: 'read',
        userId: String(co.users.manager.userId),
        timestamp: expect.any(String),
      },
    });
    const again = await post('/mark-read', { contactId: String(contact._id) });
    expect(again.body).toEqual({ message: 'Messages marked as read', matched: 0, modified: 0 });
  });
});

describe('C4 toggle-bot-suspended', () => {
  const future = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
  const toggle = (contactId: Types.ObjectId, extra: Record<string, unknown> = {}) =>
    post('/toggle-bot-suspended', { contactId: String(contactId), contactType: 'lead', ...extra });
  const stored = async (id: Types.ObjectId) => Contact.findOne({ _id: id, companyId: co.companyId }).lean();

  test('when botSuspended is true, then the bot is suspended and stays so on a second call', async () => {
    const c = await createContact(co.companyId);
    const res = await toggle(c._id, { botSuspended: true });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      message: 'Bot suspended successfully',
      botSuspended: true,
      botSuspendUntil: null,
      contactId: String(c._id),
      contactStatus: 'lead',
    });
    expect((await toggle(c._id, { botSuspended: true })).body.botSuspended).toBe(true);
    expect(await stored(c._id)).toMatchObject({ botSuspended: true });
  });

  test('when botSuspended is absent, then the state toggles each time', async () => {
    const c = await createContact(co.companyId, { contactStatus: 'customer' });
    const first = await toggle(c._id);
    const second = await toggle(c._id);
    expect([first.body.botSuspended, second.body.botSuspended]).toEqual([true, false]);
    expect(second.body).toMatchObject({ message: 'Bot resumed successfully', contactStatus: 'customer' });
    expect((await stored(c._id))!.botSuspended).toBe(false);
  });

  test('when two toggles arrive at once, then both apply and they do not cancel each other out', async () => {
    const c = await createContact(co.companyId);
    const results = await Promise.all([toggle(c._id), toggle(c._id)]);
    expect(results.map((r) => r.body.botSuspended).sort()).toEqual([false, true]);
    expect((await stored(c._id))!.botSuspended).toBe(false);
  });

  test.each([['true'], [1], [null]])('when botSuspended is %p, then 400 VALIDATION_ERROR and the contact is unchanged', async (value) => {
    const c = await createContact(co.companyId);
    const res = await toggle(c._id, { botSuspended: value });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError('botSuspended'));
    expect((await stored(c._id))!.botSuspended).toBe(false);
  });

  test('when botSuspendUntil is a future date, then it is stored and returned', async () => {
    const c = await createContact(co.companyId);
    const until = future();
    const res = await toggle(c._id, { botSuspended: true, botSuspendUntil: until });
    expect(res.body).toMatchObject({ botSuspended: true, botSuspendUntil: until });
    expect((await stored(c._id))!.botSuspendUntil!.toISOString()).toBe(until);
  });

  test.each([
    ['in the past', '2020-01-01T00:00:00.000Z'],
    ['unparseable', 'next tuesday-ish'],
    ['null', null],
  ])('when botSuspendUntil is %s, then it is stored as null', async (_what, value) => {
    const c = await createContact(co.companyId, { botSuspended: true, botSuspendUntil: new Date(future()) });
    const res = await toggle(c._id, { botSuspended: true, botSuspendUntil: value });
    expect(res.status).toBe(200);
    expect(res.body.botSuspendUntil).toBeNull();
    expect((await stored(c._id))!.botSuspendUntil ?? null).toBeNull();
  });

  test('when botSuspendUntil is absent while suspending, then the stored date is kept', async () => {
    const until = future();
    const c = await createContact(co.companyId, { botSuspended: true, botSuspendUntil: new Date(until) });
    const res = await toggle(c._id, { botSuspended: true });
    expect(res.body.botSuspendUntil).toBe(until);
    expect((await stored(c._id))!.botSuspendUntil!.toISOString()).toBe(until);
  });

  test('when the bot is resumed, then botSuspendUntil is cleared even if a date is sent', async () => {
    const c = await createContact(co.companyId, { botSuspended: true, botSuspendUntil: new Date(future()) });
    const res = await toggle(c._id, { botSuspended: false, botSuspendUntil: future() });
    expect(res.body).toMatchObject({ message: 'Bot resumed successfully', botSuspended: false, botSuspendUntil: null });
    expect(await stored(c._id)).toMatchObject({ botSuspended: false, botSuspendUntil: null });
  });

  test('when the contact is unknown, then 404 Contact not found', async () => {
    const res = await post('/toggle-bot-suspended', { contactId: '65a000000000000000000001', botSuspended: true });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(CONTACT_NOT_FOUND);
  });
});
