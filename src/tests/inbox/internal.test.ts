/**
 * The Meta Bot's endpoints: S1 emit-message-internal (x-api-key, validators, verbatim event),
 * S2 emit-message (now a staff token, only the caller's company, and only a stored message of one
 * of its conversations, announced as stored), and message ingest
 * (lead contact creation, de-duplication by platform message id, also under concurrency).
 */
import request from 'supertest';
import { Contact } from '../../models/Contact';
import { Message } from '../../models/Message';
import { bearer, companyWithStaff, newObjectId } from '../factories/accounts';
import { createContact, createMessage } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';
import { countOf, inboxApp, stored, validationError, type Co } from './support';

useTestDatabase();

const { app, config, realtime } = inboxApp();
const S1 = '/api/v1/socket/emit-message-internal';
const S2 = '/api/v1/socket/emit-message';
const INGEST = '/api/v1/internal/messages';
let co: Co;

beforeEach(async () => {
  realtime.events.length = 0;
  co = await companyWithStaff(config);
});

const emitBody = (companyId: string, message: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  companyId,
  conversationId: 'contact-1',
  message: {
    id: 'msg-1',
    contactId: 'contact-1',
    content: 'Hi!',
    direction: 'inbound',
    timestamp: '2025-06-01T10:00:00.000Z',
    ...message,
  },
  ...extra,
});
const withKey = (path: string) => request(app).post(path).set('x-api-key', config.internalApiKey);

describe('S1 emit-message-internal', () => {
  test('when the key is missing or wrong, then 401 MISSING_API_KEY / 403 INVALID_API_KEY and nothing is emitted', async () => {
    const missing = await request(app)
      .post(S1)
      .send(emitBody(String(co.companyId)));
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ success: false, error: 'API key is required', code: 'MISSING_API_KEY' });
    const wrong = await request(app)
      .post(S1)
      .set('x-api-key', 'x'.repeat(48))
      .send(emitBody(String(co.companyId)));
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ success: false, error: 'Invalid API key', code: 'INVALID_API_KEY' });
    expect(realtime.events).toEqual([]);
  });

  test('when the body is valid, then the event goes to the company verbatim (extra keys kept) and 200 names it', async () => {
    const body = emitBody('any-string-company', { read: false, delivered: true, attachments: [{ url: 'u' }], custom: { a: 1 } });
    const res = await withKey(S1).send(body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      message: 'Event emitted successfully',
      data: { companyId: 'any-string-company', conversationId: 'contact-1', messageId: 'msg-1' },
    });
    expect(realtime.events).toEqual([
      { event: 'message:new', companyId: 'any-string-company', payload: { conversationId: 'contact-1', message: body.message } },
    ]);
  });

  test.each([
    ['companyId', { companyId: 42 }],
    ['conversationId', { conversationId: undefined }],
    ['message', { message: 'hello' }],
    ['message.id', { message: { contactId: 'c', direction: 'inbound' } }],
    ['message.contactId', { message: { id: 'm', contactId: 5, direction: 'inbound' } }],
    ['message.content', { message: { id: 'm', contactId: 'c', direction: 'inbound', content: null } }],
    ['message.direction', { message: { id: 'm', contactId: 'c', direction: 'sideways' } }],
    ['message.timestamp', { message: { id: 'm', contactId: 'c', direction: 'inbound', timestamp: 'yesterday' } }],
  ])('when %s is invalid, then 400 VALIDATION_ERROR and nothing is emitted', async (field, override) => {
    const res = await withKey(S1).send({ ...emitBody(String(co.companyId)), ...override });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError(field));
    expect(realtime.events).toEqual([]);
  });

  test.each([
    ['companyId is empty', { companyId: '' }, 'MISSING_REQUIRED_FIELDS', 'companyId, conversationId, and message are required'],
    ['conversationId is empty', { conversationId: '' }, 'MISSING_REQUIRED_FIELDS', 'companyId, conversationId, and message are required'],
    ['message.id is empty', { message: { id: '', contactId: 'c', direction: 'inbound' } }, 'INVALID_MESSAGE_STRUCTURE', null],
    ['message.contactId is empty', { message: { id: 'm', contactId: '', direction: 'inbound' } }, 'INVALID_MESSAGE_STRUCTURE', null],
  ])('when %s, then 400 in the E4 envelope with its code', async (_what, override, code, error) => {
    const res = await withKey(S1).send({ ...emitBody(String(co.companyId)), ...override });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, error: error ?? 'Message must include id, contactId, and direction', code });
    expect(realtime.events).toEqual([]);
  });
});

describe('S2 emit-message', () => {
  test('when no token is sent, then 401 and nothing is emitted', async () => {
    const res = await request(app)
      .post(S2)
      .send(emitBody(String(co.companyId)));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(realtime.events).toEqual([]);
  });

  test('when a token of company A names company B, then 403 and nothing is emitted', async () => {
    const b = await companyWithStaff(config);
    const res = await request(app)
      .post(S2)
      .set(bearer(co.users.manager.token))
      .send(emitBody(String(b.companyId)));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(realtime.events).toEqual([]);
  });

  test('when a token names a stored message of its own company, then 200 and the event is the stored message, not the payload', async () => {
    const contact = await createContact(co.companyId);
    const stored = await createMessage(co.companyId, contact._id, { direction: 'outbound', content: 'the real text' });
    const body = emitBody(String(co.companyId), { id: String(stored._id), contactId: String(contact._id), content: 'forged', extra: 1 });
    const res = await request(app)
      .post(S2)
      .set(bearer(co.users.receptionist.token))
      .send({ ...body, conversationId: String(contact._id) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Event emitted successfully' });
    expect(realtime.events).toEqual([
      {
        event: 'message:new',
        companyId: String(co.companyId),
        payload: {
          conversationId: String(contact._id),
          message: expect.objectContaining({ id: String(stored._id), content: 'the real text', direction: 'outbound' }),
        },
      },
    ]);
    expect(JSON.stringify(realtime.events)).not.toContain('forged');
  });

  test.each([
    ['ids that are not stored messages', () => ({ id: 'msg-1', contactId: 'contact-1', conv: 'contact-1' })],
    [
      'a message of another contact of the company',
      async () => {
        const c1 = await createContact(co.companyId);
        const c2 = await createContact(co.companyId);
        const m = await createMessage(co.companyId, c1._id);
        return { id: String(m._id), contactId: String(c2._id), conv: String(c2._id) };
      },
    ],
    [
      "another company's contact and message, announced as inbound",
      async () => {
        const b = await companyWithStaff(config);
        const bc = await createContact(b.companyId);
        const bm = await createMessage(b.companyId, bc._id);
        return { id: String(bm._id), contactId: String(bc._id), conv: String(bc._id) };
      },
    ],
    [
      'a conversationId that differs from message.contactId',
      async () => {
        const c = await createContact(co.companyId);
        const m = await createMessage(co.companyId, c._id);
        return { id: String(m._id), contactId: String(c._id), conv: newObjectId() };
      },
    ],
  ])('when a staff token relays %s, then 404 MESSAGE_NOT_FOUND and nothing is emitted', async (_what, make) => {
    const { id, contactId, conv } = await make();
    const res = await request(app)
      .post(S2)
      .set(bearer(co.users.manager.token))
      .send({ ...emitBody(String(co.companyId), { id, contactId }), conversationId: conv });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: 'Message not found in this conversation', code: 'MESSAGE_NOT_FOUND' });
    expect(realtime.events).toEqual([]);
  });
});

describe('ingest POST /api/v1/internal/messages', () => {
  const ingestBody = (extra: Record<string, unknown> = {}) => ({
    company_id: String(co.companyId),
    platform: 'facebook',
    external_message_id: 'm_abc123',
    content: 'Do you have a slot on Friday?',
    customer_social_id: 'PSID-777',
    profile: { name: 'Dana Dog', picture: 'https://cdn.example/dana.jpg', locale: 'en_US' },
    ...extra,
  });

  test('when the key is missing, then 401 MISSING_API_KEY and nothing is stored', async () => {
    const res = await request(app).post(INGEST).send(ingestBody());
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ success: false, error: 'API key is required', code: 'MISSING_API_KEY' });
    expect(await countOf('messages')).toBe(0);
  });

  test('when a new customer writes, then a lead contact and the message are stored and one message:new is published', async () => {
    const before = Date.now();
    const res = await withKey(INGEST).send(ingestBody());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      duplicate: false,
      contactId: expect.stringMatching(/^[0-9a-f]{24}$/),
      message: expect.objectContaining({
        company_id: String(co.companyId),
        contact_id: res.body.contactId,
        platform: 'facebook',
        role: 'user',
        direction: 'inbound',
        external_message_id: 'm_abc123',
        content: 'Do you have a slot on Friday?',
      }),
    });
    const [contact] = await stored('contacts', co.companyId);
    expect(contact).toMatchObject({
      fullName: 'Dana Dog',
      social: { facebookId: 'PSID-777' },
      profile: { name: 'Dana Dog', picture: 'https://cdn.example/dana.jpg', locale: 'en_US' },
      contactStatus: 'lead',
      leadSource: 'facebook',
      leadStage: 'new',
      messageCount: 1,
    });
    expect(String(contact!._id)).toBe(res.body.contactId);
    expect((contact!.lastMessageAt as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(realtime.events).toEqual([
      {
        event: 'message:new',
        companyId: String(co.companyId),
        payload: {
          conversationId: res.body.contactId,
          message: expect.objectContaining({
            id: res.body.message._id,
            contactId: res.body.contactId,
            content: 'Do you have a slot on Friday?',
            direction: 'inbound',
            timestamp: res.body.message.created_at,
          }),
        },
      },
    ]);
  });

  test('when the same customer writes again, then the same contact is updated (messageCount 2)', async () => {
    const first = await withKey(INGEST).send(ingestBody());
    const second = await withKey(INGEST).send(ingestBody({ external_message_id: 'm_abc124', content: 'Hello?' }));
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.contactId).toBe(first.body.contactId);
    const contacts = await stored('contacts', co.companyId);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ messageCount: 2 });
    expect(await Message.countDocuments({ company_id: co.companyId, contact_id: first.body.contactId })).toBe(2);
  });

  test('when the same external_message_id is posted twice, then 201 then 200 duplicate with one message and one event', async () => {
    const first = await withKey(INGEST).send(ingestBody());
    const again = await withKey(INGEST).send(ingestBody());
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toMatchObject({ success: true, duplicate: true, contactId: first.body.contactId });
    expect(again.body.message._id).toBe(first.body.message._id);
    expect(await countOf('messages')).toBe(1);
    expect(realtime.events).toHaveLength(1);
    expect((await stored('contacts', co.companyId))[0]).toMatchObject({ messageCount: 1 });
  });

  test('when the same external_message_id comes from another platform or another company, then each is a message of its own', async () => {
    const other = await companyWithStaff(config);
    const facebook = await withKey(INGEST).send(ingestBody());
    const instagram = await withKey(INGEST).send(ingestBody({ platform: 'instagram' }));
    const elsewhere = await withKey(INGEST).send(ingestBody({ company_id: String(other.companyId) }));
    expect([facebook.status, instagram.status, elsewhere.status]).toEqual([201, 201, 201]);
    expect(new Set([facebook, instagram, elsewhere].map((r) => r.body.message._id)).size).toBe(3);
    expect(elsewhere.body.duplicate).toBe(false);
    expect(await Message.countDocuments({ company_id: co.companyId, external_message_id: 'm_abc123' })).toBe(2);
    expect(await Message.countDocuments({ company_id: other.companyId, external_message_id: 'm_abc123' })).toBe(1);
    expect(realtime.events.map((e) => e.companyId)).toEqual([String(co.companyId), String(co.companyId), String(other.companyId)]);
  });

  test('when 5 identical posts arrive at once, then exactly one message, one contact and one event exist', async () => {
    const results = await Promise.all(Array.from({ length: 5 }, () => withKey(INGEST).send(ingestBody())));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.message?._id)).size).toBe(1);
    expect(results.filter((r) => r.body.duplicate === true)).toHaveLength(4);
    expect(await countOf('messages')).toBe(1);
    const contacts = await stored('contacts', co.companyId);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ messageCount: 1 });
    expect(realtime.events).toHaveLength(1);
  });

  test('when a new customer sends 5 different messages at once, then one contact holds all 5 (B-32)', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => withKey(INGEST).send(ingestBody({ external_message_id: `m_burst_${i}` }))),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const contacts = await stored('contacts', co.companyId);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ messageCount: 5 });
    expect(new Set(results.map((r) => r.body.contactId))).toEqual(new Set([String(contacts[0]!._id)]));
    expect(realtime.events).toHaveLength(5);
  });

  test('when the company does not exist, then 404 in the E4 envelope and nothing is stored', async () => {
    const res = await withKey(INGEST).send(ingestBody({ company_id: newObjectId() }));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: expect.any(String), code: expect.stringMatching(/NOT_FOUND/) });
    expect([await countOf('messages'), await countOf('contacts')]).toEqual([0, 0]);
    expect(realtime.events).toEqual([]);
  });

  test('when contact_id belongs to another company, then 404 in the E4 envelope and nothing changes', async () => {
    const b = await companyWithStaff(config);
    const foreign = await createContact(b.companyId);
    const before = await Contact.findOne({ _id: foreign._id, companyId: b.companyId }).lean();
    const res = await withKey(INGEST).send(
      ingestBody({ contact_id: String(foreign._id), customer_social_id: undefined, profile: undefined }),
    );
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, error: expect.any(String), code: expect.stringMatching(/NOT_FOUND/) });
    expect(await Contact.findOne({ _id: foreign._id, companyId: b.companyId }).lean()).toEqual(before);
    expect(await countOf('messages')).toBe(0);
    expect(realtime.events).toEqual([]);
  });

  test('when contact_id is the company own contact, then the message is stored on it', async () => {
    const mine = await createContact(co.companyId);
    const res = await withKey(INGEST).send(ingestBody({ contact_id: String(mine._id), customer_social_id: undefined, profile: undefined }));
    expect(res.status).toBe(201);
    expect(res.body.contactId).toBe(String(mine._id));
    expect(await countOf('contacts')).toBe(1);
  });

  test.each([
    ['an unknown key', { priority: 'high' }, 'body'],
    ['no customer', { customer_social_id: undefined }, 'customer_social_id'],
    ['an empty external id', { external_message_id: '' }, 'external_message_id'],
    ['a bad platform', { platform: 'myspace' }, 'platform'],
    ['a bad company id', { company_id: 'abc' }, 'company_id'],
    ['an operator key', { content: { $gt: '' } }, 'content'],
  ])('when the body has %s, then 400 VALIDATION_ERROR and nothing is stored', async (_what, extra, field) => {
    const res = await withKey(INGEST).send(ingestBody(extra));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError(field));
    expect([await countOf('messages'), await countOf('contacts')]).toEqual([0, 0]);
  });
});
