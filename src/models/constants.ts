/** Enumerations shared by models and validators (the contract's values). */
export const STAFF_ROLES = ['manager', 'receptionist', 'groomer', 'veterinarian', 'vet_technician', 'trainer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
/** Roles that perform services (and so get schedules and service categories). */
export const SERVICE_PROVIDER_ROLES: readonly StaffRole[] = ['groomer', 'veterinarian', 'vet_technician', 'trainer'];
/** Whether a staff member with these roles provides services (the stored `serviceProvider` flag). */
export const isServiceProvider = (roles: readonly string[]): boolean => roles.some((r) => SERVICE_PROVIDER_ROLES.includes(r as StaffRole));

export const BUSINESS_TYPES = ['grooming', 'vet', 'boarding', 'daycare', 'training', 'other'] as const;
export type BusinessType = (typeof BUSINESS_TYPES)[number];

export const SERVICE_SPECIES = ['dog', 'cat', 'dog&cat', 'other'] as const;
export const ITEM_SIZES = ['S', 'M', 'L', 'XL', 'all'] as const;
export const COAT_TYPES = ['short', 'medium', 'long', 'curly', 'double', 'wire', 'hairless', 'unknown'] as const;
export const RESOURCE_SPECIES = ['dog', 'cat', 'all', 'other'] as const;
export const COMPANY_STATUSES = ['active', 'inactive', 'suspended'] as const;

export const HH_MM = /^([01]?[0-9]|2[0-3]):[0-5][0-9]$/;

/** A random "pleasant" colour: HSL hue 0-359, saturation 60-84 %, lightness 45-64 %. */
export function pleasantColor(random: () => number = Math.random): string {
  const h = Math.floor(random() * 360);
  const s = (60 + Math.floor(random() * 25)) / 100;
  const l = (45 + Math.floor(random() * 20)) / 100;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): string => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

export const APPOINTMENT_STATUSES = ['scheduled', 'checked_in', 'in_progress', 'completed', 'canceled', 'no_show'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
/** Statuses that occupy the staff member and resources; canceled and no-show ones do not. */
export const ACTIVE_APPOINTMENT_STATUSES: readonly AppointmentStatus[] = ['scheduled', 'checked_in', 'in_progress', 'completed'];
export const APPOINTMENT_SOURCES = ['online', 'phone', 'walk_in', 'social'] as const;
export const CANCEL_REASONS = [
  'customer_requested',
  'staff_unavailable',
  'resource_unavailable',
  'weather_conditions',
  'pet_health_issue',
  'business_closed',
  'double_booking_error',
  'system_error',
  'other',
] as const;
export const NO_SHOW_REASONS = [
  'customer_forgot',
  'customer_emergency',
  'transportation_issue',
  'weather_conditions',
  'pet_health_issue',
  'customer_unreachable',
  'other',
] as const;
export const PET_SPECIES = ['dog', 'cat', 'other'] as const;
export const PET_SIZES = ['S', 'M', 'L', 'XL'] as const;
export const PET_SEXES = ['male', 'female', 'unknown'] as const;
export const PET_TEMPERAMENTS = ['calm', 'normal', 'anxious', 'aggressive'] as const;
export const HOLD_CREATORS = ['web', 'operator', 'assistant'] as const;
