/**
 * The auth the reference documents is the auth the routes enforce: a `bearer` or `manager` route
 * refuses an anonymous caller (401), a `manager` route refuses every other role (403), an
 * `apiKey` route asks for the key (401 MISSING_API_KEY), and a `public` route lets anyone in.
 */
import request from 'supertest';
import { buildApp } from '../../app';
import { mountedRoutes } from '../../docs/routeTable';
import { routeDocs } from '../../docs/openapi';
import type { AuthKind } from '../../docs/routeDoc';
import { STAFF_ROLES } from '../../models/constants';
import { accessTokenFor, bearer, createCompany, createStaff, newObjectId } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import { fillParams, paramCount } from '../hardening/support';

useTestDatabase();

// CSRF off: a missing CSRF token would answer every write before its auth does.
const config = testConfig({ AUTH_RATE_LIMIT_MAX: '1000' });
const app = buildApp({ config });
const docs = routeDocs();
const routes = mountedRoutes(app).map((r) => ({ ...r, auth: docs.get(`${r.method} ${r.path}`)?.doc.auth }));
const ofKind = (...kinds: AuthKind[]) => routes.filter((r) => r.auth && kinds.includes(r.auth));

function send(method: string, path: string, values: string[], headers: Record<string, string> = {}) {
  const url = fillParams(path, values.length > 0 ? values : Array.from({ length: paramCount(path) }, newObjectId));
  return request(app)[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete'](url).set(headers).send({});
}

test('when anyone calls a route documented as bearer or manager without a token, then it answers 401', async () => {
  const wrong: string[] = [];
  for (const r of ofKind('bearer', 'manager')) {
    const res = await send(r.method, r.path, []);
    if (res.status !== 401) wrong.push(`${r.method} ${r.path} → ${res.status}`);
  }
  expect(wrong).toEqual([]);
  expect(ofKind('bearer', 'manager').length).toBeGreaterThan(100);
});

test('when any other role calls a route documented as manager-only, then it answers 403', async () => {
  const co = await createCompany();
  const wrong: string[] = [];
  for (const role of STAFF_ROLES.filter((r) => r !== 'manager')) {
    const headers = bearer(accessTokenFor(config, (await createStaff(co.companyId, role)).userId));
    for (const r of ofKind('manager')) {
      // Their own company in the path, so only the role can refuse them.
      const values = [...r.path.matchAll(/:(\w+)/g)].map(([, name]) => (name === 'companyId' ? String(co.companyId) : newObjectId()));
      const res = await send(r.method, r.path, values, headers);
      if (res.status !== 403) wrong.push(`${role}: ${r.method} ${r.path} → ${res.status}`);
    }
  }
  expect(wrong).toEqual([]);
});

test('when anyone calls a route documented as apiKey without the key, then it answers 401 MISSING_API_KEY', async () => {
  const wrong: string[] = [];
  for (const r of ofKind('apiKey')) {
    const res = await send(r.method, r.path, []);
    if (res.status !== 401 || (res.body as { code?: string }).code !== 'MISSING_API_KEY')
      wrong.push(`${r.method} ${r.path} → ${res.status}`);
  }
  expect(wrong).toEqual([]);
  expect(ofKind('apiKey').length).toBeGreaterThanOrEqual(18);
});

test('when anyone calls a route documented as public or signed, then it is not refused for want of credentials', async () => {
  const wrong: string[] = [];
  for (const r of ofKind('public', 'signed')) {
    const res = await send(r.method, r.path, []);
    if (res.status === 401 || res.status === 403) wrong.push(`${r.method} ${r.path} → ${res.status}`);
  }
  expect(wrong).toEqual([]);
});
