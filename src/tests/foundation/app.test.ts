/** The HTTP pipeline as a client sees it: health, envelopes, CORS, body limits, key sanitising, request ids. */
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../../app';
import { errorEnvelope } from '../../middleware/errorHandler';
import { AppError } from '../../utils/errors';
import { logger } from '../../utils/logger';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import { captureLogs } from '../helpers/logs';

useTestDatabase();

const ALLOWED = 'https://dashboard.example';

function app(): Express {
  return buildApp({
    config: testConfig({ CORS_ORIGINS: ALLOWED }),
    extend: (a) => {
      a.post('/__test/echo', (req, res) => {
        logger.info('echo handler ran');
        res.json({ body: req.body as unknown, query: req.query });
      });
      a.get('/__test/boom', () => {
        throw new Error('secret internal detail');
      });
      a.get('/__test/teapot', () => {
        throw new AppError(418, 'I_AM_A_TEAPOT', 'short and stout', { spout: true });
      });
      for (const family of ['E2', 'E3', 'E4'] as const) {
        a.get(`/__test/${family}`, errorEnvelope(family), () => {
          throw new AppError(422, 'SOMETHING_WRONG', 'it went wrong');
        });
      }
    },
  });
}

describe('health and readiness', () => {
  test('when /health is called, then it answers 200 with status, timestamp and uptime', async () => {
    const res = await request(app()).get('/health');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('OK');
    expect(new Date(res.body.timestamp).toString()).not.toBe('Invalid Date');
    expect(typeof res.body.uptime).toBe('number');
  });

  test('when the database answers, then /ready is 200', async () => {
    const res = await request(app()).get('/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', database: 'up', shuttingDown: false });
  });
});

describe('envelopes', () => {
  test('when a route does not exist, then 404 E1 names the method and path with its query', async () => {
    const res = await request(app()).get('/api/v1/nothing-here?x=1');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Route GET /api/v1/nothing-here?x=1 not found' } });
  });

  test('when a handler throws an unknown error, then the client gets a generic 500 without the detail', async () => {
    const logs = captureLogs();
    const res = await request(app()).get('/__test/boom');
    logs.stop();
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
    expect(JSON.stringify(res.body)).not.toContain('secret internal detail');
    expect(logs.lines.some((l) => l.level === 'error' && String(l.stack).includes('secret internal detail'))).toBe(true);
  });

  test('when a handler throws an AppError, then its status, code, message and details come back in E1', async () => {
    const res = await request(app()).get('/__test/teapot');
    expect(res.status).toBe(418);
    expect(res.body).toEqual({ error: { code: 'I_AM_A_TEAPOT', message: 'short and stout', spout: true } });
  });

  test('when a route uses another envelope family, then errors take that shape', async () => {
    const a = app();
    expect((await request(a).get('/__test/E2')).body).toEqual({ message: 'it went wrong' });
    expect((await request(a).get('/__test/E3')).body).toEqual({
      success: false,
      error: { code: 'SOMETHING_WRONG', message: 'it went wrong' },
    });
    expect((await request(a).get('/__test/E4')).body).toEqual({ success: false, error: 'it went wrong', code: 'SOMETHING_WRONG' });
  });

  test('when the JSON body is malformed, then 400 INVALID_JSON', async () => {
    const res = await request(app()).post('/__test/echo').set('Content-Type', 'application/json').send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_JSON');
  });

  test('when the body is over 10 MB, then 413 PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(10 * 1024 * 1024 + 10) });
    const res = await request(app()).post('/__test/echo').set('Content-Type', 'application/json').send(big);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  test('when the body is just under 10 MB, then it is accepted', async () => {
    const res = await request(app())
      .post('/__test/echo')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ text: 'y'.repeat(9 * 1024 * 1024) }));
    expect(res.status).toBe(200);
    expect(res.body.body.text).toHaveLength(9 * 1024 * 1024);
  });
});

describe('CORS', () => {
  test('when the Origin is on the allow-list, then it is reflected with credentials', async () => {
    const res = await request(app()).get('/health').set('Origin', ALLOWED);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  test('when a preflight comes from an allowed Origin, then 204 with the allowed methods and headers', async () => {
    const res = await request(app())
      .options('/api/v1/anything')
      .set('Origin', ALLOWED)
      .set('Access-Control-Request-Method', 'PATCH')
      .set('Access-Control-Request-Headers', 'Authorization, Content-Type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-methods']).toContain('PATCH');
    expect(res.headers['access-control-allow-headers']).toContain('Authorization');
  });

  test('when the Origin is not allowed, then 403 CORS_NOT_ALLOWED without CORS headers (not a 500)', async () => {
    const res = await request(app()).get('/health').set('Origin', 'https://evil.example');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('CORS_NOT_ALLOWED');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('when there is no Origin header (server-to-server), then the request is allowed', async () => {
    expect((await request(app()).get('/health')).status).toBe(200);
  });
});

describe('security headers', () => {
  test('when any response is sent, then helmet headers are set and X-Powered-By is not', async () => {
    const res = await request(app()).get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('key sanitising', () => {
  test('when body and query keys start with $ or contain dots, then they arrive with _ and a warning is logged', async () => {
    const logs = captureLogs();
    const res = await request(app())
      .post('/__test/echo?$where=1&a.b=2')
      .send({ email: { $gt: '' }, 'bot.active': true, nested: { 'x.y': { $ne: 1 } }, plain: '$value.kept' });
    logs.stop();
    expect(res.status).toBe(200);
    expect(res.body.body).toEqual({ email: { _gt: '' }, bot_active: true, nested: { x_y: { _ne: 1 } }, plain: '$value.kept' });
    expect(res.body.query).toEqual({ _where: '1', a_b: '2' });
    expect(logs.lines.some((l) => l.level === 'warn' && String(l.message).startsWith('Potential NoSQL injection attempt'))).toBe(true);
  });
});

describe('request ids', () => {
  test('when the client sends X-Request-Id, then it is returned and carried into every log line of the request', async () => {
    const logs = captureLogs();
    const res = await request(app()).post('/__test/echo').set('X-Request-Id', 'abc-123.trace').send({});
    logs.stop();
    expect(res.headers['x-request-id']).toBe('abc-123.trace');
    const mine = logs.lines.filter((l) => l.requestId === 'abc-123.trace');
    expect(mine.some((l) => l.message === 'echo handler ran')).toBe(true);
    expect(mine.some((l) => String(l.message).includes('POST /__test/echo'))).toBe(true);
  });

  test('when the client sends none (or a malformed one), then a fresh UUID is made and returned', async () => {
    const a = app();
    const none = await request(a).get('/health');
    const bad = await request(a).get('/health').set('X-Request-Id', 'bad id with spaces');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(bad.headers['x-request-id']).not.toBe(none.headers['x-request-id']);
  });
});

describe('log redaction', () => {
  test('when a log line carries tokens, passwords, cookies or API keys, then they are not written', () => {
    const logs = captureLogs();
    logger.info('login with Bearer eyJhbGciOiJIUzI1NiJ9.eyJ1c2VySWQiOiIxIn0.abcdefghij', {
      password: 'hunter2hunter2',
      headers: { authorization: 'Bearer xyz', cookie: 'refreshToken=abc', 'x-api-key': 'k'.repeat(40) },
      url: '/cb?code=oauthcode123&state=s',
    });
    logs.stop();
    const text = JSON.stringify(logs.lines);
    for (const secret of ['hunter2hunter2', 'Bearer xyz', 'refreshToken=abc', 'k'.repeat(40), 'oauthcode123', 'eyJ1c2VySWQiOiIxIn0']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[REDACTED]');
  });
});
