/**
 * `npm run migrate`, `migrate:status` and `migrate:down` on a database the original backend left:
 * duplicates reported before any unique index is built, settled only on request, every migration
 * recorded once, reverted and applied again, and one runner at a time across runners.
 */
import mongoose from 'mongoose';
import { claimDueRun } from '../../jobs/jobLease';
import {
  MIGRATIONS,
  MigrationBlockedError,
  MigrationLockLostError,
  MigrationLockedError,
  checkMigrations,
  pendingMigrations,
  revertMigrations,
  runMigrations,
  statusOfMigrations,
} from '../../migrations';
import { decryptSecret } from '../../utils/secrets';
import { getConfig } from '../../config/env';
import { systemClock } from '../../utils/clock';
import { JobLease } from '../../models/JobLease';
import { ServiceItem } from '../../models/ServiceItem';
import { migrateUp } from '../../migrations/runner';
import { uniqueIndexes } from '../../migrations/2026-12-10-unique-indexes';
import type { Migration } from '../../migrations/types';
import { useTestDatabase } from '../helpers/database';
import { buildLegacyDatabase, indexNames, type LegacyIds } from './legacyDatabase';

useTestDatabase();

const db = () => mongoose.connection.db!;
const UNIQUE = '2026-12-10-unique-indexes';
const ids = (rows: { _id: unknown }[]) => rows.map((r) => String(r._id)).sort();

async function snapshot() {
  const out: Record<string, unknown[]> = {};
  for (const name of ['users', 'contacts', 'messages', 'serviceitems', 'appointments', 'pets']) {
    out[name] = await db().collection(name).find({}).sort({ _id: 1 }).toArray();
  }
  return out;
}

describe('on a database the original backend wrote', () => {
  let legacy: LegacyIds;
  beforeEach(async () => {
    legacy = await buildLegacyDatabase();
  });

  test('when run without --resolve-duplicates, then it applies what it can, lists every duplicate, and the unique-index migration changes nothing', async () => {
    expect(await checkMigrations()).toEqual(
      expect.arrayContaining([UNIQUE, '2026-12-09-service-providers', '2026-12-08-encrypt-integration-tokens']),
    );
    const before = await snapshot();
    const lines: string[] = [];
    const run = runMigrations((l) => lines.push(l));
    await expect(run).rejects.toBeInstanceOf(MigrationBlockedError);
    await expect(run).rejects.toThrow(/4 group\(s\) of duplicates .*--resolve-duplicates/);

    const report = lines.join('\n');
    expect(report).toContain(
      `contacts companyId="${String(legacy.companyId)}", social.instagramId="ig-777": 2 documents (${String(legacy.instagramCustomer)}, ${String(legacy.instagramLead)})`,
    );
    expect(report).toMatch(new RegExp(`users .*email="twin@example.com": 2 documents`));
    expect(report).toMatch(/serviceitems .*size="M", coatType="short": 2 documents/);
    expect(report).toMatch(/messages .*external_message_id="mid-2": 2 documents/);

    const status = await statusOfMigrations();
    expect(status.filter((s) => s.appliedAt === null).map((s) => s.id)).toEqual([UNIQUE]);
    const after = await snapshot();
    // The earlier migrations touched users (serviceProvider) and contacts (search keys); the duplicates are all still there.
    expect(ids(after.contacts as { _id: unknown }[])).toEqual(ids(before.contacts as { _id: unknown }[]));
    expect(ids(after.serviceitems as { _id: unknown }[])).toEqual(ids(before.serviceitems as { _id: unknown }[]));
    expect(after.messages).toEqual(before.messages);
    expect((await indexNames('contacts')).has('unique_company_instagramId')).toBe(false);
  });

  test('when run with --resolve-duplicates, then contacts are merged, copies collapsed, twins separated, indexes built, and a duplicate is refused from then on', async () => {
    const lines: string[] = [];
    expect(await runMigrations((l) => lines.push(l), { resolveDuplicates: true })).toBe(MIGRATIONS.length);
    expect(await pendingMigrations()).toEqual([]);

    const contacts = await db().collection('contacts').find({ companyId: legacy.companyId }).toArray();
    expect(ids(contacts)).toEqual([String(legacy.instagramCustomer)]);
    // The kept customer took over the lead's phone, messages, appointment and pet.
    expect(contacts[0]).toMatchObject({
      fullName: 'Nino',
      contactStatus: 'customer',
      phone: '+995 599 12 34 56',
      social: { instagramId: 'ig-777' },
    });
    const messages = await db().collection('messages').find({ company_id: legacy.companyId }).toArray();
    expect(messages.map((m) => m.external_message_id).sort()).toEqual(['mid-1', 'mid-2']);
    expect(new Set(messages.map((m) => String(m.contact_id)))).toEqual(new Set([String(legacy.instagramCustomer)]));
    const appointment = await db().collection('appointments').findOne({ _id: legacy.appointmentOnCopy });
    expect(appointment).toMatchObject({ customerId: legacy.instagramCustomer, serviceItemId: legacy.itemKept });
    expect(await db().collection('pets').findOne({ _id: legacy.petOfLead })).toMatchObject({ customerId: legacy.instagramCustomer });
    expect(ids(await db().collection('serviceitems').find({}).toArray())).toEqual([String(legacy.itemKept)]);
    const summary = await db().collection('conversations').findOne({ companyId: legacy.companyId, contactId: legacy.instagramCustomer });
    expect(summary).toMatchObject({ unread: { instagram: 2 } });
    expect(await db().collection('conversations').countDocuments({ contactId: legacy.instagramLead })).toBe(0);

    const twin = await db().collection('users').findOne({ _id: legacy.twinInactive });
    expect(twin).toMatchObject({ isActive: false, email: `twin+duplicate-${String(legacy.twinInactive)}@example.com` });
    expect(await db().collection('users').findOne({ _id: legacy.twinActive })).toMatchObject({ isActive: true, email: 'twin@example.com' });
    expect(await db().collection('users').findOne({ _id: legacy.groomerId })).toMatchObject({ serviceProvider: true });
    expect(await db().collection('users').findOne({ _id: legacy.managerId })).toMatchObject({ serviceProvider: false });
    const token = (await db().collection('companyintegrations').findOne({ companyId: legacy.companyId }))!.facebookAccessToken as string;
    expect(decryptSecret(token, getConfig().dataEncryptionKey)).toBe(legacy.pageToken);

    expect((await indexNames('users')).get('companyId_1_email_1')?.unique).toBe(true);
    expect((await indexNames('serviceitems')).get('companyId_1_serviceCategoryId_1_size_1_coatType_1')?.unique).toBe(true);
    await expect(
      db()
        .collection('contacts')
        .insertOne({ companyId: legacy.companyId, contactStatus: 'lead', social: { instagramId: 'ig-777' } }),
    ).rejects.toMatchObject({ code: 11000 });

    const status = await statusOfMigrations();
    expect(status.find((s) => s.id === UNIQUE)?.summary).toMatch(/^4 duplicate group\(s\) settled, \d+ index\(es\) built: /);
    expect(await runMigrations(() => undefined)).toBe(0);
  });

  test("when the original's global unique email index is there, then it becomes non-unique (S14) and down restores it", async () => {
    legacy = await buildLegacyDatabase({ twins: false });
    expect((await indexNames('users')).get('email_1')?.unique).toBe(true);
    const lines: string[] = [];
    await runMigrations((l) => lines.push(l), { resolveDuplicates: true });
    expect(lines.join('\n')).toMatch(/3 duplicate group\(s\) settled, \d+ index\(es\) built: .*users\.email_1/);
    expect((await indexNames('users')).get('email_1')?.unique).toBeFalsy();
    // The same address now works for a second company.
    await db().collection('users').insertOne({ companyId: new mongoose.Types.ObjectId(), email: 'boss@example.com', role: 'manager' });
    await db()
      .collection('users')
      .deleteOne({ email: 'boss@example.com', companyId: { $ne: legacy.companyId } });
    await revertMigrations(() => undefined, { to: UNIQUE });
    expect((await indexNames('users')).get('email_1')?.unique).toBe(true);
  });

  test('when every migration is reverted and applied again, then status follows, the data returns to its original form and back', async () => {
    await runMigrations(() => undefined, { resolveDuplicates: true });
    const lines: string[] = [];
    const reverted = await revertMigrations((l) => lines.push(l), { to: MIGRATIONS[0]!.id });
    expect(reverted).toEqual([...MIGRATIONS].reverse().map((m) => m.id));
    expect((await statusOfMigrations()).every((s) => s.appliedAt === null)).toBe(true);
    expect(await db().collection('companyintegrations').findOne({ companyId: legacy.companyId })).toMatchObject({
      facebookAccessToken: legacy.pageToken,
    });
    expect(await db().collection('users').findOne({ _id: legacy.groomerId })).toMatchObject({ serviceProvider: false });
    expect(await db().collection('users').findOne({ _id: legacy.managerId })).not.toHaveProperty('serviceProvider');
    expect((await indexNames('contacts')).has('unique_company_instagramId')).toBe(false);
    expect((await indexNames('serviceitems')).get('companyId_1_serviceCategoryId_1_size_1_coatType_1')?.unique).toBeFalsy();
    expect(lines.join('\n')).toContain(`${UNIQUE}: reverted (`);

    // One at a time from the end.
    expect(await runMigrations(() => undefined)).toBe(MIGRATIONS.length);
    expect(await revertMigrations(() => undefined)).toEqual([MIGRATIONS[MIGRATIONS.length - 1]!.id]);
    expect(await pendingMigrations()).toEqual([MIGRATIONS[MIGRATIONS.length - 1]!.id]);
    expect(await runMigrations(() => undefined)).toBe(1);
    expect(await pendingMigrations()).toEqual([]);
    expect((await indexNames('contacts')).get('unique_company_instagramId')?.unique).toBe(true);
    const token = (await db().collection('companyintegrations').findOne({ companyId: legacy.companyId }))!.facebookAccessToken as string;
    expect(decryptSecret(token, getConfig().dataEncryptionKey)).toBe(legacy.pageToken);
  });

  test('when two runners start at once, then each migration is applied once and the second finds nothing left', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const counts = await Promise.all([
      runMigrations((l) => a.push(l), { resolveDuplicates: true }),
      runMigrations((l) => b.push(l), { resolveDuplicates: true }),
    ]);
    expect(counts.sort()).toEqual([0, MIGRATIONS.length]);
    for (const m of MIGRATIONS) expect([...a, ...b].filter((l) => l.startsWith(`${m.id}: done`))).toHaveLength(1);
    expect(await db().collection('migrations').countDocuments()).toBe(MIGRATIONS.length);
  });

  test('when another runner holds the lock past the wait, then the run stops naming it and changes nothing', async () => {
    const held = await claimDueRun({ job: 'migrations', clock: systemClock, periodMs: 0, leaseMs: 60_000, owner: 'ops-laptop:4242' });
    expect(held).not.toBeNull();
    const refused = runMigrations(() => undefined, { waitMs: 300 });
    await expect(refused).rejects.toBeInstanceOf(MigrationLockedError);
    await expect(refused).rejects.toThrow(/another migration runner \(ops-laptop:4242\) holds the lock until /);
    expect(await db().collection('migrations').countDocuments()).toBe(0);
    await held!.finish({ ok: true });
    expect(await runMigrations(() => undefined, { resolveDuplicates: true })).toBe(MIGRATIONS.length);
  });
});

test('when the lock is taken over while a migration runs, then the run stops before recording it or starting the next', async () => {
  const ran: string[] = [];
  const steal = async () => {
    ran.push('first');
    // Another runner claims the lease (as if ours had expired during a long pause), and our next extension finds it gone.
    await JobLease.updateOne({ _id: 'migrations' }, { $set: { owner: 'other-host:1', leaseUntil: new Date(Date.now() + 60_000) } });
    await new Promise((r) => setTimeout(r, 1300));
    return 'first done';
  };
  const list: Migration[] = [
    { id: 'x-1', description: 'first', up: steal, down: async () => 'undone' },
    { id: 'x-2', description: 'second', up: async () => (ran.push('second'), 'second done'), down: async () => 'undone' },
  ];
  await expect(migrateUp(list, { leaseMs: 3000 })).rejects.toBeInstanceOf(MigrationLockLostError);
  expect(ran).toEqual(['first']);
  expect(await db().collection('migrations').countDocuments()).toBe(0);
  // The other runner's lease is left alone.
  expect(await JobLease.findById('migrations').lean()).toMatchObject({ owner: 'other-host:1' });
});

test('when settling one group of duplicates makes another (a merged contact takes over a second social id), then it looks again and settles that too', async () => {
  await buildLegacyDatabase({ twins: false });
  const companyId = new mongoose.Types.ObjectId();
  const [a, b, c] = [new mongoose.Types.ObjectId(), new mongoose.Types.ObjectId(), new mongoose.Types.ObjectId()];
  await db()
    .collection('contacts')
    .insertMany([
      { _id: a, companyId, contactStatus: 'customer', fullName: 'A', social: { facebookId: 'fb-1' } },
      { _id: b, companyId, contactStatus: 'lead', social: { facebookId: 'fb-1', instagramId: 'ig-x' } },
      { _id: c, companyId, contactStatus: 'lead', social: { instagramId: 'ig-x' } },
    ]);
  const lines: string[] = [];
  await runMigrations((l) => lines.push(l), { resolveDuplicates: true });
  expect(lines.join('\n')).toContain('settling made 1 new group(s) of duplicates: pass 2');
  expect(ids(await db().collection('contacts').find({ companyId }).toArray())).toEqual([String(a)]);
  expect(await db().collection('contacts').findOne({ _id: a })).toMatchObject({ social: { facebookId: 'fb-1', instagramId: 'ig-x' } });
  expect((await indexNames('contacts')).get('unique_company_instagramId')?.unique).toBe(true);
});

test('when an index cannot be built, then the legacy index it replaced is put back with its options, and down drops what was built', async () => {
  await buildLegacyDatabase({ twins: false });
  const VARIANT = 'companyId_1_serviceCategoryId_1_size_1_coatType_1';
  const legacyOptions = { partialFilterExpression: { active: true } };
  await db().collection('serviceitems').dropIndex(VARIANT);
  await db().collection('serviceitems').createIndex({ companyId: 1, serviceCategoryId: 1, size: 1, coatType: 1 }, legacyOptions);
  const failure = jest.spyOn(ServiceItem.collection, 'createIndex').mockRejectedValueOnce(new Error('index build interrupted'));
  try {
    await expect(runMigrations(() => undefined, { resolveDuplicates: true })).rejects.toThrow('index build interrupted');
  } finally {
    failure.mockRestore();
  }
  expect((await indexNames('serviceitems')).get(VARIANT)).toMatchObject({ ...legacyOptions });
  expect((await indexNames('serviceitems')).get(VARIANT)?.unique).toBeFalsy();
  // The indexes built before the failure are recorded, so down removes them.
  expect((await indexNames('contacts')).get('unique_company_instagramId')?.unique).toBe(true);
  await uniqueIndexes.down();
  expect((await indexNames('contacts')).has('unique_company_instagramId')).toBe(false);

  await runMigrations(() => undefined, { resolveDuplicates: true });
  expect((await indexNames('serviceitems')).get(VARIANT)?.unique).toBe(true);
  await revertMigrations(() => undefined);
  expect((await indexNames('serviceitems')).get(VARIANT)).toMatchObject({ ...legacyOptions });
  expect((await indexNames('serviceitems')).get(VARIANT)?.unique).toBeFalsy();
});

test('when the database is fresh, then start-up records every migration as not needed', async () => {
  for (const c of await db().listCollections({}, { nameOnly: true }).toArray()) await db().collection(c.name).drop();
  expect(await checkMigrations()).toEqual([]);
  expect((await statusOfMigrations()).map((s) => s.summary)).toEqual(MIGRATIONS.map(() => 'nothing to migrate'));
});
