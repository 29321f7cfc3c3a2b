import mongoose, { Types } from 'mongoose';
import { botPromptFor } from '../../config/botPrompts';
import { combinedSeeds, mergeSeeds, type BusinessSeed } from '../../config/businessTypeSeeds';
import { companyDefaults, DEFAULT_USER_PICTURE } from '../../config/companyDefaults';
import { Company } from '../../models/Company';
import type { BusinessType } from '../../models/constants';
import { Resource } from '../../models/Resource';
import { ResourceType } from '../../models/ResourceType';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { provisionCompanyDefaults, type ProvisioningCounts } from '../../services/provisioning.service';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

/**
 * What the contract's seed table (§3.6.1) says each business type gets: resources (type name ->
 * labels) and services [species, allowed roles, {size: [minutes, price]}]. Prices only where the
 * table gives them.
 */
type Variants = Partial<Record<'S' | 'M' | 'L' | 'XL' | 'all', [minutes: number, price?: number]>>;
interface Expected {
  resources: Record<string, string[]>;
  services: Record<string, [species: string, roles: string[], variants: Variants]>;
}

const GROOMER = ['groomer'];
const VET_TEAM = ['veterinarian', 'vet_technician'];
const VETERINARIAN = ['veterinarian'];
const RECEPTION = ['receptionist'];
const TRAINER = ['trainer'];
const NIGHT: [number] = [1440];

const EXPECTED: Record<BusinessType, Expected> = {
  grooming: {
    resources: {
      'Grooming Tub': ['Grooming Tub 1'],
      'Grooming Table': ['Grooming Table 1', 'Grooming Table 2'],
      'Drying Station': ['Drying Station 1'],
    },
    services: {
      'Full Groom': ['dog', GROOMER, { S: [90, 50], M: [120, 65], L: [150, 85], XL: [180, 105] }],
      'Basic Groom': ['dog', GROOMER, { S: [60, 35], M: [90, 50], L: [120, 65], XL: [150, 85] }],
      'Bath & Brush': ['dog', GROOMER, { S: [45, 30], M: [60, 40], L: [75, 55], XL: [90, 70] }],
      'Nail Trim': ['dog', GROOMER, { all: [15, 15] }],
      'Cat Groom': ['cat', GROOMER, { all: [60, 55] }],
      'Cat Nail Trim': ['cat', GROOMER, { all: [20, 15] }],
    },
  },
  vet: {
    resources: { 'Examination Room': ['Exam Room 1', 'Exam Room 2'], 'Surgery Suite': ['Surgery Suite'], 'X-Ray Room': ['X-Ray Room'] },
    services: {
      'Wellness Exam': ['dog', VET_TEAM, { all: [30, 65] }],
      Vaccination: ['dog', VET_TEAM, { all: [20, 35] }],
      'Dental Cleaning': ['dog', VETERINARIAN, { all: [90, 250] }],
      'Cat Wellness Exam': ['cat', VET_TEAM, { all: [30, 60] }],
      'Emergency Visit': ['dog', VETERINARIAN, { all: [45, 150] }],
    },
  },
  boarding: {
    resources: {
      'Standard Kennel': ['Kennel 1', 'Kennel 2', 'Kennel 3'],
      'Luxury Suite': ['Luxury Suite 1'],
      'Cat Condo': ['Cat Condo 1', 'Cat Condo 2'],
    },
    services: {
      'Standard Boarding': ['dog', RECEPTION, { S: NIGHT, M: NIGHT, L: NIGHT, XL: NIGHT }],
      'Luxury Boarding': ['dog', RECEPTION, { S: NIGHT, M: NIGHT, L: NIGHT }],
      'Cat Boarding': ['cat', RECEPTION, { all: NIGHT }],
    },
  },
  daycare: {
    resources: { 'Play Area': ['Main Play Area'], 'Rest Area': ['Rest Area 1'], 'Small Dog Area': ['Small Dog Zone'] },
    services: {
      'Full Day Daycare': ['dog', RECEPTION, { S: [480], M: [480], L: [480] }],
      'Half Day Daycare': ['dog', RECEPTION, { S: [240], M: [240], L: [240] }],
      'Puppy Socialization': ['dog', TRAINER, { S: [120, 25] }],
    },
  },
  training: {
    resources: { 'Training Room': ['Training Room 1'], 'Agility Course': ['Agility Course'], 'Private Training Area': ['Private Area'] },
    services: {
      'Basic Obedience': ['dog', TRAINER, { all: [60, 75] }],
      'Advanced Training': ['dog', TRAINER, { all: [60, 95] }],
      'Puppy Training': ['dog', TRAINER, { S: [45, 65] }],
      'Behavior Modification': ['dog', TRAINER, { all: [90, 125] }],
      'Agility Training': ['dog', TRAINER, { all: [60, 85] }],
    },
  },
  other: {
    resources: { 'Service Area 1': ['Area 1'], 'Service Area 2': ['Area 2'] },
    services: {
      'Basic Service': ['dog', RECEPTION, { S: [30, 25], M: [45, 35], L: [60, 45] }],
      'Premium Service': ['dog', RECEPTION, { S: [60, 50], M: [75, 65] }],
    },
  },
};

/** The expected items of a type as label -> [minutes, price?]. */
function expectedItems(type: BusinessType): Record<string, [number, number?]> {
  return Object.fromEntries(
    Object.entries(EXPECTED[type].services).flatMap(([name, [, , variants]]) =>
      Object.entries(variants).map(([size, v]) => [`${name} - ${size}`, v]),
    ),
  );
}

const serviceNames = (type: BusinessType): string[] => Object.keys(EXPECTED[type].services);

const sorted = (xs: Iterable<string>): string[] => [...xs].sort();

async function provision(
  businessTypes: BusinessType[],
  locationId: Types.ObjectId = new Types.ObjectId(),
): Promise<{ companyId: Types.ObjectId; locationId: Types.ObjectId; counts: ProvisioningCounts }> {
  const companyId = new Types.ObjectId();
  const session = await mongoose.startSession();
  try {
    let counts: ProvisioningCounts | undefined;
    await session.withTransaction(async () => {
      counts = await provisionCompanyDefaults({ companyId, businessTypes, locationId }, session);
    });
    return { companyId, locationId, counts: counts! };
  } finally {
    await session.endSession();
  }
}

/** Stored resources grouped as type name -> sorted labels, following each resourceTypeId. */
function labelsByType(types: { _id: Types.ObjectId; name: string }[], resources: { resourceTypeId: Types.ObjectId; label: string }[]) {
  const typeName = new Map(types.map((t) => [String(t._id), t.name]));
  const grouped: Record<string, string[]> = {};
  for (const r of resources) (grouped[typeName.get(String(r.resourceTypeId)) ?? 'missing type'] ??= []).push(r.label);
  return Object.fromEntries(Object.entries(grouped).map(([name, labels]) => [name, sorted(labels)]));
}

async function stored(companyId: Types.ObjectId) {
  const [types, resources, categories, items] = await Promise.all([
    ResourceType.find({ companyId }).lean(),
    Resource.find({ companyId }).lean(),
    ServiceCategory.find({ companyId }).lean(),
    ServiceItem.find({ companyId }).lean(),
  ]);
  return { types, resources, categories, items };
}

/** Counts across every company, bypassing the tenant filter, to prove a rollback left nothing. */
async function totalDocuments(): Promise<number> {
  const db = mongoose.connection.db!;
  const names = ['resourcetypes', 'resources', 'servicecategories', 'serviceitems'];
  const counts = await Promise.all(names.map((n) => db.collection(n).countDocuments({})));
  return counts.reduce((a, b) => a + b, 0);
}

describe('provisionCompanyDefaults', () => {
  test.each(Object.keys(EXPECTED) as BusinessType[])(
    'when a %s company is provisioned, then the seed table is stored at its location',
    async (businessType) => {
      const expected = EXPECTED[businessType];
      const expectedItemsByLabel = expectedItems(businessType);
      const { companyId, locationId, counts } = await provision([businessType]);
      const { types, resources, categories, items } = await stored(companyId);

      expect(counts).toEqual({
        resourceTypes: types.length,
        resources: Object.values(expected.resources).flat().length,
        serviceCategories: serviceNames(businessType).length,
        serviceItems: Object.keys(expectedItemsByLabel).length,
      });
      expect(sorted(types.map((t) => t.name))).toEqual(sorted(Object.keys(expected.resources)));
      expect(types.every((t) => t.active && t.color === '#6B7280' && t.icon === 'cube')).toBe(true);

      expect(labelsByType(types, resources)).toEqual(expected.resources);
      for (const r of resources) {
        expect(r).toMatchObject({ locationId, species: ['all'], active: true });
      }

      expect(Object.fromEntries(categories.map((c) => [c.name, [c.species, c.allowedRoles]]))).toEqual(
        Object.fromEntries(Object.entries(expected.services).map(([name, [species, roles]]) => [name, [species, roles]])),
      );

      const categoryName = new Map(categories.map((c) => [String(c._id), c.name]));
      expect(sorted(items.map((i) => i.label!))).toEqual(sorted(Object.keys(expectedItemsByLabel)));
      for (const item of items) {
        const [minutes, price] = expectedItemsByLabel[item.label!]!;
        expect(item.durationMinutes).toBe(minutes);
        if (price !== undefined) expect(item.price).toBe(price);
        expect(item.label).toBe(`${categoryName.get(String(item.serviceCategoryId))} - ${item.size}`);
        expect(item).toMatchObject({ coatType: 'all', active: true, requiredResources: [] });
      }
    },
  );

  test('when a boarding company is provisioned, then its overnight items are stored with 1440 minutes instead of failing', async () => {
    const { companyId, counts } = await provision(['boarding']);
    const items = await ServiceItem.find({ companyId }).lean();
    expect(counts.serviceItems).toBe(8);
    expect(items.map((i) => i.durationMinutes)).toEqual(Array(8).fill(1440));
  });

  test('when no business type is given, then the company gets the grooming seed', async () => {
    const { companyId, counts } = await provision([]);
    const { categories } = await stored(companyId);
    expect(counts).toEqual({ resourceTypes: 3, resources: 4, serviceCategories: 6, serviceItems: 15 });
    expect(sorted(categories.map((c) => c.name))).toEqual(sorted(serviceNames('grooming')));
  });

  test('when grooming and vet are combined, then both seeds are stored and every resource points at its own type', async () => {
    const { companyId, counts } = await provision(['grooming', 'vet']);
    const { types, resources, categories } = await stored(companyId);
    expect(counts).toEqual({ resourceTypes: 6, resources: 8, serviceCategories: 11, serviceItems: 20 });
    expect(labelsByType(types, resources)).toEqual({ ...EXPECTED.grooming.resources, ...EXPECTED.vet.resources });
    expect(sorted(categories.map((c) => c.name))).toEqual(sorted([...serviceNames('grooming'), ...serviceNames('vet')]));
  });

  test('when a business type is listed twice, then it is seeded once', async () => {
    const { counts } = await provision(['vet', 'vet']);
    expect(counts).toEqual({ resourceTypes: 3, resources: 4, serviceCategories: 5, serviceItems: 5 });
  });

  test('when two companies are provisioned, then each one only sees its own catalogue', async () => {
    const a = await provision(['training']);
    const b = await provision(['other']);
    expect((await stored(a.companyId)).categories.map((c) => c.name)).not.toContain('Basic Service');
    expect((await stored(b.companyId)).categories.map((c) => c.name).sort()).toEqual(['Basic Service', 'Premium Service']);
  });

  test('when a step fails inside the transaction, then it reports SETUP_FAILED and nothing is left behind', async () => {
    const badLocation = 'not-an-object-id' as unknown as Types.ObjectId;
    await expect(provision(['grooming'], badLocation)).rejects.toMatchObject({
      status: 500,
      code: 'SETUP_FAILED',
      message: expect.stringMatching(/^Company created but failed to set up defaults: Failed to create default resources: .+/),
    });
    expect(await totalDocuments()).toBe(0);
  });

  test('when the transaction fails after provisioning, then the whole catalogue is rolled back', async () => {
    const companyId = new Types.ObjectId();
    const session = await mongoose.startSession();
    try {
      await expect(
        session.withTransaction(async () => {
          const counts = await provisionCompanyDefaults(
            { companyId, businessTypes: ['daycare'], locationId: new Types.ObjectId() },
            session,
          );
          expect(counts.serviceItems).toBe(7);
          throw new Error('registration failed later');
        }),
      ).rejects.toThrow('registration failed later');
    } finally {
      await session.endSession();
    }
    expect(await totalDocuments()).toBe(0);
  });
});

describe('combinedSeeds', () => {
  test('when two seeds share a resource type name in different case, then one type is kept and both resources point at it', () => {
    const seed = (typeName: string, label: string): BusinessSeed => ({
      resourceTypes: [{ name: typeName, description: '' }],
      resources: [{ label, resourceType: typeName }],
      serviceCategories: [],
    });
    const merged = mergeSeeds([seed('Grooming Tub', 'Tub A'), seed('grooming TUB', 'Tub B')]);
    expect(merged.resourceTypes.map((t) => t.name)).toEqual(['Grooming Tub']);
    expect(merged.resources).toEqual([
      { label: 'Tub A', resourceType: 'Grooming Tub' },
      { label: 'Tub B', resourceType: 'Grooming Tub' },
    ]);
  });

  test('when an unknown type arrives from untyped data, then it is seeded as grooming', () => {
    const seeds = combinedSeeds(['kennel-club' as BusinessType]);
    expect(seeds.serviceCategories.map((c) => c.name)).toEqual(serviceNames('grooming'));
  });
});

describe('botPromptFor', () => {
  test('when the company is a vet clinic, then it gets the vet prompt, not the grooming one', () => {
    const vet = botPromptFor(['vet']);
    const grooming = botPromptFor(['grooming']);
    expect(vet.systemInstruction).not.toBe(grooming.systemInstruction);
    expect(vet.systemInstruction).toMatch(/veterinary clinic/);
    expect(vet.conversationExamples).not.toEqual(grooming.conversationExamples);
  });

  test.each([
    [['vet', 'grooming'], 'grooming'],
    [['daycare', 'vet'], 'vet'],
    [['boarding', 'training'], 'training'],
    [['daycare', 'boarding'], 'boarding'],
    [['daycare'], 'daycare'],
    [['other'], 'grooming'],
    [[], 'grooming'],
  ] as [BusinessType[], BusinessType][])('when the types are %j, then the %s prompt wins', (types, winner) => {
    expect(botPromptFor(types)).toEqual(botPromptFor([winner]));
  });

  test('when any prompt is used, then its examples fit the 500-character schema limit', () => {
    for (const t of ['grooming', 'vet', 'training', 'boarding', 'daycare'] as BusinessType[]) {
      const { conversationExamples } = botPromptFor([t]);
      expect(conversationExamples.length).toBeGreaterThanOrEqual(2);
      for (const e of conversationExamples) {
        expect(e.user.length).toBeLessThanOrEqual(500);
        expect(e.assistant.length).toBeLessThanOrEqual(500);
      }
    }
  });
});

describe('companyDefaults', () => {
  test('when nothing is given, then the company gets UTC, USD, the default week and this year’s holidays', () => {
    const d = companyDefaults({ businessTypes: [] });
    const year = new Date().getUTCFullYear();
    expect(d).toMatchObject({ timezone: 'UTC', mainCurrency: 'USD', status: 'active' });
    const hours = Object.fromEntries(d.settings.workHours.map((h) => [h.weekday, `${h.startTime}-${h.endTime}`]));
    expect(hours).toEqual({
      1: '09:00-18:00',
      2: '09:00-18:00',
      3: '09:00-18:00',
      4: '09:00-18:00',
      5: '09:00-18:00',
      6: '09:00-17:00',
      0: '10:00-16:00',
    });
    expect(d.settings.workHours).toHaveLength(7);
    expect(d.settings.holidays.map((h) => h.toISOString())).toEqual(
      [`${year}-01-01`, `${year}-07-04`, `${year}-11-11`, `${year}-12-25`].map((day) => `${day}T00:00:00.000Z`),
    );
    expect(d.bot.services).toEqual(serviceNames('grooming'));
    expect(d.paymentMethods).toEqual([
      { bankName: 'Sample Bank', accountNumber: '1234567890', accountName: 'Your Company Name', sortCode: '12-34-56' },
    ]);
    expect(d.logo).toBe('https://via.placeholder.com/200x200/4F46E5/FFFFFF?text=PetBuddy');
    expect(d.ringLogo).toBe(d.logo);
    expect(d.integration).toEqual({ fbPageId: '', instagramPageId: '' });
    expect(DEFAULT_USER_PICTURE).toBe('https://via.placeholder.com/150x150/6B7280/FFFFFF?text=User');
  });

  test('when a year has passed since start-up, then the holidays are those of the new year', () => {
    const d = companyDefaults({ businessTypes: [] }, new Date('2031-06-15T12:00:00Z'));
    expect(d.settings.holidays[0]!.toISOString()).toBe('2031-01-01T00:00:00.000Z');
    expect(d.settings.holidays[3]!.toISOString()).toBe('2031-12-25T00:00:00.000Z');
  });

  test('when a vet company in Tbilisi registers, then the bot uses the vet prompt, its services and the company timezone', () => {
    const d = companyDefaults({ timezone: 'Asia/Tbilisi', mainCurrency: 'GEL', businessTypes: ['vet'] });
    expect(d).toMatchObject({ timezone: 'Asia/Tbilisi', mainCurrency: 'GEL' });
    expect(d.bot).toMatchObject({
      systemInstruction: botPromptFor(['vet']).systemInstruction,
      services: serviceNames('vet'),
      active: true,
      activeHours: { intervalActive: false, startTime: '08:00', endTime: '20:00', timezone: 'Asia/Tbilisi' },
    });
  });

  test('when the defaults are saved as a company, then the Company model accepts and stores them', async () => {
    const defaults = companyDefaults({ businessTypes: ['boarding', 'daycare'] });
    const company = await Company.create({
      ...defaults,
      name: 'Paws Inn',
      email: 'hello@pawsinn.test',
      businessTypes: ['boarding', 'daycare'],
    });
    const saved = (await Company.findById(company._id).lean())!;
    expect(saved.bot?.services).toEqual([...serviceNames('boarding'), ...serviceNames('daycare')]);
    expect(saved.bot?.conversationExamples).toHaveLength(botPromptFor(['boarding']).conversationExamples.length);
    expect(saved.settings?.workHours).toHaveLength(7);
    expect(saved.settings?.holidays).toHaveLength(4);
  });
});
