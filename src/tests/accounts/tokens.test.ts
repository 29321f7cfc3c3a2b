/** Access tokens on an authenticated route (GET /api/v1/locations): what is accepted and every way it is refused (E1). */
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { User } from '../../models/User';
import { accessTokenFor, bearer, createCompany, createStaff } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { authApp, login, refreshTokenOf } from './support';

useTestDatabase();

const { app, config } = authApp();
const ROUTE = '/api/v1/locations';
const INVALID_TOKEN = { error: { code: 'INVALID_TOKEN', message: 'Invalid access token' } };

const b64url = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const nowS = (): number => Math.floor(Date.now() / 1000);

async function user(overrides: { isActive?: boolean } = {}) {
  const company = await createCompany();
  const staff = await createStaff(company.companyId, 'groomer', overrides);
  return { company, staff };
}

describe('accepted access tokens', () => {
  test('when a valid Bearer token is sent, then the route answers 200 with the user’s company data', async () => {
    const { company, staff } = await user();
    const res = await request(app)
      .get(ROUTE)
      .set(bearer(accessTokenFor(config, staff.userId)));
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain(String(company.locationId));
  });
});

describe('refused access tokens', () => {
  test('when there is no Authorization header, then 401 UNAUTHORIZED "Access token is required"', async () => {
    const res = await request(app).get(ROUTE);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Access token is required' } });
  });

  test('when the header has only the scheme word, then 401 UNAUTHORIZED "Access token is required"', async () => {
    const res = await request(app).get(ROUTE).set('Authorization', 'Bearer');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Access token is required' } });
  });

  test('when the token is signed with alg "none", then 401 INVALID_TOKEN', async () => {
    const { staff } = await user();
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ userId: String(staff.userId), iat: nowS(), exp: nowS() + 600 })}.`;
    const res = await request(app).get(ROUTE).set(bearer(unsigned));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  test('when the token is signed with another secret, then 401 INVALID_TOKEN', async () => {
    const { staff } = await user();
    const forged = jwt.sign({ userId: String(staff.userId) }, 'not-the-access-secret-'.repeat(3), { expiresIn: 600 });
    const res = await request(app).get(ROUTE).set(bearer(forged));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  test('when the token uses another HMAC algorithm with the right secret, then 401 INVALID_TOKEN (HS256 is pinned)', async () => {
    const { staff } = await user();
    const hs512 = jwt.sign({ userId: String(staff.userId) }, config.jwt.accessSecret, { algorithm: 'HS512', expiresIn: 600 });
    const res = await request(app).get(ROUTE).set(bearer(hs512));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  test('when the token has expired, then 401 TOKEN_EXPIRED "Access token has expired"', async () => {
    const { staff } = await user();
    const expired = jwt.sign({ userId: String(staff.userId), iat: nowS() - 3600, exp: nowS() - 60 }, config.jwt.accessSecret);
    const res = await request(app).get(ROUTE).set(bearer(expired));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'TOKEN_EXPIRED', message: 'Access token has expired' } });
  });

  test('when the token is not a JWT at all, then 401 INVALID_TOKEN', async () => {
    const res = await request(app).get(ROUTE).set(bearer('garbage'));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  test('when the refresh token from the login cookie is presented as an access token, then 401', async () => {
    const { staff } = await user();
    const refreshToken = refreshTokenOf(await login(app, { email: staff.email, password: staff.password }));
    const res = await request(app).get(ROUTE).set(bearer(refreshToken));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  test('when a refresh-typed token is signed with the access secret, then it is still refused as an access token', async () => {
    const { staff } = await user();
    const token = jwt.sign({ userId: String(staff.userId), typ: 'refresh', fam: 'f', jti: 'j' }, config.jwt.accessSecret, {
      expiresIn: 600,
    });
    const res = await request(app).get(ROUTE).set(bearer(token));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });

  test('when the token’s user has been deactivated, then 401 UNAUTHORIZED "User not found or inactive"', async () => {
    const { company, staff } = await user();
    const token = accessTokenFor(config, staff.userId);
    await User.updateOne({ _id: staff.userId, companyId: company.companyId }, { $set: { isActive: false } });
    const res = await request(app).get(ROUTE).set(bearer(token));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'User not found or inactive' } });
  });

  test('when the token’s user has been deleted, then 401 UNAUTHORIZED "User not found or inactive"', async () => {
    const { company, staff } = await user();
    const token = accessTokenFor(config, staff.userId);
    await User.deleteOne({ _id: staff.userId, companyId: company.companyId });
    const res = await request(app).get(ROUTE).set(bearer(token));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: 'User not found or inactive' } });
  });

  test('when the token’s userId is not an id, then 401 INVALID_TOKEN rather than a server error', async () => {
    const token = jwt.sign({ userId: 'not-an-object-id' }, config.jwt.accessSecret, { expiresIn: 600 });
    const res = await request(app).get(ROUTE).set(bearer(token));
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_TOKEN);
  });
});
