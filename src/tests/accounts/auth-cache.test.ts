/**
 * The authenticated user's record is reused for at most AUTH_USER_CACHE_MS: changes made through
 * this process (staff update, deactivation) apply to the very next request; changes made
 * elsewhere (another process, a script) apply once that bound has passed, or at once when the
 * cache is off.
 */
import request from 'supertest';
import { buildApp } from '../../app';
import { User } from '../../models/User';
import { accessTokenFor, bearer, companyWithStaff } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const INACTIVE = { error: { code: 'UNAUTHORIZED', message: 'User not found or inactive' } };

test('when a signed-in user is deactivated through the staff API, then their next request is refused at once', async () => {
  const config = testConfig({ AUTH_USER_CACHE_MS: '60000' });
  const app = buildApp({ config });
  const co = await companyWithStaff(config);
  const groomer = bearer(co.users.groomer.token);
  expect((await request(app).get('/api/v1/locations').set(groomer)).status).toBe(200);
  const res = await request(app)
    .put(`/api/v1/catalog/staff/${String(co.users.groomer.userId)}`)
    .set(bearer(co.users.manager.token))
    .send({ isActive: false });
  expect(res.status).toBe(200);
  const after = await request(app).get('/api/v1/locations').set(groomer);
  expect(after.status).toBe(401);
  expect(after.body).toEqual(INACTIVE);
});

test('when the cache is off and a user is deactivated outside the API, then the next request is refused', async () => {
  const config = testConfig({ AUTH_USER_CACHE_MS: '0' });
  const app = buildApp({ config });
  const co = await companyWithStaff(config);
  const token = bearer(accessTokenFor(config, co.users.receptionist.userId));
  expect((await request(app).get('/api/v1/locations').set(token)).status).toBe(200);
  await User.updateOne({ _id: co.users.receptionist.userId, companyId: co.companyId }, { $set: { isActive: false } });
  expect((await request(app).get('/api/v1/locations').set(token)).status).toBe(401);
});

test('when a user is deactivated outside the API, then their token stops working once the cache bound has passed', async () => {
  const config = testConfig({ AUTH_USER_CACHE_MS: '300' });
  const app = buildApp({ config });
  const co = await companyWithStaff(config);
  const token = bearer(accessTokenFor(config, co.users.trainer.userId));
  expect((await request(app).get('/api/v1/locations').set(token)).status).toBe(200);
  await User.updateOne({ _id: co.users.trainer.userId, companyId: co.companyId }, { $set: { isActive: false } });
  const deadline = Date.now() + 5000;
  let status = 200;
  while (status === 200 && Date.now() < deadline) {
    status = (await request(app).get('/api/v1/locations').set(token)).status;
    if (status === 200) await new Promise((r) => setTimeout(r, 50));
  }
  expect(status).toBe(401);
});
