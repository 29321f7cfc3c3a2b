/**
 * The API reference covers the app exactly: every mounted route is in the document with a summary
 * from src/docs/routes, every entry there names a mounted route, and every request schema renders.
 * Adding a route without documenting it, or leaving a stale entry, fails here.
 */
import { buildApp } from '../../app';
import { mountedRoutes } from '../../docs/routeTable';
import { buildOpenApiDocument } from '../../docs/openapi';
import { AREAS } from '../../docs/routes';
import { testConfig } from '../helpers/config';
import { documentOf, fullApp, operationsOf, toExpressPath } from './support';

const app = fullApp();
const mounted = mountedRoutes(app).map((r) => `${r.method} ${r.path}`);
const built = buildOpenApiDocument(app);
const documented = operationsOf(built.document);
const tableKeys = AREAS.flatMap((area) => Object.keys(area.routes));

test('when the document is built from the app, then its operations are exactly the mounted routes', () => {
  const inDocument = documented.map((o) => `${o.method} ${toExpressPath(o.template)}`);
  expect([...new Set(inDocument)].sort()).toEqual([...new Set(mounted)].sort());
  expect(inDocument.length).toBeGreaterThanOrEqual(150);
});

test('when a route is mounted, then the table describes it with a summary (document the new route in src/docs/routes)', () => {
  const keys = new Set(tableKeys);
  const undocumented = mounted.filter((route) => !keys.has(route));
  expect(undocumented).toEqual([]);
  const withoutSummary = documented.filter((o) => !o.operation.summary?.trim()).map((o) => `${o.method} ${o.template}`);
  expect(withoutSummary).toEqual([]);
});

test('when the table names a route, then the app mounts it (a stale entry is removed with its route)', () => {
  const routes = new Set(mounted);
  expect(tableKeys.filter((key) => !routes.has(key))).toEqual([]);
});

test('when the tables are merged, then no route is described twice and every key is METHOD /path', () => {
  const seen = new Set<string>();
  const twice = tableKeys.filter((key) => seen.has(key) || !seen.add(key));
  expect(twice).toEqual([]);
  expect(tableKeys.filter((key) => !/^(GET|POST|PUT|PATCH|DELETE) \/\S*$/.test(key))).toEqual([]);
});

test("when every route's validator is rendered, then none is left out as unrepresentable", () => {
  // A schema zod-openapi cannot render (a bare transform, z.custom) needs `.meta({ override })` or a plainer input type.
  expect(built.unrepresentable).toEqual([]);
});

test('when a route is documented, then its tag is declared and described', () => {
  const tags = new Map((built.document.tags ?? []).map((t) => [t.name, t.description]));
  for (const { operation } of documented) {
    for (const tag of operation.tags ?? []) expect(tags.get(tag)).toBeTruthy();
  }
  expect(tags.has('Undocumented')).toBe(false);
});

test('when the app runs in production, then the document leaves out what production does not mount', () => {
  const production = buildApp({
    config: testConfig({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://127.0.0.1:1/petbuddy',
      JWT_ACCESS_SECRET: 'Zq8vN2kLp4Xw7Rt1Ym5Hc9Bd3Gf6Js0Ae',
      JWT_REFRESH_SECRET: 'Kp3Wn8Vx1Lq6Zr4Tb9Ym2Hc7Jd5Gf0Se',
      INTERNAL_SERVICE_API_KEY: 'Rt5Yw1Nq8Lz3Vp6Xk0Hb4Jc9Md2Gf7Sa',
      DATA_ENCRYPTION_KEY: testConfig().dataEncryptionKey,
      BCRYPT_SALT_ROUNDS: '10',
    }),
  });
  const paths = Object.keys(documentOf(production).paths ?? {});
  expect(paths).not.toContain('/api/v1/diagnostics/status');
  expect(paths).not.toContain('/api/v1/csrf-token');
  expect(paths).toContain('/api/v1/auth/login');
  expect(paths).toContain('/api/docs');
});

test('when a route is added without an entry, then it is still documented, but without a summary, under Undocumented', () => {
  const extended = buildApp({ config: testConfig(), extend: (a) => a.get('/__test/new/:id', (_req, res) => res.end()) });
  const added = operationsOf(documentOf(extended)).find((o) => o.template === '/__test/new/{id}');
  expect(added?.operation.summary).toBeUndefined();
  expect(added?.operation.tags).toEqual(['Undocumented']);
  expect(added?.operation.parameters).toEqual([{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }]);
});
