/**
 * Tenant isolation of the inbox: a manager of company A names company B's contact ids, message
 * ids and company id on every route, and gets 404 (403 for a named foreign company), sees none of
 * B's data, changes none of it, and publishes nothing to B. Lists never show B's conversations.
 */
import type { Types } from 'mongoose';
import request from 'supertest';
import { bearer, companyWithStaff } from '../factories/accounts';
import { createContact, createIntegration, createMessage } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';
import { CONTACT_NOT_FOUND, CONVERSATIONS, inboxApp, MESSAGE_NOT_FOUND, MESSAGES, stored, type Co } from './support';

useTestDatabase();

const { app, config, realtime } = inboxApp();
let a: Co;
let b: Co;
let aContact: { _id: Types.ObjectId };
let bContact: { _id: Types.ObjectId };
let bMessage: { _id: Types.ObjectId };

const B_SECRET = 'B-private-conversation-text';
const B_NAME = 'B Secret Customer';

beforeEach(async () => {
  realtime.events.length = 0;
  a = await companyWithStaff(config);
  b = await companyWithStaff(config);
  await createIntegration(config, b.companyId);
  aContact = await createContact(a.companyId, { fullName: 'A Customer' });
  await createMessage(a.companyId, aContact._id, { platform: 'instagram', content: 'A hello' });
  bContact = await createContact(b.companyId, { fullName: B_NAME, socialNetworkName: 'b.secret' });
  bMessage = await createMessage(b.companyId, bContact._id, { platform: 'instagram', content: B_SECRET });
  await createMessage(b.companyId, bContact._id, { platform: 'facebook', content: B_SECRET });
});

/** Everything of B's inbox, as stored. */
async function snapshotB() {
  return { messages: await stored('messages', b.companyId), contacts: await stored('contacts', b.companyId) };
}

/** Strings of B that must never appear in an answer to A. */
function secretsOfB(): string[] {
  return [String(b.companyId), String(bContact._id), String(bMessage._id), B_SECRET, B_NAME, 'b.secret'];
}

interface Attack {
  name: string;
  send: () => request.Test;
  status: 403 | 404;
  body: unknown;
}

const asA = () => bearer(a.users.manager.token);
const FORBIDDEN = { error: { code: 'FORBIDDEN', message: expect.any(String) } };

function attacks(): Attack[] {
  const bc = String(bContact._id);
  const bm = String(bMessage._id);
  const bco = String(b.companyId);
  const aco = String(a.companyId);
  const m = (method: 'post' | 'put' | 'patch' | 'delete' | 'get', path: string) => request(app)[method](`${MESSAGES}${path}`).set(asA());
  const c = (path: string) => request(app).post(`${CONVERSATIONS}${path}`).set(asA());
  const create = { role: 'operator', direction: 'outbound', platform: 'instagram', content: 'hijack' };
  return [
    {
      name: 'M1 with B contact',
      send: () => m('post', '').send({ ...create, company_id: aco, contact_id: bc }),
      status: 404,
      body: CONTACT_NOT_FOUND,
    },
    {
      name: 'M1 with B company and contact',
      send: () => m('post', '').send({ ...create, company_id: bco, contact_id: bc }),
      status: 403,
      body: FORBIDDEN,
    },
    {
      name: 'M2 list-by-customer',
      send: () => m('post', '/list-by-customer').send({ contact_id: bc }),
      status: 404,
      body: CONTACT_NOT_FOUND,
    },
    { name: 'GET /messages?contact_id', send: () => m('get', '').query({ contact_id: bc }), status: 404, body: CONTACT_NOT_FOUND },
    { name: 'M3 company-customers', send: () => m('post', '/company-customers').send({ company_id: bco }), status: 403, body: FORBIDDEN },
    { name: 'POST /messages/instagram', send: () => m('post', '/instagram').send({ company_id: bco }), status: 403, body: FORBIDDEN },
    { name: 'M4 POST mark-read', send: () => m('post', '/mark-read').send({ contact_id: bc }), status: 404, body: CONTACT_NOT_FOUND },
    { name: 'M4 PUT mark-read', send: () => m('put', '/mark-read').send({ contactId: bc }), status: 404, body: CONTACT_NOT_FOUND },
    { name: 'M5 get-by-id', send: () => m('post', '/get-by-id').send({ _id: bm }), status: 404, body: MESSAGE_NOT_FOUND },
    { name: 'GET /messages/:id', send: () => m('get', `/${bm}`), status: 404, body: MESSAGE_NOT_FOUND },
    {
      name: 'M6 PUT update',
      send: () => m('put', '/update').send({ _id: bm, content: 'defaced', read: true }),
      status: 404,
      body: MESSAGE_NOT_FOUND,
    },
    { name: 'PATCH /messages', send: () => m('patch', '').send({ _id: bm, content: 'defaced' }), status: 404, body: MESSAGE_NOT_FOUND },
    { name: 'M7 DELETE delete', send: () => m('delete', '/delete').send({ _id: bm }), status: 404, body: MESSAGE_NOT_FOUND },
    { name: 'DELETE /messages', send: () => m('delete', '').send({ _id: bm }), status: 404, body: MESSAGE_NOT_FOUND },
    { name: 'C1 list with B company', send: () => c('/list').send({ company_id: bco, platform: 'all' }), status: 403, body: FORBIDDEN },
    { name: 'C2 messages', send: () => c('/messages').send({ contactId: bc }), status: 404, body: CONTACT_NOT_FOUND },
    { name: 'C3 mark-read', send: () => c('/mark-read').send({ contactId: bc }), status: 404, body: CONTACT_NOT_FOUND },
    {
      name: 'C4 toggle-bot-suspended',
      send: () => c('/toggle-bot-suspended').send({ contactId: bc, botSuspended: true, botSuspendUntil: '2100-01-01T00:00:00.000Z' }),
      status: 404,
      body: CONTACT_NOT_FOUND,
    },
    {
      name: 'S2 emit-message to B',
      send: () =>
        request(app)
          .post('/api/v1/socket/emit-message')
          .set(asA())
          .send({ companyId: bco, conversationId: bc, message: { id: bm, contactId: bc, content: 'fake', direction: 'inbound' } }),
      status: 403,
      body: FORBIDDEN,
    },
  ];
}

describe('company A naming company B on every inbox route', () => {
  test('when A uses B ids on every route, then each answer is 404/403 without B data, B is unchanged and B hears nothing', async () => {
    const before = await snapshotB();
    const outcomes: { name: string; status: number; body: unknown }[] = [];
    for (const attack of attacks()) {
      const res = await attack.send();
      outcomes.push({ name: attack.name, status: res.status, body: res.body });
      for (const secret of secretsOfB()) {
        if (attack.status === 403 && secret === String(b.companyId)) continue;
        expect({ name: attack.name, leaked: JSON.stringify(res.body).includes(secret) ? secret : null }).toEqual({
          name: attack.name,
          leaked: null,
        });
      }
    }
    expect(outcomes).toEqual(attacks().map(({ name, status, body }) => ({ name, status, body })));
    expect(await snapshotB()).toEqual(before);
    expect(realtime.events.filter((e) => e.companyId === String(b.companyId))).toEqual([]);
  });

  test('when A pages with a B message id as the cursor, then the answer is the same as for an unknown id', async () => {
    const page = (before: string) =>
      request(app)
        .post(`${CONVERSATIONS}/messages`)
        .set(asA())
        .send({ contactId: String(aContact._id), before });
    const withB = await page(String(bMessage._id));
    const withUnknown = await page('65a0000000000000000000ff');
    expect([withB.status, withB.body]).toEqual([withUnknown.status, withUnknown.body]);
  });
});

describe('lists of company A', () => {
  test('when A lists conversations, customers and Instagram customers, then only A contacts appear', async () => {
    // An inconsistent record: A's message pointing at B's contact must not reveal that contact.
    await createMessage(a.companyId, bContact._id, { platform: 'instagram', content: 'cross-linked' });
    const answers = await Promise.all([
      request(app).post(`${CONVERSATIONS}/list`).set(asA()).send({}),
      request(app)
        .post(`${CONVERSATIONS}/list`)
        .set(asA())
        .send({ company_id: String(a.companyId), platform: 'instagram' }),
      request(app)
        .post(`${MESSAGES}/company-customers`)
        .set(asA())
        .send({ company_id: String(a.companyId) }),
      request(app).post(`${MESSAGES}/instagram`).set(asA()).send({}),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const [all, ig, customers, instagram] = answers.map((r) => r.body);
    expect(all.conversations.map((c: { contactId: string }) => c.contactId)).toEqual([String(aContact._id)]);
    expect(all.totalConversations).toBe(1);
    expect(ig.conversations.map((c: { contactId: string }) => c.contactId)).toEqual([String(aContact._id)]);
    expect(customers.contacts.map((c: { contact_id: string }) => c.contact_id)).toEqual([String(aContact._id)]);
    expect(instagram.contacts.map((c: { contact_id: string }) => c.contact_id)).toEqual([String(aContact._id)]);
    for (const body of [all, ig, customers, instagram]) {
      for (const secret of secretsOfB()) expect(JSON.stringify(body)).not.toContain(secret);
    }
  });

  test('when B lists its conversations after A attacked, then B sees its own data unchanged', async () => {
    for (const attack of attacks()) await attack.send();
    const res = await request(app).post(`${CONVERSATIONS}/list`).set(bearer(b.users.manager.token)).send({});
    expect(res.status).toBe(200);
    expect(res.body.conversations).toEqual([
      expect.objectContaining({ contactId: String(bContact._id), fullName: B_NAME, unreadCount: 2, botSuspended: false }),
    ]);
  });
});
