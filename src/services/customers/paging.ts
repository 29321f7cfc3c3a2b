/** One page of a list: the `pagination` of the company lists, with `total` counting every match. */
import type { Query } from 'mongoose';
import type { Pagination } from '../booking/companyPage';
import type { PageRequest } from '../../validators/customers/paging.schemas';

/** All the items (no page asked for [COMPAT]), or one page of them and its pagination. */
export async function listOrPage<T>(
  find: () => Query<T[], unknown>,
  count: () => Promise<number>,
  page: PageRequest | undefined,
): Promise<{ items: T[]; pagination?: Pagination }> {
  if (!page) return { items: await find() };
  const [items, total] = await Promise.all([
    find()
      .skip((page.page - 1) * page.size)
      .limit(page.size),
    count(),
  ]);
  const totalPages = Math.ceil(total / page.size);
  return {
    items,
    pagination: { page: page.page, size: page.size, total, totalPages, hasNext: page.page < totalPages, hasPrev: page.page > 1 },
  };
}

/** The answer when nothing can match (a search with nothing to look for). */
export function emptyList(page: PageRequest | undefined): { items: never[]; pagination?: Pagination } {
  if (!page) return { items: [] };
  return { items: [], pagination: { page: page.page, size: page.size, total: 0, totalPages: 0, hasNext: false, hasPrev: page.page > 1 } };
}
