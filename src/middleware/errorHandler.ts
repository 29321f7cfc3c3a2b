/**
 * The 404 handler and the error handler. Errors are classified once (status, stable code,
 * message) and rendered in the envelope family of the route (E1 unless a router chose another).
 * Client errors (4xx) are logged once at warn without a stack; unknown errors are logged with
 * their stack and answered as a generic 500.
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

/** Errors body-parser and raw-body raise for what a client sent, by their `type` [stable codes]. */
const BODY_ERRORS: Record<string, Omit<Classified, 'family'>> = {
  'entity.parse.failed': { status: 400, code: 'INVALID_JSON', message: 'Malformed JSON in request body' },
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is larger than the 10 MB limit' },
  'entity.verify.failed': { status: 400, code: 'INVALID_BODY', message: 'Request body was refused' },
  'body.too.deep': { status: 400, code: 'BODY_TOO_DEEP', message: 'Request body is nested too deeply' },
  'body.too.many.keys': { status: 400, code: 'TOO_MANY_KEYS', message: 'Request body has too many keys' },
  'parameters.too.many': { status: 413, code: 'TOO_MANY_PARAMETERS', message: 'Request body has too many parameters' },
  'querystring.parse.rangeError': { status: 400, code: 'BODY_TOO_DEEP', message: 'Request body is nested too deeply' },
  'encoding.unsupported': { status: 415, code: 'UNSUPPORTED_CONTENT_ENCODING', message: 'Unsupported Content-Encoding' },
  'charset.unsupported': { status: 415, code: 'UNSUPPORTED_CHARSET', message: 'Unsupported charset' },
  'request.aborted': { status: 400, code: 'REQUEST_ABORTED', message: 'The request was aborted by the client' },
  'request.size.invalid': { status: 400, code: 'INVALID_CONTENT_LENGTH', message: 'Request body does not match its Content-Length' },
};

/**
 * What a client caused and should hear about as a 4xx: a body that cannot be read (the types
 * above), a compressed body that does not inflate, a path with malformed percent-encoding, and
 * any other http-errors error marked safe to expose. Never one of our own bugs: a 5xx stays a 5xx.
 */
function clientError(err: unknown): Classified | undefined {
  const e = err as { type?: unknown; status?: unknown; code?: unknown; expose?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return undefined;
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (typeof e.type === 'string' && BODY_ERRORS[e.type]) return BODY_ERRORS[e.type];
  if (status === undefined || status < 400 || status >= 500) return undefined;
  // zlib's codes (Z_DATA_ERROR, Z_BUF_ERROR, …) and its ERR_ equivalents: a corrupt compressed body.
  if (typeof e.code === 'string' && /^(Z_|ERR__?ZLIB|ERR_BROTLI)/.test(e.code)) {
    return { status: 400, code: 'INVALID_BODY_ENCODING', message: 'Request body could not be decompressed' };
  }
  // Express's router: a path parameter that is not valid percent-encoding ("Failed to decode param").
  if (err instanceof URIError) return { status: 400, code: 'INVALID_PATH', message: 'Malformed percent-encoding in the URL path' };
  if (e.expose === true) return { status, code: 'BAD_REQUEST', message: typeof e.message === 'string' ? e.message : 'Bad request' };
  return { status, code: 'BAD_REQUEST', message: 'Bad request' };
}

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
  const client = clientError(err);
  if (client) return client;
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
      // What a client caused: one line, no stack, so no client can flood the error log.
      log.warn('request rejected', { method: req.method, path: req.path, status: c.status, code: c.code });
    }
    if (res.headersSent) {
      next(err);
      return;
    }
    renderError(res, c);
  };
}
