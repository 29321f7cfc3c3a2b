/**
 * The booking rules as pure functions over facts loaded from the database (see facts.ts). The
 * booking transaction and the free-slot search evaluate the same functions on the same kind of
 * facts, so a slot the search offers can be booked and a slot it hides cannot.
 *
 * Order of the staff checks (the reason strings are the original's, which the Meta Bot echoes):
 * overlapping appointment, time off, holiday, schedule (no schedule / outside hours / break),
 * another customer's hold. Then resource capacity at the location.
 */
import { addDays, localDate, minutesOf, wallTime, weekdayOf } from './time';

export interface Interval {
  start: number;
  end: number;
}

export interface Hours {
  weekday: number;
  startTime: string;
  endTime: string;
  breakWindows?: { start?: string | null; end?: string | null }[];
}

export interface StaffFacts {
  id: string;
  fullName: string;
  role: string;
  isActive: boolean;
  locationIds: string[];
  primaryLocationId?: string;
  serviceCategoryIds: string[];
  /** Weekly entries at every location. */
  schedules: (Hours & { locationId: string })[];
  /** Active appointments (not canceled or no-show) around the range. */
  busy: (Interval & { appointmentId: string })[];
  timeOff: (Interval & { id: string })[];
  /** Unexpired holds of other customers on this staff member. */
  holds: (Interval & { holdId: string })[];
}

export interface ResourceNeed {
  resourceTypeId: string;
  quantity: number;
  /** Active resources of the type at the location (that can take the pet's species). */
  capacity: number;
  /** Units already used: reservations of active appointments and other customers' holds. */
  used: (Interval & { units: number })[];
}

export interface BookingFacts {
  zone: string;
  locationId: string;
  /** Opening hours that apply to staff without any schedule: the location's, else the company's. */
  hours: Hours[];
  /** Closed local dates (`yyyy-MM-dd`). */
  holidays: Set<string>;
  service?: { id: string; allowedRoles: string[] };
  resources: ResourceNeed[];
}

export interface StaffVerdict {
  reason: string;
  conflictingAppointment?: string;
  timeOffId?: string;
}

export const REASONS = {
  overlap: 'Overlapping appointment',
  timeOff: 'Staff time off',
  holiday: 'Closed for holiday',
  noSchedule: 'No schedule for this day',
  outside: 'Outside working hours',
  breakTime: 'Overlaps with break time',
  held: 'Slot is held by another customer',
  noResources: 'No resources of this type available',
  capacity: 'Insufficient resource capacity',
} as const;

const overlaps = (a: Interval, b: Interval): boolean => a.start < b.end && a.end > b.start;

/** Why a staff member may not perform this service at this location at all, or null. */
export function qualification(staff: StaffFacts, facts: BookingFacts): string | null {
  if (!staff.isActive) return 'Staff member is not active';
  const sites = new Set([...staff.locationIds, ...(staff.primaryLocationId ? [staff.primaryLocationId] : [])]);
  if (sites.size > 0 && !sites.has(facts.locationId)) return 'Staff member does not work at this location';
  if (facts.service) {
    if (!facts.service.allowedRoles.includes(staff.role)) return `Staff role ${staff.role} cannot perform this service`;
    if (staff.serviceCategoryIds.length > 0 && !staff.serviceCategoryIds.includes(facts.service.id)) {
      return 'Staff member is not qualified for this service category';
    }
  }
  return null;
}

export interface WorkWindow extends Interval {
  breaks: Interval[];
}

/**
 * The staff member's working windows that start on a local date: their schedule at this location
 * for that weekday; a staff member with no schedule anywhere works the opening hours. An entry
 * whose end is not after its start runs past midnight.
 */
export function windowsOn(staff: StaffFacts, facts: BookingFacts, date: string): WorkWindow[] {
  let byDate = windowMemo.get(staff);
  if (!byDate) windowMemo.set(staff, (byDate = new Map()));
  let windows = byDate.get(date);
  if (!windows) byDate.set(date, (windows = computeWindows(staff, facts, date)));
  return windows;
}

/** Windows per staff member and date, computed once per loaded facts (facts are not mutated). */
const windowMemo = new WeakMap<StaffFacts, Map<string, WorkWindow[]>>();

function computeWindows(staff: StaffFacts, facts: BookingFacts, date: string): WorkWindow[] {
  const weekday = weekdayOf(date);
  const entries: Hours[] =
    staff.schedules.length > 0
      ? staff.schedules.filter((s) => s.locationId === facts.locationId && s.weekday === weekday)
      : facts.hours.filter((h) => h.weekday === weekday);
  return entries.map((e) => {
    const start = wallTime(date, e.startTime, facts.zone);
    const overnight = minutesOf(e.endTime) <= minutesOf(e.startTime);
    const end = wallTime(overnight ? addDays(date, 1) : date, e.endTime, facts.zone);
    const breaks = (e.breakWindows ?? [])
      .filter((b): b is { start: string; end: string } => Boolean(b.start && b.end))
      .map((b) => {
        const bDate = overnight && minutesOf(b.start) < minutesOf(e.startTime) ? addDays(date, 1) : date;
        const bs = wallTime(bDate, b.start, facts.zone);
        let be = wallTime(bDate, b.end, facts.zone);
        if (be <= bs) be = wallTime(addDays(bDate, 1), b.end, facts.zone);
        return { start: bs, end: be };
      });
    return { start, end, breaks };
  });
}

function scheduleReason(staff: StaffFacts, facts: BookingFacts, iv: Interval): string | null {
  const day = localDate(iv.start, facts.zone);
  const candidates = [...windowsOn(staff, facts, addDays(day, -1)), ...windowsOn(staff, facts, day)];
  const around = candidates.filter((w) => w.start <= iv.start && iv.start < w.end);
  if (around.length === 0 && windowsOn(staff, facts, day).length === 0) return REASONS.noSchedule;
  const within = around.find((w) => iv.end <= w.end);
  if (!within) return REASONS.outside;
  if (within.breaks.some((b) => overlaps(b, iv))) return REASONS.breakTime;
  return null;
}

/** Why this staff member cannot take [start, end), or null when they can. */
export function staffVerdict(staff: StaffFacts, facts: BookingFacts, iv: Interval): StaffVerdict | null {
  const busy = staff.busy.find((b) => overlaps(b, iv));
  if (busy) return { reason: REASONS.overlap, conflictingAppointment: busy.appointmentId };
  const off = staff.timeOff.find((t) => overlaps(t, iv));
  if (off) return { reason: REASONS.timeOff, timeOffId: off.id };
  if (facts.holidays.size > 0) {
    for (let d = localDate(iv.start, facts.zone); d <= localDate(iv.end - 1, facts.zone); d = addDays(d, 1)) {
      if (facts.holidays.has(d)) return { reason: REASONS.holiday };
    }
  }
  const schedule = scheduleReason(staff, facts, iv);
  if (schedule) return { reason: schedule };
  if (staff.holds.some((h) => overlaps(h, iv))) return { reason: REASONS.held };
  return null;
}

/** The most units of a need in use at any instant of [start, end). */
function peakUse(need: ResourceNeed, iv: Interval): number {
  const edges: [number, number][] = [];
  for (const u of need.used) {
    if (!overlaps(u, iv)) continue;
    edges.push([Math.max(u.start, iv.start), u.units], [Math.min(u.end, iv.end), -u.units]);
  }
  // Ends before starts at the same instant: back-to-back uses do not add up.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let level = 0;
  let peak = 0;
  for (const [, d] of edges) {
    level += d;
    if (level > peak) peak = level;
  }
  return peak;
}

/** Why the location's resources cannot serve [start, end), or null. */
export function resourceVerdict(facts: BookingFacts, iv: Interval): string | null {
  for (const need of facts.resources) {
    if (need.capacity <= 0) return REASONS.noResources;
    if (peakUse(need, iv) + need.quantity > need.capacity) return REASONS.capacity;
  }
  return null;
}

/** Every rule in order, for one staff member and [start, end): the first refusal, or null. */
export type Verdict = { kind: 'unqualified'; reason: string } | ({ kind: 'staff' } & StaffVerdict) | { kind: 'resources'; reason: string };

export function verdictOf(staff: StaffFacts, facts: BookingFacts, iv: Interval): Verdict | null {
  const unqualified = qualification(staff, facts);
  if (unqualified) return { kind: 'unqualified', reason: unqualified };
  const busy = staffVerdict(staff, facts, iv);
  if (busy) return { kind: 'staff', ...busy };
  const resources = resourceVerdict(facts, iv);
  return resources ? { kind: 'resources', reason: resources } : null;
}
