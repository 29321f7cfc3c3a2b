/**
 * Who may use the inbox (manager and receptionist; other roles 403, anonymous 401) and the two
 * rate limiters: one per-IP counter shared by every /messages route, another by /conversations,
 * plain-text 429 with Retry-After, and requests failing validation not counted.
 */
import type { Types } from 'mongoose';
import request from 'supertest';
import type { StaffRole } from '../../models/constants';
import { Message } from '../../models/Message';
import { bearer, companyWithStaff } from '../factories/accounts';
import { createContact, createMessage } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';
import { CONVERSATIONS, inboxApp, MESSAGES, type Co, type InboxApp } from './support';

useTestDatabase();

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Route {
  method: Method;
  path: string;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
  ok: number;
}

/** Every inbox route with a valid request for company `co` (deletes last: they remove the message). */
function routes(co: Co, contactId: Types.ObjectId, messageId: Types.ObjectId, spareId: Types.ObjectId): Route[] {
  const c = String(contactId);
  const m = String(messageId);
  return [
    {
      method: 'post',
      path: MESSAGES,
      body: { company_id: String(co.companyId), contact_id: c, role: 'operator', platform: 'web', direction: 'outbound', content: 'Hi' },
      ok: 201,
    },
    { method: 'get', path: MESSAGES, query: { contact_id: c }, ok: 200 },
    { method: 'post', path: `${MESSAGES}/list-by-customer`, body: { contact_id: c }, ok: 200 },
    { method: 'post', path: `${MESSAGES}/company-customers`, body: {}, ok: 200 },
    { method: 'post', path: `${MESSAGES}/instagram`, body: {}, ok: 200 },
    { method: 'post', path: `${MESSAGES}/mark-read`, body: { contact_id: c }, ok: 200 },
    { method: 'put', path: `${MESSAGES}/mark-read`, body: { contact_id: c }, ok: 200 },
    { method: 'post', path: `${MESSAGES}/get-by-id`, body: { _id: m }, ok: 200 },
    { method: 'get', path: `${MESSAGES}/${m}`, ok: 200 },
    { method: 'put', path: `${MESSAGES}/update`, body: { _id: m, content: 'edited' }, ok: 200 },
    { method: 'patch', path: MESSAGES, body: { _id: m, read: true }, ok: 200 },
    { method: 'post', path: `${CONVERSATIONS}/list`, body: { platform: 'all' }, ok: 200 },
    { method: 'post', path: `${CONVERSATIONS}/messages`, body: { contactId: c }, ok: 200 },
    { method: 'post', path: `${CONVERSATIONS}/mark-read`, body: { contactId: c }, ok: 200 },
    { method: 'post', path: `${CONVERSATIONS}/toggle-bot-suspended`, body: { contactId: c }, ok: 200 },
    { method: 'delete', path: `${MESSAGES}/delete`, body: { _id: String(spareId) }, ok: 200 },
    { method: 'delete', path: MESSAGES, body: { _id: m }, ok: 200 },
  ];
}

function call(app: InboxApp['app'], r: Route, token?: string): request.Test {
  let t = request(app)[r.method](r.path);
  if (token) t = t.set(bearer(token));
  if (r.query) t = t.query(r.query);
  return r.body ? t.send(r.body) : t;
}

describe('roles', () => {
  const inbox = inboxApp();
  let co: Co;
  let list: Route[];

  beforeEach(async () => {
    inbox.realtime.events.length = 0;
    co = await companyWithStaff(inbox.config);
    const contact = await createContact(co.companyId);
    const message = await createMessage(co.companyId, contact._id, { platform: 'instagram' });
    const spare = await createMessage(co.companyId, contact._id);
    list = routes(co, contact._id, message._id, spare._id);
  });

  test.each(['manager', 'receptionist'] as const)('when a %s calls every inbox route, then each succeeds', async (role) => {
    const statuses = [];
    for (const r of list) statuses.push(`${r.method} ${r.path} ${(await call(inbox.app, r, co.users[role].token)).status}`);
    expect(statuses).toEqual(list.map((r) => `${r.method} ${r.path} ${r.ok}`));
  });

  test.each(['groomer', 'veterinarian', 'vet_technician', 'trainer'] as StaffRole[])(
    'when a %s calls every inbox route, then each is 403 FORBIDDEN and nothing changes',
    async (role) => {
      const answers = [];
      for (const r of list) {
        const res = await call(inbox.app, r, co.users[role].token);
        answers.push({ route: `${r.method} ${r.path}`, status: res.status, body: res.body });
      }
      expect(answers).toEqual(
        list.map((r) => ({
          route: `${r.method} ${r.path}`,
          status: 403,
          body: { error: { code: 'FORBIDDEN', message: 'Insufficient permissions' } },
        })),
      );
      expect(inbox.realtime.events).toEqual([]);
    },
  );

  test('when nobody is signed in, then every inbox route is 401 UNAUTHORIZED', async () => {
    const answers = [];
    for (const r of list) answers.push({ route: `${r.method} ${r.path}`, status: (await call(inbox.app, r)).status });
    expect(answers).toEqual(list.map((r) => ({ route: `${r.method} ${r.path}`, status: 401 })));
    const one = await call(inbox.app, list[0]!);
    expect(one.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Access token is required' } });
  });
});

describe('rate limits', () => {
  const MESSAGE_TEXT = 'Too many requests to message endpoints, please try again later.';
  const CONVERSATION_TEXT = 'Too many requests to conversation endpoints, please try again later.';

  async function setup(env: Record<string, string>) {
    const inbox = inboxApp(env);
    const co = await companyWithStaff(inbox.config);
    const contact = await createContact(co.companyId);
    const message = await createMessage(co.companyId, contact._id);
    const token = co.users.manager.token;
    const m = (path: string, body: Record<string, unknown>) => request(inbox.app).post(`${MESSAGES}${path}`).set(bearer(token)).send(body);
    const c = (path: string, body: Record<string, unknown>) =>
      request(inbox.app).post(`${CONVERSATIONS}${path}`).set(bearer(token)).send(body);
    return { inbox, co, contactId: String(contact._id), messageId: String(message._id), m, c, token };
  }

  test('when the /messages budget is spent across different routes, then the next one is 429 plain text with Retry-After', async () => {
    const { inbox, contactId, messageId, m, c, token } = await setup({ MESSAGE_RATE_LIMIT_MAX: '3' });
    const first = await m('/list-by-customer', { contact_id: contactId });
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    expect((await m('/get-by-id', { _id: messageId })).status).toBe(200);
    expect((await request(inbox.app).get(`${MESSAGES}/${messageId}`).set(bearer(token))).status).toBe(200);
    const limited = await m('/mark-read', { contact_id: contactId });
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^text\/html/);
    expect(limited.text).toBe(MESSAGE_TEXT);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await c('/list', {})).status).toBe(200);
  });

  test('when a limited create is refused, then nothing is stored', async () => {
    const { inbox, co, contactId, m } = await setup({ MESSAGE_RATE_LIMIT_MAX: '1' });
    const create = { company_id: String(co.companyId), contact_id: contactId, role: 'operator', platform: 'web', direction: 'outbound' };
    expect((await m('', { ...create, content: 'first' })).status).toBe(201);
    const second = await m('', { ...create, content: 'second' });
    expect(second.status).toBe(429);
    expect(await Message.countDocuments({ company_id: co.companyId, content: 'second' })).toBe(0);
    expect(inbox.realtime.events).toHaveLength(1);
  });

  test('when requests fail validation, then they do not use up the /messages budget', async () => {
    const { contactId, m } = await setup({ MESSAGE_RATE_LIMIT_MAX: '2' });
    for (let i = 0; i < 4; i++) expect((await m('/list-by-customer', { contact_id: 'not-an-id' })).status).toBe(400);
    expect((await m('/list-by-customer', { contact_id: contactId })).status).toBe(200);
    expect((await m('/list-by-customer', { contact_id: contactId })).status).toBe(200);
    expect((await m('/list-by-customer', { contact_id: contactId })).status).toBe(429);
  });

  test('when the /conversations budget is spent, then 429 with its own text while /messages still answers', async () => {
    const { contactId, m, c } = await setup({ CONVERSATION_RATE_LIMIT_MAX: '2' });
    expect((await c('/list', { limit: 0 })).status).toBe(400);
    expect((await c('/list', {})).status).toBe(200);
    expect((await c('/messages', { contactId })).status).toBe(200);
    const limited = await c('/toggle-bot-suspended', { contactId });
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^text\/html/);
    expect(limited.text).toBe(CONVERSATION_TEXT);
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await m('/list-by-customer', { contact_id: contactId })).status).toBe(200);
  });
});
