/**
 * Company-wide guards under concurrency: two managers deactivating each other at the same moment
 * cannot leave the company without a manager; deleting the last two locations at once cannot
 * leave it without a location.
 */
import request from 'supertest';
import { buildApp } from '../../app';
import { Location } from '../../models/Location';
import { User } from '../../models/User';
import { accessTokenFor, bearer, createCompany, createStaff } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const config = testConfig({ AUTH_USER_CACHE_MS: '0' });

test('when two managers deactivate each other at the same time, then one change is refused with 409 LAST_MANAGER and one manager stays active', async () => {
  const app = buildApp({ config });
  const company = await createCompany();
  const a = await createStaff(company.companyId, 'manager');
  const b = await createStaff(company.companyId, 'manager');
  const [resA, resB] = await Promise.all([
    request(app)
      .put(`/api/v1/catalog/staff/${String(b.userId)}`)
      .set(bearer(accessTokenFor(config, a.userId)))
      .send({ isActive: false }),
    request(app)
      .put(`/api/v1/catalog/staff/${String(a.userId)}`)
      .set(bearer(accessTokenFor(config, b.userId)))
      .send({ isActive: false }),
  ]);
  const statuses = [resA.status, resB.status].sort();
  // The loser is refused either as the last manager or, if it lost first, as already inactive (401).
  expect(statuses[0]).toBe(200);
  expect([401, 409]).toContain(statuses[1]);
  const active = await User.countDocuments({ companyId: company.companyId, role: 'manager', isActive: true });
  expect(active).toBe(1);
});

test('when the last two locations are deleted at the same time, then one deletion is refused with 409 LAST_LOCATION', async () => {
  const app = buildApp({ config });
  const company = await createCompany();
  const second = await Location.create({ companyId: company.companyId, label: 'Branch', address: '2 Side Street' });
  const manager = await createStaff(company.companyId, 'manager');
  const auth = bearer(accessTokenFor(config, manager.userId));
  const [r1, r2] = await Promise.all([
    request(app)
      .delete(`/api/v1/locations/${String(company.locationId)}`)
      .set(auth),
    request(app)
      .delete(`/api/v1/locations/${String(second._id)}`)
      .set(auth),
  ]);
  expect([r1.status, r2.status].sort()).toEqual([200, 409]);
  const left = await Location.find({ companyId: company.companyId }).lean();
  expect(left).toHaveLength(1);
  expect(left[0]!.isMain).toBe(true);
});
