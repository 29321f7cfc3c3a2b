/**
 * Building blocks of the booking catalogue schemas: path params (the `/company/:companyId`
 * segment included), the company list pagination, coded prechecks and clock times as minutes.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { HH_MM } from '../../models/constants';
import { AppError, type EnvelopeFamily } from '../../utils/errors';
import { objectId } from '../common.schemas';

/**
 * The `:companyId` of `/company/:companyId/...`: sameCompany() has refused any other company's
 * id; the dashboard also sends the literal `undefined` (`/company/undefined/resources/<id>`),
 * which means the caller's company like every other value that passes.
 */
const companySegment = z.union([objectId, z.literal('undefined')]);

/** The /catalog collection routes have no path params. */
export const NoParams = z.object({}).strict();
export const CompanyParams = z.object({ companyId: companySegment }).strict();
export const CompanyIdParams = z.object({ companyId: companySegment, id: objectId }).strict();
export const CompanyServiceParams = z.object({ companyId: companySegment, serviceId: objectId }).strict();
export const ServiceIdParams = z.object({ serviceId: objectId }).strict();

export type Body = Record<string, unknown>;

export const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isObjectIdString = (v: unknown): v is string => objectId.safeParse(v).success;
/** Absent for the contract: not sent, null, or an empty string. */
export const isAbsent = (v: unknown): boolean => v === undefined || v === null || v === '';
export const isTime = (v: unknown): v is string => typeof v === 'string' && HH_MM.test(v);

/** `H:mm`/`HH:mm` → minutes after midnight, so `9:00` < `17:00` (the original compared strings, A-13). */
export function minutesOf(time: string): number {
  const [h = '0', m = '0'] = time.split(':');
  return Number(h) * 60 + Number(m);
}

/** A 400 with one of the contract's codes; `family` forces the envelope where the contract mixes them. */
export function badRequest(code: string, message: string, family?: EnvelopeFamily): AppError {
  return new AppError(400, code, message, undefined, family);
}

/**
 * The contract's coded 400s (MISSING_FIELDS, INVALID_SPECIES, …) for a body, in the contract's
 * order, before the zod schema parses it: `check` throws the first problem it meets.
 */
export function precheck(check: (body: Body) => void): RequestHandler {
  return (req, _res, next) => {
    try {
      check(isObject(req.body) ? req.body : {});
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** A query integer read leniently, as the original did (`parseInt(v) || fallback`). */
const looseInt = z
  .string()
  .optional()
  .transform((v) => Number.parseInt(v ?? '', 10) || undefined);

/**
 * `?page&size|limit&sortBy|sort&sortOrder|dir` of the company lists. The direction is what it
 * says (`asc`/`desc`; the original sorted ascending for any sortOrder, B-10); descending by default.
 */
export const PageQuery = z
  .object({
    page: looseInt,
    size: looseInt,
    limit: looseInt,
    sortBy: z.string().max(50).optional(),
    sort: z.string().max(50).optional(),
    sortOrder: z.string().max(20).optional(),
    dir: z.string().max(20).optional(),
  })
  .transform((q) => {
    const order = (q.sortOrder ?? q.dir)?.toLowerCase();
    return {
      page: Math.max(1, q.page ?? 1),
      size: Math.min(500, Math.max(1, q.limit ?? q.size ?? 20)),
      sortBy: q.sortBy ?? q.sort,
      direction: order === 'asc' || order === 'ascending' || order === '1' ? (1 as const) : (-1 as const),
    };
  });
export type PageQuery = z.infer<typeof PageQuery>;
