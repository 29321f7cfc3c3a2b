/**
 * The demo company's accounts side, each step find-or-create by a natural key: the company (by
 * its email, registered as the sign-up form does), its locations (by label), staff (by email) and
 * the groomers' weekly schedules (written only when they differ from the seed's).
 */
import { Types } from 'mongoose';
import { Company } from '../models/Company';
import type { AuthService } from '../services/auth.service';
import type { StaffScheduleService } from '../services/booking/staffSchedule.service';
import type { LocationService } from '../services/location.service';
import type { StaffService } from '../services/staff.service';
import { RegisterBody } from '../validators/auth.schemas';
import { StaffScheduleBody } from '../validators/booking/schedule.schemas';
import { LocationCreateBody } from '../validators/location.schemas';
import { StaffCreateBody } from '../validators/staff.schemas';
import { DEMO_COMPANY, DEMO_LOCATIONS, DEMO_MANAGER, DEMO_STAFF, type LocationLabel, type ShiftSeed, type StaffSeed } from './data';
import type { StepTracker } from './step';

type CompanyId = Types.ObjectId;

export interface SeededLocation {
  id: string;
  zone: string;
}
export type LocationMap = Map<LocationLabel, SeededLocation>;
/** Staff ids by email. */
export type StaffMap = Map<string, string>;

/** The demo company's id: found by its email, else registered (company, manager, Main, catalogue). */
export async function seedCompany(auth: AuthService, password: string, t: StepTracker): Promise<CompanyId> {
  const existing = await Company.findOne({ email: DEMO_COMPANY.email }, { name: 1 }).lean();
  if (existing) {
    // The email is the marker; a real company that happens to own it is not ours to add to.
    if (existing.name !== DEMO_COMPANY.name) {
      throw new Error(`${DEMO_COMPANY.email} belongs to the company "${existing.name}", not the demo company; nothing was seeded`);
    }
    t.existing();
    return existing._id;
  }
  const main = DEMO_LOCATIONS.find((l) => l.isMain)!;
  const body = RegisterBody.parse({
    company: {
      name: DEMO_COMPANY.name,
      email: DEMO_COMPANY.email,
      phone: DEMO_COMPANY.phone,
      address: DEMO_COMPANY.address,
      timezone: DEMO_COMPANY.timezone,
      businessTypes: DEMO_COMPANY.businessTypes,
      locations: [{ label: main.label, address: main.address, phone: main.phone, timezone: main.timezone, isMain: true }],
    },
    user: { ...DEMO_MANAGER, password },
  });
  const registered = await auth.register(body, { ip: '127.0.0.1', userAgent: 'npm run seed' });
  // Registration signs the manager in; the seed is nobody's session, so it signs out again.
  await auth.logout(registered.refresh.token);
  t.created();
  t.note('with its grooming services, items and resources');
  const user = registered.body.user as { companyId: string };
  return new Types.ObjectId(user.companyId);
}

export async function seedLocations(locations: LocationService, companyId: CompanyId, t: StepTracker): Promise<LocationMap> {
  const byLabel = new Map((await locations.list(companyId)).map((l) => [l.label, l]));
  const out: LocationMap = new Map();
  for (const seed of DEMO_LOCATIONS) {
    let loc = byLabel.get(seed.label);
    if (loc) t.existing();
    else {
      const { label, address, phone, timezone, isMain, workHours } = seed;
      loc = await locations.create(companyId, LocationCreateBody.parse({ label, address, phone, timezone, isMain, workHours }));
      t.created();
    }
    out.set(seed.label, { id: String(loc._id), zone: loc.timezone ?? DEMO_COMPANY.timezone });
  }
  return out;
}

/** Every demo account (the registered manager included), by email. */
export async function seedStaff(
  staff: StaffService,
  companyId: CompanyId,
  locations: LocationMap,
  password: string,
  t: StepTracker,
): Promise<StaffMap> {
  const listed = (await staff.list(companyId, {})) as Record<string, unknown>[];
  const byEmail = new Map(listed.map((u) => [String(u.email), String(u._id)]));
  const out: StaffMap = new Map();
  const manager = byEmail.get(DEMO_MANAGER.email);
  if (!manager) throw new Error(`the demo company has no ${DEMO_MANAGER.email}; it was changed since it was seeded`);
  out.set(DEMO_MANAGER.email, manager);
  t.existing();
  for (const seed of DEMO_STAFF) {
    let id = byEmail.get(seed.email);
    if (id) t.existing();
    else {
      const locationId = locations.get(seed.location)!.id;
      const body = StaffCreateBody.parse({
        fullName: seed.fullName,
        email: seed.email,
        role: seed.role,
        password,
        phone: seed.phone,
        color: seed.color,
        locationIds: [locationId],
        primaryLocationId: locationId,
      });
      id = (await staff.create(companyId, body)).id as string;
      t.created();
    }
    out.set(seed.email, id);
  }
  return out;
}

/** The schedule entries of a staff member's shifts, by weekday. */
export function scheduleOf(shifts: readonly ShiftSeed[]) {
  return shifts
    .flatMap((s) =>
      s.weekdays.map((weekday) => ({
        weekday,
        startTime: s.startTime,
        endTime: s.endTime,
        breakWindows: s.breakWindows.map((b) => ({ ...b })),
      })),
    )
    .sort((a, b) => a.weekday - b.weekday);
}

type Entry = Pick<ReturnType<typeof scheduleOf>[number], 'weekday' | 'startTime' | 'endTime'> & {
  breakWindows?: { start: string; end: string }[];
};
const keyOf = (entries: Entry[]): string =>
  [...entries]
    .sort((a, b) => a.weekday - b.weekday)
    .map((e) => `${e.weekday} ${e.startTime}-${e.endTime} ${(e.breakWindows ?? []).map((b) => `${b.start}-${b.end}`).join(',')}`)
    .join('|');

/**
 * Groomers' schedules at their location. Written (the service replaces the entries at that
 * location in one transaction) only while the groomer has none there or still has the placeholder
 * that staff creation gives (the company's hours, no breaks); a schedule someone changed since is
 * left as it is.
 */
export async function seedSchedules(
  schedules: StaffScheduleService,
  companyId: CompanyId,
  staff: StaffMap,
  locations: LocationMap,
  t: StepTracker,
): Promise<void> {
  const company = await Company.findById(companyId, { 'settings.workHours': 1 }).lean();
  const placeholder = keyOf(company?.settings?.workHours ?? []);
  for (const seed of scheduledStaff()) {
    const id = staff.get(seed.email)!;
    const locationId = locations.get(seed.location)!.id;
    const have = keyOf(await schedules.get(companyId, id, { locationId }));
    if (have !== '' && have !== placeholder) {
      t.existing();
      continue;
    }
    await schedules.replace(companyId, id, StaffScheduleBody.parse({ locationId, schedule: scheduleOf(seed.shifts) }));
    t.created();
  }
}

/** The staff the seed gives weekly shifts (the service providers). */
export function scheduledStaff(): StaffSeed[] {
  return DEMO_STAFF.filter((s) => s.shifts.length > 0);
}
