/**
 * message:read → message:status (contract §2.4, §2.5; S-7): the read state is stored before the
 * company hears of it, only the caller's company hears of it, and ids of another company's
 * messages are neither marked nor announced.
 */
import type { Types } from 'mongoose';
import { Message } from '../../models/Message';
import type { MessageStatusEvent } from '../../socket/events/types';
import { companyWithStaff, newObjectId } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { createContact, createMessage } from '../factories/inbox';
import { record, settle, useRealtimeServer, waitUntil, type ClientSocket, type RealtimeServer } from './support';

useTestDatabase();

let server: RealtimeServer;

useRealtimeServer((s) => (server = s));

type Co = Awaited<ReturnType<typeof companyWithStaff>>;
let a: Co;
let b: Co;
let contactA: Types.ObjectId;
let contactB: Types.ObjectId;
let a1: ClientSocket;
let a2: ClientSocket;
let b1: ClientSocket;

beforeEach(async () => {
  a = await companyWithStaff(server.config);
  b = await companyWithStaff(server.config);
  contactA = (await createContact(a.companyId))._id;
  contactB = (await createContact(b.companyId))._id;
  [a1, a2, b1] = await Promise.all([
    server.connect(a.users.manager.token),
    server.connect(a.users.receptionist.token),
    server.connect(b.users.manager.token),
  ]);
});

const read = (s: ClientSocket, conversationId: Types.ObjectId, messageIds: string[]) =>
  s.timeout(3000).emitWithAck('message:read', { conversationId: String(conversationId), messageIds });

const newMessage = async (companyId: Types.ObjectId, contactId: Types.ObjectId, direction: 'inbound' | 'outbound' = 'inbound') =>
  String((await createMessage(companyId, contactId, { direction }))._id);

/** The stored read state, in the order of `ids`. */
async function readState(companyId: Types.ObjectId, ids: string[]) {
  const docs = await Message.find({ company_id: companyId, _id: { $in: ids } }, { read: 1, read_at: 1 }).lean();
  return ids.map((id) => {
    const d = docs.find((x) => String(x._id) === id);
    return { read: d?.read, read_at: d?.read_at ?? undefined };
  });
}

test('when a dashboard reads inbound messages, then they are stored read with read_at before message:status reaches every socket of the company, and no other company hears of it', async () => {
  const ids = [await newMessage(a.companyId, contactA), await newMessage(a.companyId, contactA)];
  const statusAtA2: MessageStatusEvent[] = [];
  let dbAtStatus: Promise<Awaited<ReturnType<typeof readState>>> | undefined;
  a2.on('message:status', (e) => {
    statusAtA2.push(e);
    dbAtStatus ??= readState(a.companyId, ids);
  });
  const statusAtA1 = record(a1, 'message:status');
  const statusAtB1 = record(b1, 'message:status');

  expect(await read(a1, contactA, ids)).toEqual({ ok: true });
  await waitUntil(() => statusAtA2.length === 1, 'message:status at the second dashboard');
  await settle(b1);

  const expected = {
    conversationId: String(contactA),
    messageIds: [...ids].sort(),
    status: 'read',
    userId: String(a.users.manager.userId),
    timestamp: expect.any(String),
  };
  const sortedIds = (e: MessageStatusEvent) => ({ ...e, messageIds: [...e.messageIds].sort() });
  expect(statusAtA1.map(sortedIds)).toEqual([expected]);
  expect(statusAtA2.map(sortedIds)).toEqual([expected]);
  expect(statusAtB1).toEqual([]);
  const atStatus = await dbAtStatus!;
  expect(atStatus).toEqual([
    { read: true, read_at: expect.any(Date) },
    { read: true, read_at: expect.any(Date) },
  ]);
  expect(atStatus[0]!.read_at!.toISOString()).toBe(statusAtA2[0]!.timestamp);
});

test("when a dashboard sends message ids of another company's conversation, then nothing is marked read, the ack is {ok:false} and nobody gets message:status", async () => {
  const theirs = [await newMessage(b.companyId, contactB), await newMessage(b.companyId, contactB)];
  const statuses = [a1, a2, b1].map((s) => record(s, 'message:status'));

  expect(await read(a1, contactB, theirs)).toEqual({ ok: false, error: expect.any(String) });
  await settle(a1, a2, b1);

  expect(await readState(b.companyId, theirs)).toEqual([
    { read: false, read_at: undefined },
    { read: false, read_at: undefined },
  ]);
  for (const s of statuses) expect(s).toEqual([]);
});

test("when another company's message ids are mixed into a read of an own conversation, then only the own message is marked and announced", async () => {
  const mine = await newMessage(a.companyId, contactA);
  const theirs = await newMessage(b.companyId, contactB);
  const statusAtA2 = record(a2, 'message:status');
  const statusAtB1 = record(b1, 'message:status');

  expect(await read(a1, contactA, [mine, theirs])).toEqual({ ok: true });
  await waitUntil(() => statusAtA2.length === 1, 'message:status at the second dashboard');
  await settle(b1);

  expect(statusAtA2[0]!.messageIds).toEqual([mine]);
  expect(statusAtB1).toEqual([]);
  expect(await readState(a.companyId, [mine])).toEqual([{ read: true, read_at: expect.any(Date) }]);
  expect(await readState(b.companyId, [theirs])).toEqual([{ read: false, read_at: undefined }]);
});

test('when the message ids belong to another conversation of the same company, then nothing is marked read and nobody gets message:status', async () => {
  const otherContact = (await createContact(a.companyId))._id;
  const elsewhere = await newMessage(a.companyId, otherContact);
  const statusAtA2 = record(a2, 'message:status');

  expect(await read(a1, contactA, [elsewhere])).toEqual({ ok: false, error: expect.any(String) });
  await settle(a1);
  await settle(a2);

  expect(statusAtA2).toEqual([]);
  expect(await readState(a.companyId, [elsewhere])).toEqual([{ read: false, read_at: undefined }]);
});

test('when the message ids do not exist, then the ack is {ok:false} and nobody gets message:status', async () => {
  const statusAtA2 = record(a2, 'message:status');
  expect(await read(a1, contactA, [newObjectId(), newObjectId()])).toEqual({ ok: false, error: expect.any(String) });
  await settle(a1);
  await settle(a2);
  expect(statusAtA2).toEqual([]);
});

test('when an outbound message id is listed with an inbound one, then only the inbound message, whose read state was stored, is announced as read', async () => {
  const customer = await newMessage(a.companyId, contactA);
  const operator = await newMessage(a.companyId, contactA, 'outbound');
  const statusAtA2 = record(a2, 'message:status');

  expect(await read(a1, contactA, [customer, operator])).toEqual({ ok: true });
  await waitUntil(() => statusAtA2.length === 1, 'message:status at the second dashboard');

  expect(await readState(a.companyId, [customer, operator])).toEqual([
    { read: true, read_at: expect.any(Date) },
    { read: false, read_at: undefined },
  ]);
  expect(statusAtA2[0]!.messageIds).toEqual([customer]);
});
