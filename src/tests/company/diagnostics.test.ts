/** /diagnostics: a manager's status report without connection strings, origins or secrets (S10, B17); absent in production. */
import request from 'supertest';
import { buildApp } from '../../app';
import type { Readiness } from '../../services/health.service';
import { accessTokenFor, bearer } from '../factories/accounts';
import { type CompanyWorld, companyWorld } from '../factories/company';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';

useTestDatabase();

const MONGODB_URI = 'mongodb://admin:hunter2@db.internal.example:27017/petbuddy?authSource=admin';
const ORIGIN = 'https://dashboard.petbuddy.example';
const config = testConfig({ MONGODB_URI, CORS_ORIGINS: ORIGIN, JWT_ACCESS_SECRET: 'a'.repeat(16) + 'b'.repeat(16) + 'cdefgh' });
const app = buildApp({ config });

let w: CompanyWorld;
beforeEach(async () => {
  w = await companyWorld(config);
});

const STATUS = '/api/v1/diagnostics/status';
const TEST_REGISTRATION = '/api/v1/diagnostics/test-registration';

describe('GET /diagnostics/status', () => {
  test('when nobody is signed in, then 401; when a non-manager asks, then 403 (it was public, S10)', async () => {
    expect((await request(app).get(STATUS)).status).toBe(401);
    for (const role of ['receptionist', 'groomer', 'trainer'] as const) {
      expect((await request(app).get(STATUS).set(w.as[role])).status).toBe(403);
    }
  });

  test('when a manager asks, then the report says healthy with nodeEnv (B17) and leaks no URI, host, origin or secret', async () => {
    const res = await request(app).get(STATUS).set(w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'healthy',
      environment: { nodeEnv: 'test' },
      database: { status: 'connected', pingSuccess: true, error: null, mode: 'external' },
      environmentVariables: { MONGODB_URI: true, JWT_ACCESS_SECRET: true, JWT_REFRESH_SECRET: false, FRONTEND_URL: true },
    });
    expect(res.body.warnings).toEqual([expect.stringMatching(/^Secrets generated for this run: JWT_REFRESH_SECRET/)]);
    expect(res.body.cors).toBeUndefined();
    expect(res.body.jwt).toBeUndefined();
    const text = res.text;
    for (const leak of [
      'hunter2',
      'db.internal',
      'authSource',
      ORIGIN,
      config.jwt.accessSecret,
      config.jwt.refreshSecret,
      config.internalApiKey,
      config.dataEncryptionKey,
    ]) {
      expect(text).not.toContain(leak);
    }
  });

  test('when the database does not answer, then 200 with status unhealthy and a warning (as the original)', async () => {
    const down: Readiness = {
      beginShutdown: () => undefined,
      check: async () => ({ ready: false, checks: { database: 'down', shuttingDown: false } }),
    };
    const res = await request(buildApp({ config, readiness: down }))
      .get(STATUS)
      .set(w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'unhealthy', database: { pingSuccess: false, error: 'Database ping failed' } });
    expect(res.body.warnings).toContain('Database ping failed');
  });
});

describe('POST /diagnostics/test-registration', () => {
  test('when the body is empty, then both parts are reported missing [COMPAT]', async () => {
    const res = await request(app).post(TEST_REGISTRATION).send({});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      valid: false,
      errors: ['company data is required', 'user data is required'],
      receivedData: { company: [], user: [] },
    });
  });

  test('when parts lack fields, then each is named in order; the keys sent come back, never their values', async () => {
    const res = await request(app)
      .post(TEST_REGISTRATION)
      .send({ company: { name: 'Paws' }, user: { email: 'a@b.example', password: 'Secr3tPass', firstName: 'Mia' } });
    expect(res.body).toEqual({
      valid: false,
      errors: ['company.email is required', 'company.timezone is required', 'user.fullName or (firstName + lastName) is required'],
      receivedData: { company: ['name'], user: ['email', 'password', 'firstName'] },
    });
    expect(res.text).not.toContain('Secr3tPass');
  });

  test('when the body is complete, then valid is true', async () => {
    const res = await request(app)
      .post(TEST_REGISTRATION)
      .send({
        company: { name: 'Paws', email: 'office@paws.example', timezone: 'UTC' },
        user: { email: 'mia@paws.example', password: 'Str0ngPass', fullName: 'Mia' },
      });
    expect(res.body).toMatchObject({ valid: true, errors: [] });
  });
});

describe('in production', () => {
  const STRONG = {
    NODE_ENV: 'production',
    MONGODB_URI,
    JWT_ACCESS_SECRET: 'Zq8vN2kLp4Xw7Rt1Ym5Hc9Bd3Gf6Js0Ae',
    JWT_REFRESH_SECRET: 'Kp3Wn8Vx1Lq6Zr4Tb9Ym2Hc7Jd5Gf0Se',
    INTERNAL_SERVICE_API_KEY: 'Rt5Yw1Nq8Lz3Vp6Xk0Hb4Jc9Md2Gf7Sa',
    DATA_ENCRYPTION_KEY: config.dataEncryptionKey,
    BCRYPT_SALT_ROUNDS: '10',
  };

  test('when production is configured, then neither diagnostics route exists (404), not even for a manager', async () => {
    const production = testConfig(STRONG);
    const prodApp = buildApp({ config: production });
    const manager = bearer(accessTokenFor(production, w.home.users.manager.userId));
    expect((await request(prodApp).get(STATUS).set(manager)).status).toBe(404);
    expect((await request(prodApp).post(TEST_REGISTRATION).send({})).status).toBe(404);
    expect((await request(prodApp).get('/api/v1/settings/ai-agent').set(manager)).status).toBe(200);
  });
});
