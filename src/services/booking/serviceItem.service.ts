/**
 * Priced, timed variants of a service (service items, C5-C10, CS3). The service and every
 * required resource type must be the caller's company's; one variant per {service, size,
 * coatType}, enforced by a unique index (a duplicate is 400 DUPLICATE_VARIANT [COMPAT]).
 */
import type { Types } from 'mongoose';
import { ResourceType } from '../../models/ResourceType';
import { ServiceCategory } from '../../models/ServiceCategory';
import { ServiceItem, type ServiceItemFields } from '../../models/ServiceItem';
import { AppError, NotFoundError } from '../../utils/errors';
import type { PageQuery } from '../../validators/booking/catalogue.schemas';
import type { ServiceItemCreateBody, ServiceItemUpdateBody } from '../../validators/booking/service.schemas';
import { pageOf, skipOf } from './companyPage';
import { ITEM_FIELDS } from './serviceCategory.service';

type CompanyId = Types.ObjectId;

const NOT_FOUND = 'Service item not found';

function rethrowDuplicate(err: unknown): never {
  if ((err as { code?: unknown }).code === 11000) {
    throw new AppError(400, 'DUPLICATE_VARIANT', 'A variant with this size and coat type already exists for this service');
  }
  throw err;
}

/** 400 INVALID_REQUIRED_RESOURCES unless every resource type is the company's. */
async function assertResourceTypes(companyId: CompanyId, resources: ServiceItemCreateBody['requiredResources']): Promise<void> {
  const ids = [...new Set((resources ?? []).map((r) => r.resourceTypeId))];
  if (ids.length === 0) return;
  if ((await ResourceType.countDocuments({ companyId, _id: { $in: ids } })) !== ids.length) {
    throw new AppError(400, 'INVALID_REQUIRED_RESOURCES', 'requiredResources name a resource type that does not exist');
  }
}

async function assertService(companyId: CompanyId, serviceId: string): Promise<void> {
  if (!(await ServiceCategory.exists({ _id: serviceId, companyId }))) throw new NotFoundError('Service not found');
}

export function createServiceItemService() {
  return {
    /** Active and inactive variants of one of the company's services; `page`/`size` are ignored [COMPAT]. */
    async listForService(companyId: CompanyId, serviceId: string) {
      await assertService(companyId, serviceId);
      return ServiceItem.find({ companyId, serviceCategoryId: serviceId })
        .select(ITEM_FIELDS)
        .sort({ size: 1, coatType: 1, _id: 1 })
        .lean<ServiceItemFields[]>();
    },

    /** CS3: variants with their service (`serviceCategoryId` populated), grouped by service. */
    async pageWithCategories(companyId: CompanyId, q: PageQuery) {
      const [items, total] = await Promise.all([
        ServiceItem.find({ companyId })
          .sort({ serviceCategoryId: 1, size: 1, coatType: 1, _id: 1 })
          .skip(skipOf(q))
          .limit(q.size)
          .populate({ path: 'serviceCategoryId', match: { companyId }, select: 'name description species requiresBath active' })
          .lean(),
        ServiceItem.countDocuments({ companyId }),
      ]);
      return pageOf(items, total, q);
    },

    async create(companyId: CompanyId, serviceId: string, b: ServiceItemCreateBody) {
      await assertService(companyId, serviceId);
      await assertResourceTypes(companyId, b.requiredResources);
      const doc = await ServiceItem.create({
        companyId,
        serviceCategoryId: serviceId,
        size: b.size,
        coatType: b.coatType,
        price: b.price,
        durationMinutes: b.durationMinutes,
        requiredResources: b.requiredResources ?? [],
        ...(typeof b.label === 'string' ? { label: b.label } : {}),
      }).catch(rethrowDuplicate);
      return doc.toJSON();
    },

    /** Only the variant's own fields change (the original `$set` the whole body, moving items across tenants). */
    async update(companyId: CompanyId, id: string, b: ServiceItemUpdateBody) {
      if (!(await ServiceItem.exists({ _id: id, companyId }))) throw new NotFoundError(NOT_FOUND);
      await assertResourceTypes(companyId, b.requiredResources);
      const set: Record<string, unknown> = {};
      for (const key of ['size', 'coatType', 'price', 'durationMinutes', 'active', 'requiredResources'] as const) {
        if (b[key] !== undefined) set[key] = b[key];
      }
      if (typeof b.label === 'string') set.label = b.label;
      const updated = await ServiceItem.findOneAndUpdate({ _id: id, companyId }, { $set: set }, { new: true, runValidators: true })
        .lean<ServiceItemFields>()
        .catch(rethrowDuplicate);
      if (!updated) throw new NotFoundError(NOT_FOUND);
      return updated;
    },

    async remove(companyId: CompanyId, id: string): Promise<void> {
      const deleted = await ServiceItem.findOneAndDelete({ _id: id, companyId }).lean();
      if (!deleted) throw new NotFoundError(NOT_FOUND);
    },
  };
}

export type ServiceItemService = ReturnType<typeof createServiceItemService>;
