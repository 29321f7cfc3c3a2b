/** The Meta Bot's x-api-key check (E4) and double-submit CSRF protection behind CSRF_ENABLED. */
import type { Express } from 'express';
import request from 'supertest';
import { authenticateInternalService } from '../../middleware/internalAuth';
import { accessTokenFor, bearer, createCompany, createStaff } from '../factories/accounts';
import { useTestDatabase } from '../helpers/database';
import { AUTH, authApp, login, refreshCookie, refreshTokenOf, registerBody, setCookie } from './support';

useTestDatabase();

describe('internal API key (x-api-key)', () => {
  const { app, config } = authApp({
    extend: (cfg) => (a) => {
      a.post('/__test/internal', authenticateInternalService(cfg.internalApiKey), (_req, res) => {
        res.json({ reached: true });
      });
    },
  });

  test('when no x-api-key is sent, then 401 in the E4 envelope with MISSING_API_KEY', async () => {
    const res = await request(app).post('/__test/internal').send({});
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ success: false, error: 'API key is required', code: 'MISSING_API_KEY' });
  });

  test('when a wrong x-api-key is sent, then 403 in the E4 envelope with INVALID_API_KEY', async () => {
    const res = await request(app).post('/__test/internal').set('x-api-key', `${config.internalApiKey}x`).send({});
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, error: 'Invalid API key', code: 'INVALID_API_KEY' });
  });

  test('when the right x-api-key is sent, then the request reaches the handler', async () => {
    const res = await request(app).post('/__test/internal').set('x-api-key', config.internalApiKey).send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ reached: true });
  });
});

describe('CSRF enabled', () => {
  const { app, config } = authApp({ env: { CSRF_ENABLED: 'true' } });
  const CSRF_INVALID = { error: { code: 'CSRF_TOKEN_INVALID', message: 'Invalid or missing CSRF token' } };

  async function csrfToken(a: Express): Promise<string> {
    const res = await request(a).get('/api/v1/csrf-token');
    expect(res.status).toBe(200);
    const cookie = setCookie(res, 'csrfToken');
    expect(cookie?.attributes).toMatchObject({ httponly: true, path: '/' });
    expect(cookie?.value).toBe(res.body.csrfToken);
    return res.body.csrfToken as string;
  }

  async function session() {
    const company = await createCompany();
    const staff = await createStaff(company.companyId, 'manager');
    const res = await login(app, { email: staff.email, password: staff.password });
    expect(res.status).toBe(200);
    return { company, staff, refreshToken: refreshTokenOf(res) };
  }

  test('when logout is posted without the CSRF header, then 403 CSRF_TOKEN_INVALID and the session survives', async () => {
    const { refreshToken } = await session();
    const res = await request(app).post(`${AUTH}/logout`).set('Cookie', refreshCookie(refreshToken)).send({});
    expect(res.status).toBe(403);
    expect(res.body).toEqual(CSRF_INVALID);
    const token = await csrfToken(app);
    const still = await request(app)
      .post(`${AUTH}/refresh`)
      .set('Cookie', `${refreshCookie(refreshToken)}; csrfToken=${token}`)
      .set('X-CSRF-Token', token)
      .send({});
    expect(still.status).toBe(200);
  });

  test('when logout carries the token from GET /csrf-token in cookie and header, then 200', async () => {
    const { refreshToken } = await session();
    const token = await csrfToken(app);
    const res = await request(app)
      .post(`${AUTH}/logout`)
      .set('Cookie', `${refreshCookie(refreshToken)}; csrfToken=${token}`)
      .set('X-CSRF-Token', token)
      .send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: 'Logout successful' });
  });

  test('when refresh is posted with a matching cookie and header, then it rotates; without them, 403', async () => {
    const { refreshToken } = await session();
    const without = await request(app).post(`${AUTH}/refresh`).set('Cookie', refreshCookie(refreshToken)).send({});
    expect(without.status).toBe(403);
    expect(without.body).toEqual(CSRF_INVALID);

    const token = await csrfToken(app);
    const res = await request(app)
      .post(`${AUTH}/refresh`)
      .set('Cookie', `${refreshCookie(refreshToken)}; csrfToken=${token}`)
      .set('X-CSRF-Token', token)
      .send({});
    expect(res.status).toBe(200);
  });

  test.each([
    ['the header without the cookie', (t: string) => ({ header: t })],
    ['the cookie without the header', (t: string) => ({ cookie: t })],
    ['a header that differs from the cookie', (t: string) => ({ cookie: t, header: `${t}x` })],
    ['an unsigned value in both', () => ({ cookie: 'abc.def', header: 'abc.def' })],
  ])('when logout carries %s, then 403 CSRF_TOKEN_INVALID', async (_what, make) => {
    const { cookie, header } = make(await csrfToken(app)) as { cookie?: string; header?: string };
    let req = request(app).post(`${AUTH}/logout`);
    if (cookie) req = req.set('Cookie', `csrfToken=${cookie}`);
    if (header) req = req.set('X-CSRF-Token', header);
    const res = await req.send({});
    expect(res.status).toBe(403);
    expect(res.body).toEqual(CSRF_INVALID);
  });

  test('when login is posted without any CSRF token, then it is exempt and succeeds', async () => {
    await session();
  });

  test('when register is posted without any CSRF token, then it is exempt and succeeds', async () => {
    const res = await request(app).post(`${AUTH}/register-manager`).send(registerBody());
    expect(res.status).toBe(201);
  });

  test('when a GET is made without any CSRF token, then it is exempt', async () => {
    const { staff } = await session();
    const res = await request(app)
      .get('/api/v1/locations')
      .set(bearer(accessTokenFor(config, staff.userId)));
    expect(res.status).toBe(200);
  });

  test('when a Bearer-authenticated write is made without the CSRF header, then 403 as well', async () => {
    const { staff } = await session();
    const res = await request(app)
      .post('/api/v1/locations')
      .set(bearer(accessTokenFor(config, staff.userId)))
      .send({ label: 'Second', address: '2 Side Street' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(CSRF_INVALID);
  });
});

describe('CSRF disabled (the default)', () => {
  const { app } = authApp();

  test('when GET /api/v1/csrf-token is called, then 404 because the endpoint does not exist', async () => {
    const res = await request(app).get('/api/v1/csrf-token');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Route GET /api/v1/csrf-token not found' } });
  });

  test('when logout is posted without a CSRF header, then 200', async () => {
    const res = await request(app).post(`${AUTH}/logout`).send({});
    expect(res.status).toBe(200);
  });
});
