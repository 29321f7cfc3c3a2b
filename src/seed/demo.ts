/**
 * `seedDemo()`: the demo company of `npm run seed`, written through the services the API uses so
 * every document passed the API's rules. Idempotent: each step finds what an earlier run wrote by
 * a natural key (company email, location label, staff email, customer phone, pet name per
 * customer, appointment staff + start, message platform id) and writes only what is missing.
 * Nothing is ever deleted, and no other company is read or written.
 *
 * Appointment days are relative to today in each location's zone: a run on a later day books that
 * day's new slots (and leaves the earlier ones as they are), so it can add appointments.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/env';
import type { Progress } from '../scripts/progress';
import { createAuthService } from '../services/auth.service';
import { createAppointmentService } from '../services/booking/appointment.service';
import { createStaffScheduleService } from '../services/booking/staffSchedule.service';
import { createCustomerService } from '../services/customers/customer.service';
import { createPetService } from '../services/customers/pet.service';
import { createIngestService } from '../services/ingest.service';
import { createLocationService } from '../services/location.service';
import { createMessageService } from '../services/message.service';
import { promptLibrary, seedPromptLibrary } from '../services/setup/seedPrompts';
import { createStaffService } from '../services/staff.service';
import { silentRealtime } from '../socket/realtime';
import { manualClock, systemClock, type Clock } from '../utils/clock';
import { loadCatalogue, seedAppointments, variantOf } from './appointments';
import { scheduledStaff, seedCompany, seedLocations, seedSchedules, seedStaff } from './company';
import { messageCount, seedConversations } from './conversations';
import { petCount, seedCustomers, seedPets } from './customers';
import { DEMO_CUSTOMERS } from './customerData';
import { DEMO_COMPANY, DEMO_LOCATIONS, DEMO_MANAGER, DEMO_PASSWORD, DEMO_STAFF } from './data';
import { planAppointments } from './plan';
import { runStep, type StepCount, type StepTracker } from './step';

export const SEED_STEPS = [
  'prompts',
  'company',
  'locations',
  'staff',
  'schedules',
  'customers',
  'pets',
  'appointments',
  'conversations',
] as const;
export type SeedStepName = (typeof SEED_STEPS)[number];

export interface DemoLogin {
  email: string;
  fullName: string;
  role: string;
}

export interface SeedResult {
  companyId: string;
  companyName: string;
  counts: Record<SeedStepName, StepCount>;
  logins: DemoLogin[];
  /** null: no account was created now (production keeps the one printed when they were). */
  password: string | null;
}

export interface SeedOptions {
  config: Config;
  /** "Today" and the time of every write (the system clock unless a test fixes it). */
  clock?: Clock;
  report: Progress;
}

export async function seedDemo({ config, clock = systemClock, report }: SeedOptions): Promise<SeedResult> {
  const now = clock.now().getTime();
  // A shared, printed demo password is for development; a production database (--force) gets a random one, printed once.
  const password = config.isProduction ? productionDemoPassword() : DEMO_PASSWORD;
  const auth = createAuthService(config, clock);
  // No sockets and no outbox in a script: events are dropped, nothing is kicked.
  const realtime = silentRealtime;
  const bookingClock = manualClock(new Date(now));
  const counts = {} as Record<SeedStepName, StepCount>;
  const step = async <T>(name: SeedStepName, total: number, fn: (t: StepTracker) => Promise<T>): Promise<T> => {
    const { value, count } = await runStep(report, name, total, fn);
    counts[name] = count;
    return value;
  };

  await step('prompts', promptLibrary().length, async (t) => {
    const r = await seedPromptLibrary();
    t.created(r.created.length);
    // A library prompt whose text changed in the code is brought up to date (the library's own rule).
    t.existing(r.updated.length + r.unchanged.length);
    if (r.updated.length) t.note(`${r.updated.length} updated`);
  });
  const companyId = await step('company', 1, (t) => seedCompany(auth, password, t));
  const locations = await step('locations', DEMO_LOCATIONS.length, (t) => seedLocations(createLocationService(), companyId, t));
  const staffService = createStaffService({ sessions: auth.sessions, hashPassword: auth.hashPassword, disconnectUser: () => undefined });
  const staff = await step('staff', DEMO_STAFF.length + 1, (t) => seedStaff(staffService, companyId, locations, password, t));
  await step('schedules', scheduledStaff().length, (t) => seedSchedules(createStaffScheduleService(), companyId, staff, locations, t));
  const customers = await step('customers', DEMO_CUSTOMERS.length, (t) => seedCustomers(createCustomerService({ clock }), companyId, t));
  const pets = await step('pets', petCount(), (t) => seedPets(createPetService({ clock }), companyId, customers, t));

  const receptionistId = staff.get(DEMO_STAFF.find((s) => s.role === 'receptionist')!.email)!;
  const catalogue = await loadCatalogue(companyId);
  const plan = planAppointments({
    now,
    zones: new Map([...locations].map(([label, l]) => [label, l.zone])),
    staff: scheduledStaff(),
    pets,
    durationOf: (service, size) => variantOf(catalogue, service, size)?.minutes,
  });
  await step('appointments', plan.length, (t) =>
    seedAppointments(
      companyId,
      plan,
      {
        appointments: createAppointmentService({ realtime, clock: bookingClock }),
        clock: bookingClock,
        now,
        catalogue,
        staff,
        locationIds: new Map([...locations].map(([label, l]) => [label, l.id])),
        actorId: receptionistId,
      },
      t,
    ),
  );

  await step('conversations', messageCount(), (t) =>
    seedConversations(
      companyId,
      {
        ingest: createIngestService({ realtime, clock }),
        messages: createMessageService({ realtime, clock, kickOutbox: () => undefined }),
        now,
        readerId: receptionistId,
      },
      t,
    ),
  );

  return {
    companyId: String(companyId),
    companyName: DEMO_COMPANY.name,
    counts,
    logins: [
      { email: DEMO_MANAGER.email, fullName: DEMO_MANAGER.fullName, role: 'manager' },
      ...DEMO_STAFF.map(({ email, fullName, role }) => ({ email, fullName, role })),
    ],
    // In production the accounts of an earlier run keep the password printed then.
    password: !config.isProduction || counts.company.created + counts.staff.created > 0 ? password : null,
  };
}

/** 16 random characters with the upper- and lower-case letter and the digit the password rule asks for. */
function productionDemoPassword(): string {
  return `Pb7${randomBytes(12).toString('base64url')}`;
}
