/**
 * The demo's two weeks of appointments as a pure plan: for each local day from a week ago to six
 * days ahead, each groomer's slots on that weekday (about three in four of them), a pet of that
 * location and a service that fits the slot, and what became of it (past: completed, mostly, or a
 * no-show or cancellation; now: in progress; ahead: scheduled). Everything follows from the date
 * and the slot, so the plan for a day is the same on every run.
 */
import { addDays, localDate, wallTime, weekdayOf, MINUTE } from '../services/booking/time';
import { APPOINTMENT_SOURCES_ROTATION, CAT_SERVICES, DOG_SERVICES, type LocationLabel, type StaffSeed } from './data';
import type { SeededPet } from './customers';

export const PAST_DAYS = 7;
export const FUTURE_DAYS = 6;

export type Outcome = 'scheduled' | 'in_progress' | 'completed' | 'no_show' | 'canceled';

export interface PlannedAppointment {
  staffEmail: string;
  location: LocationLabel;
  date: string;
  at: string;
  start: number;
  end: number;
  pet: SeededPet;
  service: string;
  outcome: Outcome;
  source: (typeof APPOINTMENT_SOURCES_ROTATION)[number];
}

export interface PlanInput {
  now: number;
  zones: ReadonlyMap<LocationLabel, string>;
  staff: readonly StaffSeed[];
  pets: readonly SeededPet[];
  /** Minutes of a service for a pet of this size, or undefined when the catalogue has no such variant. */
  durationOf(service: string, size: string): number | undefined;
}

interface Candidate {
  staff: StaffSeed;
  staffIndex: number;
  slotIndex: number;
  at: string;
  maxMinutes: number;
}

/** Past: mostly completed, about one in eleven a no-show and one in eleven canceled. */
function pastOutcome(day: number, c: Candidate): Outcome {
  const h = (day * 5 + c.slotIndex * 3 + c.staffIndex * 7) % 11;
  return h === 0 ? 'no_show' : h === 1 ? 'canceled' : 'completed';
}

/** The first service of the species' rotation, from the pet's turn, that fits the slot. */
function serviceFor(pet: SeededPet, turn: number, maxMinutes: number, input: PlanInput): { service: string; minutes: number } | undefined {
  const rotation: readonly string[] = pet.seed.species === 'cat' ? CAT_SERVICES : DOG_SERVICES;
  for (let i = 0; i < rotation.length; i++) {
    const service = rotation[(turn + i) % rotation.length]!;
    const minutes = input.durationOf(service, pet.seed.size);
    if (minutes !== undefined && minutes <= maxMinutes) return { service, minutes };
  }
  return undefined;
}

export function planAppointments(input: PlanInput): PlannedAppointment[] {
  const out: PlannedAppointment[] = [];
  for (const [location, zone] of input.zones) {
    const pets = input.pets.filter((p) => p.location === location);
    if (pets.length === 0) continue;
    const today = localDate(input.now, zone);
    for (let offset = -PAST_DAYS; offset <= FUTURE_DAYS; offset++) {
      const day = offset + PAST_DAYS;
      const date = addDays(today, offset);
      const weekday = weekdayOf(date);
      const candidates: Candidate[] = [];
      input.staff.forEach((staff, staffIndex) => {
        if (staff.location !== location) return;
        for (const shift of staff.shifts.filter((s) => s.weekdays.includes(weekday))) {
          shift.slots.forEach((slot, slotIndex) => {
            // About three slots in four are booked; which ones moves from day to day.
            if ((day + slotIndex + staffIndex) % 4 !== 3)
              candidates.push({ staff, staffIndex, slotIndex, at: slot.at, maxMinutes: slot.maxMinutes });
          });
        }
      });
      candidates.sort((a, b) => a.at.localeCompare(b.at) || a.staffIndex - b.staffIndex);
      candidates.forEach((c, k) => {
        // Consecutive pets of the location, so a pet comes at most once a day when there are enough.
        const petIndex = (day * 3 + k) % pets.length;
        const pet = pets[petIndex]!;
        const fit = serviceFor(pet, day + petIndex, c.maxMinutes, input);
        if (!fit) return;
        const start = wallTime(date, c.at, zone);
        const end = start + fit.minutes * MINUTE;
        const outcome: Outcome = end <= input.now ? pastOutcome(day, c) : start <= input.now ? 'in_progress' : 'scheduled';
        const source = APPOINTMENT_SOURCES_ROTATION[(day + k) % APPOINTMENT_SOURCES_ROTATION.length]!;
        out.push({ staffEmail: c.staff.email, location, date, at: c.at, start, end, pet, service: fit.service, outcome, source });
      });
    }
  }
  // Booked in time order, so a refusal (and so a skip) is the same on every run.
  return out.sort((a, b) => a.start - b.start || a.staffEmail.localeCompare(b.staffEmail));
}
