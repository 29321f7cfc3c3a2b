/**
 * Tenant isolation for the staff and location routes: a manager of company A names company B's
 * ids everywhere a route takes an id (path, query filters, body references, companyId) and gets
 * 404 as for a missing id (403 for a named foreign companyId), sees nothing of B's, and changes
 * nothing of B's.
 */
import request from 'supertest';
import { buildApp } from '../../app';
import { Company } from '../../models/Company';
import { Location } from '../../models/Location';
import { ServiceCategory } from '../../models/ServiceCategory';
import { StaffSchedule } from '../../models/StaffSchedule';
import { User } from '../../models/User';
import { bearer, companyWithStaff } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const config = testConfig();
const app = buildApp({ config });
const STAFF = '/api/v1/catalog/staff';
const LOCATIONS = '/api/v1/locations';

type Co = Awaited<ReturnType<typeof companyWithStaff>>;
let a: Co;
let b: Co & { branchId: string };

beforeEach(async () => {
  a = await companyWithStaff(config);
  const bco = await companyWithStaff(config);
  const branch = await Location.create({ companyId: bco.companyId, label: 'B Branch', address: '7 B Street' });
  await User.updateOne(
    { _id: bco.users.groomer.userId, companyId: bco.companyId },
    { $set: { locationIds: [bco.locationId], primaryLocationId: bco.locationId, serviceCategoryIds: [bco.serviceCategoryId] } },
  );
  await StaffSchedule.create({
    companyId: bco.companyId,
    userId: bco.users.groomer.userId,
    locationId: bco.locationId,
    weekday: 1,
    startTime: '09:00',
    endTime: '17:00',
  });
  b = { ...bco, branchId: String(branch._id) };
});

/** Everything of company B, as stored. */
async function snapshotOf(co: Co) {
  const companyId = co.companyId;
  return {
    company: await Company.findById(companyId).lean(),
    users: await User.find({ companyId }).sort({ email: 1 }).lean(),
    locations: await Location.find({ companyId }).sort({ label: 1 }).lean(),
    schedules: await StaffSchedule.find({ companyId }).sort({ weekday: 1 }).lean(),
    categories: await ServiceCategory.find({ companyId }).sort({ name: 1 }).lean(),
  };
}

/** Ids, emails and names of B that must never appear in an answer to A. */
function secretsOf(co: Co): string[] {
  const users = Object.values(co.users);
  return [co.companyId, co.locationId, co.serviceCategoryId, ...users.map((u) => u.userId)].map(String).concat(users.map((u) => u.email));
}

interface Attack {
  name: string;
  send: () => request.Test;
  status: 403 | 404;
  message: string;
}

const asA = () => bearer(a.users.manager.token);
const staffBody = (extra: Record<string, unknown>) => ({
  fullName: 'Intruder',
  email: 'intruder@example.com',
  roles: ['groomer'],
  password: 'Str0ngPass',
  ...extra,
});
const FOREIGN_COMPANY = "You can only access your own company's data";

const ATTACKS: Attack[] = [
  {
    name: "updating B's staff",
    send: () =>
      request(app)
        .put(`${STAFF}/${String(b.users.groomer.userId)}`)
        .set(asA())
        .send({ fullName: 'Hijacked' }),
    status: 404,
    message: 'Staff not found',
  },
  {
    name: "deactivating B's manager",
    send: () =>
      request(app)
        .put(`${STAFF}/${String(b.users.manager.userId)}`)
        .set(asA())
        .send({ isActive: false }),
    status: 404,
    message: 'Staff not found',
  },
  {
    name: "deleting B's staff",
    send: () =>
      request(app)
        .delete(`${STAFF}/${String(b.users.groomer.userId)}`)
        .set(asA()),
    status: 404,
    message: 'Staff not found',
  },
  {
    name: "deleting B's only manager",
    send: () =>
      request(app)
        .delete(`${STAFF}/${String(b.users.manager.userId)}`)
        .set(asA()),
    status: 404,
    message: 'Staff not found',
  },
  {
    name: "reading B's location",
    send: () =>
      request(app)
        .get(`${LOCATIONS}/${String(b.locationId)}`)
        .set(asA()),
    status: 404,
    message: 'Location not found',
  },
  {
    name: "updating B's location",
    send: () =>
      request(app)
        .put(`${LOCATIONS}/${String(b.locationId)}`)
        .set(asA())
        .send({ label: 'Hijacked' }),
    status: 404,
    message: 'Location not found',
  },
  {
    name: "making B's branch main",
    send: () => request(app).put(`${LOCATIONS}/${b.branchId}`).set(asA()).send({ isMain: true }),
    status: 404,
    message: 'Location not found',
  },
  {
    name: "deleting B's branch",
    send: () => request(app).delete(`${LOCATIONS}/${b.branchId}`).set(asA()),
    status: 404,
    message: 'Location not found',
  },
  {
    name: "creating staff with B's service category",
    send: () =>
      request(app)
        .post(STAFF)
        .set(asA())
        .send(staffBody({ serviceCategoryIds: [String(b.serviceCategoryId)] })),
    status: 404,
    message: 'Service category not found',
  },
  {
    name: "creating staff in B's locationIds",
    send: () =>
      request(app)
        .post(STAFF)
        .set(asA())
        .send(staffBody({ locationIds: [String(a.locationId), String(b.locationId)] })),
    status: 404,
    message: 'Location not found',
  },
  {
    name: "creating staff with B's primaryLocationId",
    send: () =>
      request(app)
        .post(STAFF)
        .set(asA())
        .send(staffBody({ primaryLocationId: String(b.locationId) })),
    status: 404,
    message: 'Location not found',
  },
  {
    name: "giving A's staff B's service category",
    send: () =>
      request(app)
        .put(`${STAFF}/${String(a.users.groomer.userId)}`)
        .set(asA())
        .send({ serviceCategoryIds: [String(b.serviceCategoryId)] }),
    status: 404,
    message: 'Service category not found',
  },
  {
    name: "giving A's staff B's locationIds",
    send: () =>
      request(app)
        .put(`${STAFF}/${String(a.users.groomer.userId)}`)
        .set(asA())
        .send({ locationIds: [String(b.locationId)] }),
    status: 404,
    message: 'Location not found',
  },
  {
    name: "giving A's staff B's primaryLocationId",
    send: () =>
      request(app)
        .put(`${STAFF}/${String(a.users.groomer.userId)}`)
        .set(asA())
        .send({ primaryLocationId: b.branchId }),
    status: 404,
    message: 'Location not found',
  },
  {
    name: "filtering staff by B's location",
    send: () =>
      request(app)
        .get(STAFF)
        .query({ locationId: String(b.locationId) })
        .set(asA()),
    status: 404,
    message: 'Location not found',
  },
  {
    name: "filtering staff by B's service category",
    send: () =>
      request(app)
        .get(STAFF)
        .query({ serviceCategoryId: String(b.serviceCategoryId) })
        .set(asA()),
    status: 404,
    message: 'Service category not found',
  },
  {
    name: "listing staff with B's companyId",
    send: () =>
      request(app)
        .get(STAFF)
        .query({ companyId: String(b.companyId) })
        .set(asA()),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "listing locations with B's companyId",
    send: () =>
      request(app)
        .get(LOCATIONS)
        .query({ companyId: String(b.companyId) })
        .set(asA()),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "listing locations with B's company_id",
    send: () =>
      request(app)
        .get(LOCATIONS)
        .query({ company_id: String(b.companyId) })
        .set(asA()),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "listing locations with B's companyId repeated before A's (?companyId=B&companyId=A)",
    send: () =>
      request(app)
        .get(`${LOCATIONS}?companyId=${String(b.companyId)}&companyId=${String(a.companyId)}`)
        .set(asA()),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "listing locations with A's companyId repeated after B's company_id[] array",
    send: () =>
      request(app)
        .get(`${LOCATIONS}?company_id[]=${String(a.companyId)}&company_id[]=${String(b.companyId)}`)
        .set(asA()),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "creating staff with companyId as an array holding B's id",
    send: () =>
      request(app)
        .post(STAFF)
        .set(asA())
        .send(staffBody({ companyId: [String(a.companyId), String(b.companyId)] })),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "creating staff in B's companyId",
    send: () =>
      request(app)
        .post(STAFF)
        .set(asA())
        .send(staffBody({ companyId: String(b.companyId) })),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "moving A's staff to B's companyId",
    send: () =>
      request(app)
        .put(`${STAFF}/${String(a.users.groomer.userId)}`)
        .set(asA())
        .send({ companyId: String(b.companyId) }),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "deleting A's staff with B's companyId",
    send: () =>
      request(app)
        .delete(`${STAFF}/${String(a.users.groomer.userId)}`)
        .query({ companyId: String(b.companyId) })
        .set(asA()),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "creating a location in B's companyId",
    send: () =>
      request(app)
        .post(LOCATIONS)
        .set(asA())
        .send({ label: 'X', address: '1 X St', companyId: String(b.companyId) }),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "moving A's location to B's company_id",
    send: () =>
      request(app)
        .put(`${LOCATIONS}/${String(a.locationId)}`)
        .set(asA())
        .send({ company_id: String(b.companyId) }),
    status: 403,
    message: FOREIGN_COMPANY,
  },
  {
    name: "deleting A's location with B's companyId",
    send: () =>
      request(app)
        .delete(`${LOCATIONS}/${String(a.locationId)}`)
        .query({ companyId: String(b.companyId) })
        .set(asA()),
    status: 403,
    message: FOREIGN_COMPANY,
  },
];

describe("A's manager naming B's ids", () => {
  test.each(ATTACKS.map((x) => [x.name, x.status, x]))(
    'when %s, then %s with nothing of B in the answer and no change to A or B',
    async (_name, _status, attack) => {
      const before = { a: await snapshotOf(a), b: await snapshotOf(b) };
      const res = await attack.send();
      expect(res.status).toBe(attack.status);
      expect(res.body).toEqual({ error: { code: attack.status === 403 ? 'FORBIDDEN' : 'NOT_FOUND', message: attack.message } });
      for (const secret of secretsOf(b)) expect(JSON.stringify(res.body)).not.toContain(secret);
      expect(await snapshotOf(b)).toEqual(before.b);
      expect(await snapshotOf(a)).toEqual(before.a);
    },
  );
});

describe('companyId in an unexpected shape', () => {
  test.each([
    ['repeated, both A', () => `?companyId=${String(a.companyId)}&companyId=${String(a.companyId)}`],
    ['as an operator object', () => `?companyId[$ne]=x`],
    ['as a nested object', () => `?company_id[a]=${String(a.companyId)}`],
  ])("when A's manager lists locations with companyId %s, then 400 INVALID_COMPANY_ID", async (_what, query) => {
    const res = await request(app).get(`${LOCATIONS}${query()}`).set(asA());
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_COMPANY_ID');
  });

  test("when A's manager names A's companyId once, then it is served", async () => {
    const res = await request(app)
      .get(`${LOCATIONS}?companyId=${String(a.companyId)}`)
      .set(asA());
    expect(res.status).toBe(200);
  });
});

describe('lists', () => {
  test("when A's manager lists staff, with or without filters, then only A's users (and their schedules) come back", async () => {
    for (const query of [{}, { role: 'groomer' }, { q: 'person' }, { serviceProvider: 'false' }]) {
      const res = await request(app).get(STAFF).query(query).set(asA());
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      const ownIds = Object.values(a.users).map((u) => String(u.userId));
      for (const item of res.body.items) expect(ownIds).toContain(item._id);
      for (const secret of secretsOf(b)) expect(JSON.stringify(res.body)).not.toContain(secret);
    }
  });

  test("when A's staff lists locations, then only A's locations come back", async () => {
    const res = await request(app).get(LOCATIONS).set(bearer(a.users.trainer.token));
    expect(res.status).toBe(200);
    expect(res.body.items.map((l: { _id: string }) => l._id)).toEqual([String(a.locationId)]);
    for (const secret of secretsOf(b)) expect(JSON.stringify(res.body)).not.toContain(secret);
  });
});

describe('emails across companies', () => {
  test("when A creates staff with an email B already uses, then it is created in A and B's user is untouched", async () => {
    const before = await snapshotOf(b);
    const res = await request(app)
      .post(STAFF)
      .set(asA())
      .send(staffBody({ email: b.users.groomer.email }));
    expect(res.status).toBe(201);
    expect(await User.countDocuments({ companyId: a.companyId, email: b.users.groomer.email })).toBe(1);
    expect(await snapshotOf(b)).toEqual(before);
  });

  test("when A renames its staff to an email B already uses, then it is allowed and B's user is untouched", async () => {
    const before = await snapshotOf(b);
    const res = await request(app)
      .put(`${STAFF}/${String(a.users.groomer.userId)}`)
      .set(asA())
      .send({ email: b.users.trainer.email });
    expect([res.status, res.body.user?.email]).toEqual([200, b.users.trainer.email]);
    expect(await snapshotOf(b)).toEqual(before);
  });
});
