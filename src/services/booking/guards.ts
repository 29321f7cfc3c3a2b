/**
 * The per-staff and per-resource-type guard documents (models/BookingGuard.ts). A booking
 * transaction's FIRST operation increments the guards of everything it will claim: the
 * transaction's snapshot then starts after any committed booking of the same staff member, and a
 * concurrent one that is not committed yet makes this write fail with a write conflict, which the
 * driver retries. The overlap and capacity checks that follow are therefore never stale.
 */
import type { ClientSession, Types } from 'mongoose';
import { BookingGuard } from '../../models/BookingGuard';

type Id = Types.ObjectId | string;

export const staffGuard = (companyId: Id, staffId: Id): string => `staff:${String(companyId)}:${String(staffId)}`;
export const resourceGuard = (companyId: Id, locationId: Id, resourceTypeId: Id): string =>
  `rtype:${String(companyId)}:${String(locationId)}:${String(resourceTypeId)}`;

/**
 * Creates missing guards outside any transaction (an upsert of the same new key in two
 * transactions is not a reliable conflict on every server version).
 */
export async function ensureGuards(companyId: Id, keys: string[]): Promise<void> {
  await Promise.all(
    keys.map(async (_id) => {
      try {
        await BookingGuard.updateOne({ _id }, { $setOnInsert: { companyId, seq: 0 } }, { upsert: true });
      } catch (err) {
        if ((err as { code?: number }).code !== 11000) throw err;
      }
    }),
  );
}

/** Claims the guards inside the transaction: call before any read the decision depends on. */
export async function claimGuards(keys: string[], session: ClientSession): Promise<void> {
  // Sequential, in a stable order, so two transactions meet on the same first key.
  for (const _id of [...new Set(keys)].sort()) {
    await BookingGuard.updateOne({ _id }, { $inc: { seq: 1 } }, { session });
  }
}
