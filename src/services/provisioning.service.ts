/**
 * Seeds a company's catalogue for its business types: resource types, resources at the given
 * location, service categories and one service item per size variant. Everything is written in the
 * caller's session, so a failure rolls back with the registration (or the setup reset) that started
 * it. Registration provisions both halves; the setup resets replace one half or both.
 */
import { Types, type ClientSession } from 'mongoose';
import { combinedSeeds } from '../config/businessTypeSeeds';
import type { BusinessType } from '../models/constants';
import { Resource } from '../models/Resource';
import { ResourceType } from '../models/ResourceType';
import { ServiceCategory } from '../models/ServiceCategory';
import { ServiceItem } from '../models/ServiceItem';
import { AppError } from '../utils/errors';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('provisioning');

export interface ProvisioningInput {
  companyId: Types.ObjectId;
  businessTypes: BusinessType[];
  locationId: Types.ObjectId;
}

export interface ProvisioningCounts {
  resourceTypes: number;
  resources: number;
  serviceCategories: number;
  serviceItems: number;
}

/** Runs one provisioning step, turning its failure into the contract's 500 SETUP_FAILED. */
async function step<T>(what: string, companyId: Types.ObjectId, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    // A transient transaction error (write conflict) is retried by withTransaction: pass it on.
    if ((err as { hasErrorLabel?: (l: string) => boolean }).hasErrorLabel?.('TransientTransactionError')) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    log.error('default provisioning failed', { step: what, companyId: String(companyId), reason, stack: (err as Error)?.stack });
    throw new AppError(500, 'SETUP_FAILED', `Company created but failed to set up defaults: Failed to create default ${what}: ${reason}`);
  }
}

/** Runs one seeding step; registration turns a failure into SETUP_FAILED, a reset into its own code. */
export type SeedStep = <T>(what: string, run: () => Promise<T>) => Promise<T>;

const plainStep: SeedStep = (_what, run) => run();

export interface SeededResources {
  types: { _id: Types.ObjectId; name: string }[];
  resources: number;
}

/** The seed's resource types, and its resources at `locationId`, in the caller's session. */
export async function seedResources(
  input: ProvisioningInput,
  session: ClientSession,
  step: SeedStep = plainStep,
): Promise<SeededResources> {
  const { companyId, locationId } = input;
  const seeds = combinedSeeds(input.businessTypes);
  const types = await step('resource types', () =>
    ResourceType.insertMany(
      seeds.resourceTypes.map((t) => ({ companyId, name: t.name, description: t.description })),
      { session },
    ),
  );
  const typeIds = new Map(types.map((t) => [t.name.toLowerCase(), t._id]));

  const resources = await step('resources', () => {
    const docs = seeds.resources.map((r) => {
      const resourceTypeId = typeIds.get(r.resourceType.toLowerCase());
      if (!resourceTypeId) throw new Error(`unknown resource type "${r.resourceType}" for "${r.label}"`);
      return { companyId, locationId, resourceTypeId, label: r.label, species: ['all'], active: true };
    });
    return Resource.insertMany(docs, { session });
  });
  return { types: types.map((t) => ({ _id: t._id, name: t.name })), resources: resources.length };
}

export interface SeededServices {
  categories: { _id: Types.ObjectId; name: string }[];
  items: number;
}

/** The seed's service categories and one item per size variant, in the caller's session. */
export async function seedServices(
  input: Omit<ProvisioningInput, 'locationId'>,
  session: ClientSession,
  step: SeedStep = plainStep,
): Promise<SeededServices> {
  const { companyId } = input;
  const seeds = combinedSeeds(input.businessTypes);
  // Ids are chosen up front so each item points at its category without relying on result order.
  const planned = seeds.serviceCategories.map((seed) => ({ seed, _id: new Types.ObjectId() }));
  const categories = await step('service categories', () =>
    ServiceCategory.insertMany(
      planned.map(({ seed, _id }) => ({
        _id,
        companyId,
        name: seed.name,
        description: seed.description,
        species: seed.species,
        allowedRoles: seed.allowedRoles.length > 0 ? seed.allowedRoles : ['groomer'],
      })),
      { session },
    ),
  );

  const items = await step('service items', () =>
    ServiceItem.insertMany(
      planned.flatMap(({ seed, _id }) =>
        seed.variants.map((v) => ({
          companyId,
          serviceCategoryId: _id,
          size: v.size,
          label: `${seed.name} - ${v.size}`,
          price: v.price,
          durationMinutes: v.duration,
          requiredResources: [],
        })),
      ),
      { session },
    ),
  );
  return { categories: categories.map((c) => ({ _id: c._id, name: c.name })), items: items.length };
}

export async function provisionCompanyDefaults(input: ProvisioningInput, session: ClientSession): Promise<ProvisioningCounts> {
  const wrapped: SeedStep = (what, run) => step(what, input.companyId, run);
  const resources = await seedResources(input, session, wrapped);
  const services = await seedServices(input, session, wrapped);
  return {
    resourceTypes: resources.types.length,
    resources: resources.resources,
    serviceCategories: services.categories.length,
    serviceItems: services.items,
  };
}
