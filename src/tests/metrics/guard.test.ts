/**
 * Who may read /metrics: with METRICS_TOKEN set only a bearer of it (401 in the E1 envelope with a
 * stable code otherwise); in production only behind a token (404 without one); with METRICS_PORT
 * set never on the app's own port. And the configuration that production refuses.
 */
import request from 'supertest';
import { buildApp } from '../../app';
import { generateSecret, parseConfig, type Config } from '../../config/env';
import { problemsOf, testConfig } from '../helpers/config';
import { parseExposition, scrape } from './support';

const TOKEN = generateSecret();

function productionConfig(env: Record<string, string> = {}): Config {
  return parseConfig({
    NODE_ENV: 'production',
    MONGODB_URI: 'mongodb://127.0.0.1:1/petbuddy',
    JWT_ACCESS_SECRET: generateSecret(),
    JWT_REFRESH_SECRET: generateSecret(),
    INTERNAL_SERVICE_API_KEY: generateSecret(),
    DATA_ENCRYPTION_KEY: generateSecret(),
    LOG_LEVEL: 'error',
    ...env,
  });
}

describe('with METRICS_TOKEN set', () => {
  const app = buildApp({ config: testConfig({ METRICS_TOKEN: TOKEN }) });

  test('when no token is sent, then 401 METRICS_TOKEN_REQUIRED in the error envelope and no metrics', async () => {
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'METRICS_TOKEN_REQUIRED', message: expect.any(String) } });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.text).not.toContain('petbuddy_');
  });

  test('when a wrong token is sent, then 401 INVALID_METRICS_TOKEN', async () => {
    for (const header of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, 'Bearer nope', TOKEN, `Basic ${TOKEN}`]) {
      const res = await request(app).get('/metrics').set('Authorization', header);
      expect({ header, status: res.status }).toEqual({ header, status: 401 });
      expect(['INVALID_METRICS_TOKEN', 'METRICS_TOKEN_REQUIRED']).toContain(res.body.error.code);
    }
    const wrong = await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`);
    expect(wrong.body.error.code).toBe('INVALID_METRICS_TOKEN');
  });

  test('when the token is sent as a bearer token, then 200 with the metrics', async () => {
    const e = await scrape(app, { Authorization: `Bearer ${TOKEN}` });
    expect(e.families.has('petbuddy_http_request_duration_seconds')).toBe(true);
  });
});

describe('in production', () => {
  test('when no METRICS_TOKEN is set, then /metrics does not exist on the app port (404)', async () => {
    const res = await request(buildApp({ config: productionConfig() })).get('/metrics');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  test('when METRICS_TOKEN is set, then /metrics answers only to it', async () => {
    const app = buildApp({ config: productionConfig({ METRICS_TOKEN: TOKEN }) });
    expect((await request(app).get('/metrics')).status).toBe(401);
    const res = await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(parseExposition(res.text).families.size).toBeGreaterThan(0);
  });

  test('when METRICS_TOKEN is shorter than 32 characters or a placeholder, then the configuration is refused', () => {
    const base = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://db/petbuddy' };
    expect(problemsOf({ ...base, METRICS_TOKEN: 'short-token' })).toContain(
      'METRICS_TOKEN is too short: 11 characters, at least 32 required',
    );
    expect(
      problemsOf({ ...base, METRICS_TOKEN: 'change-me-change-me-change-me-change-me' }).some((p) => p.startsWith('METRICS_TOKEN')),
    ).toBe(true);
    expect(() => productionConfig({ METRICS_TOKEN: TOKEN })).not.toThrow();
  });

  test('when the metrics listener is bound beyond loopback without a token, then the configuration is refused', () => {
    const base = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://db/petbuddy', METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' };
    expect(problemsOf(base)).toContain(
      'METRICS_HOST=0.0.0.0 exposes /metrics beyond this machine: set METRICS_TOKEN too (or keep METRICS_HOST=127.0.0.1)',
    );
    expect(problemsOf({ ...base, METRICS_TOKEN: TOKEN }).some((p) => p.startsWith('METRICS'))).toBe(false);
    expect(() => productionConfig({ METRICS_PORT: '9464' })).not.toThrow();
  });
});

describe('with METRICS_PORT set', () => {
  test('when /metrics is asked on the app port, then 404 (only the internal listener serves it)', async () => {
    const app = buildApp({ config: testConfig({ METRICS_PORT: '9464' }) });
    expect((await request(app).get('/metrics')).status).toBe(404);
  });

  test('when METRICS_PORT equals PORT, then the configuration is refused; METRICS_HOST defaults to loopback', () => {
    expect(problemsOf({ NODE_ENV: 'test', PORT: '4000', METRICS_PORT: '4000' })).toEqual([
      'METRICS_PORT: must differ from PORT (the metrics listener is a second server)',
    ]);
    expect(testConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ token: undefined, port: 9464, host: '127.0.0.1' });
    expect(testConfig().metrics).toEqual({ token: undefined, port: undefined, host: '127.0.0.1' });
  });
});
