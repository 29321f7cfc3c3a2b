/**
 * The permission matrix (contract §2.8) for the staff and location routes: every role and an
 * anonymous caller against every route. A role is granted if any of the user's roles (primary or
 * roles[]) is allowed, which fixes the original's primary-role-only check.
 */
import type { Types } from 'mongoose';
import request from 'supertest';
import { buildApp } from '../../app';
import { STAFF_ROLES, type StaffRole } from '../../models/constants';
import { Location } from '../../models/Location';
import { User } from '../../models/User';
import { accessTokenFor, bearer, companyWithStaff, createStaff } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });

interface Fixture {
  co: Awaited<ReturnType<typeof companyWithStaff>>;
  /** A staff member that update and delete act on. */
  targetId: Types.ObjectId;
  /** A second, non-main location that update and delete act on. */
  spareLocationId: Types.ObjectId;
}

interface Route {
  name: string;
  method: 'get' | 'post' | 'put' | 'delete';
  path: (f: Fixture) => string;
  body?: Record<string, unknown>;
  allowed: readonly StaffRole[];
  success: number;
}

const EVERYONE = STAFF_ROLES;
const MANAGER = ['manager'] as const;

const ROUTES: Route[] = [
  { name: 'GET /catalog/staff', method: 'get', path: () => '/api/v1/catalog/staff', allowed: ['manager', 'receptionist'], success: 200 },
  {
    name: 'POST /catalog/staff',
    method: 'post',
    path: () => '/api/v1/catalog/staff',
    body: { fullName: 'Newcomer', email: 'newcomer@example.com', roles: ['groomer'], password: 'Str0ngPass' },
    allowed: MANAGER,
    success: 201,
  },
  {
    name: 'PUT /catalog/staff/:id',
    method: 'put',
    path: (f) => `/api/v1/catalog/staff/${String(f.targetId)}`,
    body: { fullName: 'Renamed' },
    allowed: MANAGER,
    success: 200,
  },
  {
    name: 'DELETE /catalog/staff/:id',
    method: 'delete',
    path: (f) => `/api/v1/catalog/staff/${String(f.targetId)}`,
    allowed: MANAGER,
    success: 200,
  },
  { name: 'GET /locations', method: 'get', path: () => '/api/v1/locations', allowed: EVERYONE, success: 200 },
  {
    name: 'GET /locations/:id',
    method: 'get',
    path: (f) => `/api/v1/locations/${String(f.co.locationId)}`,
    allowed: EVERYONE,
    success: 200,
  },
  {
    name: 'POST /locations',
    method: 'post',
    path: () => '/api/v1/locations',
    body: { label: 'Branch', address: '2 Side St' },
    allowed: MANAGER,
    success: 201,
  },
  {
    name: 'PUT /locations/:id',
    method: 'put',
    path: (f) => `/api/v1/locations/${String(f.spareLocationId)}`,
    body: { label: 'Renamed' },
    allowed: MANAGER,
    success: 200,
  },
  {
    name: 'DELETE /locations/:id',
    method: 'delete',
    path: (f) => `/api/v1/locations/${String(f.spareLocationId)}`,
    allowed: MANAGER,
    success: 200,
  },
];

let f: Fixture;

beforeEach(async () => {
  const co = await companyWithStaff(config);
  const target = await createStaff(co.companyId, 'groomer');
  const spare = await Location.create({ companyId: co.companyId, label: 'Spare', address: '3 Spare St' });
  f = { co, targetId: target.userId, spareLocationId: spare._id };
});

function call(route: Route, token?: string) {
  let req = request(app)[route.method](route.path(f));
  if (token) req = req.set(bearer(token));
  return route.body ? req.send(route.body) : req;
}

/** What a refused request must not have changed. */
async function fingerprint() {
  const users = await User.find({ companyId: f.co.companyId }).sort({ email: 1 }).lean();
  const locations = await Location.find({ companyId: f.co.companyId }).sort({ label: 1 }).lean();
  return { users: users.map((u) => [u.email, u.fullName]), locations: locations.map((l) => [l.label, l.isMain]) };
}

const CASES = ROUTES.flatMap((route) => [
  ...STAFF_ROLES.map((who) => ({ route, who: who as StaffRole | 'anonymous', allowed: route.allowed.includes(who) })),
  { route, who: 'anonymous' as const, allowed: false },
]);

describe('role matrix', () => {
  test.each(CASES.map((c) => [c.route.name, c.who, c.allowed ? `${c.route.success}` : c.who === 'anonymous' ? '401' : '403', c]))(
    'when %s is called as %s, then %s',
    async (_name, _who, _expected, { route, who, allowed }) => {
      const before = await fingerprint();
      const res = await call(route, who === 'anonymous' ? undefined : f.co.users[who].token);
      if (allowed) {
        expect(res.status).toBe(route.success);
        return;
      }
      if (who === 'anonymous') {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Access token is required' } });
      } else {
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ error: { code: 'FORBIDDEN', message: 'Insufficient permissions' } });
      }
      expect(await fingerprint()).toEqual(before);
    },
  );
});

describe('users with several roles', () => {
  test.each(ROUTES.map((r) => [r.name, r]))(
    "when a user with roles ['groomer','manager'] calls %s, then they have manager rights",
    async (_name, route) => {
      const multi = await createStaff(f.co.companyId, 'groomer', { roles: ['groomer', 'manager'] });
      const res = await call(route, accessTokenFor(config, multi.userId));
      expect(res.status).toBe(route.success);
    },
  );

  test("when a user with roles ['groomer','receptionist'] calls the staff routes, then listing is allowed and changing is refused", async () => {
    const desk = await createStaff(f.co.companyId, 'groomer', { roles: ['groomer', 'receptionist'] });
    const token = accessTokenFor(config, desk.userId);
    const statuses = await Promise.all(ROUTES.filter((r) => r.name.includes('staff')).map(async (r) => (await call(r, token)).status));
    expect(statuses).toEqual([200, 403, 403, 403]);
  });
});

describe('bad credentials', () => {
  test.each(ROUTES.map((r) => [r.name, r]))('when %s is called with a forged token, then 401 INVALID_TOKEN', async (_name, route) => {
    const forged = accessTokenFor(
      testConfig({ JWT_ACCESS_SECRET: 'another-secret-that-is-long-enough-0123456789' }),
      f.co.users.manager.userId,
    );
    const res = await call(route, forged);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_TOKEN');
  });
});
