/**
 * Keeps the per-contact conversation summaries (src/models/Conversation.ts) right. A new message
 * is added with one atomic update whose operators commute ($max of the sort key, $inc of the
 * unread count), so messages of one conversation never conflict, in any order: an operator's
 * message is inserted together with it (no transaction, so a burst of replies to one conversation
 * never retries), a Meta Bot message in the ingest transaction, which writes the contact anyway.
 * Changes that read the summary or the messages first (mark-read, update, delete) take the
 * session of the transaction that changes the messages, so they commit together and a concurrent
 * change meets a write conflict and is retried. A process that dies between an operator message's
 * insert and its summary update leaves the summary one message behind until
 * `npm run conversations:rebuild`.
 */
import type { ClientSession, Types } from 'mongoose';
import { Conversation, idOfKey, latestKey, type ConversationFields } from '../models/Conversation';
import { Message, PLATFORMS, type Platform } from '../models/Message';
import { crossTenant } from '../models/plugins/tenantScoped';

type Id = Types.ObjectId;

/** What the summary needs of a message. */
export interface SummaryMessage {
  _id: Id;
  company_id: Id;
  contact_id: Id;
  platform: string;
  direction: string;
  read?: boolean | null;
  created_at?: Date | null;
}

const isUnread = (m: SummaryMessage): boolean => m.direction === 'inbound' && m.read !== true;
const keyOf = (m: SummaryMessage): string => latestKey(m.created_at ?? new Date(0), m._id);

/** A new message: it becomes the latest if it is the newest, and counts as unread if it is. */
export async function messageAdded(m: SummaryMessage, session?: ClientSession): Promise<void> {
  const key = keyOf(m);
  // With the driver: it runs with every message written, and the update needs no casting.
  await Conversation.collection.updateOne(
    { companyId: m.company_id, contactId: m.contact_id },
    {
      $max: { last: key, [`platforms.${m.platform}`]: key },
      $inc: { [`unread.${m.platform}`]: isUnread(m) ? 1 : 0 },
    },
    { upsert: true, ...(session ? { session } : {}) },
  );
}

/** Unread counts change by these amounts (negative: messages became read). */
export async function unreadChanged(
  companyId: Id,
  contactId: Id,
  delta: Partial<Record<Platform, number>>,
  session: ClientSession,
): Promise<void> {
  const inc = Object.fromEntries(
    Object.entries(delta)
      .filter(([, n]) => n !== 0)
      .map(([p, n]) => [`unread.${p}`, n]),
  );
  if (Object.keys(inc).length === 0) return;
  await Conversation.updateOne({ companyId, contactId }, { $inc: inc }, { session });
}

/** Every inbound message of the contact (on one platform, or all) is now read. */
export async function allRead(companyId: Id, contactId: Id, platform: Platform | undefined, session: ClientSession): Promise<void> {
  await Conversation.updateOne({ companyId, contactId }, platform ? { $set: { [`unread.${platform}`]: 0 } } : { $set: { unread: {} } }, {
    session,
  });
}

/** A message was deleted: its unread count goes, and if it was the latest, the next newest takes its place. */
export async function messageRemoved(m: SummaryMessage, session: ClientSession): Promise<void> {
  const filter = { companyId: m.company_id, contactId: m.contact_id };
  const summary = await Conversation.findOne(filter).session(session).lean<ConversationFields>();
  if (!summary) return;
  const platform = m.platform as Platform;
  const platforms = { ...summary.platforms };
  const unread = { ...summary.unread };
  if (isUnread(m)) unread[platform] = Math.max(0, (unread[platform] ?? 0) - 1);
  if (platforms[platform] === keyOf(m)) {
    const next = await Message.findOne({ company_id: m.company_id, contact_id: m.contact_id, platform }, { _id: 1, created_at: 1 })
      .sort({ created_at: -1, _id: -1 })
      .session(session)
      .lean();
    if (next) platforms[platform] = latestKey(next.created_at ?? new Date(0), next._id);
    else {
      delete platforms[platform];
      delete unread[platform];
    }
  }
  const keys = Object.values(platforms).filter((k): k is string => typeof k === 'string');
  if (keys.length === 0) {
    await Conversation.deleteOne(filter, { session });
    return;
  }
  const last = keys.reduce((a, b) => (a > b ? a : b));
  await Conversation.replaceOne(filter, { ...filter, last, platforms, unread }, { session });
}

export interface SummaryRow {
  contactId: Id;
  /** The latest message's id (over every platform, or on the one listed). */
  latestId: string;
  unreadCount: number;
}

/**
 * One page of a company's conversations, newest first (every platform, or one), and how many
 * there are: indexed queries whose cost depends on the page and the number of conversations,
 * never on the number of messages. With the driver (the filter is the company's, and needs no
 * casting): Mongoose's query building cost about as much CPU as the database's work for them.
 */
export async function summaryPage(companyId: Id, platform: Platform | 'all', skip: number, limit: number) {
  const field = platform === 'all' ? 'last' : `platforms.${platform}`;
  const filter = platform === 'all' ? { companyId } : { companyId, [field]: { $exists: true } };
  const [docs, total] = await Promise.all([
    Conversation.collection.find<ConversationFields>(filter, { sort: { [field]: -1 }, skip, limit }).toArray(),
    Conversation.collection.countDocuments(filter),
  ]);
  const rows: SummaryRow[] = docs.map((d) => {
    const unread = d.unread ?? {};
    const key = platform === 'all' ? d.last : (d.platforms?.[platform] ?? d.last);
    return {
      contactId: d.contactId,
      latestId: idOfKey(key),
      unreadCount: platform === 'all' ? Object.values(unread).reduce<number>((a, n) => a + (n ?? 0), 0) : (unread[platform] ?? 0),
    };
  });
  return { rows, total };
}

/**
 * Builds every summary from `messages` (for a database written before summaries existed, or to
 * repair one): contact by contact, the newest message per platform and the unread inbound count.
 * Idempotent; summaries of contacts with no message left are removed. Run it while no messages
 * are being written (a write during the rebuild may be counted twice or not at all).
 */
export async function rebuildConversationSummaries(options: { companyId?: Id } = {}): Promise<{ conversations: number; messages: number }> {
  const scope = options.companyId ? { company_id: options.companyId } : {};
  const summaries = new Map<
    string,
    { companyId: Id; contactId: Id; platforms: Partial<Record<Platform, string>>; unread: Partial<Record<Platform, number>> }
  >();
  let messages = 0;
  const cursor = crossTenant(
    Message.find(scope, { _id: 1, company_id: 1, contact_id: 1, platform: 1, direction: 1, read: 1, created_at: 1 }),
  )
    .lean<SummaryMessage[]>()
    .cursor({ batchSize: 2000 });
  for await (const m of cursor as AsyncIterable<SummaryMessage>) {
    messages++;
    if (!m.contact_id || !PLATFORMS.includes(m.platform as Platform)) continue;
    const id = `${String(m.company_id)}:${String(m.contact_id)}`;
    let s = summaries.get(id);
    if (!s) summaries.set(id, (s = { companyId: m.company_id, contactId: m.contact_id, platforms: {}, unread: {} }));
    const p = m.platform as Platform;
    const key = keyOf(m);
    if (!s.platforms[p] || key > s.platforms[p]) s.platforms[p] = key;
    s.unread[p] = (s.unread[p] ?? 0) + (isUnread(m) ? 1 : 0);
  }
  const ops = [...summaries.values()].map((s) => {
    const last = Object.values(s.platforms).reduce((a, b) => (a > b ? a : b));
    const filter = { companyId: s.companyId, contactId: s.contactId };
    return { replaceOne: { filter, replacement: { ...filter, last, platforms: s.platforms, unread: s.unread }, upsert: true } };
  });
  for (let i = 0; i < ops.length; i += 1000) await Conversation.bulkWrite(ops.slice(i, i + 1000), { ordered: false });
  // Summaries whose contact has no message any more.
  const existing = await crossTenant(
    Conversation.find(options.companyId ? { companyId: options.companyId } : {}, { _id: 1, companyId: 1, contactId: 1 }),
  ).lean<ConversationFields[]>();
  const gone = existing.filter((d) => !summaries.has(`${String(d.companyId)}:${String(d.contactId)}`)).map((d) => d._id);
  for (let i = 0; i < gone.length; i += 1000) await crossTenant(Conversation.deleteMany({ _id: { $in: gone.slice(i, i + 1000) } }));
  return { conversations: summaries.size, messages };
}
