/**
 * The document is OpenAPI 3.1 in shape (declared path parameters, unique operation ids, resolvable
 * references, known security schemes), and what it says about a request is the validator's own
 * schema: change the schema and the document changes with it.
 */
import { z } from 'zod';
import type { oas31 } from 'zod-openapi';
import { buildApp } from '../../app';
import { buildOpenApiDocument } from '../../docs/openapi';
import { validate, validating } from '../../middleware/validate';
import { LoginBody } from '../../validators/auth.schemas';
import { testConfig } from '../helpers/config';
import { documentOf, fullApp, operationsOf } from './support';

const document = documentOf(fullApp());
const operations = operationsOf(document);

const isParameter = (p: oas31.ParameterObject | oas31.ReferenceObject): p is oas31.ParameterObject => 'in' in p;

test('when the document is read, then it is OpenAPI 3.1 with the API title, version, server and security schemes', () => {
  expect(document.openapi).toBe('3.1.0');
  expect(document.info).toMatchObject({ title: 'PetBuddy API', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  expect(document.servers).toEqual([{ url: '/' }]);
  expect(document.components?.securitySchemes).toMatchObject({
    bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    internalApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
    refreshCookie: { type: 'apiKey', in: 'cookie', name: 'refreshToken' },
  });
});

test('when a path template names a parameter, then the operation declares it in: path, required, and declares no other', () => {
  const problems: string[] = [];
  for (const { method, template, operation } of operations) {
    const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const declared = (operation.parameters ?? []).filter(isParameter).filter((p) => p.in === 'path');
    for (const name of names) {
      const p = declared.find((d) => d.name === name);
      if (!p || p.required !== true) problems.push(`${method} ${template}: ${name} not declared as a required path parameter`);
    }
    for (const p of declared) if (!names.includes(p.name)) problems.push(`${method} ${template}: ${p.name} is not in the path`);
  }
  expect(problems).toEqual([]);
});

test('when operations are listed, then every operationId is present and unique and every operation has a success answer', () => {
  const ids = operations.map((o) => o.operation.operationId);
  expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z0-9]*$/.test(id))).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  for (const { operation } of operations) expect(Object.keys(operation.responses ?? {}).some((s) => /^[23]\d\d$/.test(s))).toBe(true);
});

test('when the document references a component or a security scheme, then it exists', () => {
  const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/(\w+)\/([^"]+)"/g)];
  expect(refs.length).toBeGreaterThan(0);
  const components = document.components as Record<string, Record<string, unknown> | undefined>;
  expect(refs.filter(([, kind, name]) => !components[kind!]?.[name!]).map(([ref]) => ref)).toEqual([]);
  const schemes = Object.keys(document.components?.securitySchemes ?? {});
  const used = operations.flatMap((o) => (o.operation.security ?? []).flatMap((s) => Object.keys(s)));
  expect(used.filter((s) => !schemes.includes(s))).toEqual([]);
});

test('when a route is guarded, then the document names its scheme and its 401/403 answers', () => {
  const op = (method: string, template: string) => operations.find((o) => o.method === method && o.template === template)!.operation;
  expect(op('GET', '/api/v1/catalog/customers').security).toEqual([{ bearerAuth: [] }]);
  expect(op('GET', '/api/v1/catalog/customers').responses).toMatchObject({ 401: { $ref: '#/components/responses/Unauthorized' } });
  expect(op('POST', '/api/v1/internal/messages').security).toEqual([{ internalApiKey: [] }]);
  expect(op('POST', '/api/v1/internal/messages').responses).toMatchObject({ 401: { $ref: '#/components/responses/MissingApiKey' } });
  expect(op('POST', '/api/v1/auth/login').security).toEqual([]);
});

test("when POST /api/v1/auth/login is documented, then its body is the validator's: its fields, exactly the required ones, no others", () => {
  const login = operations.find((o) => o.method === 'POST' && o.template === '/api/v1/auth/login')!.operation;
  const body = login.requestBody as oas31.RequestBodyObject;
  const schema = body.content['application/json']?.schema as oas31.SchemaObject;
  const required = Object.entries(LoginBody.shape)
    .filter(([, field]) => !field.safeParse(undefined).success)
    .map(([name]) => name);
  expect(required).toEqual(expect.arrayContaining(['email', 'password']));
  expect(body.required).toBe(true);
  expect(Object.keys(schema.properties ?? {}).sort()).toEqual(Object.keys(LoginBody.shape).sort());
  expect([...(schema.required ?? [])].sort()).toEqual(required.sort());
  // The schema is strict: unknown keys are refused, and the document says so.
  expect(schema.additionalProperties).toBe(false);
});

test('when a route validates a schema, then the document follows the schema (a changed schema changes the document)', () => {
  const schemaV1 = z.object({ name: z.string(), age: z.number().int().optional() }).strict();
  const schemaV2 = z.object({ name: z.string(), age: z.number().int(), nickname: z.string().max(20) }).strict();
  const docFor = (body: z.ZodType) => {
    const app = buildApp({
      config: testConfig(),
      extend: (a) => a.post('/__test/pets/:id', validate({ params: z.object({ id: z.string().length(24) }), body }), (_q, r) => r.end()),
    });
    return operationsOf(documentOf(app)).find((o) => o.template === '/__test/pets/{id}')!.operation;
  };
  const bodySchema = (op: oas31.OperationObject) =>
    (op.requestBody as oas31.RequestBodyObject).content['application/json']?.schema as oas31.SchemaObject;
  expect(bodySchema(docFor(schemaV1)).required).toEqual(['name']);
  expect(bodySchema(docFor(schemaV2)).required).toEqual(['name', 'age', 'nickname']);
  expect(bodySchema(docFor(schemaV2)).properties?.nickname).toEqual({ type: 'string', maxLength: 20 });
  expect(docFor(schemaV1).parameters).toEqual([
    { in: 'path', name: 'id', required: true, schema: { type: 'string', minLength: 24, maxLength: 24 } },
  ]);
});

test('when a body schema accepts an empty body, then the document does not require one', () => {
  const refresh = operations.find((o) => o.method === 'POST' && o.template === '/api/v1/auth/refresh')!.operation;
  expect((refresh.requestBody as oas31.RequestBodyObject).required).toBe(false);
});

test('when a schema cannot be represented, then generation still succeeds, documents it as {} and reports it', () => {
  const app = buildApp({
    config: testConfig(),
    extend: (a) => {
      const odd = z.custom<string>((v) => typeof v === 'string');
      a.post(
        '/__test/odd',
        validate({ body: z.object({ when: odd }), query: z.union([z.object({ a: z.string() }), z.string()]) }),
        (_q, r) => r.end(),
      );
      // A wrapper of validate() that records its schemas is documented like validate() itself.
      const inner = validate({ query: z.object({ q: z.string() }) });
      a.get(
        '/__test/wrapped',
        validating((req, res, next) => inner(req, res, next), { query: z.object({ q: z.string() }) }),
        (_q, r) => r.end(),
      );
      // A preprocessed query object is documented from its input side.
      a.get('/__test/pre', validate({ query: z.preprocess((v) => v, z.object({ limit: z.coerce.number().optional() })) }), (_q, r) =>
        r.end(),
      );
    },
  });
  let built: ReturnType<typeof buildOpenApiDocument> | undefined;
  expect(() => (built = buildOpenApiDocument(app))).not.toThrow();
  const ops = operationsOf(built!.document);
  const odd = ops.find((o) => o.template === '/__test/odd')!.operation;
  expect(built!.unrepresentable).toEqual([
    'POST /__test/odd query: the query schema is not an object',
    'POST /__test/odd: rendered as {}: custom',
  ]);
  const body = (odd.requestBody as oas31.RequestBodyObject).content['application/json']?.schema as oas31.SchemaObject;
  expect(body.properties?.when).toEqual({ description: 'Not representable in OpenAPI' });
  expect(body.required).toEqual(['when']);
  expect(odd.parameters).toBeUndefined();
  expect(odd.description).toMatch(/Not representable in OpenAPI, so not shown: query\./);
  const wrapped = ops.find((o) => o.template === '/__test/wrapped')!.operation;
  expect(wrapped.parameters).toEqual([{ in: 'query', name: 'q', required: true, schema: { type: 'string' } }]);
  const pre = ops.find((o) => o.template === '/__test/pre')!.operation;
  expect(pre.parameters).toEqual([{ in: 'query', name: 'limit', schema: { type: 'number' } }]);
});
