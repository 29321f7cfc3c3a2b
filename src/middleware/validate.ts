/**
 * Validation at the edge: zod parses params, query and body once; handlers read the parsed
 * values with valid(res, part, Schema). Failures are 400 VALIDATION_ERROR (E1) with one entry per
 * problem; submitted values are not echoed (they may be passwords). Each middleware remembers its
 * schemas (schemasOf), so the API reference is generated from the very schemas that validate.
 */
import type { RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { ValidationError } from '../utils/errors';

export interface Schemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

type Part = keyof Schemas;

const recorded = new WeakMap<RequestHandler, Schemas>();

/** The schemas a handler made by validate() (or marked by validating()) checks; undefined for any other handler. */
export function schemasOf(handler: unknown): Schemas | undefined {
  return typeof handler === 'function' ? recorded.get(handler as RequestHandler) : undefined;
}

/** Records that `handler` checks `schemas`: for a wrapper of validate(), so the API reference finds them too. */
export function validating<H extends RequestHandler>(handler: H, schemas: Schemas): H {
  recorded.set(handler, { ...schemas });
  return handler;
}

export function validate(schemas: Schemas): RequestHandler {
  return validating((req, res, next) => {
    const details: { field: string; message: string }[] = [];
    const parsed: Partial<Record<Part, unknown>> = {};
    for (const part of ['params', 'query', 'body'] as const) {
      const schema = schemas[part];
      if (!schema) continue;
      const source: unknown = part === 'body' ? (req.body ?? {}) : req[part];
      const result = schema.safeParse(source);
      if (result.success) parsed[part] = result.data;
      else {
        for (const issue of result.error.issues) {
          details.push({ field: issue.path.length > 0 ? issue.path.join('.') : part, message: issue.message });
        }
      }
    }
    if (details.length > 0) {
      next(new ValidationError(details));
      return;
    }
    res.locals.valid = { ...(res.locals.valid as object | undefined), ...parsed };
    next();
  }, schemas);
}

/** The validated value of one part of the request, typed by its schema. */
export function valid<S extends z.ZodType>(res: Response, part: Part, _schema: S): z.infer<S> {
  const all = res.locals.valid as Partial<Record<Part, unknown>> | undefined;
  if (!all || !(part in all)) throw new Error(`valid(): ${part} was not validated on this route`);
  return all[part] as z.infer<S>;
}
