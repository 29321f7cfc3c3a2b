/** The `{items, pagination}` envelope of the company lists (CS1-CS3) [COMPAT]; `total` counts every match. */
import type { PageQuery } from '../../validators/booking/catalogue.schemas';

export interface Pagination {
  page: number;
  size: number;
  total: number;
  totalPages: number;
  hasNext: boolean;
  hasPrev: boolean;
}

export function pageOf<T>(items: T[], total: number, q: PageQuery): { items: T[]; pagination: Pagination } {
  const totalPages = Math.ceil(total / q.size);
  return { items, pagination: { page: q.page, size: q.size, total, totalPages, hasNext: q.page < totalPages, hasPrev: q.page > 1 } };
}

/** The requested sort field when it is one of `allowed`, else `createdAt`; `_id` breaks ties so pages do not overlap. */
export function pageSort(q: PageQuery, allowed: readonly string[]): Record<string, 1 | -1> {
  const field = q.sortBy && allowed.includes(q.sortBy) ? q.sortBy : 'createdAt';
  return { [field]: q.direction, _id: q.direction };
}

export const skipOf = (q: PageQuery): number => (q.page - 1) * q.size;
