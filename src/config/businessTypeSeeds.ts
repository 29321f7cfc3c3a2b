/**
 * What a new company gets per business type (contract §3.6.1): resource types, resources (pointing
 * at a type by name) and service categories with their size variants. Boarding stays at 1440
 * minutes a night; the ServiceItem model allows a day (the original capped at 480, so boarding
 * registration always failed).
 */
import { BUSINESS_TYPES, type BusinessType, type ITEM_SIZES, type SERVICE_SPECIES, type StaffRole } from '../models/constants';

export type SeedSize = (typeof ITEM_SIZES)[number];
export type SeedSpecies = (typeof SERVICE_SPECIES)[number];

export interface SeedVariant {
  size: SeedSize;
  duration: number;
  price: number;
}

export interface SeedServiceCategory {
  name: string;
  description: string;
  species: SeedSpecies;
  allowedRoles: StaffRole[];
  variants: SeedVariant[];
}

export interface SeedResourceType {
  name: string;
  description: string;
}

/** A resource refers to its type by name; names match case-insensitively. */
export interface SeedResource {
  label: string;
  resourceType: string;
}

export interface BusinessSeed {
  resourceTypes: SeedResourceType[];
  resources: SeedResource[];
  serviceCategories: SeedServiceCategory[];
}

const v = (size: SeedSize, duration: number, price: number): SeedVariant => ({ size, duration, price });
const all = (duration: number, price: number): SeedVariant[] => [v('all', duration, price)];
const type = (name: string, description: string): SeedResourceType => ({ name, description });
const res = (label: string, resourceType: string): SeedResource => ({ label, resourceType });
const service = (
  name: string,
  description: string,
  species: SeedSpecies,
  allowedRoles: StaffRole[],
  variants: SeedVariant[],
): SeedServiceCategory => ({ name, description, species, allowedRoles, variants });

const GROOMER: StaffRole[] = ['groomer'];
const VET_TEAM: StaffRole[] = ['veterinarian', 'vet_technician'];
const VETERINARIAN: StaffRole[] = ['veterinarian'];
const RECEPTIONIST: StaffRole[] = ['receptionist'];
const TRAINER: StaffRole[] = ['trainer'];
const NIGHT = 1440;

export const BUSINESS_TYPE_SEEDS: Readonly<Record<BusinessType, BusinessSeed>> = {
  grooming: {
    resourceTypes: [
      type('Grooming Tub', 'Bathing tub for washing pets'),
      type('Grooming Table', 'Table for clipping, brushing and styling'),
      type('Drying Station', 'Dryer station for after the bath'),
    ],
    resources: [
      res('Grooming Tub 1', 'Grooming Tub'),
      res('Grooming Table 1', 'Grooming Table'),
      res('Grooming Table 2', 'Grooming Table'),
      res('Drying Station 1', 'Drying Station'),
    ],
    serviceCategories: [
      service('Full Groom', 'Bath, haircut, styling, nail trim and ear cleaning', 'dog', GROOMER, [
        v('S', 90, 50),
        v('M', 120, 65),
        v('L', 150, 85),
        v('XL', 180, 105),
      ]),
      service('Basic Groom', 'Bath, brush-out and a light tidy-up trim', 'dog', GROOMER, [
        v('S', 60, 35),
        v('M', 90, 50),
        v('L', 120, 65),
        v('XL', 150, 85),
      ]),
      service('Bath & Brush', 'Shampoo, conditioner, blow-dry and brush-out', 'dog', GROOMER, [
        v('S', 45, 30),
        v('M', 60, 40),
        v('L', 75, 55),
        v('XL', 90, 70),
      ]),
      service('Nail Trim', 'Nail clipping and filing', 'dog', GROOMER, all(15, 15)),
      service('Cat Groom', 'Bath, brush-out and trim for cats', 'cat', GROOMER, all(60, 55)),
      service('Cat Nail Trim', 'Nail clipping for cats', 'cat', GROOMER, all(20, 15)),
    ],
  },
  vet: {
    resourceTypes: [
      type('Examination Room', 'Room for consultations and check-ups'),
      type('Surgery Suite', 'Sterile room for surgical procedures'),
      type('X-Ray Room', 'Room with imaging equipment'),
    ],
    resources: [
      res('Exam Room 1', 'Examination Room'),
      res('Exam Room 2', 'Examination Room'),
      res('Surgery Suite', 'Surgery Suite'),
      res('X-Ray Room', 'X-Ray Room'),
    ],
    serviceCategories: [
      service('Wellness Exam', 'Routine health check-up', 'dog', VET_TEAM, all(30, 65)),
      service('Vaccination', 'Core and lifestyle vaccines', 'dog', VET_TEAM, all(20, 35)),
      service('Dental Cleaning', 'Scaling and polishing under anesthesia', 'dog', VETERINARIAN, all(90, 250)),
      service('Cat Wellness Exam', 'Routine health check-up for cats', 'cat', VET_TEAM, all(30, 60)),
      service('Emergency Visit', 'Urgent examination and stabilization', 'dog', VETERINARIAN, all(45, 150)),
    ],
  },
  boarding: {
    resourceTypes: [
      type('Standard Kennel', 'Indoor kennel for overnight stays'),
      type('Luxury Suite', 'Private suite with extra space and comfort'),
      type('Cat Condo', 'Multi-level enclosure for cats'),
    ],
    resources: [
      res('Kennel 1', 'Standard Kennel'),
      res('Kennel 2', 'Standard Kennel'),
      res('Kennel 3', 'Standard Kennel'),
      res('Luxury Suite 1', 'Luxury Suite'),
      res('Cat Condo 1', 'Cat Condo'),
      res('Cat Condo 2', 'Cat Condo'),
    ],
    serviceCategories: [
      service('Standard Boarding', 'Overnight stay in a standard kennel, per night', 'dog', RECEPTIONIST, [
        v('S', NIGHT, 40),
        v('M', NIGHT, 45),
        v('L', NIGHT, 50),
        v('XL', NIGHT, 55),
      ]),
      service('Luxury Boarding', 'Overnight stay in a private suite, per night', 'dog', RECEPTIONIST, [
        v('S', NIGHT, 65),
        v('M', NIGHT, 75),
        v('L', NIGHT, 85),
      ]),
      service('Cat Boarding', 'Overnight stay in a cat condo, per night', 'cat', RECEPTIONIST, all(NIGHT, 30)),
    ],
  },
  daycare: {
    resourceTypes: [
      type('Play Area', 'Supervised group play space'),
      type('Rest Area', 'Quiet space for naps'),
      type('Small Dog Area', 'Separate play space for small dogs'),
    ],
    resources: [res('Main Play Area', 'Play Area'), res('Small Dog Zone', 'Small Dog Area'), res('Rest Area 1', 'Rest Area')],
    serviceCategories: [
      service('Full Day Daycare', 'A full day of supervised play and rest', 'dog', RECEPTIONIST, [
        v('S', 480, 30),
        v('M', 480, 35),
        v('L', 480, 40),
      ]),
      service('Half Day Daycare', 'Half a day of supervised play', 'dog', RECEPTIONIST, [
        v('S', 240, 18),
        v('M', 240, 22),
        v('L', 240, 25),
      ]),
      service('Puppy Socialization', 'Guided play session for young puppies', 'dog', TRAINER, [v('S', 120, 25)]),
    ],
  },
  training: {
    resourceTypes: [
      type('Training Room', 'Indoor room for lessons'),
      type('Agility Course', 'Obstacle course for agility work'),
      type('Private Training Area', 'Quiet area for one-to-one sessions'),
    ],
    resources: [
      res('Training Room 1', 'Training Room'),
      res('Agility Course', 'Agility Course'),
      res('Private Area', 'Private Training Area'),
    ],
    serviceCategories: [
      service('Basic Obedience', 'Sit, stay, recall and loose-lead walking', 'dog', TRAINER, all(60, 75)),
      service('Advanced Training', 'Off-lead control and advanced commands', 'dog', TRAINER, all(60, 95)),
      service('Puppy Training', 'Foundations and good habits for puppies', 'dog', TRAINER, [v('S', 45, 65)]),
      service('Behavior Modification', 'Working through reactivity, anxiety and other behaviours', 'dog', TRAINER, all(90, 125)),
      service('Agility Training', 'Obstacle work for fitness and focus', 'dog', TRAINER, all(60, 85)),
    ],
  },
  other: {
    resourceTypes: [type('Service Area 1', 'General service area'), type('Service Area 2', 'General service area')],
    resources: [res('Area 1', 'Service Area 1'), res('Area 2', 'Service Area 2')],
    serviceCategories: [
      service('Basic Service', 'Standard pet-care service', 'dog', RECEPTIONIST, [v('S', 30, 25), v('M', 45, 35), v('L', 60, 45)]),
      service('Premium Service', 'Extended pet-care service', 'dog', RECEPTIONIST, [v('S', 60, 50), v('M', 75, 65)]),
    ],
  },
};

const isBusinessType = (t: unknown): t is BusinessType => (BUSINESS_TYPES as readonly unknown[]).includes(t);

/**
 * Merges several seeds: resource types de-duplicated by lower-cased name (the first spelling
 * wins), resources re-pointed at the kept type, service categories concatenated.
 */
export function mergeSeeds(seeds: readonly BusinessSeed[]): BusinessSeed {
  const kept = new Map<string, SeedResourceType>();
  for (const t of seeds.flatMap((s) => s.resourceTypes)) {
    if (!kept.has(t.name.toLowerCase())) kept.set(t.name.toLowerCase(), { ...t });
  }
  const resources = seeds
    .flatMap((s) => s.resources)
    .map((r) => ({ ...r, resourceType: kept.get(r.resourceType.toLowerCase())?.name ?? r.resourceType }));
  return {
    resourceTypes: [...kept.values()],
    resources,
    serviceCategories: seeds.flatMap((s) => s.serviceCategories).map((c) => ({ ...c, variants: c.variants.map((x) => ({ ...x })) })),
  };
}

/**
 * The seed for a company's business types: none → grooming; an unknown type counts as grooming;
 * a type listed twice is seeded once. Returns fresh copies, safe to modify.
 */
export function combinedSeeds(types: readonly BusinessType[]): BusinessSeed {
  const known = [...new Set(types.map((t) => (isBusinessType(t) ? t : 'grooming')))];
  return mergeSeeds((known.length > 0 ? known : (['grooming'] as const)).map((t) => BUSINESS_TYPE_SEEDS[t]));
}
