/**
 * Tenant ownership checks. Every id a caller names (path, query or body) must belong to the
 * caller's company; another company's id is answered exactly like a missing one (404), so tenants
 * cannot probe each other's ids.
 */
import type { Model, Types } from 'mongoose';
import { NotFoundError } from '../utils/errors';

type CompanyId = Types.ObjectId | string;

/** The document with this id in the caller's company, or 404 `<what> not found`. */
export async function findOwned<T>(model: Model<T>, companyId: CompanyId, id: string | Types.ObjectId, what: string) {
  const doc = await model.findOne({ _id: id, companyId });
  if (!doc) throw new NotFoundError(`${what} not found`);
  return doc;
}

/** Throws 404 `<what> not found` unless every id belongs to the caller's company. */
export async function assertOwned<T>(
  model: Model<T>,
  companyId: CompanyId,
  ids: readonly (string | Types.ObjectId)[],
  what: string,
): Promise<void> {
  const unique = [...new Set(ids.map(String))];
  if (unique.length === 0) return;
  const found = await model.countDocuments({ _id: { $in: unique }, companyId });
  if (found !== unique.length) throw new NotFoundError(`${what} not found`);
}
