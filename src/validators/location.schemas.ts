/** Request schemas of /api/v1/locations. */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from '../utils/errors';
import { hhmm, ianaZone } from './common.schemas';

const WorkHour = z.object({ weekday: z.number().int().min(0).max(6), startTime: hhmm, endTime: hhmm }).strict();

const optionalText = (max: number) => z.string().trim().max(max).optional();

export const LocationCreateBody = z
  .object({
    label: z.string().trim().min(1).max(100),
    address: z.string().trim().min(1).max(300),
    googleLocationUrl: optionalText(2000),
    phone: optionalText(20),
    timezone: ianaZone().optional(),
    isMain: z.boolean().optional(),
    workHours: z
      .array(WorkHour)
      .max(7 * 4)
      .optional(),
    holidays: z.array(z.coerce.date()).max(366).optional(),
  })
  .strict();
export type LocationCreateBody = z.infer<typeof LocationCreateBody>;

export const LocationUpdateBody = LocationCreateBody.partial().strict();
export type LocationUpdateBody = z.infer<typeof LocationUpdateBody>;

/** 400 MISSING_FIELDS `label and address are required` [COMPAT], before the schema. */
export function locationPrecheck(): RequestHandler {
  return (req, _res, next) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
    if (blank(b.label) || blank(b.address)) next(new AppError(400, 'MISSING_FIELDS', 'label and address are required'));
    else next();
  };
}
