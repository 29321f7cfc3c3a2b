/**
 * Tenant isolation as a structural rule: every query on a tenant-owned model must filter by
 * companyId, or it throws before reaching MongoDB. The few legitimate cross-tenant reads (login
 * by email, the token's user, Meta Bot lookups by page id, maintenance scripts) say so explicitly
 * with crossTenant(query).
 */
import type { Aggregate, Query, Schema } from 'mongoose';

const CROSS_TENANT = Symbol('crossTenant');

type Marked = { [CROSS_TENANT]?: boolean };

/** Marks a query or aggregation as deliberately not scoped to one company. */
export function crossTenant<T extends Query<unknown, unknown> | Aggregate<unknown>>(q: T): T {
  (q as unknown as Marked)[CROSS_TENANT] = true;
  return q;
}

export class TenantScopeError extends Error {
  constructor(model: string, op: string) {
    super(`${model}.${op} without a companyId filter (tenant-owned data must be scoped to the caller's company)`);
    this.name = 'TenantScopeError';
  }
}

const QUERY_OPS = [
  'find',
  'findOne',
  'countDocuments',
  'distinct',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndDelete',
  'findOneAndReplace',
] as const;

/**
 * One company's id: a plain value or `{ $eq: id }`. Operators that can match several companies
 * (`$ne`, `$exists`, `$in`, `$gt`, ...) do not scope a query.
 */
function isOneCompany(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'object' || (value as { _bsontype?: unknown })._bsontype) return true;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === '$eq') return isOneCompany((value as { $eq: unknown }).$eq);
  return !keys.some((k) => k.startsWith('$'));
}

function hasCompanyFilter(filter: Record<string, unknown>, field: string): boolean {
  if (isOneCompany(filter[field])) return true;
  const and = filter.$and;
  return (
    Array.isArray(and) && and.some((f) => typeof f === 'object' && f !== null && hasCompanyFilter(f as Record<string, unknown>, field))
  );
}

/** `field`: the tenant key of the model (`companyId`, or `company_id` for messages). */
export function tenantScoped(schema: Schema, options: { field?: string } = {}): void {
  const field = options.field ?? 'companyId';
  for (const op of QUERY_OPS) {
    schema.pre(op, function (this: Query<unknown, unknown>) {
      if ((this as unknown as Marked)[CROSS_TENANT]) return;
      if (!hasCompanyFilter(this.getFilter() as Record<string, unknown>, field)) throw new TenantScopeError(this.model.modelName, op);
    });
  }
  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    if ((this as unknown as Marked)[CROSS_TENANT]) return;
    const first = this.pipeline()[0] as { $match?: Record<string, unknown> } | undefined;
    if (!first?.$match || !hasCompanyFilter(first.$match, field)) throw new TenantScopeError('aggregate', 'pipeline');
  });
}
