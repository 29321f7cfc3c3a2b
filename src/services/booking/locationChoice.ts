/**
 * Which location a booking-configuration write lands at when the dashboard names none (it never
 * sends one for resources or staff schedules), and the 400 for a location that is not the caller's.
 */
import type { Types } from 'mongoose';
import { Location } from '../../models/Location';
import { AppError } from '../../utils/errors';

type Id = Types.ObjectId;

/** 400 INVALID_LOCATION [COMPAT] unless the location is the company's. */
export async function ownedLocation(companyId: Id, locationId: string | Id): Promise<Id> {
  const found = await Location.findOne({ _id: locationId, companyId }, { _id: 1 }).lean<{ _id: Id }>();
  if (!found) throw new AppError(400, 'INVALID_LOCATION', 'Invalid locationId for this company');
  return found._id;
}

/**
 * The first of `preferred` that still is one of the company's locations, else the main location,
 * else the oldest one; undefined when the company has none.
 */
export async function defaultLocation(companyId: Id, preferred: readonly (Id | null | undefined)[] = []): Promise<Id | undefined> {
  const wanted = preferred.filter((id): id is Id => Boolean(id));
  if (wanted.length > 0) {
    const owned = await Location.find({ companyId, _id: { $in: wanted } }, { _id: 1 }).lean<{ _id: Id }[]>();
    const ids = new Set(owned.map((l) => String(l._id)));
    const first = wanted.find((id) => ids.has(String(id)));
    if (first) return first;
  }
  const main = await Location.findOne({ companyId }, { _id: 1 }).sort({ isMain: -1, createdAt: 1, _id: 1 }).lean<{ _id: Id }>();
  return main?._id;
}

/** defaultLocation, or 400 MISSING_LOCATION when the company has no location at all. */
export async function requireDefaultLocation(companyId: Id, preferred: readonly (Id | null | undefined)[] = []): Promise<Id> {
  const id = await defaultLocation(companyId, preferred);
  if (!id) throw new AppError(400, 'MISSING_LOCATION', 'locationId is required: the company has no location');
  return id;
}
