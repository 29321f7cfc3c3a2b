/**
 * Bookable resources of one company (R1-R8). A resource's type and location must be the
 * company's; without a location it goes to the company's main location (the dashboard never
 * sends one). The location of a resource never changes.
 */
import type { Types } from 'mongoose';
import { Resource, type ResourceFields } from '../../models/Resource';
import { ResourceType } from '../../models/ResourceType';
import { AppError, NotFoundError } from '../../utils/errors';
import type { ResourceCreateBody, ResourceListQuery, ResourceUpdateBody } from '../../validators/booking/resource.schemas';
import { ownedLocation, requireDefaultLocation } from './locationChoice';

type CompanyId = Types.ObjectId;

interface TypeSummary {
  _id: Types.ObjectId;
  name: string;
  category?: string;
  color?: string;
  icon?: string;
}
export type ResourceView = ResourceFields & { resourceType: TypeSummary | null };

const NOT_FOUND = 'Resource not found';

/** The `resourceType` virtual, limited to the caller's company like every query. */
const withType = (companyId: CompanyId) => ({ path: 'resourceType', select: 'name category color icon', match: { companyId } });

async function assertType(companyId: CompanyId, resourceTypeId: string): Promise<void> {
  if (!(await ResourceType.exists({ _id: resourceTypeId, companyId })))
    throw new AppError(400, 'INVALID_RESOURCE_TYPE', 'Invalid resource type');
}

/** By type name, then label (the original's sort on the virtual's name was a no-op, B-25). */
function byTypeThenLabel(a: ResourceView, b: ResourceView): number {
  return (a.resourceType?.name ?? '').localeCompare(b.resourceType?.name ?? '') || a.label.localeCompare(b.label);
}

export function createResourceService() {
  return {
    async list(companyId: CompanyId, q: ResourceListQuery) {
      const filter: Record<string, unknown> = { companyId };
      if (q.locationId) filter.locationId = q.locationId;
      if (q.resourceTypeId) filter.resourceTypeId = q.resourceTypeId;
      const items = await Resource.find(filter).populate(withType(companyId)).lean<ResourceView[]>();
      return items.sort(byTypeThenLabel);
    },

    /** The created document with its virtuals (`id`, `resourceType`), as the original intended. */
    async create(companyId: CompanyId, b: ResourceCreateBody) {
      await assertType(companyId, b.resourceTypeId);
      const locationId = b.locationId ? await ownedLocation(companyId, b.locationId) : await requireDefaultLocation(companyId);
      const doc = await Resource.create({
        companyId,
        locationId,
        resourceTypeId: b.resourceTypeId,
        label: b.label,
        species: b.species ?? ['all'],
        active: b.active ?? true,
      });
      await doc.populate(withType(companyId));
      return doc.toJSON();
    },

    async update(companyId: CompanyId, id: string, b: ResourceUpdateBody) {
      if (b.resourceTypeId) await assertType(companyId, b.resourceTypeId);
      const set: Record<string, unknown> = {};
      for (const key of ['resourceTypeId', 'label', 'species', 'active'] as const) if (b[key] !== undefined) set[key] = b[key];
      const updated = await Resource.findOneAndUpdate({ _id: id, companyId }, { $set: set }, { new: true, runValidators: true })
        .populate(withType(companyId))
        .lean<ResourceView>();
      if (!updated) throw new NotFoundError(NOT_FOUND);
      return updated;
    },

    async remove(companyId: CompanyId, id: string) {
      const deleted = await Resource.findOneAndDelete({ _id: id, companyId }).lean<ResourceFields>();
      if (!deleted) throw new NotFoundError(NOT_FOUND);
      return deleted;
    },
  };
}

export type ResourceService = ReturnType<typeof createResourceService>;
