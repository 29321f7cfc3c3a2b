/**
 * M2–M7 and their resource-style forms: list a contact's messages (newest first), the company's
 * customers with their latest message, mark read (with message:status), get, update (whitelist,
 * updated_at bump) and hard delete.
 */
import type { Types } from 'mongoose';
import request from 'supertest';
import { Message } from '../../models/Message';
import { bearer, companyWithStaff } from '../factories/accounts';
import { createChat, createContact, createMessage } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';
import { asJson, inboxApp, MESSAGE_NOT_FOUND, MESSAGES, validationError, type Co } from './support';

useTestDatabase();

const { app, config, realtime } = inboxApp();
let co: Co;
let contact: { _id: Types.ObjectId };

beforeEach(async () => {
  realtime.events.length = 0;
  co = await companyWithStaff(config);
  contact = await createContact(co.companyId, { fullName: 'Bella Owner', socialNetworkName: 'bella.ig' });
});

const auth = () => bearer(co.users.manager.token);
const at = (minute: number) => new Date(Date.UTC(2025, 4, 1, 10, minute));
const send = (method: 'post' | 'put' | 'patch', path: string) => request(app)[method](`${MESSAGES}${path}`).set(auth());
const find = (id: unknown) => Message.findOne({ _id: id, company_id: co.companyId }).lean();

describe('M2 list-by-customer and GET /messages?contact_id', () => {
  test('when a contact has messages, then the newest come first with totalMessages, limit and skip', async () => {
    const chat = await createChat(co.companyId, contact._id, 5);
    const res = await request(app)
      .post(`${MESSAGES}/list-by-customer`)
      .set(auth())
      .send({ contact_id: String(contact._id), limit: 2 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ messages: expect.any(Array), totalMessages: 5, limit: 2, skip: 0 });
    expect(res.body.messages.map((m: { _id: string }) => m._id)).toEqual([chat[4]!._id, chat[3]!._id].map(String));
    const next = await request(app)
      .post(`${MESSAGES}/list-by-customer`)
      .set(auth())
      .send({ contact_id: String(contact._id), limit: 2, skip: 2 });
    expect(next.body.messages.map((m: { content: string }) => m.content)).toEqual(['chat line 2', 'chat line 1']);
  });

  test('when a platform is given, then only that platform counts and is listed', async () => {
    await createMessage(co.companyId, contact._id, { platform: 'facebook', at: at(1) });
    const ig = await createMessage(co.companyId, contact._id, { platform: 'instagram', at: at(2) });
    const res = await request(app)
      .get(MESSAGES)
      .query({ contact_id: String(contact._id), platform: 'instagram' })
      .set(auth());
    expect(res.status).toBe(200);
    expect(res.body.totalMessages).toBe(1);
    expect(res.body.messages).toEqual([
      expect.objectContaining({ _id: String(ig._id), platform: 'instagram', contact_id: String(contact._id) }),
    ]);
  });

  test.each([
    ['contact_id', { contact_id: 'abc' }],
    ['limit', { limit: 0 }],
    ['limit', { limit: 201 }],
    ['skip', { skip: -1 }],
    ['platform', { platform: 'INSTAGRAM' }],
  ])('when %s is invalid (%p), then 400 VALIDATION_ERROR', async (field, extra) => {
    const res = await request(app)
      .post(`${MESSAGES}/list-by-customer`)
      .set(auth())
      .send({ contact_id: String(contact._id), ...extra });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError(field));
  });
});

describe('M3 company-customers and /messages/instagram', () => {
  test('when contacts have Instagram messages, then each is listed once with its latest message, newest conversation first', async () => {
    const other = await createContact(co.companyId, { fullName: null });
    await createMessage(co.companyId, contact._id, { platform: 'instagram', at: at(1), content: 'old' });
    const latest = await createMessage(co.companyId, contact._id, { platform: 'instagram', at: at(5), content: 'new', read: true });
    const otherLatest = await createMessage(co.companyId, other._id, { platform: 'instagram', at: at(9) });
    await createMessage(co.companyId, contact._id, { platform: 'facebook', at: at(20) });

    const res = await request(app)
      .post(`${MESSAGES}/company-customers`)
      .set(auth())
      .send({ company_id: String(co.companyId) });
    expect(res.status).toBe(200);
    const latestJson = (m: typeof latest) =>
      asJson({
        _id: m._id,
        content: m.content,
        created_at: m.created_at,
        attachments: m.attachments,
        read: m.read,
        delivered: m.delivered,
      });
    expect(res.body).toEqual({
      contacts: [
        { contact_id: String(other._id), latestMessage: latestJson(otherLatest) },
        { contact_id: String(contact._id), fullName: 'Bella Owner', socialNetworkName: 'bella.ig', latestMessage: latestJson(latest) },
      ],
      limit: 50,
      skip: 0,
    });
  });

  test('when platform, limit and skip are given, then the page holds that platform only', async () => {
    const second = await createContact(co.companyId);
    await createMessage(co.companyId, contact._id, { platform: 'facebook', at: at(1) });
    await createMessage(co.companyId, second._id, { platform: 'facebook', at: at(2) });
    await createMessage(co.companyId, second._id, { platform: 'instagram', at: at(3) });
    const res = await request(app).post(`${MESSAGES}/company-customers`).set(auth()).send({ platform: 'facebook', limit: 1, skip: 1 });
    expect(res.status).toBe(200);
    expect(res.body.contacts.map((c: { contact_id: string }) => c.contact_id)).toEqual([String(contact._id)]);
    expect(res.body).toMatchObject({ limit: 1, skip: 1 });
  });

  test('when /messages/instagram is asked, then only Instagram customers are listed, paginated', async () => {
    const second = await createContact(co.companyId);
    await createMessage(co.companyId, contact._id, { platform: 'instagram', at: at(1) });
    await createMessage(co.companyId, second._id, { platform: 'instagram', at: at(2) });
    const third = await createContact(co.companyId);
    await createMessage(co.companyId, third._id, { platform: 'facebook', at: at(3) });
    const first = await request(app).post(`${MESSAGES}/instagram`).set(auth()).send({ limit: 1 });
    const rest = await request(app).post(`${MESSAGES}/instagram`).set(auth()).send({ limit: 1, skip: 1 });
    expect([first.status, rest.status]).toEqual([200, 200]);
    expect(first.body.contacts.map((c: { contact_id: string }) => c.contact_id)).toEqual([String(second._id)]);
    expect(rest.body.contacts.map((c: { contact_id: string }) => c.contact_id)).toEqual([String(contact._id)]);
  });
});

describe('M4 mark-read (POST and PUT)', () => {
  test.each(['post', 'put'] as const)(
    "when %s /messages/mark-read is called, then only the contact's unread inbound messages become read and message:status is published",
    async (method) => {
      const unread1 = await createMessage(co.companyId, contact._id, { at: at(1) });
      const unread2 = await createMessage(co.companyId, contact._id, { platform: 'instagram', at: at(2) });
      const alreadyRead = await createMessage(co.companyId, contact._id, { read: true, at: at(3) });
      const outbound = await createMessage(co.companyId, contact._id, { direction: 'outbound', at: at(4) });
      const otherContact = await createContact(co.companyId);
      const othersUnread = await createMessage(co.companyId, otherContact._id, { at: at(5) });

      const res = await send(method, '/mark-read').send({ contact_id: String(contact._id) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Messages marked as read', matched: 2, modified: 2 });
      expect(await find(unread1._id)).toMatchObject({ read: true, read_at: expect.any(Date) });
      expect(await find(unread2._id)).toMatchObject({ read: true });
      expect((await find(alreadyRead._id))!.read_at).toBeUndefined();
      expect(await find(outbound._id)).toMatchObject({ read: false });
      expect(await find(othersUnread._id)).toMatchObject({ read: false });

      expect(realtime.events).toEqual([
        {
          event: 'message:status',
          companyId: String(co.companyId),
          payload: {
            conversationId: String(contact._id),
            messageIds: expect.arrayContaining([String(unread1._id), String(unread2._id)]),
            status: 'read',
            userId: String(co.users.manager.userId),
            timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          },
        },
      ]);
      expect((realtime.events[0]!.payload as { messageIds: string[] }).messageIds).toHaveLength(2);
    },
  );

  test('when a platform is given, then only that platform is marked read', async () => {
    const fb = await createMessage(co.companyId, contact._id, { platform: 'facebook', at: at(1) });
    const ig = await createMessage(co.companyId, contact._id, { platform: 'instagram', at: at(2) });
    const res = await request(app)
      .post(`${MESSAGES}/mark-read`)
      .set(auth())
      .send({ contact_id: String(contact._id), platform: 'instagram' });
    expect(res.body).toMatchObject({ matched: 1, modified: 1 });
    expect(await find(fb._id)).toMatchObject({ read: false });
    expect(await find(ig._id)).toMatchObject({ read: true });
  });

  test('when no contact id is sent, then 400 VALIDATION_ERROR', async () => {
    const res = await request(app).post(`${MESSAGES}/mark-read`).set(auth()).send({});
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });
});

describe('M5 get-by-id and GET /messages/:id', () => {
  test('when the message exists, then both forms answer {message: <document>}', async () => {
    const m = await createMessage(co.companyId, contact._id, { content: 'Hello there' });
    const byBody = await request(app)
      .post(`${MESSAGES}/get-by-id`)
      .set(auth())
      .send({ _id: String(m._id) });
    const byPath = await request(app)
      .get(`${MESSAGES}/${String(m._id)}`)
      .set(auth());
    expect(byBody.status).toBe(200);
    expect(byBody.body).toEqual({ message: asJson(m) });
    expect(byPath.status).toBe(200);
    expect(byPath.body).toEqual(byBody.body);
  });

  test('when the id is unknown, then 404 Message not found; when it is not an id, then 400', async () => {
    const missing = await request(app).get(`${MESSAGES}/65a000000000000000000009`).set(auth());
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(MESSAGE_NOT_FOUND);
    const invalid = await request(app).post(`${MESSAGES}/get-by-id`).set(auth()).send({ _id: 'xyz' });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual(validationError('_id'));
  });
});

describe('M6 update (PUT /update and PATCH /)', () => {
  test.each([
    ['PUT /messages/update', 'put', '/update'],
    ['PATCH /messages', 'patch', ''],
  ] as const)('when %s changes content, attachments and read, then they change and updated_at moves', async (_label, method, path) => {
    const m = await createMessage(co.companyId, contact._id, { at: at(1), content: 'typo' });
    const res = await send(method, path).send({
      _id: String(m._id),
      content: ' fixed ',
      read: true,
      attachments: [{ url: 'https://cdn.example/a.png' }, { url: 'nope' }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Message updated successfully', messageData: expect.objectContaining({ _id: String(m._id) }) });
    const saved = await find(m._id);
    expect(saved).toMatchObject({ content: 'fixed', read: true, read_at: expect.any(Date), role: 'user', direction: 'inbound' });
    expect(saved!.attachments.map(({ type, url }) => ({ type, url }))).toEqual([{ type: 'file', url: 'https://cdn.example/a.png' }]);
    expect(saved!.updated_at!.getTime()).toBeGreaterThan(m.updated_at!.getTime());
    expect(saved!.created_at).toEqual(m.created_at);
    expect(res.body.messageData).toMatchObject({ content: 'fixed', updated_at: saved!.updated_at!.toISOString() });
  });

  test.each([
    ['role', { role: 'assistant' }],
    ['company_id', { company_id: 'current' }],
    ['contact_id', { contact_id: '65a000000000000000000003' }],
    ['platform', { platform: 'web' }],
    ['direction', { direction: 'outbound' }],
    ['created_at', { created_at: '2001-01-01T00:00:00.000Z' }],
    ['_set', { $set: { role: 'assistant' } }],
    ['read', { read: 'yes' }],
  ])('when the update names %s, then 400 and the message is unchanged', async (_field, extra) => {
    const m = await createMessage(co.companyId, contact._id, { at: at(1) });
    const patch = 'company_id' in extra ? { company_id: String(co.companyId) } : extra;
    const res = await request(app)
      .put(`${MESSAGES}/update`)
      .set(auth())
      .send({ _id: String(m._id), content: 'changed', ...patch });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(await find(m._id)).toEqual(m);
  });

  test('when the message is unknown, then 404 Message not found', async () => {
    const res = await request(app).patch(MESSAGES).set(auth()).send({ _id: '65a000000000000000000009', content: 'x' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(MESSAGE_NOT_FOUND);
  });
});

describe('M7 delete (DELETE /delete and DELETE /)', () => {
  test.each([
    ['/messages/delete', '/delete'],
    ['/messages', ''],
  ])('when DELETE %s is called, then the message is removed and a second call is 404', async (_label, path) => {
    const m = await createMessage(co.companyId, contact._id);
    const keep = await createMessage(co.companyId, contact._id);
    const res = await request(app)
      .delete(`${MESSAGES}${path}`)
      .set(auth())
      .send({ _id: String(m._id) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Message deleted successfully' });
    expect(await find(m._id)).toBeNull();
    expect(await find(keep._id)).not.toBeNull();
    const again = await request(app)
      .delete(`${MESSAGES}${path}`)
      .set(auth())
      .send({ _id: String(m._id) });
    expect(again.status).toBe(404);
    expect(again.body).toEqual(MESSAGE_NOT_FOUND);
  });

  test('when a message is deleted, then the messages of another company stay', async () => {
    const other = await companyWithStaff(config);
    const theirs = await createMessage(other.companyId, (await createContact(other.companyId))._id);
    const m = await createMessage(co.companyId, contact._id);
    await request(app)
      .delete(MESSAGES)
      .set(auth())
      .send({ _id: String(m._id) })
      .expect(200);
    expect(await Message.findOne({ _id: theirs._id, company_id: other.companyId }).lean()).not.toBeNull();
  });
});
