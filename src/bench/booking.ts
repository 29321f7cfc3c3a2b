/**
 * Booking: one grooming company in Europe/London with 3 locations, 20 groomers (Mon–Sat
 * 09:00–17:00, lunch 12:00–13:00), 300 customers with a dog and about three months of past and
 * future appointments (6 per groomer per working day, realistic statuses), seeded in bulk. Then:
 *   1. GET /api/v1/availability for one day and for one week at one location, sequential, in
 *      alternating blocks (goal: p95 under 50 ms for a day);
 *   2. POST /api/v1/appointments from 20 concurrent clients (each a receptionist of its own, so
 *      the per-user limiter is never near), each on its own groomer's free slots: bookings/s, with
 *      any answer but 201 an error;
 *   3. the same 20 clients all booking one slot of one groomer at once: exactly one 201 and 19
 *      409, and exactly one appointment in the database for the slot.
 * Rounds of 2 and 3 alternate. Written to bench-results/booking.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose, { Types } from 'mongoose';
import { Appointment } from '../models/Appointment';
import { Company } from '../models/Company';
import { ACTIVE_APPOINTMENT_STATUSES } from '../models/constants';
import { Contact } from '../models/Contact';
import { Location } from '../models/Location';
import { Pet } from '../models/Pet';
import { ServiceCategory } from '../models/ServiceCategory';
import { ServiceItem } from '../models/ServiceItem';
import { StaffSchedule } from '../models/StaffSchedule';
import { User } from '../models/User';
import { addDays, datesBetween, localDate, MINUTE, wallTime, weekdayOf } from '../services/booking/time';
import {
  accessToken,
  cpuMsOf,
  cpuSnapshot,
  formatGoal,
  startApp,
  startDatabase,
  stopChild,
  writeBenchResult,
  type Child,
  type CpuMeters,
  type Goal,
} from './harness';
import { fakeMetaBot, requestJson } from './loopback';
import { latencySummary } from './openLoop';
import { seedCompany } from './seed';

const ZONE = 'Europe/London';
const LOCATIONS = ['North', 'Centre', 'South'];
const GROOMERS = 20;
const CUSTOMERS = 300;
/** Seeded local dates: this many days before today and from today on (about three months). */
const PAST_DAYS = 45;
const FUTURE_DAYS = 46;
const WORK_DAYS = [1, 2, 3, 4, 5, 6];
/** Appointment starts of a working day (the 12:00 hour is lunch); 6 of the 7 are booked. */
const HOURS = ['09:00', '10:00', '11:00', '13:00', '14:00', '15:00', '16:00'];
const PER_DAY = 6;
const DURATION_MINUTES = 60;
const CLIENTS = 20;
/** Bookings each client makes one after the other in a distinct-slot round. */
const PER_CLIENT = 3;
const WARMUP = 10;
const AVAILABILITY_BLOCKS = 5;
/** Availability dates: the working days of the next DAY_SPAN days (a week from any of them stays seeded). */
const DAY_SPAN = 21;
const DAY_GOAL_MS = 50;
const TIMEOUT_MS = 30_000;
/** No availability request, and no booking round, starts after this long in its phase. */
const PHASE_BUDGET_MS = 3 * 60_000;

interface Customer {
  customerId: string;
  petId: string;
}

interface Seeded {
  companyId: string;
  serviceId: string;
  serviceItemId: string;
  locations: { id: string; label: string }[];
  groomers: { id: string; fullName: string; locationId: string }[];
  customers: Customer[];
  managerToken: string;
  clientTokens: string[];
  appointments: { total: number; past: number; future: number; byStatus: Record<string, number> };
  seedSeconds: number;
}

/** A deterministic pseudo-random sequence in [0, 1), so every run seeds the same calendar. */
function sequence(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

async function seed(mongoUri: string): Promise<Seeded> {
  const t0 = Date.now();
  await mongoose.connect(mongoUri);
  try {
    await Promise.all(
      [Appointment, User, StaffSchedule, Contact, Pet, Location, ServiceCategory, ServiceItem].map((m) => m.createIndexes()),
    );
    const company = await seedCompany({
      name: 'Bench Booking Grooming',
      staff: [
        { email: 'booking-manager@bench.example', fullName: 'Booking Manager', role: 'manager' },
        ...Array.from({ length: CLIENTS }, (_, i) => ({
          email: `front-desk-${i}@bench.example`,
          fullName: `Front Desk ${i}`,
          role: 'receptionist' as const,
        })),
      ],
      passwordHash: 'x',
    });
    const companyId = new Types.ObjectId(company.companyId);
    const workHours = WORK_DAYS.map((weekday) => ({ weekday, startTime: '09:00', endTime: '17:00' }));
    await Company.updateOne({ _id: companyId }, { $set: { timezone: ZONE, businessTypes: ['grooming'], 'settings.workHours': workHours } });
    const locations = await Location.insertMany(
      LOCATIONS.map((label, i) => ({ companyId, label, address: `${i + 1} High Street`, isMain: i === 0, timezone: ZONE, workHours })),
    );
    const service = await ServiceCategory.create({ companyId, name: 'Full Groom', species: 'dog', allowedRoles: ['groomer'] });
    const item = await ServiceItem.create({
      companyId,
      serviceCategoryId: service._id,
      size: 'M',
      coatType: 'all',
      durationMinutes: DURATION_MINUTES,
      price: 50,
    });
    const groomerDocs = await User.insertMany(
      Array.from({ length: GROOMERS }, (_, i) => {
        const location = locations[i % locations.length]!;
        return {
          companyId,
          email: `groomer-${i}@bench.example`,
          passwordHash: 'x',
          fullName: `Groomer ${String(i).padStart(2, '0')}`,
          role: 'groomer',
          roles: ['groomer'],
          locationIds: [location._id],
          primaryLocationId: location._id,
        };
      }),
    );
    const groomers = groomerDocs.map((g) => ({ id: String(g._id), fullName: g.fullName, locationId: String(g.primaryLocationId) }));
    await StaffSchedule.insertMany(
      groomerDocs.flatMap((g) =>
        WORK_DAYS.map((weekday) => ({
          companyId,
          userId: g._id,
          locationId: g.primaryLocationId,
          weekday,
          startTime: '09:00',
          endTime: '17:00',
          breakWindows: [{ start: '12:00', end: '13:00' }],
        })),
      ),
    );
    const contacts = await Contact.insertMany(
      Array.from({ length: CUSTOMERS }, (_, i) => ({
        companyId,
        fullName: `Booking Customer ${i}`,
        phone: `+4477009${String(i).padStart(5, '0')}`,
        contactStatus: 'customer',
      })),
    );
    const pets = await Pet.insertMany(
      contacts.map((c, i) => ({
        companyId,
        customerId: c._id,
        name: `Dog ${i}`,
        species: 'dog',
        sex: i % 2 ? 'male' : 'female',
        size: 'M',
      })),
    );
    const customers = contacts.map((c, i) => ({ customerId: String(c._id), petId: String(pets[i]!._id) }));

    const now = Date.now();
    const today = localDate(now, ZONE);
    const rand = sequence(20260101);
    const byStatus: Record<string, number> = {};
    const docs: Record<string, unknown>[] = [];
    for (const date of datesBetween(addDays(today, -PAST_DAYS), addDays(today, FUTURE_DAYS - 1))) {
      if (!WORK_DAYS.includes(weekdayOf(date))) continue;
      for (const g of groomerDocs) {
        const free = Math.floor(rand() * HOURS.length);
        for (const hour of HOURS.filter((_, h) => h !== free).slice(0, PER_DAY)) {
          const start = wallTime(date, hour, ZONE);
          const end = start + DURATION_MINUTES * MINUTE;
          const customer = customers[Math.floor(rand() * customers.length)]!;
          const u = rand();
          let status: string;
          const extra: Record<string, unknown> = {};
          if (end <= now) {
            status = u < 0.84 ? 'completed' : u < 0.93 ? 'canceled' : 'no_show';
            if (status === 'completed')
              Object.assign(extra, { checkedInAt: new Date(start - 5 * MINUTE), startedAt: new Date(start), completedAt: new Date(end) });
          } else if (start <= now) status = 'in_progress';
          else status = u < 0.08 ? 'canceled' : 'scheduled';
          if (status === 'canceled')
            Object.assign(extra, { canceledAt: new Date(start - 26 * 60 * MINUTE), audit: { cancelReason: 'customer_requested' } });
          if (status === 'no_show')
            Object.assign(extra, { noShowAt: new Date(start + 15 * MINUTE), audit: { noShowReason: 'customer_forgot' } });
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          docs.push({
            companyId,
            locationId: g.primaryLocationId,
            customerId: customer.customerId,
            petId: customer.petId,
            serviceId: service._id,
            serviceItemId: item._id,
            staffId: g._id,
            start: new Date(start),
            end: new Date(end),
            status,
            source: rand() < 0.5 ? 'phone' : 'online',
            ...extra,
          });
        }
      }
    }
    await Appointment.insertMany(docs);
    const past = docs.filter((d) => (d.start as Date).getTime() < now).length;
    return {
      companyId: company.companyId,
      serviceId: String(service._id),
      serviceItemId: String(item._id),
      locations: locations.map((l) => ({ id: String(l._id), label: l.label })),
      groomers,
      customers,
      managerToken: accessToken(company.staff[0]!.userId),
      clientTokens: company.staff.slice(1).map((s) => accessToken(s.userId)),
      appointments: { total: docs.length, past, future: docs.length - past, byStatus },
      seedSeconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await mongoose.disconnect();
  }
}

interface AvailabilityAnswer {
  items: { staffId: string; fullName: string; slots: { start: string; end: string }[] }[];
}

/** One availability request: its time and answer, or its status (0 on a network error or timeout). */
async function availability(
  appUrl: string,
  token: string,
  q: { serviceItemId: string; locationId: string; from: string; to: string },
): Promise<{ status: number; ms: number; answer?: AvailabilityAnswer }> {
  const url = new URL('/api/v1/availability', appUrl);
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  const t0 = process.hrtime.bigint();
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return res.status === 200 ? { status: 200, ms, answer: JSON.parse(body) as AvailabilityAnswer } : { status: res.status, ms };
  } catch {
    return { status: 0, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
  }
}

/** Adds the CPU time each meter's process used since `before` to `into`. */
function addCpu(into: Record<string, number>, meters: CpuMeters, before: Record<string, number>): void {
  const after = cpuSnapshot(meters);
  for (const k of Object.keys(meters)) into[k] = (into[k] ?? 0) + after[k]! - before[k]!;
}

/** CPU ms per request, per process (0.1 ms). */
const cpuPer = (cpuMs: Record<string, number>, n: number): Record<string, number> =>
  Object.fromEntries(Object.entries(cpuMs).map(([k, ms]) => [k, round1(ms / Math.max(1, n))]));

interface RangeResult {
  name: string;
  days: number;
  times: number[];
  failures: Record<string, number>;
  groomersListed: number[];
  slots: number[];
  cpuMs: Record<string, number>;
}

async function measureAvailability(
  appUrl: string,
  s: Seeded,
  requests: number,
  meters: CpuMeters,
): Promise<{ location: string; dates: string[]; ranges: RangeResult[] }> {
  const location = s.locations[0]!;
  const today = localDate(Date.now(), ZONE);
  const dates = datesBetween(addDays(today, 1), addDays(today, DAY_SPAN)).filter((d) => WORK_DAYS.includes(weekdayOf(d)));
  const ranges: RangeResult[] = [
    { name: 'one day', days: 1, times: [], failures: {}, groomersListed: [], slots: [], cpuMs: {} },
    { name: 'one week', days: 7, times: [], failures: {}, groomersListed: [], slots: [], cpuMs: {} },
  ];
  const query = (r: RangeResult, i: number) => {
    const from = dates[i % dates.length]!;
    return { serviceItemId: s.serviceItemId, locationId: location.id, from, to: addDays(from, r.days - 1) };
  };
  for (let i = 0; i < WARMUP; i++) for (const r of ranges) await availability(appUrl, s.managerToken, query(r, i));
  const perBlock = Math.ceil(requests / AVAILABILITY_BLOCKS);
  const t0 = Date.now();
  const inBudget = (): boolean => Date.now() - t0 < PHASE_BUDGET_MS;
  for (let block = 0; block < AVAILABILITY_BLOCKS && inBudget(); block++) {
    // Alternate which range goes first, so a drift within a block does not favour one.
    for (const r of block % 2 === 0 ? ranges : [...ranges].reverse()) {
      const before = cpuSnapshot(meters);
      let n = 0;
      for (; n < perBlock && inBudget(); n++) {
        const res = await availability(appUrl, s.managerToken, query(r, block * perBlock + n));
        if (!res.answer) {
          const key = res.status === 0 ? 'network/timeout' : String(res.status);
          r.failures[key] = (r.failures[key] ?? 0) + 1;
          continue;
        }
        r.times.push(res.ms);
        r.groomersListed.push(res.answer.items.length);
        r.slots.push(res.answer.items.reduce((a, it) => a + it.slots.length, 0));
      }
      addCpu(r.cpuMs, meters, before);
    }
  }
  return { location: location.label, dates, ranges };
}

interface Slot {
  staffId: string;
  locationId: string;
  start: string;
}

/** Free, non-overlapping slots of every groomer over the seeded future (from availability, in ranges of at most 31 days). */
async function freeSlots(appUrl: string, s: Seeded): Promise<Map<string, Slot[]>> {
  const today = localDate(Date.now(), ZONE);
  const pool = new Map<string, Slot[]>(s.groomers.map((g) => [g.id, []]));
  const chunks = [
    [addDays(today, 1), addDays(today, 30)],
    [addDays(today, 31), addDays(today, FUTURE_DAYS - 1)],
  ] as const;
  for (const location of s.locations) {
    for (const [from, to] of chunks) {
      const res = await availability(appUrl, s.managerToken, { serviceItemId: s.serviceItemId, locationId: location.id, from, to });
      if (!res.answer) throw new Error(`availability ${from}..${to} at ${location.label} failed with status ${res.status}`);
      for (const it of res.answer.items) {
        const slots = pool.get(it.staffId);
        if (!slots) continue;
        for (const sl of it.slots) {
          const last = slots[slots.length - 1];
          // Slots come every 15 minutes: keep the ones that do not overlap the one kept before.
          if (last && Date.parse(sl.start) < Date.parse(last.start) + DURATION_MINUTES * MINUTE) continue;
          slots.push({ staffId: it.staffId, locationId: location.id, start: sl.start });
        }
      }
    }
  }
  return pool;
}

interface DistinctRound {
  seconds: number;
  planned: number;
  booked: number;
}

interface SameSlotRound {
  slot: Slot;
  seconds: number;
  statuses: Record<string, number>;
  conflictCodes: Record<string, number>;
  ok: boolean;
}

/** POST /api/v1/appointments: status (0 on a network error, `timedOut` then) and the error code of a 4xx/5xx. */
async function bookOnce(
  agent: http.Agent,
  appUrl: string,
  token: string,
  s: Seeded,
  slot: Slot,
  customer: Customer,
): Promise<{ status: number; timedOut: boolean; code?: string; ms: number }> {
  const body = {
    ...customer,
    serviceId: s.serviceId,
    serviceItemId: s.serviceItemId,
    staffId: slot.staffId,
    locationId: slot.locationId,
    start: slot.start,
  };
  const t0 = process.hrtime.bigint();
  const r = await requestJson(agent, new URL('/api/v1/appointments', appUrl), { authorization: `Bearer ${token}` }, JSON.stringify(body), {
    timeoutMs: TIMEOUT_MS,
    readBody: true,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  let code: string | undefined;
  if (r.status >= 400) {
    try {
      const parsed = JSON.parse(r.body ?? '') as { code?: string; error?: { code?: string } };
      code = parsed.code ?? parsed.error?.code;
    } catch {
      code = undefined;
    }
  }
  return { status: r.status, timedOut: r.timedOut, code, ms };
}

const statusKey = (r: { status: number; timedOut: boolean }): string => (r.status ? String(r.status) : r.timedOut ? 'timeout' : 'network');

async function measureBooking(appUrl: string, s: Seeded, rounds: number, meters: CpuMeters) {
  const pool = await freeSlots(appUrl, s);
  const freeAtStart = Object.fromEntries(s.groomers.map((g) => [g.fullName, pool.get(g.id)!.length]));
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let nextCustomer = 0;
  const customer = (): Customer => s.customers[nextCustomer++ % s.customers.length]!;
  const distinct = {
    rounds: [] as DistinctRound[],
    times: [] as number[],
    errors: {} as Record<string, number>,
    cpuMs: {} as Record<string, number>,
  };
  const same = {
    rounds: [] as SameSlotRound[],
    times: [] as number[],
    errors: {} as Record<string, number>,
    cpuMs: {} as Record<string, number>,
  };
  const t0 = Date.now();
  try {
    for (let round = 0; round < rounds && Date.now() - t0 < PHASE_BUDGET_MS; round++) {
      process.stdout.write(`booking: round ${round + 1}/${rounds}, ${CLIENTS} clients on distinct slots, then on one slot…\n`);
      // Distinct: client i books the next PER_CLIENT free slots of groomer i, one after the other.
      const plans = s.groomers.slice(0, CLIENTS).map((g) => pool.get(g.id)!.splice(0, PER_CLIENT));
      const cpuBefore = cpuSnapshot(meters);
      const started = process.hrtime.bigint();
      const booked = await Promise.all(
        plans.map(async (slots, i) => {
          let ok = 0;
          for (const slot of slots) {
            const r = await bookOnce(agent, appUrl, s.clientTokens[i]!, s, slot, customer());
            if (r.status === 201) {
              ok++;
              distinct.times.push(r.ms);
            } else {
              const key = `${statusKey(r)}${r.code ? ` ${r.code}` : ''}`;
              distinct.errors[key] = (distinct.errors[key] ?? 0) + 1;
            }
          }
          return ok;
        }),
      );
      addCpu(distinct.cpuMs, meters, cpuBefore);
      distinct.rounds.push({
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        planned: plans.reduce((n, p) => n + p.length, 0),
        booked: booked.reduce((a, b) => a + b, 0),
      });

      // Same slot: every client books the last free slot of one groomer (a different groomer each round), at once.
      const groomer = s.groomers[(round * 7) % s.groomers.length]!;
      const slot = pool.get(groomer.id)!.pop();
      if (!slot) {
        same.errors['no free slot left'] = (same.errors['no free slot left'] ?? 0) + 1;
        continue;
      }
      const sameCpuBefore = cpuSnapshot(meters);
      const fired = process.hrtime.bigint();
      const answers = await Promise.all(s.clientTokens.map((token) => bookOnce(agent, appUrl, token, s, slot, customer())));
      addCpu(same.cpuMs, meters, sameCpuBefore);
      const statuses: Record<string, number> = {};
      const conflictCodes: Record<string, number> = {};
      for (const r of answers) {
        statuses[statusKey(r)] = (statuses[statusKey(r)] ?? 0) + 1;
        if (r.status === 409) conflictCodes[r.code ?? '?'] = (conflictCodes[r.code ?? '?'] ?? 0) + 1;
        if (r.status === 201 || r.status === 409) same.times.push(r.ms);
      }
      const won = statuses['201'] ?? 0;
      if (won !== 1) same.errors[`${won} bookings of one slot`] = (same.errors[`${won} bookings of one slot`] ?? 0) + 1;
      for (const [k, n] of Object.entries(statuses)) if (k !== '201' && k !== '409') same.errors[k] = (same.errors[k] ?? 0) + n;
      same.rounds.push({
        slot,
        seconds: Number(process.hrtime.bigint() - fired) / 1e9,
        statuses,
        conflictCodes,
        ok: won === 1 && statuses['409'] === CLIENTS - 1,
      });
    }
  } finally {
    agent.destroy();
  }
  return { freeAtStart, distinct, same };
}

/** What the database holds after the run: every contested slot booked once, and every 201 an appointment. */
async function verify(mongoUri: string, s: Seeded, slots: Slot[]): Promise<{ perContestedSlot: number[]; created: number }> {
  await mongoose.connect(mongoUri);
  try {
    const companyId = new Types.ObjectId(s.companyId);
    const perContestedSlot = await Promise.all(
      slots.map((sl) =>
        Appointment.countDocuments({
          companyId,
          staffId: sl.staffId,
          start: new Date(sl.start),
          status: { $in: ACTIVE_APPOINTMENT_STATUSES },
        }),
      ),
    );
    const created = (await Appointment.countDocuments({ companyId })) - s.appointments.total;
    return { perContestedSlot, created };
  } finally {
    await mongoose.disconnect();
  }
}

const round1 = (v: number): number => Math.round(v * 10) / 10;
const count = (n: number): string => n.toLocaleString('en-GB');
const describe = (r: Record<string, number>): string =>
  Object.keys(r).length === 0
    ? 'none'
    : Object.entries(r)
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ');

export async function bookingRun(opts: { requests: number; rounds: number; nodeArgs?: string[] }): Promise<void> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'petbuddy-booking-'));
  const bot = await fakeMetaBot();
  let db: Child | undefined;
  let app: Child | undefined;
  try {
    db = await startDatabase(opts.nodeArgs);
    const mongoUri = `${db.url}/petbuddy_booking`;
    process.stdout.write(
      `booking: seeding ${GROOMERS} groomers at ${LOCATIONS.length} locations (${ZONE}), ${CUSTOMERS} customers and ${PAST_DAYS + FUTURE_DAYS} days of appointments…\n`,
    );
    const s = await seed(mongoUri);
    app = await startApp({ mongoUri, metaBotUrl: bot.url, logDir, nodeArgs: opts.nodeArgs });
    const appPid = app.proc.pid!;
    const dbPid = db.proc.pid!;
    const meters: CpuMeters = {
      app: () => cpuMsOf(appPid),
      'app main thread': () => cpuMsOf(appPid, appPid),
      database: () => cpuMsOf(dbPid),
      'load generator': () => cpuMsOf(process.pid),
    };
    process.stdout.write(
      `booking: ${count(s.appointments.total)} appointments seeded in ${s.seedSeconds.toFixed(0)} s; ${AVAILABILITY_BLOCKS} alternating blocks of ` +
        `${Math.ceil(opts.requests / AVAILABILITY_BLOCKS)} sequential availability requests per range…\n`,
    );
    const loadStart = os.loadavg();
    const avail = await measureAvailability(app.url, s, opts.requests, meters);
    const booking = await measureBooking(app.url, s, opts.rounds, meters);
    const check = await verify(
      mongoUri,
      s,
      booking.same.rounds.map((r) => r.slot),
    );

    const loadAverage = {
      start: loadStart.map((v) => v.toFixed(1)).join(', '),
      end: os
        .loadavg()
        .map((v) => v.toFixed(1))
        .join(', '),
    };
    const ranges = avail.ranges.map((r) => ({
      range: r.name,
      days: r.days,
      ...latencySummary(r.times),
      failures: r.failures,
      groomersListed: r.groomersListed.length ? Math.min(...r.groomersListed) : 0,
      meanSlots: round1(r.slots.reduce((a, b) => a + b, 0) / Math.max(1, r.slots.length)),
      cpuMsPerRequest: cpuPer(r.cpuMs, r.times.length),
    }));
    const [day, week] = ranges as [(typeof ranges)[number], (typeof ranges)[number]];
    const d = booking.distinct;
    const distinctSeconds = d.rounds.reduce((n, r) => n + r.seconds, 0);
    const distinctBooked = d.rounds.reduce((n, r) => n + r.booked, 0);
    const distinctPlanned = d.rounds.reduce((n, r) => n + r.planned, 0);
    const distinct = {
      rounds: d.rounds.length,
      clients: CLIENTS,
      perClient: PER_CLIENT,
      planned: distinctPlanned,
      booked: distinctBooked,
      seconds: Math.round(distinctSeconds * 1000) / 1000,
      bookingsPerSecond: round1(distinctBooked / Math.max(1e-9, distinctSeconds)),
      latency: latencySummary(d.times),
      errors: d.errors,
      cpuMsPerBooking: cpuPer(d.cpuMs, distinctPlanned),
      perRound: d.rounds.map((r) => ({ ...r, seconds: Math.round(r.seconds * 1000) / 1000 })),
    };
    const sm = booking.same;
    const sameTotals = sm.rounds.reduce<Record<string, number>>((acc, r) => {
      for (const [k, n] of Object.entries(r.statuses)) acc[k] = (acc[k] ?? 0) + n;
      return acc;
    }, {});
    const sameSlot = {
      rounds: sm.rounds.length,
      clients: CLIENTS,
      statuses: sameTotals,
      conflictCodes: sm.rounds.reduce<Record<string, number>>((acc, r) => {
        for (const [k, n] of Object.entries(r.conflictCodes)) acc[k] = (acc[k] ?? 0) + n;
        return acc;
      }, {}),
      roundsAsExpected: sm.rounds.filter((r) => r.ok).length,
      latency: latencySummary(sm.times),
      meanRoundMs: round1((sm.rounds.reduce((n, r) => n + r.seconds, 0) / Math.max(1, sm.rounds.length)) * 1000),
      errors: sm.errors,
      cpuMsPerRequest: cpuPer(sm.cpuMs, sm.rounds.length * CLIENTS),
      appointmentsPerContestedSlot: check.perContestedSlot,
      perRound: sm.rounds.map((r) => ({ ...r, seconds: Math.round(r.seconds * 1000) / 1000 })),
    };
    const createdExpected = distinctBooked + (sameTotals['201'] ?? 0);
    const availabilityFailed = ranges.reduce((n, r) => n + Object.values(r.failures).reduce((a, b) => a + b, 0), 0);
    const goals: Goal[] = [
      {
        goal: `availability for one day p95 < ${DAY_GOAL_MS} ms`,
        value: `${day.p95} ms (n ${day.n}${availabilityFailed ? `, ${availabilityFailed} failed` : ''})`,
        met: day.n > 0 && availabilityFailed === 0 && day.p95 < DAY_GOAL_MS,
      },
      {
        goal: `${CLIENTS} clients on distinct slots: every booking 201`,
        value: `${distinctBooked}/${distinctPlanned}, errors: ${describe(d.errors)}`,
        met: distinctPlanned > 0 && distinctBooked === distinctPlanned && Object.keys(d.errors).length === 0,
      },
      {
        goal: `${CLIENTS} clients on one slot: one 201 and ${CLIENTS - 1} 409 a round`,
        value: `${sameSlot.roundsAsExpected}/${opts.rounds} rounds, errors: ${describe(sm.errors)}`,
        met: sameSlot.roundsAsExpected === opts.rounds && Object.keys(sm.errors).length === 0,
      },
      {
        goal: 'database: one appointment per contested slot, one per 201',
        value: `[${check.perContestedSlot.join(', ')}], ${check.created} created for ${createdExpected} answered 201`,
        met: check.perContestedSlot.length > 0 && check.perContestedSlot.every((n) => n === 1) && check.created === createdExpected,
      },
    ];

    const a = s.appointments;
    process.stdout.write(
      `\nBooking: ${GROOMERS} groomers at ${LOCATIONS.length} locations (${ZONE}), ${CUSTOMERS} customers, ${count(a.total)} appointments ` +
        `over ${PAST_DAYS + FUTURE_DAYS} days (${count(a.past)} past, ${count(a.future)} from now on; ${describe(a.byStatus)})\n\n`,
    );
    for (const r of ranges) {
      process.stdout.write(
        `${`GET /availability, ${r.range}, ${r.groomersListed} groomers at ${avail.location}`.padEnd(52)} n ${r.n}, p50 ${r.p50} ms, p95 ${r.p95} ms, ` +
          `max ${r.max} ms, ${r.meanSlots} slots listed${Object.keys(r.failures).length ? `, failed: ${describe(r.failures)}` : ''}\n`,
      );
    }
    process.stdout.write(
      `${`POST /appointments, ${CLIENTS} clients, distinct slots`.padEnd(52)} ${distinct.booked} booked in ${distinct.rounds} rounds, ` +
        `${distinct.bookingsPerSecond} bookings/s, p50 ${distinct.latency.p50} ms, p95 ${distinct.latency.p95} ms, errors: ${describe(d.errors)}\n`,
    );
    process.stdout.write(
      `${`POST /appointments, ${CLIENTS} clients, one slot`.padEnd(52)} ${sameSlot.rounds} rounds: ${describe(sameTotals)} (${describe(sameSlot.conflictCodes)}), ` +
        `p50 ${sameSlot.latency.p50} ms, p95 ${sameSlot.latency.p95} ms, round ${sameSlot.meanRoundMs} ms\n`,
    );
    process.stdout.write(
      `\nCPU ms per request: ${ranges.map((r) => `availability ${r.range}: ${describe(r.cpuMsPerRequest)}`).join('; ')}; ` +
        `booking, distinct slots: ${describe(distinct.cpuMsPerBooking)}; booking, one slot: ${describe(sameSlot.cpuMsPerRequest)}\n`,
    );
    process.stdout.write(
      `load average of this machine (1, 5, 15 min): ${loadAverage.start} at the start, ${loadAverage.end} at the end\n\n`,
    );
    for (const g of goals) process.stdout.write(formatGoal(g));
    writeBenchResult('booking.json', {
      when: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      settings: {
        zone: ZONE,
        locations: LOCATIONS.length,
        groomers: GROOMERS,
        customers: CUSTOMERS,
        days: PAST_DAYS + FUTURE_DAYS,
        appointmentsPerGroomerDay: PER_DAY,
        durationMinutes: DURATION_MINUTES,
        availabilityRequests: opts.requests,
        availabilityBlocks: AVAILABILITY_BLOCKS,
        availabilityLocation: avail.location,
        availabilityDates: avail.dates,
        rounds: opts.rounds,
        clients: CLIENTS,
        perClient: PER_CLIENT,
        timeoutMs: TIMEOUT_MS,
        phaseBudgetMs: PHASE_BUDGET_MS,
        seedSeconds: s.seedSeconds,
      },
      loadAverage,
      seeded: s.appointments,
      freeSlotsAtStart: booking.freeAtStart,
      availability: { day, week },
      booking: { distinct, sameSlot, created: check.created, createdExpected },
      goals,
    });
  } finally {
    await stopChild(app);
    await stopChild(db);
    bot.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}
