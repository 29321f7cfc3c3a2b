/**
 * Locations of one company. Exactly one is the main location (setting isMain moves it); the last
 * location cannot be deleted; deleting one removes it from staff and deletes its schedules and
 * resources, and promotes another location to main when needed.
 */
import type { Types } from 'mongoose';
import { Location, type LocationFields } from '../models/Location';
import { Resource } from '../models/Resource';
import { StaffSchedule } from '../models/StaffSchedule';
import { User } from '../models/User';
import { ConflictError, NotFoundError } from '../utils/errors';
import type { LocationCreateBody, LocationUpdateBody } from '../validators/location.schemas';
import { findOwned, inCompanyTransaction } from './tenant';

type CompanyId = Types.ObjectId;

async function makeSoleMain(companyId: CompanyId, locationId: Types.ObjectId): Promise<void> {
  await Location.updateMany({ companyId, _id: { $ne: locationId }, isMain: true }, { $set: { isMain: false } });
}

export function createLocationService() {
  return {
    list: (companyId: CompanyId) => Location.find({ companyId }).sort({ isMain: -1, label: 1 }).lean<LocationFields[]>(),

    async get(companyId: CompanyId, id: string) {
      const loc = await Location.findOne({ _id: id, companyId }).lean<LocationFields>();
      if (!loc) throw new NotFoundError('Location not found');
      return loc;
    },

    async create(companyId: CompanyId, b: LocationCreateBody) {
      const first = (await Location.countDocuments({ companyId })) === 0;
      const loc = await Location.create({ ...b, companyId, isMain: first || b.isMain === true });
      if (loc.isMain) await makeSoleMain(companyId, loc._id);
      return loc.toObject();
    },

    async update(companyId: CompanyId, id: string, b: LocationUpdateBody) {
      const loc = await findOwned(Location, companyId, id, 'Location');
      if (b.isMain === false && loc.isMain) {
        throw new ConflictError('Choose another main location instead of unsetting this one', 'MAIN_LOCATION_REQUIRED');
      }
      const updated = await Location.findOneAndUpdate(
        { _id: loc._id, companyId },
        { $set: b },
        { new: true, runValidators: true },
      ).lean<LocationFields>();
      if (!updated) throw new NotFoundError('Location not found');
      if (b.isMain === true) await makeSoleMain(companyId, loc._id);
      return updated;
    },

    /** One transaction: the location, its staff references, schedules and resources, the main flag. */
    async remove(companyId: CompanyId, id: string) {
      const loc = await findOwned(Location, companyId, id, 'Location');
      await inCompanyTransaction(companyId, async (session) => {
        if ((await Location.countDocuments({ companyId }, { session })) <= 1) {
          throw new ConflictError('A company needs at least one location', 'LAST_LOCATION');
        }
        const gone = await Location.deleteOne({ _id: loc._id, companyId }, { session });
        if (gone.deletedCount === 0) throw new NotFoundError('Location not found');
        await User.updateMany({ companyId, locationIds: loc._id }, { $pull: { locationIds: loc._id } }, { session });
        await User.updateMany({ companyId, primaryLocationId: loc._id }, { $unset: { primaryLocationId: 1 } }, { session });
        await StaffSchedule.deleteMany({ companyId, locationId: loc._id }, { session });
        await Resource.deleteMany({ companyId, locationId: loc._id }, { session });
        if (loc.isMain) {
          const next = await Location.findOne({ companyId }, null, { session }).sort({ label: 1 });
          if (next) await Location.updateOne({ _id: next._id, companyId }, { $set: { isMain: true } }, { session });
        }
      });
    },
  };
}

export type LocationService = ReturnType<typeof createLocationService>;
