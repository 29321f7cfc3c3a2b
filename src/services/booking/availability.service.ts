/**
 * Free slots for a service variant at a location over local dates, and the single-slot check the
 * Meta Bot asks before it books. Both evaluate rules.ts on facts loaded once for the whole range,
 * exactly as a booking evaluates them inside its transaction.
 */
import type { Types } from 'mongoose';
import { Location } from '../../models/Location';
import { User } from '../../models/User';
import type { Clock } from '../../utils/clock';
import { AppError } from '../../utils/errors';
import { loadFacts, zoneOf } from './facts';
import { companyOf, locationOf, serviceAndItem, staffMember } from './refs';
import { qualification, resourceVerdict, staffVerdict, verdictOf, windowsOn, type StaffVerdict } from './rules';
import { addDays, datesBetween, MINUTE, startOfLocalDay } from './time';

export interface SlotQuery {
  serviceItemId: string;
  locationId: string;
  /** Local dates (`yyyy-MM-dd`) in the location's zone, both included. */
  from: string;
  to: string;
  staffId?: string;
  /** Whose own holds do not hide slots. */
  customerId?: string;
  petSpecies?: string;
  stepMinutes?: number;
}

export interface StaffSlots {
  staffId: string;
  fullName: string;
  slots: { start: string; end: string }[];
}

export const MAX_SLOT_DAYS = 31;

export function createAvailabilityService(deps: { clock: Clock }) {
  async function slots(companyId: Types.ObjectId, q: SlotQuery) {
    const days = datesBetween(q.from, q.to);
    if (q.to < q.from) throw new AppError(400, 'INVALID_RANGE', '`to` must not be before `from`');
    if (days.length > MAX_SLOT_DAYS) throw new AppError(400, 'RANGE_TOO_LONG', `At most ${MAX_SLOT_DAYS} days at a time`);
    const [company, location, { service, item }] = await Promise.all([
      companyOf(companyId),
      locationOf(companyId, q.locationId),
      serviceAndItem(companyId, undefined, q.serviceItemId),
    ]);
    const zone = zoneOf(company, location);
    const allowedRoles = service.allowedRoles?.length ? service.allowedRoles : ['groomer'];
    const candidates = q.staffId
      ? [await staffMember(companyId, q.staffId)]
      : await User.find(
          {
            companyId,
            isActive: true,
            role: { $in: allowedRoles },
            // Assigned to this location, or to none (works anywhere); qualification() decides the rest.
            $or: [
              { locationIds: location._id },
              { primaryLocationId: location._id },
              { locationIds: { $size: 0 }, primaryLocationId: null },
            ],
          },
          { _id: 1 },
        ).lean();
    const range = { start: startOfLocalDay(q.from, zone), end: startOfLocalDay(addDays(q.to, 1), zone) };
    const now = deps.clock.now().getTime();
    const { facts, staff } = await loadFacts({
      companyId,
      company,
      location,
      service,
      requiredResources: item.requiredResources ?? [],
      petSpecies: q.petSpecies,
      staffIds: candidates.map((c) => c._id),
      range,
      now,
      customerId: q.customerId,
    });
    const duration = item.durationMinutes * MINUTE;
    const step = (q.stepMinutes ?? 15) * MINUTE;
    const items: StaffSlots[] = [];
    for (const sf of staff.values()) {
      if (qualification(sf, facts)) continue;
      const found: { start: string; end: string }[] = [];
      for (const date of days) {
        for (const w of windowsOn(sf, facts, date)) {
          for (let t = w.start; t + duration <= w.end; t += step) {
            if (t < now || t < range.start || t >= range.end) continue;
            const iv = { start: t, end: t + duration };
            if (staffVerdict(sf, facts, iv) || resourceVerdict(facts, iv)) continue;
            found.push({ start: new Date(iv.start).toISOString(), end: new Date(iv.end).toISOString() });
          }
        }
      }
      items.push({ staffId: sf.id, fullName: sf.fullName, slots: found });
    }
    items.sort((a, b) => a.fullName.localeCompare(b.fullName));
    return {
      serviceItemId: String(item._id),
      serviceId: String(service._id),
      locationId: String(location._id),
      timezone: zone,
      from: q.from,
      to: q.to,
      durationMinutes: item.durationMinutes,
      stepMinutes: step / MINUTE,
      items,
    };
  }

  /**
   * BookingService.checkAvailability of the original (§5.3), on the full rules: whether one staff
   * member can take [start, end). Without a location, the staff member's primary (or only, or the
   * company's main) location is assumed.
   */
  async function check(
    companyId: Types.ObjectId,
    q: {
      staffId: string;
      start: Date;
      end: Date;
      locationId?: string;
      serviceItemId?: string;
      customerId?: string;
      excludeAppointmentId?: string;
    },
  ): Promise<{ available: boolean } & Partial<StaffVerdict>> {
    const member = await staffMember(companyId, q.staffId);
    const locationId =
      q.locationId ??
      member.primaryLocationId ??
      member.locationIds?.[0] ??
      (await Location.findOne({ companyId }, { _id: 1 }).sort({ isMain: -1, createdAt: 1 }).lean())?._id;
    if (!locationId) return { available: false, reason: 'No location' };
    const [company, location, catalogue] = await Promise.all([
      companyOf(companyId),
      locationOf(companyId, locationId),
      q.serviceItemId ? serviceAndItem(companyId, undefined, q.serviceItemId) : undefined,
    ]);
    const iv = { start: q.start.getTime(), end: q.end.getTime() };
    if (!(iv.end > iv.start)) return { available: false, reason: 'End time must be after start time' };
    const { facts, staff } = await loadFacts({
      companyId,
      company,
      location,
      ...(catalogue ? { service: catalogue.service, requiredResources: catalogue.item.requiredResources ?? [] } : {}),
      staffIds: [member._id],
      range: iv,
      now: deps.clock.now().getTime(),
      customerId: q.customerId,
      excludeAppointmentId: q.excludeAppointmentId,
    });
    const sf = staff.get(String(member._id));
    if (!sf) return { available: false, reason: 'Staff not found' };
    const verdict = verdictOf(sf, facts, iv);
    if (!verdict) return { available: true };
    const { kind: _kind, ...why } = verdict;
    return { available: false, ...why };
  }

  return { slots, check };
}

export type AvailabilityService = ReturnType<typeof createAvailabilityService>;
