/** `?page&limit` (or `size`) of the customer and pet lists: without either, the whole list [COMPAT]. */
import { z } from 'zod';

const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

export const MAX_PAGE_SIZE = 200;

export const pageParams = {
  page: intParam(1, 1_000_000).optional(),
  limit: intParam(1, MAX_PAGE_SIZE).optional(),
  size: intParam(1, MAX_PAGE_SIZE).optional(),
};

/** The page asked for, if any (a page without a size has 50 items). */
export function pageOfQuery(q: { page?: number | undefined; limit?: number | undefined; size?: number | undefined }) {
  if (q.page === undefined && q.limit === undefined && q.size === undefined) return undefined;
  return { page: q.page ?? 1, size: q.limit ?? q.size ?? 50 };
}
export type PageRequest = NonNullable<ReturnType<typeof pageOfQuery>>;
