/**
 * The services a company offers (service categories): the catalogue list (C1), the paginated
 * company lists (CS1, CS2), create, update and delete. Deleting a service deletes its variants
 * in the same transaction, on both routes (C4 did not cascade in the original).
 */
import { escapeRegex } from '../../utils/regex';
import type { Types } from 'mongoose';
import { ServiceCategory, type ServiceCategoryFields } from '../../models/ServiceCategory';
import { ServiceItem } from '../../models/ServiceItem';
import { NotFoundError } from '../../utils/errors';
import type { PageQuery } from '../../validators/booking/catalogue.schemas';
import type { ServiceCreateBody, ServiceListQuery, ServiceUpdateBody } from '../../validators/booking/service.schemas';
import { inTransaction } from '../tenant';
import { pageOf, pageSort, skipOf } from './companyPage';

type CompanyId = Types.ObjectId;

const NOT_FOUND = 'Service not found';
const LIST_FIELDS = 'name description species requiresBath active color allowedRoles';
export const ITEM_FIELDS = 'size label coatType durationMinutes price active requiredResources';
const SORTABLE = ['name', 'species', 'active', 'createdAt', 'updatedAt'] as const;

/** Only the documented fields; empty description or color are removed on update. */
function changes(b: ServiceUpdateBody): { $set: Record<string, unknown>; $unset?: Record<string, 1> } {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  for (const key of ['name', 'species', 'requiresBath', 'active', 'allowedRoles'] as const) if (b[key] !== undefined) $set[key] = b[key];
  for (const key of ['description', 'color'] as const) {
    if (b[key]) $set[key] = b[key];
    else if (b[key] !== undefined) $unset[key] = 1;
  }
  return Object.keys($unset).length > 0 ? { $set, $unset } : { $set };
}

export function createServiceCategoryService() {
  async function page(companyId: CompanyId, q: PageQuery, withItems: boolean) {
    const query = ServiceCategory.find({ companyId }).sort(pageSort(q, SORTABLE)).skip(skipOf(q)).limit(q.size);
    if (withItems) query.populate({ path: 'serviceItems', match: { companyId }, select: ITEM_FIELDS });
    const [docs, total] = await Promise.all([query, ServiceCategory.countDocuments({ companyId })]);
    return pageOf(
      docs.map((d) => d.toJSON()),
      total,
      q,
    );
  }

  return {
    async list(companyId: CompanyId, q: ServiceListQuery) {
      const filter: Record<string, unknown> = { companyId };
      if (q.q) filter.name = new RegExp(escapeRegex(q.q), 'i');
      if (q.species) filter.species = q.species;
      if (q.active !== undefined) filter.active = q.active;
      return ServiceCategory.find(filter).select(LIST_FIELDS).sort({ name: 1, _id: 1 }).lean<ServiceCategoryFields[]>();
    },

    /** CS1: documents with their virtuals (`id`), as the original answered. */
    page: (companyId: CompanyId, q: PageQuery) => page(companyId, q, false),

    /** CS2: each service with its variants (`serviceItems`). */
    pageWithItems: (companyId: CompanyId, q: PageQuery) => page(companyId, q, true),

    async create(companyId: CompanyId, b: ServiceCreateBody) {
      const doc = await ServiceCategory.create({ companyId, ...changes(b).$set });
      return doc.toJSON();
    },

    async update(companyId: CompanyId, id: string, b: ServiceUpdateBody) {
      const doc = await ServiceCategory.findOneAndUpdate({ _id: id, companyId }, changes(b), { new: true, runValidators: true });
      if (!doc) throw new NotFoundError(NOT_FOUND);
      return doc.toJSON();
    },

    /** The service and its variants, in one transaction. */
    async remove(companyId: CompanyId, id: string) {
      return inTransaction(async (session) => {
        const deleted = await ServiceCategory.findOneAndDelete({ _id: id, companyId }, { session }).lean<ServiceCategoryFields>();
        if (!deleted) throw new NotFoundError(NOT_FOUND);
        await ServiceItem.deleteMany({ companyId, serviceCategoryId: deleted._id }, { session });
        return deleted;
      });
    },
  };
}

export type ServiceCategoryService = ReturnType<typeof createServiceCategoryService>;
