/**
 * The benchmark's baseline: bare Express and the same MongoDB driver, no auth, no validation, no
 * Mongoose. POST /messages inserts the same message document into the same `messages` collection
 * (so the database does the same index work): what POST /api/v1/messages is compared against.
 * POST /conversations/list and /conversations/messages and GET /catalog/staff run the reads the
 * conversation list and page and the staff list end up sending (./conversations.ts), on the same
 * collections and indexes.
 */
import express, { type Express } from 'express';
import { MongoClient, ObjectId, type Db } from 'mongodb';
import { benchEnv } from './env';

const PAGE = 50;
/** What a list row shows of its contact, and of its latest message. */
const CONTACT_FIELDS = {
  fullName: 1,
  socialNetworkName: 1,
  email: 1,
  phone: 1,
  social: 1,
  profile: 1,
  botSuspended: 1,
  botSuspendUntil: 1,
  leadStage: 1,
  contactStatus: 1,
};
const LATEST_FIELDS = { content: 1, created_at: 1, direction: 1, read: 1, delivered: 1, platform: 1 };
/** Outbox bookkeeping a client never sees. */
const INTERNAL_FIELDS = { delivery_locked_until: 0, delivery_lock_owner: 0, delivery_next_attempt_at: 0, delivery_key: 0 };

/**
 * A page of conversation summaries newest first with the count, then the page's contacts and
 * latest messages by id; a page of one contact's messages (newest first, one more than the page
 * to tell whether there is more) with the count, after checking the contact is the company's.
 */
function conversationReads(app: Express, db: Db): void {
  const conversations = db.collection('conversations');
  const contacts = db.collection('contacts');
  const messages = db.collection('messages');
  app.post('/conversations/list', (req, res, next) => {
    const companyId = new ObjectId((req.body as { company_id: string }).company_id);
    void (async () => {
      const [rows, total] = await Promise.all([
        conversations.find({ companyId }).sort({ last: -1 }).limit(PAGE).toArray(),
        conversations.countDocuments({ companyId }),
      ]);
      const latestIds = rows.map((r) => new ObjectId(String(r.last).slice(String(r.last).lastIndexOf('|') + 1)));
      const [people, latest] = await Promise.all([
        contacts.find({ _id: { $in: rows.map((r) => r.contactId as ObjectId) }, companyId }, { projection: CONTACT_FIELDS }).toArray(),
        messages.find({ _id: { $in: latestIds }, company_id: companyId }, { projection: LATEST_FIELDS }).toArray(),
      ]);
      const person = new Map(people.map((c) => [String(c._id), c]));
      const message = new Map(latest.map((m) => [String(m._id), m]));
      const items = rows.map((r, i) => ({ ...person.get(String(r.contactId)), latestMessage: message.get(String(latestIds[i])) }));
      res.json({ conversations: items, totalConversations: total });
    })().catch(next);
  });
  app.post('/conversations/messages', (req, res, next) => {
    const body = req.body as { company_id: string; contactId: string };
    const companyId = new ObjectId(body.company_id);
    const contactId = new ObjectId(body.contactId);
    void (async () => {
      if (!(await contacts.findOne({ _id: contactId, companyId }, { projection: { _id: 1 } }))) {
        res.status(404).json({ message: 'Contact not found' });
        return;
      }
      const filter = { company_id: companyId, contact_id: contactId };
      const [newestFirst, total] = await Promise.all([
        messages
          .find(filter, { projection: INTERNAL_FIELDS })
          .sort({ created_at: -1, _id: -1 })
          .limit(PAGE + 1)
          .toArray(),
        messages.countDocuments(filter),
      ]);
      res.json({ messages: newestFirst.slice(0, PAGE).reverse(), totalMessages: total, hasMore: newestFirst.length > PAGE });
    })().catch(next);
  });
}

/** The company's staff by name, without password hashes, each with their weekly schedules. */
function staffRead(app: Express, db: Db): void {
  const users = db.collection('users');
  const schedules = db.collection('staffschedules');
  app.get('/catalog/staff', (req, res, next) => {
    const companyId = new ObjectId(String(req.query.company_id));
    void (async () => {
      const staff = await users
        .find({ companyId }, { projection: { passwordHash: 0 } })
        .sort({ fullName: 1 })
        .toArray();
      const weekly = await schedules.find({ companyId, userId: { $in: staff.map((u) => u._id) } }).toArray();
      const byUser = new Map<string, unknown[]>();
      for (const s of weekly) byUser.set(String(s.userId), [...(byUser.get(String(s.userId)) ?? []), s]);
      res.json({ items: staff.map((u) => ({ ...u, schedules: byUser.get(String(u._id)) ?? [] })) });
    })().catch(next);
  });
}

async function main(): Promise<void> {
  const { mongoUri, port } = benchEnv();
  const client = new MongoClient(mongoUri, { maxPoolSize: 10 });
  await client.connect();
  const coll = client.db().collection('messages');
  const app = express();
  app.use(express.json());
  conversationReads(app, client.db());
  staffRead(app, client.db());
  app.post('/messages', (req, res, next) => {
    const body = req.body as Record<string, string>;
    const now = new Date();
    const doc = {
      company_id: new ObjectId(body.company_id),
      contact_id: new ObjectId(body.contact_id),
      role: body.role,
      platform: body.platform,
      content: body.content ?? '',
      attachments: [],
      direction: body.direction,
      delivered: false,
      read: false,
      created_at: now,
      updated_at: now,
      __v: 0,
    };
    coll
      .insertOne(doc)
      .then((r) => res.status(201).json({ message: 'Message created successfully', messageData: { _id: r.insertedId, ...body } }))
      .catch(next);
  });
  const server = app.listen(port, '127.0.0.1', () => {
    const addr = server.address();
    process.stdout.write(`baseline listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    void client.close().then(() => process.exit(0));
  });
}

void main();
