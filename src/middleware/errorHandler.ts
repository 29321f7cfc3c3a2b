/**
 * The 404 handler and the error handler. Errors are classified once (status, stable code,
 * message) and rendered in the envelope family of the route (E1 unless a router chose another).
 * Unknown errors are logged with their stack and answered as a generic 500.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import mongoose from 'mongoose';
import { AppError, type EnvelopeFamily } from '../utils/errors';
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('errors');

export type { EnvelopeFamily };

/** Router-level: errors of the routes below are rendered in this envelope family. */
export function errorEnvelope(family: EnvelopeFamily): RequestHandler {
  return (_req, res, next) => {
    res.locals.errorFamily = family;
    next();
  };
}

interface Classified {
  status: number;
  code: string;
  message: string;
  extra?: Record<string, unknown>;
  family?: EnvelopeFamily;
}

const DB_UNAVAILABLE = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNotConnectedError',
  'MongoNetworkTimeoutError',
  'MongoTopologyClosedError',
]);

export function classifyError(err: unknown): Classified {
  if (err instanceof AppError) {
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      ...(err.details ? { extra: err.details } : {}),
      ...(err.family ? { family: err.family } : {}),
    };
  }
  const e = err as {
    type?: string;
    status?: number;
    name?: string;
    code?: unknown;
    message?: string;
    keyValue?: Record<string, unknown>;
    keyPattern?: Record<string, unknown>;
  };
  if (e?.type === 'entity.parse.failed') return { status: 400, code: 'INVALID_JSON', message: 'Malformed JSON in request body' };
  if (e?.type === 'entity.too.large')
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than the 10 MB limit' };
  if (typeof e?.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, code: 'BAD_REQUEST', message: e.message ?? 'Bad request' };
  }
  if (err instanceof mongoose.Error.ValidationError) {
    const details = Object.values(err.errors).map((v) => ({ field: v.path, message: v.message }));
    return { status: 400, code: 'VALIDATION_ERROR', message: 'Validation failed', extra: { details } };
  }
  if (err instanceof mongoose.Error.CastError) return { status: 400, code: 'INVALID_ID', message: 'Invalid ID format' };
  if (e?.code === 11000) {
    const field = Object.keys(e.keyValue ?? e.keyPattern ?? {}).filter((k) => k !== 'companyId')[0] ?? 'value';
    return { status: 409, code: 'DUPLICATE_KEY', message: `${field} already exists`, extra: { field } };
  }
  if ((e?.name && DB_UNAVAILABLE.has(e.name)) || /buffering timed out|before initial connection/i.test(e?.message ?? '')) {
    return { status: 503, code: 'DATABASE_UNAVAILABLE', message: 'The database is temporarily unavailable' };
  }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' };
}

export function renderError(res: Response, c: Classified): void {
  const family = c.family ?? (res.locals.errorFamily as EnvelopeFamily | undefined) ?? 'E1';
  const extra = c.extra ?? {};
  let body: Record<string, unknown>;
  switch (family) {
    case 'E2':
      body = { message: c.message, ...extra };
      break;
    case 'E3':
      body = { success: false, error: { code: c.code, message: c.message, ...extra } };
      break;
    case 'E4':
      body = { success: false, error: c.message, code: c.code, ...extra };
      break;
    default:
      body = { error: { code: c.code, message: c.message, ...extra } };
  }
  if (c.status === 503) res.setHeader('Retry-After', '5');
  res.status(c.status).json(body);
}

export function notFoundHandler(): RequestHandler {
  return (req, res) => {
    renderError(res, { status: 404, code: 'NOT_FOUND', message: `Route ${req.method} ${req.originalUrl} not found` });
  };
}

export function errorHandler(): ErrorRequestHandler {
  return (err, req, res, next) => {
    const c = classifyError(err);
    if (c.status >= 500) {
      const e = err as Error;
      log.error('request failed', { method: req.method, path: req.path, status: c.status, error: e?.message, stack: e?.stack });
    } else if (c.status !== 404) {
      log.info('request rejected', { method: req.method, path: req.path, status: c.status, code: c.code });
    }
    if (res.headersSent) {
      next(err);
      return;
    }
    renderError(res, c);
  };
}
