/**
 * Booking holds: a customer's short claim on a slot while they confirm. Creating one runs the
 * booking rules in the same guarded transaction as a booking, so two customers cannot hold the
 * same staff member's time, and a hold blocks every other customer's booking and hold on
 * that staff member (at any location) and on the resource units it claims, until it expires.
 */
import type { Types } from 'mongoose';
import { BookingHold } from '../../models/BookingHold';
import type { Clock } from '../../utils/clock';
import { NotFoundError } from '../../utils/errors';
import { inTransaction } from '../tenant';
import { Contact } from '../../models/Contact';
import { prepareClaim, resolveTargets } from './decide';
import { BookingValidationError } from './errors';
import { customerAndPet } from './refs';
import { MINUTE } from './time';

export interface HoldInput {
  customerId: string;
  petId?: string;
  serviceItemId: string;
  staffId: string;
  locationId: string;
  start: Date;
  end?: Date;
  ttlSeconds?: number;
  createdBy?: 'web' | 'operator' | 'assistant';
}

export const DEFAULT_HOLD_SECONDS = 300;

export function createHoldService(deps: { clock: Clock }) {
  async function create(companyId: Types.ObjectId, input: HoldInput) {
    const targets = await resolveTargets(companyId, input);
    const { location, service, item, staff } = targets;
    const pet = input.petId ? (await customerAndPet(companyId, input.customerId, input.petId, service.species)).pet : undefined;
    if (!pet && !(await Contact.exists({ _id: input.customerId, companyId }))) throw new NotFoundError('Customer not found');
    const now = deps.clock.now().getTime();
    const iv = {
      start: input.start.getTime(),
      end: input.end ? input.end.getTime() : input.start.getTime() + item.durationMinutes * MINUTE,
    };
    if (!(iv.end > iv.start)) throw new BookingValidationError(['End time must be after start time']);
    if (iv.start < now) throw new BookingValidationError(['A hold cannot start in the past']);
    const required = item.requiredResources ?? [];
    const decide = await prepareClaim(targets, { iv, now, petSpecies: pet?.species, customerId: input.customerId, prefix: 'Hold' });
    const id = await inTransaction(async (session) => {
      await decide(session);
      const window = { start: new Date(iv.start), end: new Date(iv.end) };
      const [hold] = await BookingHold.create(
        [
          {
            companyId,
            locationId: location._id,
            customerId: input.customerId,
            serviceItemId: item._id,
            tentative: [
              { staffId: staff._id, ...window },
              ...required.map((r) => ({ resourceTypeId: r.resourceTypeId, quantity: r.quantity ?? 1, ...window })),
            ],
            createdBy: input.createdBy ?? 'web',
            expiresAt: new Date(now + (input.ttlSeconds ?? DEFAULT_HOLD_SECONDS) * 1000),
          },
        ],
        { session },
      );
      if (!hold) throw new Error('hold insert returned nothing');
      return hold._id;
    });
    return BookingHold.findOne({ _id: id, companyId }).lean();
  }

  /** Releases a hold (idempotent for its owner: a hold that expired or was used is 404). */
  async function release(companyId: Types.ObjectId, holdId: string, customerId?: string) {
    const hold = await BookingHold.findOneAndDelete({ _id: holdId, companyId, ...(customerId ? { customerId } : {}) }).lean();
    if (!hold) throw new NotFoundError('Hold not found');
    return hold;
  }

  /** Unexpired holds of the company, optionally of one customer, staff member or location. */
  async function list(companyId: Types.ObjectId, q: { customerId?: string; staffId?: string; locationId?: string }) {
    return BookingHold.find({
      companyId,
      expiresAt: { $gt: deps.clock.now() },
      ...(q.customerId ? { customerId: q.customerId } : {}),
      ...(q.staffId ? { 'tentative.staffId': q.staffId } : {}),
      ...(q.locationId ? { locationId: q.locationId } : {}),
    })
      .sort({ expiresAt: 1 })
      .limit(500)
      .lean();
  }

  return { create, release, list };
}

export type HoldService = ReturnType<typeof createHoldService>;
