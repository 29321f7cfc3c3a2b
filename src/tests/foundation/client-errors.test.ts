/**
 * What a client sends that cannot be read is a 4xx with a stable code, on every route including
 * the public ones, logged once at warn without a stack: deep or key-heavy JSON, a corrupt
 * compressed body, malformed percent-encoding in the path.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Express } from 'express';
import request from 'supertest';
import { buildApp } from '../../app';
import { checkJsonShape } from '../../middleware/bodyParsers';
import { companyWithStaff } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import { captureLogs, type CapturedLogs } from '../helpers/logs';

useTestDatabase();

let logs: CapturedLogs;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

function app(env: Record<string, string> = {}): Express {
  return buildApp({
    config: testConfig({ AUTH_RATE_LIMIT_MAX: '1000', ...env }),
    extend: (a) => a.post('/__test/echo', (req, res) => res.json({ body: req.body as unknown })),
  });
}

/** POSTs raw bytes as they are (supertest would serialise a Buffer sent as JSON). */
async function postRaw(a: Express, path: string, headers: Record<string, string>, body: Buffer) {
  const server = createServer(a).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { error?: { code: string }; body?: unknown } };
  } finally {
    server.close();
  }
}

const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const deepArray = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const errorLines = () => logs.lines.filter((l) => l.level === 'error');
const stackLines = () => logs.lines.filter((l) => l.stack !== undefined);

describe('deeply nested JSON', () => {
  test.each([
    ['POST /api/v1/auth/login', '/api/v1/auth/login'],
    ['POST /api/v1/auth/register-manager', '/api/v1/auth/register-manager'],
    ['POST /api/v1/messages (no token)', '/api/v1/messages'],
    ['POST /api/v1/internal/messages (no key)', '/api/v1/internal/messages'],
  ])('when %s gets JSON 5,000 levels deep, then 400 BODY_TOO_DEEP, logged once at warn without a stack', async (_name, path) => {
    const res = await request(app()).post(path).set('Content-Type', 'application/json').send(deep(5000));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BODY_TOO_DEEP');
    expect(errorLines()).toEqual([]);
    expect(stackLines()).toEqual([]);
    expect(logs.lines.filter((l) => l.message === 'request rejected' && l.level === 'warn')).toHaveLength(1);
  });

  test('when arrays are nested 100,000 deep, then 400 BODY_TOO_DEEP', async () => {
    const res = await request(app()).post('/__test/echo').set('Content-Type', 'application/json').send(deepArray(100_000));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BODY_TOO_DEEP');
  });

  test('when JSON is exactly as deep as BODY_MAX_DEPTH, then it is accepted; one level more is refused', async () => {
    const a = app({ BODY_MAX_DEPTH: '10' });
    const ok = await request(a).post('/__test/echo').set('Content-Type', 'application/json').send(deep(10));
    expect(ok.status).toBe(200);
    const refused = await request(a).post('/__test/echo').set('Content-Type', 'application/json').send(deep(11));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('BODY_TOO_DEEP');
  });

  test('when brackets and quotes are inside strings, then they do not count as nesting', async () => {
    const body = JSON.stringify({ text: `${'{['.repeat(5000)} "quoted \\" ${'}'.repeat(10)}`, k: 'a:b:c' });
    const res = await request(app({ BODY_MAX_DEPTH: '3', BODY_MAX_KEYS: '2' }))
      .post('/__test/echo')
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(200);
    expect(res.body.body).toEqual(JSON.parse(body));
  });

  test('when a form body nests deeper than the bound, then 400 BODY_TOO_DEEP', async () => {
    const key = `a${'[b]'.repeat(40)}`;
    const res = await request(app({ BODY_MAX_DEPTH: '20' }))
      .post('/__test/echo')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`${key}=1`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BODY_TOO_DEEP');
  });
});

describe('too many keys', () => {
  test('when a JSON body has more keys than BODY_MAX_KEYS, then 400 TOO_MANY_KEYS', async () => {
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])));
    const res = await request(app({ BODY_MAX_KEYS: '100' }))
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('TOO_MANY_KEYS');
  });

  test('when a JSON body has many keys spread over many objects, then they are counted together', async () => {
    const body = JSON.stringify(Array.from({ length: 60 }, (_, i) => ({ a: i, b: i })));
    const res = await request(app({ BODY_MAX_KEYS: '100' }))
      .post('/__test/echo')
      .set('Content-Type', 'application/json')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('TOO_MANY_KEYS');
  });
});

describe('compressed bodies', () => {
  const GZIP_JSON = { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' };

  test('when Content-Encoding is gzip and the body is garbage, then 400 INVALID_BODY_ENCODING', async () => {
    const res = await request(app())
      .post('/api/v1/auth/login')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('garbage');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_BODY_ENCODING');
    expect(errorLines()).toEqual([]);
  });

  test('when a gzip body is valid, then it is read', async () => {
    const res = await postRaw(app(), '/__test/echo', GZIP_JSON, gzipSync(JSON.stringify({ hello: 'world' })));
    expect(res.status).toBe(200);
    expect(res.body.body).toEqual({ hello: 'world' });
  });

  test('when a valid gzip body inflates to JSON that is too deep, then 400 BODY_TOO_DEEP', async () => {
    const res = await postRaw(app(), '/__test/echo', GZIP_JSON, gzipSync(deep(5000)));
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('BODY_TOO_DEEP');
  });

  test('when the Content-Encoding is unknown, then 415 UNSUPPORTED_CONTENT_ENCODING', async () => {
    const res = await request(app())
      .post('/__test/echo')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'zstd-x')
      .send('{}');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_CONTENT_ENCODING');
  });
});

describe('malformed paths', () => {
  test.each(['/api/v1/locations/%ZZ', '/api/v1/locations/%E0%A4%A'])(
    'when a signed-in manager GETs %s, then 400 INVALID_PATH',
    async (path) => {
      const config = testConfig();
      const co = await companyWithStaff(config);
      const res = await request(buildApp({ config })).get(path).set('Authorization', `Bearer ${co.users.manager.token}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_PATH');
      expect(errorLines()).toEqual([]);
    },
  );

  test('when a route parameter is not valid percent-encoding, then 400 INVALID_PATH with no internal text', async () => {
    const a = buildApp({
      config: testConfig(),
      extend: (x) => x.get('/__test/item/:id', (req, res) => res.json({ id: req.params.id })),
    });
    const res = await request(a).get('/__test/item/%ZZ');
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'INVALID_PATH', message: 'Malformed percent-encoding in the URL path' });
    expect(errorLines()).toEqual([]);
  });
});

describe('the shape check itself', () => {
  test('when the text is malformed JSON, then the check leaves it to the parser', () => {
    expect(() => checkJsonShape(Buffer.from('{"a": [1, 2'), { maxDepth: 5, maxKeys: 5 })).not.toThrow();
  });

  test('when the body is UTF-16, then it is checked after decoding', async () => {
    const utf16 = { 'Content-Type': 'application/json; charset=utf-16le' };
    const ok = await postRaw(app({ BODY_MAX_DEPTH: '5' }), '/__test/echo', utf16, Buffer.from(deep(5), 'utf16le'));
    expect(ok.status).toBe(200);
    const res = await postRaw(app({ BODY_MAX_DEPTH: '5' }), '/__test/echo', utf16, Buffer.from(deep(6), 'utf16le'));
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('BODY_TOO_DEEP');
  });
});
