/** The booking clean-up migration on a database the original backend wrote (B-23, A-5). */
import mongoose, { Types } from 'mongoose';
import { checkMigrations, pendingMigrations, runMigrations } from '../../../migrations';
import { useTestDatabase } from '../../helpers/database';

useTestDatabase();

const db = () => mongoose.connection.db!;

it('drops the compound TTL index, removes expired holds and releases the reservations of canceled appointments', async () => {
  await db().collection('migrations').deleteMany({});
  await db()
    .collection('bookingholds')
    .drop()
    .catch(() => undefined);
  await db().createCollection('bookingholds');
  await db().collection('bookingholds').createIndex({ companyId: 1, expiresAt: 1 }, { expireAfterSeconds: 0 });
  const companyId = new Types.ObjectId();
  await db()
    .collection('bookingholds')
    .insertMany([
      { companyId, expiresAt: new Date(Date.now() - 60_000), tentative: [] },
      { companyId, expiresAt: new Date(Date.now() + 60_000), tentative: [] },
    ]);
  const [canceled, live] = [new Types.ObjectId(), new Types.ObjectId()];
  await db()
    .collection('appointments')
    .insertMany([
      { _id: canceled, companyId, status: 'canceled' },
      { _id: live, companyId, status: 'scheduled' },
    ]);
  const reservation = (appointmentId: Types.ObjectId) => ({ companyId, appointmentId, resourceTypeId: new Types.ObjectId() });
  await db()
    .collection('resourcereservations')
    .insertMany([reservation(canceled), reservation(canceled), reservation(live), reservation(new Types.ObjectId())]);

  await db().collection('resourcetypes').insertOne({ companyId, name: 'Legacy tub' });
  expect(await checkMigrations()).toContain('2026-12-06-booking-cleanup');
  const lines: string[] = [];
  await runMigrations((l) => lines.push(l));
  expect(lines.join('\n')).toContain(
    'dropped companyId_1_expiresAt_1, 1 expired holds removed, 3 reservations released, 1 resource types categorised',
  );
  const ttl = (await db().collection('bookingholds').indexes()).filter((i) => i.expireAfterSeconds !== undefined);
  expect(ttl.map((i) => i.key)).toEqual([{ expiresAt: 1 }]);
  expect(await db().collection('resourcereservations').countDocuments({})).toBe(1);
  expect(await pendingMigrations()).toEqual([]);
});

it('is recorded as not needed on a fresh database', async () => {
  await db().collection('migrations').deleteMany({});
  expect(await checkMigrations()).toEqual([]);
});
