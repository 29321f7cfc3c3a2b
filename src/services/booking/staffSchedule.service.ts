/**
 * A staff member's weekly schedule (S1, S2). Without a locationId the schedule lives at the
 * staff member's own location (primary, else the first assigned, else the company's main), so
 * the dashboard, which never sends one, reads and writes the same entries. A replace is one
 * transaction: a failure leaves the previous schedule in place.
 */
import type { Types } from 'mongoose';
import { StaffSchedule, type StaffScheduleFields } from '../../models/StaffSchedule';
import { User } from '../../models/User';
import { ConflictError, NotFoundError } from '../../utils/errors';
import type { StaffScheduleBody, StaffScheduleQuery } from '../../validators/booking/schedule.schemas';
import { inTransaction } from '../tenant';
import { defaultLocation, ownedLocation, requireDefaultLocation } from './locationChoice';

type CompanyId = Types.ObjectId;

interface StaffRef {
  _id: Types.ObjectId;
  primaryLocationId?: Types.ObjectId | null;
  locationIds?: Types.ObjectId[];
}

async function findStaff(companyId: CompanyId, id: string): Promise<StaffRef> {
  const staff = await User.findOne({ _id: id, companyId }, { primaryLocationId: 1, locationIds: 1 }).lean<StaffRef>();
  if (!staff) throw new NotFoundError('Staff not found');
  return staff;
}

const homePreference = (staff: StaffRef) => [staff.primaryLocationId, ...(staff.locationIds ?? [])];

export function createStaffScheduleService() {
  return {
    /**
     * Entries sorted by weekday, each with its `locationId` (additive). Without a locationId every
     * location's entries come, the staff member's own location last on a weekday: the dashboard
     * keeps the last entry per weekday, which is then the one a save without locationId replaces.
     */
    async get(companyId: CompanyId, id: string, q: StaffScheduleQuery) {
      const staff = await findStaff(companyId, id);
      const filter: Record<string, unknown> = { companyId, userId: staff._id };
      if (q.locationId) filter.locationId = q.locationId;
      const rows = await StaffSchedule.find(filter).lean<StaffScheduleFields[]>();
      const home = q.locationId ? undefined : String(await defaultLocation(companyId, homePreference(staff)));
      const rank = (r: StaffScheduleFields) => (String(r.locationId) === home ? 1 : 0);
      rows.sort((a, b) => a.weekday - b.weekday || rank(a) - rank(b) || String(a.locationId).localeCompare(String(b.locationId)));
      return rows.map((r) => ({
        _id: r._id,
        locationId: r.locationId,
        weekday: r.weekday,
        startTime: r.startTime,
        endTime: r.endTime,
        breakWindows: (r.breakWindows ?? []).map((w) => ({ start: w.start, end: w.end })),
      }));
    },

    /** Replaces the staff member's entries at one location (an empty schedule clears it). */
    async replace(companyId: CompanyId, id: string, b: StaffScheduleBody): Promise<void> {
      const explicit = b.locationId ? await ownedLocation(companyId, b.locationId) : undefined;
      const staff = await findStaff(companyId, id);
      const locationId = explicit ?? (await requireDefaultLocation(companyId, homePreference(staff)));
      const docs = b.schedule.map((e) => ({
        companyId,
        userId: staff._id,
        locationId,
        weekday: e.weekday,
        startTime: e.startTime,
        endTime: e.endTime,
        breakWindows: e.breakWindows ?? [],
      }));
      try {
        await inTransaction(async (session) => {
          await StaffSchedule.deleteMany({ companyId, userId: staff._id, locationId }, { session });
          if (docs.length > 0) await StaffSchedule.insertMany(docs, { session });
        });
      } catch (err) {
        if ((err as { code?: unknown }).code === 11000) throw new ConflictError('Duplicate weekday entry', 'DUPLICATE_SCHEDULE');
        throw err;
      }
    },
  };
}

export type StaffScheduleService = ReturnType<typeof createStaffScheduleService>;
