/**
 * The decision every booking-like write makes (a booking, a reschedule, a hold): claim the guards
 * of the staff member and the resource types (guards.ts), load the facts on the transaction's
 * snapshot, and refuse with the rule's reason. The writes follow in the same transaction.
 */
import type { ClientSession, Types } from 'mongoose';
import { NotFoundError } from '../../utils/errors';
import { BookingConflictError, ResourceConflictError } from './errors';
import { loadFacts, type FactsInput } from './facts';
import { claimGuards, ensureGuards, resourceGuard, staffGuard } from './guards';
import { assertQualified } from './refs';
import { qualification, resourceVerdict, staffVerdict, type Interval } from './rules';

export interface Claim extends Omit<FactsInput, 'staffIds' | 'range' | 'session'> {
  staffId: Types.ObjectId;
  iv: Interval;
  /** How a refusal starts: "Booking not available: …", "Reschedule not available: …". */
  prefix: 'Booking' | 'Reschedule' | 'Hold';
}

/**
 * Prepares the claim's guards (outside any transaction) and returns the check to run first thing
 * inside the transaction.
 */
export async function prepareClaim(claim: Claim): Promise<(session: ClientSession) => Promise<void>> {
  const { companyId } = claim;
  const keys = [
    staffGuard(companyId, claim.staffId),
    ...(claim.requiredResources ?? []).map((r) => resourceGuard(companyId, claim.location._id, r.resourceTypeId)),
  ];
  await ensureGuards(companyId, keys);
  return async (session) => {
    await claimGuards(keys, session);
    const { staffId, iv, prefix, ...input } = claim;
    const { facts, staff } = await loadFacts({ ...input, staffIds: [staffId], range: iv, session });
    const sf = staff.get(String(staffId));
    if (!sf) throw new NotFoundError('Staff not found');
    assertQualified(qualification(sf, facts));
    const verdict = staffVerdict(sf, facts, iv);
    if (verdict) throw new BookingConflictError(prefix, verdict.reason, verdict);
    const resources = resourceVerdict(facts, iv);
    if (resources) throw new ResourceConflictError(resources);
  };
}
