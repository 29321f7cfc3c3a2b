/**
 * Wall-clock arithmetic in a business's time zone (luxon, which follows the IANA database and
 * resolves DST gaps and overlaps the way the zone does): local dates, weekdays, and the instant of
 * "HH:mm on a local date". Every booking rule reads time through here.
 */
import { DateTime, IANAZone } from 'luxon';

export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

/** Zone names already checked (luxon builds an Intl formatter per check, about 0.4 ms). */
const zoneValidity = new Map<string, boolean>();

export function isValidZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0) return false;
  let ok = zoneValidity.get(zone);
  if (ok === undefined) {
    ok = IANAZone.isValidZone(zone);
    if (zoneValidity.size < 1000) zoneValidity.set(zone, ok);
  }
  return ok;
}

/** The first valid zone among the candidates (location's, then company's), else UTC. */
export function pickZone(...candidates: unknown[]): string {
  for (const z of candidates) if (isValidZone(z)) return z;
  return 'UTC';
}

/** `yyyy-MM-dd` of an instant in a zone. */
export function localDate(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate() as string;
}

/** 0 = Sunday … 6 = Saturday, of a local date. */
export function weekdayOf(date: string): number {
  return DateTime.fromISO(date, { zone: 'UTC' }).weekday % 7;
}

/** The local date `days` after `date`. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() as string;
}

/** Every local date from `from` to `to`, both included. */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to && out.length < 400; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * The instant of `HH:mm` on a local date. A time that does not exist that day (the hour skipped
 * when clocks go forward) moves forward by the gap; a repeated one takes its first occurrence.
 */
export function wallTime(date: string, hhmm: string, zone: string): number {
  const key = `${zone}|${date}|${hhmm}`;
  let ms = wallTimes.get(key);
  if (ms === undefined) {
    const [h = '0', m = '0'] = hhmm.split(':');
    ms = DateTime.fromISO(date, { zone })
      .set({ hour: Number(h), minute: Number(m), second: 0, millisecond: 0 })
      .toMillis();
    // A bounded memo: the same opening hours are asked for on every availability request.
    if (wallTimes.size >= 50_000) wallTimes.clear();
    wallTimes.set(key, ms);
  }
  return ms;
}

const wallTimes = new Map<string, number>();

/** Local midnight starting a date (not always 00:00 wall time in zones that skip midnight). */
export function startOfLocalDay(date: string, zone: string): number {
  return DateTime.fromISO(date, { zone }).startOf('day').toMillis();
}

export function minutesOf(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** `HH:mm` of an instant in a zone. */
export function clockTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('HH:mm');
}

/** Whether `s` is a real calendar date written `yyyy-MM-dd`. */
export function isIsoDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s, { zone: 'UTC' }).isValid;
}
