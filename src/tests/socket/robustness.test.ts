/**
 * Malformed client events (B-17): whatever a client emits, the handler ignores what it cannot
 * parse, nothing throws, and the same connection keeps working.
 */
import request from 'supertest';
import { Message } from '../../models/Message';
import { companyWithStaff, newObjectId } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { captureLogs, type CapturedLogs } from '../helpers/logs';
import { createContact, createMessage } from '../factories/inbox';
import { join, record, settle, useRealtimeServer, waitUntil, type ClientSocket, type RawSocket, type RealtimeServer } from './support';

useTestDatabase();

let server: RealtimeServer;
let logs: CapturedLogs;

useRealtimeServer((s) => (server = s));
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => {
  logs.stop();
});

const EVENTS = ['conversation:join', 'conversation:leave', 'typing:start', 'typing:stop', 'message:read'] as const;
const WITH_ACK = new Set<string>(['conversation:join', 'conversation:leave', 'message:read']);

const id = newObjectId();
const nested: Record<string, unknown> = {};
let cursor = nested;
for (let i = 0; i < 200; i++) cursor = (cursor.next = {}) as Record<string, unknown>;

/** Payloads no handler can accept (kept below Socket.io's 1 MB message limit). */
const BAD_PAYLOADS: [string, unknown][] = [
  ['null', null],
  ['a string', 'conversation'],
  ['a number', 42],
  ['a negative float', -1.5],
  ['a boolean', true],
  ['an empty array', []],
  ['an array of ids', [id, id]],
  ['a huge array', Array.from({ length: 50_000 }, (_, i) => i)],
  ['an empty object', {}],
  ['a numeric id', { conversationId: 123 }],
  ['an invalid id', { conversationId: 'not-an-object-id' }],
  ['a 25-character id', { conversationId: `${id}a` }],
  ['an operator object as id', { conversationId: { $ne: null } }],
  ['an array as id', { conversationId: [id] }],
  ['a very long id', { conversationId: 'f'.repeat(200_000) }],
  ['a deeply nested object', { conversationId: nested }],
  ['messageIds as a string', { conversationId: id, messageIds: id }],
  ['messageIds empty', { conversationId: id, messageIds: [] }],
  ['messageIds with invalid ids', { conversationId: id, messageIds: ['nope', 7, null, { $gt: '' }] }],
  ['messageIds as a huge array', { conversationId: id, messageIds: Array.from({ length: 20_000 }, () => id) }],
];

const handlerFailures = () => logs.lines.filter((l) => l.message === 'socket handler failed');
const ignoredWarnings = (event: string) => logs.lines.filter((l) => l.message === 'invalid socket payload ignored' && l.event === event);

async function fixture() {
  const co = await companyWithStaff(server.config);
  const contact = await createContact(co.companyId);
  const noisy = await server.connect(co.users.manager.token);
  const colleague = await server.connect(co.users.receptionist.token);
  return { co, contact, noisy, colleague, raw: noisy as unknown as RawSocket };
}

/** The noisy socket still joins, hears typing and message:new, and can mark messages read. */
async function stillServes(f: Awaited<ReturnType<typeof fixture>>): Promise<void> {
  const { co, contact, noisy, colleague } = f;
  expect(noisy.connected).toBe(true);
  expect(await join(noisy, contact._id)).toEqual({ ok: true });
  expect(await join(colleague, contact._id)).toEqual({ ok: true });

  const typing = record(noisy, 'typing:indicator');
  colleague.emit('typing:start', { conversationId: String(contact._id) });
  await waitUntil(() => typing.length === 1, 'typing:indicator at the noisy socket');

  const news = record(noisy, 'message:new');
  const res = await request(server.url)
    .post('/api/v1/socket/emit-message-internal')
    .set('x-api-key', server.config.internalApiKey)
    .send({
      companyId: String(co.companyId),
      conversationId: String(contact._id),
      message: { id, contactId: String(contact._id), direction: 'inbound' },
    });
  expect(res.status).toBe(200);
  await waitUntil(() => news.length === 1, 'message:new at the noisy socket');

  const unread = await createMessage(co.companyId, contact._id);
  const ack = await noisy
    .timeout(3000)
    .emitWithAck('message:read', { conversationId: String(contact._id), messageIds: [String(unread._id)] });
  expect(ack).toEqual({ ok: true });
  expect(await Message.findOne({ _id: unread._id, company_id: co.companyId }).lean()).toEqual(expect.objectContaining({ read: true }));
}

describe.each(EVENTS)('%s', (event) => {
  test(`when ${event} is emitted with no payload or with malformed payloads, then nothing fails and the same socket keeps working`, async () => {
    const f = await fixture();
    f.raw.emit(event);
    for (const [, payload] of BAD_PAYLOADS) f.raw.emit(event, payload);
    f.raw.emit(event, { conversationId: id }, 'extra', 'arguments');
    await settle(f.noisy);

    expect(handlerFailures()).toEqual([]);
    // Malformed emits are logged as ignored, but at most 5 lines a minute per user and event, so
    // a client cannot flood the log files (the rest are counted when the window ends).
    expect(ignoredWarnings(event)).toHaveLength(5);
    await stillServes(f);
    expect((await request(server.url).get('/health')).status).toBe(200);
  });
});

describe.each([...WITH_ACK])('%s with an acknowledgement', (event) => {
  // Leaving a well-formed room id is harmless and accepted (extra keys are stripped); everything else is refused.
  const rows = BAD_PAYLOADS.map(([what, payload]) => ({
    what,
    payload,
    accepted: event === 'conversation:leave' && isWellFormedRoom(payload),
  }));
  test.each(rows)(
    `when ${event} carries $what, then the ack is {ok: $accepted} and the socket stays connected`,
    async ({ payload, accepted }) => {
      const { noisy, raw } = await fixture();
      const ack = (await raw.timeout(3000).emitWithAck(event, payload)) as { ok: boolean; error?: string };
      expect(ack).toEqual(accepted ? { ok: true } : { ok: false, error: expect.any(String) });
      expect(noisy.connected).toBe(true);
      expect(handlerFailures()).toEqual([]);
    },
  );
});

describe('reserved event names', () => {
  const RESERVED = ['error', 'disconnect', 'disconnecting', 'connect', 'connect_error', 'newListener', 'removeListener'];
  const PAYLOADS: unknown[] = [null, undefined, 'text', 42, {}, { message: 'x' }, [1, 2]];

  let escaped: unknown[];
  const onEscape = (err: unknown) => void escaped.push(err);
  beforeEach(() => {
    escaped = [];
    process.on('uncaughtException', onEscape);
    process.on('unhandledRejection', onEscape);
  });
  afterEach(() => {
    process.off('uncaughtException', onEscape);
    process.off('unhandledRejection', onEscape);
  });

  test.each(['error', 42])(
    'when a signed-in client emits %s with null, undefined or junk, then it is dropped, nothing escapes to the process and the socket keeps working',
    async (event) => {
      const f = await fixture();
      // The client library refuses reserved names, so the packets are written raw.
      for (const payload of PAYLOADS) rawEmit(f.raw, [event, payload]);
      rawEmit(f.raw, [event]);
      await settle(f.noisy);
      expect(escaped).toEqual([]);
      expect(handlerFailures()).toEqual([]);
      expect(logs.lines.filter((l) => l.message === 'socket packet with a reserved event name dropped').length).toBeGreaterThan(0);
      await stillServes(f);
    },
  );

  test.each(RESERVED.filter((e) => e !== 'error'))(
    'when a signed-in client emits %s, then Socket.io closes that connection as a protocol violation, nothing escapes, and others are served',
    async (event) => {
      const f = await fixture();
      const closed = new Promise((resolve) => f.raw.once('disconnect', resolve));
      rawEmit(f.raw, [event, null]);
      await closed;
      expect(escaped).toEqual([]);
      const again = await server.connect(f.co.users.manager.token);
      expect(await join(again, f.contact._id)).toEqual({ ok: true });
    },
  );

  /** Sends an EVENT packet as it is, bypassing the client library's own checks. */
  function rawEmit(socket: RawSocket, data: unknown[]): void {
    (socket as unknown as { packet(p: unknown): void }).packet({ type: 2, nsp: '/', data });
  }

  test('when a reserved name is emitted with an ack, then the ack is refused', async () => {
    const { raw } = await fixture();
    expect(await raw.timeout(3000).emitWithAck('error', null)).toEqual({ ok: false, error: 'reserved event name' });
  });
});

function isWellFormedRoom(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && (payload as { conversationId?: unknown }).conversationId === id;
}

test('when a socket floods the server with malformed events, then the other sockets of the company are unaffected', async () => {
  const f = await fixture();
  const bystander: ClientSocket = await server.connect(f.co.users.groomer.token);
  for (let i = 0; i < 20; i++) for (const event of EVENTS) for (const [, payload] of BAD_PAYLOADS.slice(0, 6)) f.raw.emit(event, payload);
  await settle(f.noisy);
  expect(bystander.connected).toBe(true);
  expect(await join(bystander, f.contact._id)).toEqual({ ok: true });
  expect(handlerFailures()).toEqual([]);
});
