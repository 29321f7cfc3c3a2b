/**
 * The demo company `npm run seed` writes, as plain data: the original seed's names (contract
 * core.md §6.2) plus a second location in another time zone and a third groomer, the groomers'
 * weekly shifts with the slots the demo books in them, and the services booked in rotation.
 * Customers are in customerData.ts, the inbox in conversationData.ts.
 */
import type { BusinessType, StaffRole } from '../models/constants';

/**
 * The original seed used `password123`, which the register rule (an upper-case letter, a lower-case
 * letter and a digit, at least 8 characters: validators/common.schemas.ts) refuses; this one passes.
 */
export const DEMO_PASSWORD = 'Password123';

export const DEMO_COMPANY = {
  name: 'PetBuddy Grooming Salon',
  /** The natural key: company emails are unique, so this finds the demo company again. */
  email: 'info@petbuddy.com',
  phone: '+995 32 123 4567',
  address: '123 Rustaveli Avenue, Tbilisi, Georgia',
  timezone: 'Asia/Tbilisi',
  businessTypes: ['grooming'] as BusinessType[],
};

export type LocationLabel = 'Main' | 'Istanbul';

export interface LocationSeed {
  label: LocationLabel;
  address: string;
  phone: string;
  timezone: string;
  isMain: boolean;
  workHours?: { weekday: number; startTime: string; endTime: string }[];
}

/** Main is created by the registration; Istanbul shows a location in another zone than the company's. */
export const DEMO_LOCATIONS: readonly LocationSeed[] = [
  { label: 'Main', address: '123 Rustaveli Avenue, Tbilisi, Georgia', phone: '+995 32 123 4567', timezone: 'Asia/Tbilisi', isMain: true },
  {
    label: 'Istanbul',
    address: 'Moda Caddesi 12, Kadıköy, Istanbul, Türkiye',
    phone: '+90 216 555 01 23',
    timezone: 'Europe/Istanbul',
    isMain: false,
    workHours: [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, startTime: '09:00', endTime: '19:00' })),
  },
];

/** A slot the demo books: its local start and the longest service that fits before the next slot or break. */
export interface SlotSeed {
  at: string;
  maxMinutes: number;
}

/** Weekly hours that repeat on several weekdays (0 = Sunday), with breaks and the demo's booking slots. */
export interface ShiftSeed {
  weekdays: number[];
  startTime: string;
  endTime: string;
  breakWindows: { start: string; end: string }[];
  slots: SlotSeed[];
}

export interface StaffSeed {
  email: string;
  fullName: string;
  role: StaffRole;
  phone: string;
  color: string;
  location: LocationLabel;
  shifts: ShiftSeed[];
}

/** The manager is registered with the company; the others are created as staff. */
export const DEMO_MANAGER = { email: 'manager@petbuddy.com', fullName: 'Giorgi Petrov', phone: '+995 555 10 00 01', color: '#4F46E5' };

const WEEKDAYS = [1, 2, 3, 4, 5];

export const DEMO_STAFF: readonly StaffSeed[] = [
  {
    email: 'reception@petbuddy.com',
    fullName: 'Nino Ivanova',
    role: 'receptionist',
    phone: '+995 555 10 00 02',
    color: '#0EA5E9',
    location: 'Main',
    shifts: [],
  },
  {
    email: 'groomer1@petbuddy.com',
    fullName: 'Mariam Sidamonidze',
    role: 'groomer',
    phone: '+995 555 10 00 03',
    color: '#10B981',
    location: 'Main',
    shifts: [
      {
        weekdays: WEEKDAYS,
        startTime: '09:00',
        endTime: '18:00',
        breakWindows: [{ start: '13:00', end: '14:00' }],
        slots: [
          { at: '09:00', maxMinutes: 150 },
          { at: '11:30', maxMinutes: 90 },
          { at: '14:00', maxMinutes: 150 },
          { at: '16:30', maxMinutes: 90 },
        ],
      },
      {
        weekdays: [6],
        startTime: '10:00',
        endTime: '15:00',
        breakWindows: [{ start: '12:30', end: '13:00' }],
        slots: [
          { at: '10:00', maxMinutes: 150 },
          { at: '13:00', maxMinutes: 120 },
        ],
      },
    ],
  },
  {
    email: 'groomer2@petbuddy.com',
    fullName: 'Levan Kapanadze',
    role: 'groomer',
    phone: '+995 555 10 00 04',
    color: '#F59E0B',
    location: 'Main',
    shifts: [
      {
        weekdays: [2, 3, 4, 5, 6],
        startTime: '10:00',
        endTime: '19:00',
        breakWindows: [{ start: '14:00', end: '15:00' }],
        slots: [
          { at: '10:00', maxMinutes: 150 },
          { at: '12:30', maxMinutes: 90 },
          { at: '15:00', maxMinutes: 150 },
          { at: '17:30', maxMinutes: 90 },
        ],
      },
      {
        weekdays: [0],
        startTime: '11:00',
        endTime: '16:00',
        breakWindows: [{ start: '13:00', end: '13:30' }],
        slots: [
          { at: '11:00', maxMinutes: 120 },
          { at: '13:30', maxMinutes: 150 },
        ],
      },
    ],
  },
  {
    email: 'groomer3@petbuddy.com',
    fullName: 'Elif Yılmaz',
    role: 'groomer',
    phone: '+90 532 100 00 05',
    color: '#EC4899',
    location: 'Istanbul',
    shifts: [
      {
        weekdays: WEEKDAYS,
        startTime: '09:30',
        endTime: '18:30',
        breakWindows: [{ start: '13:00', end: '14:00' }],
        slots: [
          { at: '09:30', maxMinutes: 150 },
          { at: '12:00', maxMinutes: 60 },
          { at: '14:00', maxMinutes: 150 },
          { at: '16:30', maxMinutes: 120 },
        ],
      },
    ],
  },
];

/** The services the demo books, in rotation; a pet gets the first (from its turn) that fits the slot. */
export const DOG_SERVICES = ['Full Groom', 'Bath & Brush', 'Basic Groom', 'Full Groom', 'Nail Trim'] as const;
export const CAT_SERVICES = ['Cat Groom', 'Cat Nail Trim'] as const;
export const APPOINTMENT_SOURCES_ROTATION = ['phone', 'online', 'social', 'walk_in'] as const;
