/**
 * The reusable parts of the API reference: the four error envelopes the error handler renders
 * (middleware/errorHandler.ts), the answers every guarded route shares, and the security schemes
 * (the Bearer access token, the Meta Bot's x-api-key, the refresh cookie, the metrics token).
 */
import type { oas31 } from 'zod-openapi';
import { REFRESH_COOKIE } from '../controllers/auth.controller';
import type { EnvelopeFamily } from '../utils/errors';

const code: oas31.SchemaObject = { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'Stable UPPER_SNAKE error code' };
const message: oas31.SchemaObject = { type: 'string', description: 'Human-readable message' };

/** The envelope of each family, as `renderError` writes it (extra details sit beside code and message). */
const ENVELOPES: Record<EnvelopeFamily, oas31.SchemaObject> = {
  E1: {
    description: 'E1, the standard envelope: `{error: {code, message, ...details}}`.',
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'message'], properties: { code, message } } },
  },
  E2: {
    description: 'E2, the legacy company envelope: `{message, ...details}` (no `error` key).',
    type: 'object',
    required: ['message'],
    properties: { message },
  },
  E3: {
    description: 'E3, the setup and Meta envelope: `{success: false, error: {code, message}}`.',
    type: 'object',
    required: ['success', 'error'],
    properties: {
      success: { const: false },
      error: { type: 'object', required: ['code', 'message'], properties: { code, message } },
    },
  },
  E4: {
    description: "E4, the Meta Bot's envelope: `{success: false, error: message, code, ...details}`.",
    type: 'object',
    required: ['success', 'error', 'code'],
    properties: { success: { const: false }, error: message, code },
  },
};

export const envelopeRef = (family: EnvelopeFamily): oas31.ReferenceObject => ({ $ref: `#/components/schemas/Error${family}` });

const details: oas31.SchemaObject = {
  type: 'array',
  description: 'One entry per problem; submitted values are not echoed.',
  items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message } },
};

const json = (schema: oas31.SchemaObject | oas31.ReferenceObject): oas31.ContentObject => ({ 'application/json': { schema } });

export const SCHEMAS: Record<string, oas31.SchemaObject> = {
  ...Object.fromEntries(Object.entries(ENVELOPES).map(([family, schema]) => [`Error${family}`, schema])),
  ValidationErrorE1: {
    description: '400 VALIDATION_ERROR in the E1 envelope.',
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'details'],
        properties: { code: { const: 'VALIDATION_ERROR' }, message, details },
      },
    },
  },
  ValidationErrorE4: {
    description: '400 VALIDATION_ERROR in the E4 envelope.',
    type: 'object',
    required: ['success', 'error', 'code', 'details'],
    properties: { success: { const: false }, error: message, code: { const: 'VALIDATION_ERROR' }, details },
  },
};

/** Shared answers, referenced by name from each operation. */
export const RESPONSES: Record<string, oas31.ResponseObject> = {
  ValidationFailed: {
    description: 'The request did not match the schema (or its body was not valid JSON).',
    content: json({ $ref: '#/components/schemas/ValidationErrorE1' }),
  },
  ValidationFailedE4: {
    description: 'The request did not match the schema.',
    content: json({ $ref: '#/components/schemas/ValidationErrorE4' }),
  },
  Unauthorized: {
    description: 'No access token, or it is expired, invalid or its user inactive (UNAUTHORIZED, TOKEN_EXPIRED, INVALID_TOKEN).',
    content: json(envelopeRef('E1')),
  },
  Forbidden: {
    description: "The caller's role may not do this, or the request names another company (FORBIDDEN).",
    content: json(envelopeRef('E1')),
  },
  MissingApiKey: { description: 'No x-api-key header (MISSING_API_KEY).', content: json(envelopeRef('E4')) },
  InvalidApiKey: { description: 'Wrong x-api-key (INVALID_API_KEY).', content: json(envelopeRef('E4')) },
  InvalidRefreshToken: {
    description: 'The refresh token is missing, expired, revoked or unknown.',
    content: json(envelopeRef('E1')),
  },
};

export const SECURITY_SCHEMES: Record<string, oas31.SecuritySchemeObject> = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The access token from login, register or refresh: `Authorization: Bearer <accessToken>`.',
  },
  internalApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: "The Meta Bot's service key (INTERNAL_SERVICE_API_KEY).",
  },
  metricsToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'METRICS_TOKEN, when one is configured: `Authorization: Bearer <METRICS_TOKEN>`.',
  },
  refreshCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: REFRESH_COOKIE,
    description: 'The httpOnly refresh cookie set by login, register and refresh (or `refreshToken` in the body).',
  },
};
