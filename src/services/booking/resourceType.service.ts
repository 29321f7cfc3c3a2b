/**
 * Resource types of one company (T1-T4). `category` is stored (B-6), so the list filters and
 * sorts by it; a type still used by resources or by service items' requiredResources is kept.
 */
import type { Types } from 'mongoose';
import { Resource } from '../../models/Resource';
import { ResourceType, type ResourceTypeFields } from '../../models/ResourceType';
import { ServiceItem } from '../../models/ServiceItem';
import { AppError, NotFoundError } from '../../utils/errors';
import type { ResourceTypeCreateBody, ResourceTypeListQuery, ResourceTypeUpdateBody } from '../../validators/booking/resource.schemas';
import { findOwned, inTransaction } from '../tenant';

type CompanyId = Types.ObjectId;

const NOT_FOUND = 'Resource type not found';

const inUse = (count: number, what: string) => new AppError(400, 'IN_USE', `Cannot delete resource type. ${count} ${what}.`);

export function createResourceTypeService() {
  return {
    async list(companyId: CompanyId, q: ResourceTypeListQuery) {
      const filter: Record<string, unknown> = { companyId };
      if (q.category && q.category !== 'all') filter.category = q.category;
      const query = ResourceType.find(filter).sort({ category: 1, name: 1, _id: 1 });
      if (q.includeResources) {
        query.populate({
          path: 'resources',
          match: { companyId },
          select: 'label active resourceTypeId locationId species',
          options: { sort: { label: 1 } },
        });
      }
      return query.lean<ResourceTypeFields[]>();
    },

    /** The created document with its virtuals (`id`), as the original answered. */
    async create(companyId: CompanyId, b: ResourceTypeCreateBody) {
      const doc = await ResourceType.create({
        companyId,
        name: b.name,
        category: b.category,
        ...(b.description ? { description: b.description } : {}),
        ...(b.color ? { color: b.color } : {}),
        ...(b.icon !== undefined ? { icon: b.icon } : {}),
        ...(b.active !== undefined ? { active: b.active } : {}),
      });
      return doc.toJSON();
    },

    async update(companyId: CompanyId, id: string, b: ResourceTypeUpdateBody) {
      const set: Record<string, unknown> = {};
      for (const key of ['name', 'category', 'color', 'icon', 'active'] as const) if (b[key] !== undefined) set[key] = b[key];
      if (b.description) set.description = b.description;
      const unset = b.description === '' || b.description === null ? { description: 1 } : undefined;
      const updated = await ResourceType.findOneAndUpdate(
        { _id: id, companyId },
        { $set: set, ...(unset ? { $unset: unset } : {}) },
        { new: true, runValidators: true },
      ).lean<ResourceTypeFields>();
      if (!updated) throw new NotFoundError(NOT_FOUND);
      return updated;
    },

    /** Checked and deleted in one transaction: 400 IN_USE while resources or service items refer to it. */
    async remove(companyId: CompanyId, id: string) {
      const type = await findOwned(ResourceType, companyId, id, 'Resource type');
      return inTransaction(async (session) => {
        const resources = await Resource.countDocuments({ companyId, resourceTypeId: type._id }, { session });
        if (resources > 0) throw inUse(resources, 'resources are using it');
        const items = await ServiceItem.countDocuments({ companyId, 'requiredResources.resourceTypeId': type._id }, { session });
        if (items > 0) throw inUse(items, 'service items require it');
        const deleted = await ResourceType.findOneAndDelete({ _id: type._id, companyId }, { session }).lean<ResourceTypeFields>();
        if (!deleted) throw new NotFoundError(NOT_FOUND);
        return deleted;
      });
    },
  };
}

export type ResourceTypeService = ReturnType<typeof createResourceTypeService>;
