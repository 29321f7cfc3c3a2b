/**
 * Tenant ownership checks. Every id a caller names (path, query or body) must belong to the
 * caller's company; another company's id is answered exactly like a missing one (404), so tenants
 * cannot probe each other's ids.
 */
import mongoose, { type ClientSession, type Model, type Types } from 'mongoose';
import { Company } from '../models/Company';
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

/**
 * Runs `fn` in a transaction that first writes the company document, so two guarded changes of
 * one company (e.g. "keep at least one manager / one location") cannot both pass their check
 * from the same snapshot: the second meets a write conflict and is retried on the new state.
 */
export async function inCompanyTransaction<T>(companyId: CompanyId, fn: (session: ClientSession) => Promise<T>): Promise<T> {
  return inTransaction(async (session) => {
    await Company.updateOne({ _id: companyId }, { $set: { updatedAt: new Date() } }, { session, timestamps: false });
    return fn(session);
  });
}

/** Runs `fn` in a transaction (retried on transient errors such as write conflicts) and returns its result. */
export async function inTransaction<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = await mongoose.startSession();
  try {
    let result: T | undefined;
    await session.withTransaction(async () => {
      result = await fn(session);
    });
    return result as T;
  } finally {
    await session.endSession();
  }
}
