/**
 * The fields a newly registered Company starts with (contract §3.6.1). Registration spreads only
 * its documented fields over these, so a client cannot inject status, bot or settings.
 */
import type { BusinessType } from '../models/constants';
import { botPromptFor, type ConversationExample } from './botPrompts';
import { combinedSeeds } from './businessTypeSeeds';

export const DEFAULT_COMPANY_LOGO = 'https://via.placeholder.com/200x200/4F46E5/FFFFFF?text=PetBuddy';
export const DEFAULT_USER_PICTURE = 'https://via.placeholder.com/150x150/6B7280/FFFFFF?text=User';

export interface WorkHours {
  weekday: number;
  startTime: string;
  endTime: string;
}

export interface PaymentMethod {
  bankName: string;
  accountNumber: string;
  accountName: string;
  sortCode: string;
}

export interface CompanyDefaults {
  timezone: string;
  mainCurrency: string;
  status: 'active';
  settings: { workHours: WorkHours[]; holidays: Date[] };
  bot: {
    systemInstruction: string;
    conversationExamples: ConversationExample[];
    services: string[];
    active: boolean;
    activeHours: { intervalActive: boolean; startTime: string; endTime: string; timezone: string };
  };
  integration: { fbPageId: string; instagramPageId: string };
  paymentMethods: PaymentMethod[];
  logo: string;
  ringLogo: string;
}

export interface CompanyDefaultsInput {
  timezone?: string;
  mainCurrency?: string;
  businessTypes: BusinessType[];
}

const WEEKDAY_HOURS = { startTime: '09:00', endTime: '18:00' };

function defaultWorkHours(): WorkHours[] {
  return [
    ...[1, 2, 3, 4, 5].map((weekday) => ({ weekday, ...WEEKDAY_HOURS })),
    { weekday: 6, startTime: '09:00', endTime: '17:00' },
    { weekday: 0, startTime: '10:00', endTime: '16:00' },
  ];
}

/** [month (0-based), day]: New Year, Independence Day, Veterans Day, Christmas. */
const HOLIDAYS: readonly (readonly [number, number])[] = [
  [0, 1],
  [6, 4],
  [10, 11],
  [11, 25],
];

/** The holidays of `now`'s year at UTC midnight. */
function defaultHolidays(now: Date): Date[] {
  const year = now.getUTCFullYear();
  return HOLIDAYS.map(([month, day]) => new Date(Date.UTC(year, month, day)));
}

/** The defaults for a new company; `now` picks the holidays' year (computed per call, not at load). */
export function companyDefaults(input: CompanyDefaultsInput, now: Date = new Date()): CompanyDefaults {
  const timezone = input.timezone ?? 'UTC';
  const prompt = botPromptFor(input.businessTypes);
  return {
    timezone,
    mainCurrency: input.mainCurrency ?? 'USD',
    status: 'active',
    settings: { workHours: defaultWorkHours(), holidays: defaultHolidays(now) },
    bot: {
      systemInstruction: prompt.systemInstruction,
      conversationExamples: prompt.conversationExamples,
      services: combinedSeeds(input.businessTypes).serviceCategories.map((c) => c.name),
      active: true,
      activeHours: { intervalActive: false, startTime: '08:00', endTime: '20:00', timezone },
    },
    integration: { fbPageId: '', instagramPageId: '' },
    paymentMethods: [{ bankName: 'Sample Bank', accountNumber: '1234567890', accountName: 'Your Company Name', sortCode: '12-34-56' }],
    logo: DEFAULT_COMPANY_LOGO,
    ringLogo: DEFAULT_COMPANY_LOGO,
  };
}
