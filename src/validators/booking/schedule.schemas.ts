/**
 * Weekly hours: a staff member's schedule (S1, S2) and the company's working hours (W2). Times
 * are compared as minutes; each weekday appears once; breaks lie inside the day and do not overlap.
 */
import { z } from 'zod';
import { hhmm, objectId } from '../common.schemas';
import { type Body, badRequest, isAbsent, isObject, isObjectIdString, isTime, minutesOf, precheck } from './catalogue.schemas';

const MAX_BREAKS = 12;

const weekday = z.number().int().min(0).max(6);

export const StaffScheduleQuery = z.object({ locationId: objectId.optional() });
export type StaffScheduleQuery = z.infer<typeof StaffScheduleQuery>;

const BreakWindow = z.object({ start: hhmm, end: hhmm });

const ScheduleEntry = z.object({
  weekday,
  startTime: hhmm,
  endTime: hhmm,
  breakWindows: z.preprocess((v) => (v === null ? undefined : v), z.array(BreakWindow).max(MAX_BREAKS).optional()),
});

/** Unknown keys (an entry's `_id`, `enabled`) are dropped: only the documented fields are stored. */
export const StaffScheduleBody = z.object({
  locationId: z.preprocess((v) => (isAbsent(v) ? undefined : v), objectId.optional()),
  schedule: z.array(ScheduleEntry).max(7),
});
export type StaffScheduleBody = z.infer<typeof StaffScheduleBody>;

const WorkHour = z.object({ weekday, startTime: hhmm, endTime: hhmm });

/** Incoming `_id`s (the dashboard sends back what it loaded) are stripped; new ones are issued. */
export const WorkHoursBody = z.object({ workHours: z.array(WorkHour).max(7) });
export type WorkHoursBody = z.infer<typeof WorkHoursBody>;

/**
 * One weekday's hours, shared by S2 and W2: weekday 0-6, once; `H:mm` times; end after start.
 * Returns the day's span in minutes.
 */
function checkDay(entry: Body, where: string, seen: Set<number>): [number, number] {
  const day = entry.weekday;
  if (typeof day !== 'number' || !Number.isInteger(day) || day < 0 || day > 6) {
    throw badRequest('INVALID_WEEKDAY', `${where}.weekday must be an integer from 0 (Sunday) to 6 (Saturday)`);
  }
  if (seen.has(day)) throw badRequest('DUPLICATE_WEEKDAY', `weekday ${day} appears more than once`);
  seen.add(day);
  if (!isTime(entry.startTime) || !isTime(entry.endTime)) {
    throw badRequest('INVALID_TIME', `${where}.startTime and endTime must be times like 09:00 (weekday ${day})`);
  }
  const span: [number, number] = [minutesOf(entry.startTime), minutesOf(entry.endTime)];
  if (span[1] <= span[0]) throw badRequest('INVALID_RANGE', `${where}.endTime must be after startTime (weekday ${day})`);
  return span;
}

function checkBreaks(windows: unknown, where: string, [dayStart, dayEnd]: [number, number]): void {
  if (windows === undefined || windows === null) return;
  if (!Array.isArray(windows)) throw badRequest('INVALID_BREAKS', `${where}.breakWindows must be an array`);
  const spans = windows.map((w: unknown, j) => {
    const at = `${where}.breakWindows[${j}]`;
    if (!isObject(w) || !isTime(w.start) || !isTime(w.end))
      throw badRequest('INVALID_BREAK_TIME', `${at} start and end must be times like 12:00`);
    const [start, end] = [minutesOf(w.start), minutesOf(w.end)];
    if (end <= start) throw badRequest('INVALID_BREAK_RANGE', `${at}.end must be after its start`);
    if (start < dayStart || end > dayEnd) throw badRequest('BREAK_OUT_OF_RANGE', `${at} must lie within the working hours`);
    return [start, end] as const;
  });
  spans.sort((a, b) => a[0] - b[0]);
  for (let j = 1; j < spans.length; j++) {
    if (spans[j]![0] < spans[j - 1]![1]) throw badRequest('OVERLAPPING_BREAKS', `${where}.breakWindows must not overlap`);
  }
}

/** S2's coded 400s [COMPAT codes], entry by entry in the contract's order, plus OVERLAPPING_BREAKS. */
export const staffSchedulePrecheck = () =>
  precheck((b) => {
    if (!isAbsent(b.locationId) && !isObjectIdString(b.locationId))
      throw badRequest('INVALID_LOCATION', 'Invalid locationId for this company');
    if (!Array.isArray(b.schedule)) throw badRequest('INVALID_BODY', 'schedule must be an array');
    const seen = new Set<number>();
    b.schedule.forEach((raw: unknown, i) => {
      const entry = isObject(raw) ? raw : {};
      const day = checkDay(entry, `schedule[${i}]`, seen);
      checkBreaks(entry.breakWindows, `schedule[${i}]`, day);
    });
  });

/** W2's 400s; the working-hours routes render them in the legacy `{message}` envelope. */
export const workHoursPrecheck = () =>
  precheck((b) => {
    if (!Array.isArray(b.workHours)) throw badRequest('INVALID_WORK_HOURS', 'Working hours array is required');
    const seen = new Set<number>();
    b.workHours.forEach((raw: unknown, i) => checkDay(isObject(raw) ? raw : {}, `workHours[${i}]`, seen));
  });
