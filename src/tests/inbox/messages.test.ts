/**
 * M1 POST /api/v1/messages: a dashboard operator's message is stored, answered 201 at once
 * (Facebook/Instagram queued for the outbox), normalised, and announced with message:new.
 */
import type { Types } from 'mongoose';
import request from 'supertest';
import { buildApp } from '../../app';
import { Message } from '../../models/Message';
import { recordingRealtime, type Realtime } from '../../socket/realtime';
import { bearer, companyWithStaff } from '../factories/accounts';
import { createContact, createIntegration, operatorMessageBody } from '../factories/inbox';
import { useTestDatabase } from '../helpers/database';
import { CONTACT_NOT_FOUND, countOf, inboxApp, MESSAGES, validationError, type Co } from './support';

useTestDatabase();

const { app, config, realtime, kicks } = inboxApp();
let co: Co;
let contactId: string;

beforeEach(async () => {
  realtime.events.length = 0;
  co = await companyWithStaff(config);
  await createIntegration(config, co.companyId);
  contactId = String((await createContact(co.companyId))._id);
});

const body = (extra: Record<string, unknown> = {}) => operatorMessageBody(co.companyId, contactId, extra);

const send = (b: Record<string, unknown>, token = co.users.manager.token) => request(app).post(MESSAGES).set(bearer(token)).send(b);

describe('M1 create: Facebook and Instagram', () => {
  test.each(['facebook', 'instagram'])(
    'when a manager sends an operator message on %s, then 201 with the stored message queued for the Meta Bot',
    async (platform) => {
      const kicksBefore = kicks();
      const started = Date.now();
      const res = await send(body({ platform, content: '  Your dog is ready  ' }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        message: 'Message created successfully',
        messageData: expect.objectContaining({
          _id: expect.stringMatching(/^[0-9a-f]{24}$/),
          company_id: String(co.companyId),
          contact_id: contactId,
          role: 'operator',
          platform,
          content: 'Your dog is ready',
          attachments: [],
          direction: 'outbound',
          read: false,
          delivered: false,
          delivery_status: 'queued',
          created_at: expect.any(String),
          updated_at: expect.any(String),
          __v: 0,
        }),
        forwarding: { success: true, forwarded: false, queued: true, status: 'queued', platform },
        warning: null,
      });
      for (const internal of ['delivery_key', 'delivery_next_attempt_at', 'delivery_locked_until', 'delivery_lock_owner']) {
        expect(res.body.messageData).not.toHaveProperty(internal);
      }
      expect(new Date(res.body.messageData.created_at).getTime()).toBeGreaterThanOrEqual(started - 1000);
      const saved = await Message.findOne({ _id: res.body.messageData._id, company_id: co.companyId }).lean();
      expect(saved).toMatchObject({ content: 'Your dog is ready', platform, delivery_status: 'queued' });
      expect(kicks()).toBe(kicksBefore + 1);
    },
  );

  test('when the message is created, then message:new goes to the company with the dashboard payload', async () => {
    const res = await send(body({ content: 'See you at 10' }));
    expect(res.status).toBe(201);
    const m = res.body.messageData;
    expect(realtime.events).toHaveLength(1);
    expect(realtime.events[0]).toEqual({
      event: 'message:new',
      companyId: String(co.companyId),
      payload: { conversationId: contactId, message: expect.any(Object) },
    });
    expect((realtime.events[0]!.payload as { message: unknown }).message).toMatchObject({
      id: m._id,
      contactId,
      content: 'See you at 10',
      direction: 'outbound',
      timestamp: m.created_at,
      read: false,
      delivered: false,
    });
  });

  test('when message:new is published, then the message is already stored', async () => {
    const recorder = recordingRealtime();
    const order: string[] = [];
    const insertOne = Message.collection.insertOne.bind(Message.collection);
    const spy = jest.spyOn(Message.collection, 'insertOne').mockImplementation(((...args: Parameters<typeof insertOne>) =>
      insertOne(...args).then((r) => {
        order.push('stored');
        return r;
      })) as typeof insertOne);
    const probing: Realtime = {
      ...recorder,
      messageNew: (companyId, event) => {
        order.push('message:new');
        recorder.messageNew(companyId, event);
      },
    };
    try {
      const probeApp = buildApp({ config, realtime: probing });
      const res = await request(probeApp).post(MESSAGES).set(bearer(co.users.manager.token)).send(body());
      expect(res.status).toBe(201);
      expect(order).toEqual(['stored', 'message:new']);
      expect(await Message.exists({ _id: res.body.messageData._id, company_id: co.companyId })).not.toBeNull();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('M1 create: other platforms', () => {
  test.each(['telegram', 'whatsapp', 'web', 'other'])(
    'when a receptionist sends on %s, then 201 with forwarding null and nothing queued',
    async (platform) => {
      const kicksBefore = kicks();
      const res = await send(body({ platform }), co.users.receptionist.token);
      expect(res.status).toBe(201);
      expect(res.body.forwarding).toBeNull();
      expect(res.body.warning).toBeNull();
      expect(res.body.messageData).toMatchObject({ platform, role: 'operator', direction: 'outbound' });
      expect(res.body.messageData).not.toHaveProperty('delivery_status');
      expect(kicks()).toBe(kicksBefore);
      expect(realtime.events.map((e) => e.event)).toEqual(['message:new']);
    },
  );
});

describe('M1 create: normalisation', () => {
  test('when attachments mix valid and invalid items, then only http(s) urls are kept and type defaults to file', async () => {
    const res = await send(
      body({
        attachments: [
          { type: 'image', url: 'https://cdn.example/dog.png', file_description: 'Rex' },
          { url: 'http://cdn.example/invoice.pdf' },
          { type: 7, url: 'https://cdn.example/x' },
          { type: 'image', url: 'ftp://cdn.example/old.png' },
          { type: 'image', url: '' },
          { type: 'image' },
          'https://cdn.example/bare-string',
          null,
        ],
      }),
    );
    expect(res.status).toBe(201);
    const expected = [
      { type: 'image', url: 'https://cdn.example/dog.png', file_description: 'Rex' },
      { type: 'file', url: 'http://cdn.example/invoice.pdf', file_description: '' },
      { type: 'file', url: 'https://cdn.example/x', file_description: '' },
    ];
    expect(res.body.messageData.attachments).toEqual(expected.map((a) => ({ ...a, _id: expect.stringMatching(/^[0-9a-f]{24}$/) })));
    const saved = await Message.findOne({ _id: res.body.messageData._id, company_id: co.companyId }).lean();
    expect(saved!.attachments.map(({ type, url, file_description }) => ({ type, url, file_description }))).toEqual(expected);
  });

  test.each([['a string'], [{ url: 'https://cdn.example/a.png' }], [42]])(
    'when attachments is not an array (%p), then the message is stored with no attachments',
    async (attachments) => {
      const res = await send(body({ attachments }));
      expect(res.status).toBe(201);
      expect(res.body.messageData.attachments).toEqual([]);
    },
  );

  test('when exactly 10 attachments are sent, then all are stored; 11 are refused with 400 and nothing stored', async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'image', url: `https://cdn.example/${i}.png` }));
    const ten = await send(body({ attachments: many(10) }));
    expect(ten.status).toBe(201);
    expect(ten.body.messageData.attachments).toHaveLength(10);
    const eleven = await send(body({ attachments: many(11) }));
    expect(eleven.status).toBe(400);
    expect(eleven.body).toEqual(validationError('attachments'));
    expect(await countOf('messages')).toBe(1);
  });

  test('when the client sends created_at, updated_at, read, read_at and delivered, then they are ignored', async () => {
    const started = Date.now();
    const res = await send(
      body({
        created_at: '2001-01-01T00:00:00.000Z',
        updated_at: '2001-01-01T00:00:00.000Z',
        read: true,
        read_at: '2001-01-01T00:00:00.000Z',
        delivered: true,
      }),
    );
    expect(res.status).toBe(201);
    const saved = await Message.findOne({ _id: res.body.messageData._id, company_id: co.companyId }).lean();
    expect(saved).toMatchObject({ read: false, delivered: false });
    expect(saved!.read_at).toBeUndefined();
    expect(saved!.created_at!.getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect(saved!.updated_at!.getTime()).toBeGreaterThanOrEqual(started - 1000);
  });

  test('when content is 5000 characters after trimming, then 201; at 5001 characters, then 400', async () => {
    const ok = await send(body({ content: `  ${'a'.repeat(5000)}  ` }));
    expect(ok.status).toBe(201);
    expect(ok.body.messageData.content).toHaveLength(5000);
    const long = await send(body({ content: 'a'.repeat(5001) }));
    expect(long.status).toBe(400);
    expect(long.body).toEqual(validationError('content'));
  });

  test('when content is omitted, then the message is stored with empty content', async () => {
    const res = await send(body({ content: undefined, platform: 'web' }));
    expect(res.status).toBe(201);
    expect(res.body.messageData.content).toBe('');
  });
});

describe('M1 create: refusals leave nothing behind', () => {
  async function expectNothingWritten(): Promise<void> {
    expect(await countOf('messages')).toBe(0);
    expect(realtime.events).toEqual([]);
  }

  test.each([
    ['contact_id', { contact_id: 'not-an-id' }],
    ['contact_id', { contact_id: { $ne: null } }],
    ['contact_id', { contact_id: undefined }],
    ['role', { role: 'admin' }],
    ['platform', { platform: 'Facebook' }],
    ['platform', { platform: 'sms' }],
    ['direction', { direction: 'sideways' }],
    ['content', { content: 12345 }],
    ['content', { content: { $gt: '' } }],
    ['content', { content: ['hello'] }],
    ['external_message_id', { external_message_id: { id: 1 } }],
  ])('when %s is invalid (%p), then 400 VALIDATION_ERROR and nothing is stored', async (field, extra) => {
    const res = await send(body(extra));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError(field));
    await expectNothingWritten();
  });

  test.each([
    ['user', 'inbound'],
    ['assistant', 'outbound'],
    ['operator', 'inbound'],
    ['user', 'outbound'],
  ])('when staff send role %s with direction %s, then 403 {message} and nothing is stored', async (role, direction) => {
    const res = await send(body({ role, direction }));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ message: expect.stringContaining('operator') });
    await expectNothingWritten();
  });

  test('when the contact does not exist, then 404 Contact not found and nothing is stored', async () => {
    const res = await send(body({ contact_id: '65a000000000000000000001' }));
    expect(res.status).toBe(404);
    expect(res.body).toEqual(CONTACT_NOT_FOUND);
    await expectNothingWritten();
  });

  test('when company_id names another company, then 403 FORBIDDEN in the E1 envelope and nothing is stored', async () => {
    const other = await companyWithStaff(config);
    const res = await send(body({ company_id: String(other.companyId) }));
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    await expectNothingWritten();
  });

  test('when the body is malformed JSON, then 400 and nothing is stored', async () => {
    const res = await request(app)
      .post(MESSAGES)
      .set(bearer(co.users.manager.token))
      .set('Content-Type', 'application/json')
      .send('{"contact_id": ');
    expect(res.status).toBe(400);
    await expectNothingWritten();
  });
});

describe('M1 create: company scoping of the stored message', () => {
  test('when company_id is omitted, then 400 VALIDATION_ERROR as the contract requires it', async () => {
    const res = await send(body({ company_id: undefined }));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(validationError('company_id'));
    expect(await countOf('messages')).toBe(0);
  });

  test('when two companies each send, then each message is stored under its own company', async () => {
    const other = await companyWithStaff(config);
    const otherContact = await createContact(other.companyId);
    const mine = await send(body());
    const theirs = await request(app)
      .post(MESSAGES)
      .set(bearer(other.users.manager.token))
      .send({ ...body(), company_id: String(other.companyId), contact_id: String(otherContact._id) });
    expect([mine.status, theirs.status]).toEqual([201, 201]);
    const ids = (c: Types.ObjectId) => Message.find({ company_id: c }).distinct('_id');
    expect((await ids(co.companyId)).map(String)).toEqual([mine.body.messageData._id]);
    expect((await ids(other.companyId)).map(String)).toEqual([theirs.body.messageData._id]);
  });
});
