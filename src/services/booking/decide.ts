/**
 * The decision every booking-like write makes (a booking, a reschedule, a hold): claim the guards
 * of the staff member and the resource types (guards.ts), load the facts on the transaction's
 * snapshot, and refuse with the rule's reason. The writes follow in the same transaction.
 */
import type { ClientSession, Types } from 'mongoose';
import { NotFoundError } from '../../utils/errors';
import { BookingConflictError, ResourceConflictError, StaffNotQualifiedError } from './errors';
import { loadFacts, type FactsInput } from './facts';
import { claimGuards, ensureGuards, resourceGuard, staffGuard } from './guards';
import { companyOf, locationOf, serviceAndItem, staffMember } from './refs';
import { verdictOf, type Interval } from './rules';

type Id = Types.ObjectId | string;

/** What a booking-like write names, resolved in the caller's company (refs.ts: 404 / 400 otherwise). */
export async function resolveTargets(
  companyId: Types.ObjectId,
  names: { locationId: Id; serviceId?: Id | undefined; serviceItemId: Id; staffId: Id },
) {
  const [company, location, { service, item }, staff] = await Promise.all([
    companyOf(companyId),
    locationOf(companyId, names.locationId),
    serviceAndItem(companyId, names.serviceId, names.serviceItemId),
    staffMember(companyId, names.staffId),
  ]);
  return { companyId, company, location, service, item, staff };
}

export type Targets = Awaited<ReturnType<typeof resolveTargets>>;

export interface Claim extends Pick<FactsInput, 'now' | 'petSpecies' | 'customerId' | 'excludeAppointmentId'> {
  iv: Interval;
  /** How a refusal starts: "Booking not available: …", "Reschedule not available: …". */
  prefix: 'Booking' | 'Reschedule' | 'Hold';
}

/**
 * Prepares the guards of the targets (outside any transaction) and returns the check to run first
 * thing inside the transaction.
 */
export async function prepareClaim(t: Targets, claim: Claim): Promise<(session: ClientSession) => Promise<void>> {
  const { companyId, staff } = t;
  const requiredResources = t.item.requiredResources ?? [];
  const keys = [
    staffGuard(companyId, staff._id),
    ...requiredResources.map((r) => resourceGuard(companyId, t.location._id, r.resourceTypeId)),
  ];
  await ensureGuards(companyId, keys);
  return async (session) => {
    await claimGuards(keys, session);
    const { iv, prefix, ...input } = claim;
    const { facts, staff: loaded } = await loadFacts({
      ...input,
      companyId,
      company: t.company,
      location: t.location,
      service: t.service,
      requiredResources,
      staffIds: [staff._id],
      range: iv,
      session,
    });
    const sf = loaded.get(String(staff._id));
    if (!sf) throw new NotFoundError('Staff not found');
    const verdict = verdictOf(sf, facts, iv);
    if (verdict?.kind === 'unqualified') throw new StaffNotQualifiedError(verdict.reason);
    if (verdict?.kind === 'staff') {
      const { kind: _kind, reason, ...found } = verdict;
      throw new BookingConflictError(prefix, reason, found);
    }
    if (verdict?.kind === 'resources') throw new ResourceConflictError(verdict.reason);
  };
}
