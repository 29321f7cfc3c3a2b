/**
 * A database as the original backend (and Meta Bot) left it, for the migration tests: the
 * original's indexes (a global unique `users.email_1`, a non-unique service-variant index, a
 * compound TTL index on holds, no unique social ids or external message ids), users whose
 * `serviceProvider` was never set, plaintext tokens, and the duplicates its races produced.
 */
import mongoose, { Types } from 'mongoose';

const db = () => mongoose.connection.db!;
const COLLECTIONS = [
  'users',
  'companies',
  'contacts',
  'messages',
  'conversations',
  'appointments',
  'pets',
  'serviceitems',
  'bookingholds',
  'resourcereservations',
  'companyintegrations',
  'migrations',
  'migrationstate',
  'jobleases',
];

export interface LegacyIds {
  companyId: Types.ObjectId;
  groomerId: Types.ObjectId;
  managerId: Types.ObjectId;
  /** Two contacts with one Instagram id: the customer (kept) and a lead created by a concurrent first message. */
  instagramCustomer: Types.ObjectId;
  instagramLead: Types.ObjectId;
  /** Two service items for one variant: the original (kept) and a copy an appointment points to. */
  itemKept: Types.ObjectId;
  itemCopy: Types.ObjectId;
  appointmentOnCopy: Types.ObjectId;
  petOfLead: Types.ObjectId;
  /** Two users of one company with one email (written around the original's validation). */
  twinActive: Types.ObjectId;
  twinInactive: Types.ObjectId;
  pageToken: string;
}

/**
 * `twins`: the database was restored without its indexes (`mongorestore --noIndexRestore`) and
 * has two users with one email in one company; otherwise it has the original's global unique
 * `email_1` (which the port replaces with a non-unique one) and no such users.
 */
export async function buildLegacyDatabase(o: { twins?: boolean } = {}): Promise<LegacyIds> {
  const twins = o.twins ?? true;
  // Mongoose builds every model's indexes once connected; let that finish before the collections are rebuilt.
  await Promise.all(Object.values(mongoose.models).map((m) => m.init().catch(() => undefined)));
  for (const name of COLLECTIONS)
    await db()
      .collection(name)
      .drop()
      .catch(() => undefined);
  await db().collection('users').createIndex({ email: 1 }, { unique: true });
  await db().collection('serviceitems').createIndex({ companyId: 1, serviceCategoryId: 1, size: 1, coatType: 1 });
  await db().collection('contacts').createIndex({ companyId: 1, 'social.instagramId': 1 });
  await db().collection('bookingholds').createIndex({ companyId: 1, expiresAt: 1 }, { expireAfterSeconds: 0 });

  const ids: LegacyIds = {
    companyId: new Types.ObjectId(),
    groomerId: new Types.ObjectId(),
    managerId: new Types.ObjectId(),
    instagramCustomer: new Types.ObjectId(),
    instagramLead: new Types.ObjectId(),
    itemKept: new Types.ObjectId(),
    itemCopy: new Types.ObjectId(),
    appointmentOnCopy: new Types.ObjectId(),
    petOfLead: new Types.ObjectId(),
    twinActive: new Types.ObjectId(),
    twinInactive: new Types.ObjectId(),
    pageToken: 'EAAG-legacy-plaintext-page-token',
  };
  const companyId = ids.companyId;
  const categoryId = new Types.ObjectId();
  const old = new Date('2025-01-01T10:00:00Z');
  await db()
    .collection('companies')
    .insertOne({ _id: companyId, name: 'Legacy Grooming', email: 'legacy@example.com', timezone: 'Asia/Tbilisi' });
  await db()
    .collection('users')
    .insertMany([
      { _id: ids.managerId, companyId, email: 'boss@example.com', fullName: 'Boss', role: 'manager', isActive: true },
      {
        _id: ids.groomerId,
        companyId,
        email: 'groomer@example.com',
        fullName: 'Groomer',
        role: 'groomer',
        serviceProvider: false,
        isActive: true,
      },
      {
        _id: ids.twinInactive,
        companyId,
        email: 'twin@example.com',
        fullName: 'Twin Old',
        role: 'receptionist',
        isActive: false,
        updatedAt: old,
      },
    ]);
  if (twins) {
    await db().collection('users').dropIndex('email_1');
    await db().collection('users').insertOne({
      _id: ids.twinActive,
      companyId,
      email: 'twin@example.com',
      fullName: 'Twin',
      role: 'receptionist',
      isActive: true,
      updatedAt: new Date(),
    });
  }
  await db()
    .collection('contacts')
    .insertMany([
      {
        _id: ids.instagramCustomer,
        companyId,
        fullName: 'Nino',
        contactStatus: 'customer',
        social: { instagramId: 'ig-777' },
        createdAt: old,
      },
      {
        _id: ids.instagramLead,
        companyId,
        contactStatus: 'lead',
        phone: '+995 599 12 34 56',
        social: { instagramId: 'ig-777' },
        createdAt: new Date(),
      },
    ]);
  const message = (contactId: Types.ObjectId, text: string, external: string, at: Date) => ({
    company_id: companyId,
    contact_id: contactId,
    platform: 'instagram',
    direction: 'inbound',
    content: text,
    external_message_id: external,
    read: false,
    created_at: at,
  });
  await db()
    .collection('messages')
    .insertMany([
      message(ids.instagramCustomer, 'Hi, do you have time on Friday?', 'mid-1', new Date('2026-11-30T09:00:00Z')),
      message(ids.instagramLead, 'Hello again', 'mid-2', new Date('2026-11-30T09:00:01Z')),
      // The webhook delivered mid-2 twice.
      message(ids.instagramLead, 'Hello again', 'mid-2', new Date('2026-11-30T09:00:02Z')),
    ]);
  await db()
    .collection('serviceitems')
    .insertMany([
      {
        _id: ids.itemKept,
        companyId,
        serviceCategoryId: categoryId,
        size: 'M',
        coatType: 'short',
        price: 40,
        durationMinutes: 60,
        active: true,
      },
      {
        _id: ids.itemCopy,
        companyId,
        serviceCategoryId: categoryId,
        size: 'M',
        coatType: 'short',
        price: 45,
        durationMinutes: 60,
        active: true,
      },
    ]);
  await db()
    .collection('appointments')
    .insertOne({
      _id: ids.appointmentOnCopy,
      companyId,
      customerId: ids.instagramLead,
      staffId: ids.groomerId,
      serviceItemId: ids.itemCopy,
      start: new Date('2026-12-20T08:00:00Z'),
      end: new Date('2026-12-20T09:00:00Z'),
      status: 'scheduled',
    });
  await db().collection('pets').insertOne({ _id: ids.petOfLead, companyId, customerId: ids.instagramLead, name: 'Buddy', species: 'dog' });
  await db().collection('companyintegrations').insertOne({ companyId, facebookChatId: 'page-1', facebookAccessToken: ids.pageToken });
  return ids;
}

export async function indexNames(collection: string): Promise<Map<string, { unique?: boolean; partialFilterExpression?: unknown }>> {
  const list = (await db().collection(collection).indexes()) as { name: string; unique?: boolean; partialFilterExpression?: unknown }[];
  return new Map(list.map((i) => [i.name, i]));
}
