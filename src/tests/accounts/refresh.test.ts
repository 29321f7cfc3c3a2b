/** POST /api/v1/auth/refresh and /logout: rotation, reuse detection, the grace window, revocation. */
import { createHash, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Express } from 'express';
import request from 'supertest';
import { RefreshToken } from '../../models/RefreshToken';
import { User } from '../../models/User';
import { ROTATION_GRACE_MS } from '../../services/session.service';
import { manualClock } from '../../utils/clock';
import { accessTokenFor, bearer, createCompany, createStaff, type TestUser } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { AUTH, authApp, login, refresh, refreshCookie, refreshTokenOf, setCookie } from './support';

useTestDatabase();

const INVALID_REFRESH = { error: { code: 'INVALID_REFRESH_TOKEN', message: 'Invalid or expired refresh token' } };

function setup() {
  const clock = manualClock();
  return { clock, ...authApp({ clock }) };
}

async function loggedIn(app: Express, role: TestUser['role'] = 'groomer') {
  const company = await createCompany();
  const staff = await createStaff(company.companyId, role);
  const res = await login(app, { email: staff.email, password: staff.password });
  expect(res.status).toBe(200);
  return { company, staff, token: refreshTokenOf(res) };
}

describe('rotation', () => {
  test('when a valid cookie is presented, then 200 with new tokens, a new cookie, and the user and company', async () => {
    const { app } = setup();
    const { company, staff, token } = await loggedIn(app);
    const res = await refresh(app, token);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      message: 'Token refreshed successfully',
      accessToken: expect.any(String),
      tokenExpiry: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      user: { id: String(staff.userId), email: staff.email, role: 'groomer', companyId: String(company.companyId) },
      company: { _id: String(company.companyId) },
    });
    const next = setCookie(res, 'refreshToken');
    expect(next?.value).toBeTruthy();
    expect(next?.value).not.toBe(token);
    expect(next?.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax', 'max-age': '604800' });
    expect(
      (
        await request(app)
          .get('/api/v1/locations')
          .set(bearer(res.body.accessToken as string))
      ).status,
    ).toBe(200);
  });

  test('when the new cookie is presented, then it rotates again', async () => {
    const { app } = setup();
    const { token } = await loggedIn(app);
    const second = refreshTokenOf(await refresh(app, token));
    const third = await refresh(app, second);
    expect(third.status).toBe(200);
    expect(refreshTokenOf(third)).not.toBe(second);
  });

  test('when a rotated token is presented again after the grace window, then 401 and the whole session is revoked', async () => {
    const { app, clock } = setup();
    const { staff, token } = await loggedIn(app);
    const successor = refreshTokenOf(await refresh(app, token));

    clock.advance(ROTATION_GRACE_MS + 1000);
    const replay = await refresh(app, token);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual(INVALID_REFRESH);

    const legit = await refresh(app, successor);
    expect(legit.status).toBe(401);
    expect(legit.body).toEqual(INVALID_REFRESH);
    expect(await RefreshToken.countDocuments({ userId: staff.userId, revokedAt: null })).toBe(0);
  });

  test('when a rotated token is presented again within the grace window, then it still succeeds', async () => {
    const { app, clock } = setup();
    const { token } = await loggedIn(app);
    expect((await refresh(app, token)).status).toBe(200);
    clock.advance(ROTATION_GRACE_MS - 1000);
    const again = await refresh(app, token);
    expect(again.status).toBe(200);
    expect(refreshTokenOf(again)).not.toBe(token);
  });

  test('when four refreshes carry the same cookie at once, then all four succeed with distinct new cookies', async () => {
    const { app } = setup();
    const { token } = await loggedIn(app);
    const results = await Promise.all([1, 2, 3, 4].map(() => refresh(app, token)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const cookies = results.map(refreshTokenOf);
    expect(new Set([...cookies, token]).size).toBe(5);
    const followUps = await Promise.all(cookies.map((c) => refresh(app, c)));
    expect(followUps.map((r) => r.status)).toEqual([200, 200, 200, 200]);
  });

  test('when logins from two devices exist and one is replayed, then only that session is revoked', async () => {
    const { app, clock } = setup();
    const { staff, token } = await loggedIn(app);
    const other = refreshTokenOf(await login(app, { email: staff.email, password: staff.password }));
    await refresh(app, token);
    clock.advance(ROTATION_GRACE_MS + 1000);
    expect((await refresh(app, token)).status).toBe(401);
    expect((await refresh(app, other)).status).toBe(200);
  });
});

describe('refused refresh tokens', () => {
  test('when no token is in the body or the cookie, then 400 MISSING_TOKEN', async () => {
    const { app } = setup();
    const res = await request(app).post(`${AUTH}/refresh`).send({});
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'MISSING_TOKEN', message: 'Refresh token is required' } });
  });

  test('when the token is not a JWT, then 401 INVALID_REFRESH_TOKEN (not 500)', async () => {
    const { app } = setup();
    const res = await refresh(app, 'not.a.jwt');
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_REFRESH);
  });

  test('when the refresh JWT has expired although its stored row has not, then 401 INVALID_REFRESH_TOKEN', async () => {
    const { app, config } = setup();
    const company = await createCompany();
    const staff = await createStaff(company.companyId, 'groomer');
    const fam = randomUUID();
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = jwt.sign(
      { userId: String(staff.userId), typ: 'refresh', fam, jti: 'j1', iat: past - 60, exp: past },
      config.jwt.refreshSecret,
      {
        algorithm: 'HS256',
      },
    );
    await RefreshToken.create({
      userId: staff.userId,
      token: createHash('sha256').update(expired).digest('hex'),
      familyId: fam,
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const res = await refresh(app, expired);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_REFRESH);
  });

  test('when the refresh JWT is signed with another secret, then 401 INVALID_REFRESH_TOKEN', async () => {
    const { app } = setup();
    const { staff } = await loggedIn(app);
    const forged = jwt.sign({ userId: String(staff.userId), typ: 'refresh', fam: randomUUID(), jti: 'x' }, 'another-secret-'.repeat(4));
    const res = await refresh(app, forged);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_REFRESH);
  });

  test('when the body has a token and the cookie another, then the body token is used', async () => {
    const { app } = setup();
    const a = await loggedIn(app);
    const b = await loggedIn(app);
    const res = await request(app).post(`${AUTH}/refresh`).set('Cookie', refreshCookie(b.token)).send({ refreshToken: a.token });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(String(a.staff.userId));

    const badBody = await request(app).post(`${AUTH}/refresh`).set('Cookie', refreshCookie(b.token)).send({ refreshToken: 'garbage' });
    expect(badBody.status).toBe(401);
  });

  test('when the body token is not a string, then 400 VALIDATION_ERROR', async () => {
    const { app } = setup();
    const res = await request(app).post(`${AUTH}/refresh`).send({ refreshToken: 42 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  test('when the user was deactivated after login, then refresh is 401', async () => {
    const { app } = setup();
    const { company, staff, token } = await loggedIn(app);
    await User.updateOne({ _id: staff.userId, companyId: company.companyId }, { $set: { isActive: false } });
    const res = await refresh(app, token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_REFRESH);
  });

  test('when the user was deleted after login, then refresh is 401', async () => {
    const { app } = setup();
    const { company, staff, token } = await loggedIn(app);
    await User.deleteOne({ _id: staff.userId, companyId: company.companyId });
    const res = await refresh(app, token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_REFRESH);
  });

  test('when a manager changes a staff password through PUT /catalog/staff/:id, then that user’s refresh tokens are refused', async () => {
    const { app, config } = setup();
    const { company, staff, token } = await loggedIn(app, 'groomer');
    const manager = await createStaff(company.companyId, 'manager');
    const put = await request(app)
      .put(`/api/v1/catalog/staff/${String(staff.userId)}`)
      .set(bearer(accessTokenFor(config, manager.userId)))
      .send({ password: 'Brand1NewPass' });
    expect(put.status).toBe(200);

    const res = await refresh(app, token);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(INVALID_REFRESH);
    expect((await login(app, { email: staff.email, password: 'Brand1NewPass' })).status).toBe(200);
  });
});

describe('logout', () => {
  test('when logging out with the cookie, then 200, the cookie is cleared and the token is refused afterwards', async () => {
    const { app } = setup();
    const { token } = await loggedIn(app);
    const res = await request(app).post(`${AUTH}/logout`).set('Cookie', refreshCookie(token)).send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Logout successful' });
    const cleared = setCookie(res, 'refreshToken');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toMatchObject({ path: '/', expires: 'Thu, 01 Jan 1970 00:00:00 GMT' });

    const after = await refresh(app, token);
    expect(after.status).toBe(401);
    expect(after.body).toEqual(INVALID_REFRESH);
  });

  test('when logging out with the token in the body, then that session ends too', async () => {
    const { app } = setup();
    const { token } = await loggedIn(app);
    expect((await request(app).post(`${AUTH}/logout`).send({ refreshToken: token })).status).toBe(200);
    expect((await refresh(app, token)).status).toBe(401);
  });

  test('when the session was rotated before logout, then the successor is refused as well', async () => {
    const { app } = setup();
    const { token } = await loggedIn(app);
    const successor = refreshTokenOf(await refresh(app, token));
    await request(app).post(`${AUTH}/logout`).set('Cookie', refreshCookie(successor)).send({});
    expect((await refresh(app, successor)).status).toBe(401);
    expect((await refresh(app, token)).status).toBe(401);
  });

  test('when logging out without any token, then 200 and the cookie is still cleared', async () => {
    const { app } = setup();
    const res = await request(app).post(`${AUTH}/logout`).send({});
    expect(res.status).toBe(200);
    expect(setCookie(res, 'refreshToken')?.value).toBe('');
  });
});
