/**
 * The OpenAPI 3.1 document, generated from the live app: every mounted route (routeTable), its
 * request schemas from its own validate() middleware (schemasOf), and what ./routes says about it
 * (summary, auth, success). Built once per app; generation never throws for a schema (./requests).
 */
import type { Express } from 'express';
import type { oas31 } from 'zod-openapi';
import { version } from '../../package.json';
import { envelopeRef, RESPONSES, SCHEMAS, SECURITY_SCHEMES } from './components';
import { NOT_REPRESENTABLE, requestOperation } from './requests';
import { routeTable } from './routeTable';
import type { AreaDoc, AuthKind, RouteDoc } from './routeDoc';
import { AREAS } from './routes';

export interface BuiltDocument {
  document: oas31.OpenAPIObject;
  /** `METHOD /path part: why` for each request schema documented as `{}`. */
  unrepresentable: string[];
}

const INFO: oas31.InfoObject = {
  title: 'PetBuddy API',
  version,
  description: [
    'The staff dashboard calls `/api/v1` with a Bearer access token; the Meta Bot calls the internal routes with its `x-api-key`.',
    'Errors come in four envelopes (components ErrorE1–ErrorE4); validation, authentication and role failures are always E1,',
    'API-key failures E4. Request schemas are generated from the zod schemas the routes validate with.',
  ].join(' '),
};
const CSRF_NOTE =
  ' CSRF protection is on: every POST, PUT, PATCH and DELETE (except login, register, the x-api-key routes and the data' +
  ' deletion callback) must send the token from `GET /api/v1/csrf-token` in `X-CSRF-Token`.';

const SECURITY: Record<AuthKind, oas31.SecurityRequirementObject[]> = {
  public: [],
  signed: [],
  bearer: [{ bearerAuth: [] }],
  manager: [{ bearerAuth: [] }],
  apiKey: [{ internalApiKey: [] }],
  // The cookie, or a refreshToken in the body.
  refresh: [{ refreshCookie: [] }, {}],
  // Only when METRICS_TOKEN is set.
  metrics: [{ metricsToken: [] }, {}],
};
const AUTH_NOTE: Partial<Record<AuthKind, string>> = {
  manager: 'Managers only.',
  signed: "Authenticated by Meta's `signed_request` (an HMAC with the app secret), not by a sign-in.",
};

/** Express `/a/:id` as an OpenAPI template `/a/{id}`, and the names of its parameters. */
function toTemplate(path: string): { template: string; names: string[] } {
  const names: string[] = [];
  const template = path.replace(/:(\w+)/g, (_m, name: string) => {
    names.push(name);
    return `{${name}}`;
  });
  return { template, names };
}

const words = (s: string): string => s.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());

/** `GET /api/v1/catalog/customers/:id` → `getCatalogCustomersById`. */
function operationIdOf(method: string, path: string): string {
  const parts = path
    .split('/')
    .filter((s) => s && s !== 'api' && s !== 'v1')
    .map((s) => (s.startsWith(':') ? `By${words(s.slice(1))}` : words(s)));
  return method.toLowerCase() + parts.join('');
}

const json = (schema: oas31.SchemaObject | oas31.ReferenceObject): oas31.ContentObject => ({ 'application/json': { schema } });
const ref = (name: string): oas31.ReferenceObject => ({ $ref: `#/components/responses/${name}` });

function responsesOf(doc: RouteDoc, area: AreaDoc, validates: boolean): oas31.ResponsesObject {
  const family = doc.errors ?? area.errors;
  const status = doc.status ?? 200;
  const success: oas31.ResponseObject = { description: doc.returns ?? 'Success' };
  if (doc.produces) success.content = { [doc.produces]: { schema: { type: 'string' } } };
  const responses: oas31.ResponsesObject = { [status]: success };
  if (validates) responses['400'] = ref(area.validation === 'E4' ? 'ValidationFailedE4' : 'ValidationFailed');
  if (doc.auth === 'bearer' || doc.auth === 'manager') Object.assign(responses, { 401: ref('Unauthorized'), 403: ref('Forbidden') });
  if (doc.auth === 'apiKey') Object.assign(responses, { 401: ref('MissingApiKey'), 403: ref('InvalidApiKey') });
  for (const [code, description] of Object.entries(doc.also ?? {})) {
    responses[code] = Number(code) >= 400 ? { description, content: json(envelopeRef(family)) } : { description };
  }
  responses.default = { description: `Any other error, in the ${family} envelope`, content: json(envelopeRef(family)) };
  return responses;
}

/** The table entries by `METHOD /path`, the first entry winning (the coverage test refuses duplicates). */
export function routeDocs(areas: readonly AreaDoc[] = AREAS): Map<string, { doc: RouteDoc; area: AreaDoc }> {
  const index = new Map<string, { doc: RouteDoc; area: AreaDoc }>();
  for (const area of areas) for (const [key, doc] of Object.entries(area.routes)) if (!index.has(key)) index.set(key, { doc, area });
  return index;
}

const UNDOCUMENTED: AreaDoc = {
  tag: 'Undocumented',
  description: 'Mounted routes that src/docs/routes does not describe yet.',
  errors: 'E1',
  routes: {},
};

export function buildOpenApiDocument(app: Express, areas: readonly AreaDoc[] = AREAS): BuiltDocument {
  const docs = routeDocs(areas);
  const paths: Record<string, Record<string, oas31.OperationObject>> = {};
  const schemas: Record<string, oas31.SchemaObject | oas31.ReferenceObject> = { ...SCHEMAS };
  const unrepresentable: string[] = [];
  const operationIds = new Set<string>();
  const tags = new Set<string>();
  const routes = routeTable(app);
  for (const route of routes) {
    const { template, names } = toTemplate(route.path);
    const method = route.method.toLowerCase();
    // Express serves the first of two identical routes: so does the document.
    if (paths[template]?.[method]) continue;
    const found = docs.get(`${route.method} ${route.path}`);
    const area = found?.area ?? UNDOCUMENTED;
    const doc: RouteDoc = found?.doc ?? { summary: '', auth: 'public' };
    const converted = requestOperation(route, template, names, { signed: doc.auth === 'signed', problems: unrepresentable });
    Object.assign(schemas, converted.schemas);
    let operationId = operationIdOf(route.method, route.path);
    for (let n = 2; operationIds.has(operationId); n++) operationId = `${operationIdOf(route.method, route.path)}${n}`;
    operationIds.add(operationId);
    tags.add(area.tag);
    const gap = converted.failed.length > 0 ? `${NOT_REPRESENTABLE}, so not shown: ${converted.failed.join(', ')}.` : undefined;
    const description = [AUTH_NOTE[doc.auth], doc.description, gap].filter(Boolean).join(' ');
    paths[template] ??= {};
    paths[template][method] = {
      operationId,
      tags: [area.tag],
      ...(doc.summary ? { summary: doc.summary } : {}),
      ...(description ? { description } : {}),
      ...converted.operation,
      security: SECURITY[doc.auth],
      responses: responsesOf(doc, area, converted.validates),
    };
  }
  const csrf = routes.some((r) => r.method === 'GET' && r.path === '/api/v1/csrf-token');
  const document: oas31.OpenAPIObject = {
    openapi: '3.1.0',
    info: { ...INFO, description: INFO.description + (csrf ? CSRF_NOTE : '') },
    servers: [{ url: '/' }],
    tags: [...areas, UNDOCUMENTED].filter((a) => tags.has(a.tag)).map((a) => ({ name: a.tag, description: a.description })),
    paths,
    components: { schemas, responses: RESPONSES, securitySchemes: SECURITY_SCHEMES },
  };
  return { document, unrepresentable };
}
