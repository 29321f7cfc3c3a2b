/**
 * Company rooms and conversation rooms (contract §2.3, §2.5; S-6): message:new from M1, S1 and
 * ingest reaches every socket of its company and none of another; conversation rooms open only
 * for the company's own contacts.
 */
import type { Types } from 'mongoose';
import request from 'supertest';
import type { MessageNewEvent } from '../../socket/events/types';
import { bearer, companyWithStaff, createStaff, accessTokenFor, newObjectId } from '../factories/accounts';
import { operatorMessageBody } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';
import { createContact } from '../factories/inbox';
import { join, record, settle, useRealtimeServer, waitUntil, type ClientSocket, type RealtimeServer } from './support';

useTestDatabase();

let server: RealtimeServer;

useRealtimeServer((s) => (server = s));

interface Tenant {
  companyId: Types.ObjectId;
  managerToken: string;
  contactId: string;
  sockets: ClientSocket[];
  received: MessageNewEvent[][];
}

/** A company with a contact and three open dashboards (manager twice, receptionist, a second receptionist). */
async function tenant(): Promise<Tenant> {
  const co = await companyWithStaff(server.config);
  const extra = await createStaff(co.companyId, 'receptionist');
  const contact = await createContact(co.companyId);
  const sockets = await Promise.all(
    [co.users.manager.token, co.users.manager.token, co.users.receptionist.token, accessTokenFor(server.config, extra.userId)].map((t) =>
      server.connect(t),
    ),
  );
  return {
    companyId: co.companyId,
    managerToken: co.users.manager.token,
    contactId: String(contact._id),
    sockets,
    received: sockets.map((s) => record(s, 'message:new')),
  };
}

const allReceived = (t: Tenant, n: number) => t.received.every((r) => r.length >= n);

describe('message:new reaches exactly the sockets of its company', () => {
  let a: Tenant;
  let b: Tenant;

  beforeEach(async () => {
    a = await tenant();
    b = await tenant();
  });

  test('when a manager sends an operator message (M1), then every socket of the company gets message:new with the stored message, and no socket of another company does', async () => {
    const res = await request(server.url)
      .post('/api/v1/messages')
      .set(bearer(a.managerToken))
      .send(operatorMessageBody(a.companyId, a.contactId, { platform: 'web', content: '  See you at 10!  ' }));
    expect(res.status).toBe(201);
    const stored = res.body.messageData;

    await waitUntil(() => allReceived(a, 1), 'message:new on every socket of company A');
    await settle(...b.sockets);
    for (const r of a.received) {
      expect(r).toHaveLength(1);
      expect(r[0]).toEqual({
        conversationId: a.contactId,
        message: expect.objectContaining({
          id: stored._id,
          contactId: a.contactId,
          content: 'See you at 10!',
          direction: 'outbound',
          timestamp: stored.created_at,
          read: false,
          delivered: false,
        }),
      });
      expect(new Date(r[0]!.message.timestamp).toISOString()).toBe(r[0]!.message.timestamp);
    }
    for (const r of b.received) expect(r).toEqual([]);
  });

  test('when the Meta Bot emits through S1, then every socket of the named company gets the message exactly as sent, and no socket of another company does', async () => {
    const message = {
      id: newObjectId(),
      contactId: a.contactId,
      content: 'Do you have a slot on Friday?',
      direction: 'inbound',
      timestamp: '2025-03-01T10:00:00.000Z',
      read: false,
      delivered: true,
      attachments: [{ type: 'image', url: 'https://cdn.example/p.jpg' }],
    };
    const res = await request(server.url)
      .post('/api/v1/socket/emit-message-internal')
      .set('x-api-key', server.config.internalApiKey)
      .send({ companyId: String(a.companyId), conversationId: a.contactId, message });
    expect(res.status).toBe(200);

    await waitUntil(() => allReceived(a, 1), 'message:new on every socket of company A');
    await settle(...b.sockets);
    for (const r of a.received) expect(r).toEqual([{ conversationId: a.contactId, message }]);
    for (const r of b.received) expect(r).toEqual([]);
  });

  test('when S1 is called without the API key, then nobody gets message:new', async () => {
    const res = await request(server.url)
      .post('/api/v1/socket/emit-message-internal')
      .send({
        companyId: String(a.companyId),
        conversationId: a.contactId,
        message: { id: newObjectId(), contactId: a.contactId, direction: 'inbound' },
      });
    expect(res.status).toBe(401);
    await settle(...a.sockets, ...b.sockets);
    for (const r of [...a.received, ...b.received]) expect(r).toEqual([]);
  });

  test('when the Meta Bot ingests a customer message, then every socket of that company gets message:new with the stored message, and no socket of another company does', async () => {
    const res = await request(server.url)
      .post('/api/v1/internal/messages')
      .set('x-api-key', server.config.internalApiKey)
      .send({
        company_id: String(b.companyId),
        platform: 'facebook',
        external_message_id: 'mid.abc',
        contact_id: b.contactId,
        content: 'Hello?',
      });
    expect(res.status).toBe(201);
    const stored = res.body.message;

    await waitUntil(() => allReceived(b, 1), 'message:new on every socket of company B');
    await settle(...a.sockets);
    for (const r of b.received) {
      expect(r).toEqual([
        {
          conversationId: b.contactId,
          message: expect.objectContaining({
            id: stored._id,
            contactId: b.contactId,
            content: 'Hello?',
            direction: 'inbound',
            timestamp: stored.created_at,
            read: false,
            delivered: true,
          }),
        },
      ]);
    }
    for (const r of a.received) expect(r).toEqual([]);
  });

  test('when the same platform message is ingested twice, then message:new goes out once', async () => {
    const send = () =>
      request(server.url)
        .post('/api/v1/internal/messages')
        .set('x-api-key', server.config.internalApiKey)
        .send({
          company_id: String(a.companyId),
          platform: 'facebook',
          external_message_id: 'mid.twice',
          contact_id: a.contactId,
          content: 'Hi',
        });
    expect((await send()).status).toBe(201);
    expect((await send()).status).toBe(200);
    await settle(...a.sockets);
    for (const r of a.received) expect(r).toHaveLength(1);
  });

  test("when a manager posts a message for another company's contact (M1), then it is refused and no socket of either company gets message:new", async () => {
    const res = await request(server.url)
      .post('/api/v1/messages')
      .set(bearer(a.managerToken))
      .send(operatorMessageBody(a.companyId, b.contactId, { platform: 'web', content: 'x' }));
    expect(res.status).toBe(404);
    await settle(...a.sockets, ...b.sockets);
    for (const r of [...a.received, ...b.received]) expect(r).toEqual([]);
  });
});

describe('conversation:join', () => {
  test('when a socket joins a contact of its own company, then the ack is {ok:true}', async () => {
    const co = await companyWithStaff(server.config);
    const contact = await createContact(co.companyId);
    const socket = await server.connect(co.users.receptionist.token);
    expect(await join(socket, contact._id)).toEqual({ ok: true });
  });

  test("when a socket joins another company's contact, then the ack is {ok:false} and it does not receive that room's typing", async () => {
    const mine = await companyWithStaff(server.config);
    const theirs = await companyWithStaff(server.config);
    const contact = await createContact(theirs.companyId);
    const intruder = await server.connect(mine.users.manager.token);
    const owner = await server.connect(theirs.users.manager.token);
    const colleague = await server.connect(theirs.users.receptionist.token);
    const intruderTyping = record(intruder, 'typing:indicator');
    const colleagueTyping = record(colleague, 'typing:indicator');

    expect(await join(intruder, contact._id)).toEqual({ ok: false, error: expect.any(String) });
    expect(await join(owner, contact._id)).toEqual({ ok: true });
    expect(await join(colleague, contact._id)).toEqual({ ok: true });
    owner.emit('typing:start', { conversationId: String(contact._id) });
    await waitUntil(() => colleagueTyping.length === 1, 'typing:indicator on the colleague');
    await settle(intruder);
    expect(intruderTyping).toEqual([]);
  });

  test('when a socket joins a contact id that does not exist, then the ack is {ok:false}', async () => {
    const co = await companyWithStaff(server.config);
    const socket = await server.connect(co.users.manager.token);
    expect(await join(socket, newObjectId())).toEqual({ ok: false, error: expect.any(String) });
  });
});
