/**
 * A route's request as OpenAPI, from the schemas its validate() middleware checks: path and query
 * parameters and the JSON body, input side, rendered by zod-openapi. What zod-openapi cannot
 * represent becomes `{}` with a note, and is reported, instead of failing the document.
 */
import { z } from 'zod';
import { createDocument, type CreateDocumentOptions, type oas31, type ZodOpenApiOperationObject } from 'zod-openapi';
import { schemasOf, type Schemas } from '../middleware/validate';
import type { RouteEntry } from './routeTable';

export const NOT_REPRESENTABLE = 'Not representable in OpenAPI';

/** The object whose keys are the parameters, seen from the input side (preprocess, default, lazy unwrapped). */
function objectOf(schema: z.core.$ZodType): z.ZodObject | undefined {
  if (schema instanceof z.ZodObject) return schema;
  if (schema instanceof z.ZodPipe) return objectOf(schema.in instanceof z.ZodTransform ? schema.out : schema.in);
  if (schema instanceof z.ZodLazy || schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) return objectOf(schema.unwrap());
  return undefined;
}

/** Whether validate() accepts a request without a body (it parses `{}` then). */
function acceptsNoBody(schema: z.ZodType): boolean {
  try {
    return schema.safeParse({}).success;
  } catch {
    return false;
  }
}

/** The route's schemas: the first validate() in its chain that checks each part. */
function schemasOfRoute(route: RouteEntry): Schemas {
  const merged: Schemas = {};
  for (const found of route.handlers.map(schemasOf)) {
    if (!found) continue;
    merged.params ??= found.params;
    merged.query ??= found.query;
    merged.body ??= found.body;
  }
  return merged;
}

export type Part = 'path' | 'query' | 'body';
type Requests = Partial<Record<Part, z.ZodType>>;

/** The parts a route's validators check; a body is not documented on GET (browsers cannot send one). */
function requestOf(method: string, s: Schemas): Requests {
  const withBody = s.body && method !== 'GET' && method !== 'HEAD';
  return { path: s.params, query: s.query, ...(withBody ? { body: s.body } : {}) };
}

/** The zod-openapi operation for the request parts; a part given as `false` is left out (unrepresentable). */
function zodOperation(parts: Partial<Record<Part, z.ZodType | false>>, signed: boolean): ZodOpenApiOperationObject {
  const op: ZodOpenApiOperationObject = { responses: {} };
  const requestParams: Record<string, z.ZodObject> = {};
  for (const where of ['path', 'query'] as const) {
    const schema = parts[where];
    if (!schema) continue;
    const object = objectOf(schema);
    if (!object) throw new Error(`the ${where} schema is not an object`);
    requestParams[where] = object;
  }
  if (Object.keys(requestParams).length > 0) op.requestParams = requestParams;
  const body = parts.body;
  if (body !== undefined) {
    const schema = body === false ? { description: NOT_REPRESENTABLE } : body;
    const media = { schema } as const;
    op.requestBody = {
      required: body !== false && !acceptsNoBody(body),
      // Meta posts its signed_request as a form.
      content: signed ? { 'application/json': media, 'application/x-www-form-urlencoded': media } : { 'application/json': media },
    };
  }
  return op;
}

export interface Converted {
  operation: oas31.OperationObject;
  schemas: Record<string, oas31.SchemaObject | oas31.ReferenceObject>;
  /** The parts left out or documented as `{}`. */
  failed: Part[];
}

/** zod types with no JSON Schema of their own: rendered as `{}` with a note rather than failing. */
const OPAQUE = new Set(['custom', 'transform', 'function', 'map', 'set', 'promise', 'symbol', 'bigint', 'nan', 'void']);

/** Marks (and counts in `opaque`) the nodes zod-openapi would otherwise refuse as empty. */
const markOpaque =
  (opaque: string[]): CreateDocumentOptions['override'] =>
  ({ jsonSchema, zodSchema }) => {
    const type = zodSchema._zod.def.type;
    if (Object.keys(jsonSchema).length > 0 || !OPAQUE.has(type)) return;
    jsonSchema.description = NOT_REPRESENTABLE;
    opaque.push(type);
  };

function convert(template: string, method: string, op: ZodOpenApiOperationObject, opaque: string[] = []): Converted {
  const paths = { [template]: { [method.toLowerCase()]: op } };
  const doc = createDocument({ openapi: '3.1.0', info: { title: '', version: '' }, paths }, { override: markOpaque(opaque) });
  const item = doc.paths?.[template] as Record<string, oas31.OperationObject> | undefined;
  const operation = item?.[method.toLowerCase()];
  if (!operation) throw new Error(`zod-openapi produced no operation for ${method} ${template}`);
  return { operation, schemas: doc.components?.schemas ?? {}, failed: [] };
}

/**
 * Converts the request parts. A node with no JSON Schema (z.custom, a bare transform) becomes `{}`
 * with a note; a part that still fails (a query that is not an object) is left out. Both are reported.
 */
function convertRequest(template: string, method: string, parts: Requests, signed: boolean, problems: string[]): Converted {
  const opaque: string[] = [];
  const report = (converted: Converted): Converted => {
    if (opaque.length > 0) problems.push(`${method} ${template}: rendered as {}: ${[...new Set(opaque)].join(', ')}`);
    return converted;
  };
  try {
    return report(convert(template, method, zodOperation(parts, signed), opaque));
  } catch {
    const kept: Partial<Record<Part, z.ZodType | false>> = {};
    for (const part of (Object.keys(parts) as Part[]).filter((p) => parts[p])) {
      try {
        convert(template, method, zodOperation({ [part]: parts[part] }, signed));
        kept[part] = parts[part];
      } catch (err) {
        kept[part] = false;
        problems.push(`${method} ${template} ${part}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const failed = (Object.keys(kept) as Part[]).filter((part) => kept[part] === false);
    try {
      return { ...report(convert(template, method, zodOperation(kept, signed), opaque)), failed };
    } catch {
      // Each part alone converts, together they do not: document none of them.
      const present = (Object.keys(parts) as Part[]).filter((p) => parts[p]);
      return { ...convert(template, method, zodOperation({ body: parts.body ? false : undefined }, signed)), failed: present };
    }
  }
}

/** Path parameters exactly as the template names them: required strings unless a schema said more. */
function fixPathParameters(operation: oas31.OperationObject, names: string[]): void {
  const params = (operation.parameters ?? []) as (oas31.ParameterObject | oas31.ReferenceObject)[];
  const isPath = (p: oas31.ParameterObject | oas31.ReferenceObject): p is oas31.ParameterObject => 'in' in p && p.in === 'path';
  const kept = params.filter((p) => !isPath(p) || names.includes(p.name));
  for (const p of kept) if (isPath(p)) p.required = true;
  const declared = new Set(kept.filter(isPath).map((p) => p.name));
  const missing = names
    .filter((n) => !declared.has(n))
    .map((name) => ({ name, in: 'path' as const, required: true, schema: { type: 'string' as const } }));
  const all = [...missing, ...kept];
  if (all.length > 0) operation.parameters = all;
  else delete operation.parameters;
}

/**
 * The operation (parameters and request body) of a route at `template`, whose path parameters are
 * `names`; problems are appended to `problems`. `validates` tells whether any schema was found.
 */
export function requestOperation(
  route: RouteEntry,
  template: string,
  names: string[],
  options: { signed: boolean; problems: string[] },
): Converted & { validates: boolean } {
  const parts = requestOf(route.method, schemasOfRoute(route));
  const converted = convertRequest(template, route.method, parts, options.signed, options.problems);
  fixPathParameters(converted.operation, names);
  return { ...converted, validates: Object.values(parts).some(Boolean) };
}
