/**
 * Pets of the company's customers, with the size and coat the service durations depend on. A pet
 * or customer of another company is answered as missing (404), never read or attached (S13); a
 * pet with an appointment to come cannot be deleted.
 */
import type { Types } from 'mongoose';
import { Appointment } from '../../models/Appointment';
import type { AppointmentStatus } from '../../models/constants';
import { Contact } from '../../models/Contact';
import { Pet } from '../../models/Pet';
import type { Clock } from '../../utils/clock';
import { ConflictError, NotFoundError } from '../../utils/errors';
import { pageOfQuery } from '../../validators/customers/paging.schemas';
import { CLEARABLE_PET_FIELDS, type PetCreateBody, type PetListQuery, type PetUpdateBody } from '../../validators/customers/pet.schemas';
import { assertOwned, findOwned } from '../tenant';
import { listOrPage } from './paging';

type CompanyId = Types.ObjectId;

/** Each listed pet [COMPAT keys, plus what picks the service variant], by name. */
const LIST_FIELDS = { name: 1, species: 1, breed: 1, customerId: 1, size: 1, coatType: 1, sex: 1 };
/** Appointments that still lie ahead (or are under way). */
const UPCOMING: AppointmentStatus[] = ['scheduled', 'checked_in', 'in_progress'];
/** No appointment lasts longer: bounds the index range of the upcoming check. */
const LONGEST_APPOINTMENT_MS = 7 * 24 * 3600_000;

const assertCustomer = (companyId: CompanyId, customerId: string) => assertOwned(Contact, companyId, [customerId], 'Customer');

export function createPetService(deps: { clock: Clock }) {
  return {
    /** The company's pets, or one customer's (404 when the customer is not the company's). */
    async list(companyId: CompanyId, q: PetListQuery) {
      if (q.customerId) await assertCustomer(companyId, q.customerId);
      const filter = { companyId, ...(q.customerId ? { customerId: q.customerId } : {}) };
      return listOrPage(
        () => Pet.find(filter, LIST_FIELDS).sort({ name: 1, _id: 1 }).lean(),
        () => Pet.countDocuments(filter),
        pageOfQuery(q),
      );
    },

    async get(companyId: CompanyId, id: string) {
      return (await findOwned(Pet, companyId, id, 'Pet')).toJSON();
    },

    async create(companyId: CompanyId, b: PetCreateBody) {
      await assertCustomer(companyId, b.customerId);
      return (await Pet.create({ ...b, companyId })).toJSON();
    },

    /** The given fields (null clears an optional one); a new owner must be the company's customer. */
    async update(companyId: CompanyId, id: string, b: PetUpdateBody) {
      const pet = await findOwned(Pet, companyId, id, 'Pet');
      if (b.customerId) await assertCustomer(companyId, b.customerId);
      const set: Record<string, unknown> = {};
      const unset: Record<string, 1> = {};
      for (const [k, v] of Object.entries(b)) {
        if (v === null && (CLEARABLE_PET_FIELDS as readonly string[]).includes(k)) unset[k] = 1;
        else if (v !== undefined) set[k] = v;
      }
      if (Object.keys(set).length + Object.keys(unset).length === 0) return pet.toJSON();
      const updated = await Pet.findOneAndUpdate(
        { _id: pet._id, companyId },
        { ...(Object.keys(set).length ? { $set: set } : {}), ...(Object.keys(unset).length ? { $unset: unset } : {}) },
        { new: true, runValidators: true },
      );
      if (!updated) throw new NotFoundError('Pet not found');
      return updated.toJSON();
    },

    /** 409 PET_HAS_APPOINTMENTS while an appointment of the pet is scheduled, checked in or under way. */
    async remove(companyId: CompanyId, id: string) {
      const pet = await findOwned(Pet, companyId, id, 'Pet');
      const now = deps.clock.now();
      const upcoming = await Appointment.countDocuments({
        companyId,
        start: { $gte: new Date(now.getTime() - LONGEST_APPOINTMENT_MS) },
        petId: pet._id,
        status: { $in: UPCOMING },
        end: { $gt: now },
      });
      if (upcoming > 0) {
        throw new ConflictError('The pet has upcoming appointments: cancel or move them first', 'PET_HAS_APPOINTMENTS', {
          appointments: upcoming,
        });
      }
      await Pet.deleteOne({ _id: pet._id, companyId });
    },
  };
}

export type PetService = ReturnType<typeof createPetService>;
