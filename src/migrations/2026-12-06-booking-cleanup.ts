/**
 * For a database the original backend wrote: drops the `bookingholds` TTL index declared on
 * {companyId, expiresAt} (MongoDB ignores TTL on compound indexes, so holds never expired, B-23;
 * the model now has a single-field TTL index on expiresAt), removes expired holds, and deletes the
 * resource reservations of canceled, no-show or deleted appointments, which the original never
 * released (A-5), and gives resource types without a category the default `other` (B-6). Idempotent. Down: nothing to restore (the removed documents were dead).
 */
import mongoose from 'mongoose';
import type { Migration } from './types';

const db = () => mongoose.connection.db!;

async function legacyHoldIndex(): Promise<string | undefined> {
  const exists = (await db().listCollections({ name: 'bookingholds' }, { nameOnly: true }).toArray()).length > 0;
  if (!exists) return undefined;
  const indexes = await db().collection('bookingholds').indexes();
  return indexes.find((i) => i.expireAfterSeconds !== undefined && Object.keys(i.key).length > 1)?.name;
}

async function deadReservations(): Promise<mongoose.Types.ObjectId[]> {
  const ids = await db().collection('resourcereservations').distinct('appointmentId');
  if (ids.length === 0) return [];
  const live = await db()
    .collection('appointments')
    .find({ _id: { $in: ids }, status: { $nin: ['canceled', 'no_show'] } }, { projection: { _id: 1 } })
    .toArray();
  const alive = new Set(live.map((a) => String(a._id)));
  return ids.filter((id) => !alive.has(String(id)));
}

export const bookingCleanup: Migration = {
  id: '2026-12-06-booking-cleanup',
  description: 'expire booking holds through a single-field TTL index; release reservations of canceled appointments',
  async up() {
    const legacy = await legacyHoldIndex();
    if (legacy) await db().collection('bookingholds').dropIndex(legacy);
    await db().collection('bookingholds').createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    const expired = await db()
      .collection('bookingholds')
      .deleteMany({ expiresAt: { $lt: new Date() } });
    const dead = await deadReservations();
    const released = dead.length
      ? await db()
          .collection('resourcereservations')
          .deleteMany({ appointmentId: { $in: dead } })
      : { deletedCount: 0 };
    // Resource types of the original have no stored category (B-6): they become `other`.
    const typed = await db()
      .collection('resourcetypes')
      .updateMany({ category: { $exists: false } }, { $set: { category: 'other' } });
    return `${legacy ? `dropped ${legacy}, ` : ''}${expired.deletedCount} expired holds removed, ${released.deletedCount} reservations released, ${typed.modifiedCount} resource types categorised`;
  },
  async needed() {
    if (await legacyHoldIndex()) return true;
    return (
      (await db()
        .collection('resourcereservations')
        .findOne({}, { projection: { _id: 1 } })) !== null
    );
  },
  async down() {
    return 'nothing to undo (removed holds had expired; released reservations belonged to canceled appointments)';
  },
};
