/**
 * Typing indicators (contract §2.4 typing:start/stop, §2.5 typing:indicator; S-6): only between
 * sockets that joined the conversation room, never back to the sender, never across companies.
 */
import { companyWithStaff } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { createContact } from '../factories/inbox';
import { join, record, settle, useRealtimeServer, waitUntil, type ClientSocket, type RealtimeServer } from './support';

useTestDatabase();

let server: RealtimeServer;

useRealtimeServer((s) => (server = s));

let co: Awaited<ReturnType<typeof companyWithStaff>>;
let conversationId: string;
let a: ClientSocket;
let b: ClientSocket;

beforeEach(async () => {
  co = await companyWithStaff(server.config);
  conversationId = String((await createContact(co.companyId))._id);
  a = await server.connect(co.users.manager.token);
  b = await server.connect(co.users.receptionist.token);
  expect(await join(a, conversationId)).toEqual({ ok: true });
  expect(await join(b, conversationId)).toEqual({ ok: true });
});

test("when A types in a joined conversation, then B gets typing:indicator with A's user id and isTyping true, and A gets nothing", async () => {
  const atA = record(a, 'typing:indicator');
  const atB = record(b, 'typing:indicator');
  a.emit('typing:start', { conversationId });
  await waitUntil(() => atB.length === 1, 'typing:indicator at B');
  await settle(a);
  expect(atB).toEqual([{ conversationId, userId: String(co.users.manager.userId), isTyping: true }]);
  expect(atA).toEqual([]);
});

test('when A stops typing, then B gets typing:indicator with isTyping false', async () => {
  const atB = record(b, 'typing:indicator');
  a.emit('typing:start', { conversationId });
  a.emit('typing:stop', { conversationId });
  await waitUntil(() => atB.length === 2, 'two typing:indicator events at B');
  expect(atB).toEqual([
    { conversationId, userId: String(co.users.manager.userId), isTyping: true },
    { conversationId, userId: String(co.users.manager.userId), isTyping: false },
  ]);
});

test('when a socket of the same company has not joined the conversation, then it gets no typing:indicator', async () => {
  const bystander = await server.connect(co.users.manager.token);
  const atBystander = record(bystander, 'typing:indicator');
  const atB = record(b, 'typing:indicator');
  a.emit('typing:start', { conversationId });
  await waitUntil(() => atB.length === 1, 'typing:indicator at B');
  await settle(bystander);
  expect(atBystander).toEqual([]);
});

test('when a socket that has not joined the conversation emits typing, then nobody in the room gets it', async () => {
  const outsider = await server.connect(co.users.groomer.token);
  const atA = record(a, 'typing:indicator');
  const atB = record(b, 'typing:indicator');
  outsider.emit('typing:start', { conversationId });
  await settle(outsider);
  await settle(a, b);
  expect(atA).toEqual([]);
  expect(atB).toEqual([]);
});

test('when a socket left the conversation, then it no longer gets typing:indicator and cannot send it', async () => {
  const atA = record(a, 'typing:indicator');
  const atB = record(b, 'typing:indicator');
  expect(await b.timeout(3000).emitWithAck('conversation:leave', { conversationId })).toEqual({ ok: true });
  a.emit('typing:start', { conversationId });
  b.emit('typing:start', { conversationId });
  await settle(a, b);
  await settle(a, b);
  expect(atB).toEqual([]);
  expect(atA).toEqual([]);
});

test('when a socket of another company emits typing for this conversation, then nobody in the room gets it', async () => {
  const other = await companyWithStaff(server.config);
  const intruder = await server.connect(other.users.manager.token);
  const atA = record(a, 'typing:indicator');
  const atB = record(b, 'typing:indicator');
  expect(await join(intruder, conversationId)).toEqual({ ok: false, error: expect.any(String) });
  intruder.emit('typing:start', { conversationId });
  intruder.emit('typing:stop', { conversationId });
  await settle(intruder);
  await settle(a, b);
  expect(atA).toEqual([]);
  expect(atB).toEqual([]);
});

test("when typing goes on in one conversation, then sockets that joined only another of the company's conversations get nothing", async () => {
  const second = String((await createContact(co.companyId))._id);
  const elsewhere = await server.connect(co.users.receptionist.token);
  expect(await join(elsewhere, second)).toEqual({ ok: true });
  const atElsewhere = record(elsewhere, 'typing:indicator');
  const atB = record(b, 'typing:indicator');
  a.emit('typing:start', { conversationId });
  await waitUntil(() => atB.length === 1, 'typing:indicator at B');
  await settle(elsewhere);
  expect(atElsewhere).toEqual([]);
});
