/**
 * Hardening (HTTP): whatever a client sends to any route the app mounts (random JSON of every
 * shape, malformed bytes, encodings and URLs, repeated query parameters), anonymously or signed in,
 * the answer is never a 5xx, never shows the server's insides, and every 4xx is in a documented
 * envelope. The route table is read from buildApp(), so a new route is fuzzed without a change here.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request from 'supertest';
import { buildApp } from '../../app';
import { newObjectId } from '../factories/accounts';
import { testConfig } from '../helpers/config';
import { useTestDatabase } from '../helpers/database';
import { useRealtimeServer, type RealtimeServer } from '../socket/support';
import { pathParam } from './arbitraries';
import { deepJson, fuzzBody, jsonBody, queryString, shapeOf, type FuzzBody } from './requests';
import {
  answerProblem,
  budget,
  expectServing,
  fillParams,
  FUZZ_ENV,
  mountedRoutes,
  paramCount,
  send,
  sentText,
  signedInCompany,
  type Caller,
  type FuzzRequest,
  type MountedRoute,
} from './support';

useTestDatabase();

let server: RealtimeServer;
let company: Awaited<ReturnType<typeof signedInCompany>>;

useRealtimeServer((s) => (server = s), FUZZ_ENV);
beforeEach(async () => {
  company = await signedInCompany(server.config);
});

const ROUTES = mountedRoutes(buildApp({ config: testConfig(FUZZ_ENV) }));

/** The problems of the answers `req` gets from these callers of the route (none: all safe). */
async function unsafeAnswers(route: MountedRoute, req: FuzzRequest, callers = company.callers(route)): Promise<string[]> {
  const problems: string[] = [];
  for (const caller of callers) {
    const problem = answerProblem(await send(server.url, req, caller), sentText(req));
    if (problem) problems.push(`${caller.name}: ${problem}`);
  }
  return problems;
}

function randomRequest(route: MountedRoute): fc.Arbitrary<FuzzRequest> {
  const n = paramCount(route.path);
  const shape = shapeOf(route);
  return fc
    .record({
      params: fc.array(pathParam(company.planted), { minLength: n, maxLength: n }),
      query: queryString(company.planted, route.method === 'GET' ? shape : []),
      body: jsonBody(company.planted, route.method === 'GET' ? [] : shape),
    })
    .map(({ params, query, body }) => ({ label: 'random', method: route.method, url: fillParams(route.path, params) + query, body }));
}

const MALFORMED_BODIES: FuzzBody[] = [
  fuzzBody('truncated JSON', '{"email":'),
  fuzzBody('unquoted keys', '{email: 1}'),
  fuzzBody('a trailing comma', '[1,]'),
  fuzzBody('NaN', 'NaN'),
  fuzzBody('an empty JSON body', ''),
  fuzzBody('invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d])),
  fuzzBody('UTF-16 with a BOM', Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00])),
  fuzzBody('JSON as text/plain', '{"email":"a@b.c"}', 'text/plain'),
  fuzzBody('a broken multipart body', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1', 'multipart/form-data; boundary=x'),
  fuzzBody(
    'a hostile form',
    'a[b][c][d][e][f][g][h]=1&__proto__[role]=manager&constructor[prototype][role]=1&$where=1&a.b=1&company_id[]=x&company_id[]=y',
    'application/x-www-form-urlencoded',
  ),
  fuzzBody('2000 form fields', Array.from({ length: 2000 }, (_, i) => `f${i}=1`).join('&'), 'application/x-www-form-urlencoded'),
  fuzzBody('an unsupported charset', '{}', 'application/json; charset=utf-7'),
  fuzzBody('a broken content type', '{}', 'application/json; charset="'),
  // The extremes the random bodies reach only sometimes.
  fuzzBody('6000 levels of arrays', deepJson(6000, 'array')),
  fuzzBody('12000 levels of objects', deepJson(12_000, 'object')),
  fuzzBody('a 1 MB string of lone surrogates', `{"content":${JSON.stringify('\ud800'.repeat(175_000))}}`),
  fuzzBody('odd numbers and duplicate keys', '{"limit":1e309,"skip":-0,"limit":-1e309,"company_id":1e-400,"company_id":{"$ne":null}}'),
];

/** Bodies whose Content-Encoding lies about them (and one that inflates past the 10 MB limit). */
const ENCODED: { label: string; encoding: string; bytes: string | Buffer }[] = [
  { label: 'gzip garbage', encoding: 'gzip', bytes: 'garbage' },
  { label: 'deflate garbage', encoding: 'deflate', bytes: Buffer.from([1, 2, 3, 4]) },
  { label: 'brotli garbage', encoding: 'br', bytes: 'garbage' },
  { label: 'an unknown encoding', encoding: 'x-unknown', bytes: '{}' },
  { label: 'truncated gzip', encoding: 'gzip', bytes: gzipSync('{"a":1}').subarray(0, 12) },
  { label: 'gzipped malformed JSON', encoding: 'gzip', bytes: gzipSync('{"a":') },
  { label: 'a gzip bomb (11 MB of spaces)', encoding: 'gzip', bytes: gzipSync(Buffer.alloc(11 * 1024 * 1024, ' ')) },
];

const BAD_ESCAPES = ['%ZZ', '%', '%E0%A4%A', '%ED%A0%80', '%C0%AF', '%00'];

const BAD_QUERIES = [
  '?companyId=a&companyId=b',
  '?id=1&id=2&id=3',
  '?limit=1&limit=2&skip=-1&skip=x',
  '?contact_id[$ne]=x&contact_id[$ne]=y',
  '?%ZZ=1',
  '?a=%ZZ',
  '?a[b][c][d][e][f][g][h][i]=1',
  '?a[999999999]=1',
  `?${Array.from({ length: 1500 }, (_, i) => `k${i}=1`).join('&')}`,
];

/**
 * The malformed requests for a route, each with who sends it. Bodies and queries come from the
 * signed-in callers only: anonymous requests with them stop at the same parser or at the 401. A
 * path escape goes to everyone, since it is decoded after authentication.
 */
function malformedRequests(route: MountedRoute): { req: FuzzRequest; callers: Caller[] }[] {
  const { method, path } = route;
  const url = fillParams(
    path,
    Array.from({ length: paramCount(path) }, () => newObjectId()),
  );
  // A route without params gets the escape as an extra segment (which another route may match).
  const escaped = (e: string) => (paramCount(path) > 0 ? path.replace(/:\w+/g, () => e) : `${path}/${e}`);
  const everyone = company.callers(route);
  const signedIn = everyone.filter((c) => c.name !== 'anonymous');
  return [
    ...MALFORMED_BODIES.map((body) => ({ req: { label: body.label, method, url, body }, callers: signedIn })),
    ...ENCODED.map(({ label, encoding, bytes }) => ({
      req: { label, method, url, body: fuzzBody(label, bytes), headers: { 'Content-Encoding': encoding } },
      callers: signedIn,
    })),
    ...BAD_QUERIES.map((q) => ({ req: { label: `the query ${q.slice(0, 50)}`, method, url: url + q }, callers: signedIn })),
    ...BAD_ESCAPES.map((e) => ({ req: { label: `${e} in the path`, method, url: escaped(e) }, callers: everyone })),
  ];
}

test('when the route table is read from the app, then it holds every area, parameterised routes included', () => {
  const seen = ROUTES.map((r) => `${r.method} ${r.path}`);
  expect(seen).toEqual(
    expect.arrayContaining([
      'GET /ready',
      'POST /api/v1/auth/login',
      'PUT /api/v1/catalog/staff/:id',
      'GET /api/v1/locations/:id',
      'GET /api/v1/messages/:id',
      'POST /api/v1/conversations/list',
      'POST /api/v1/socket/emit-message-internal',
      'POST /api/v1/internal/messages',
    ]),
  );
  expect(ROUTES.length).toBeGreaterThanOrEqual(35);
});

describe.each(ROUTES)('$method $path', (route) => {
  test('when anyone sends random JSON bodies, params and queries, then no answer is a 5xx, leaks internals or leaves the envelopes', async () => {
    await fc.assert(
      fc.asyncProperty(randomRequest(route), async (req) => {
        const problems = await unsafeAnswers(route, req);
        if (problems.length > 0) throw new Error(problems.join('\n'));
      }),
      budget(8, 2000),
    );
  });

  test('when the body, its encoding, the path escapes or the query are malformed, then every answer is still a safe 4xx or success', async () => {
    const problems: string[] = [];
    for (const { req, callers } of malformedRequests(route)) {
      for (const p of await unsafeAnswers(route, req, callers)) problems.push(`${req.label} → ${p}`);
    }
    expect(problems).toEqual([]);
  });
});

test("when a guarded route is named another company in a repeated, array or object query parameter beside the caller's own, then it refuses as it refuses that id alone", async () => {
  const foreign = newObjectId();
  const own = company.companyId;
  const smuggled = [
    `companyId=${own}&companyId=${foreign}`,
    `companyId=${foreign}&companyId=${own}`,
    `company_id=${own}&company_id=${foreign}`,
    `companyId[]=${foreign}`,
    `companyId[x]=${foreign}`,
  ];
  let guarded = 0;
  const served: string[] = [];
  for (const route of ROUTES) {
    const [, manager] = company.callers(route);
    const url = fillParams(route.path, [newObjectId()]);
    const ask = (query: string) => send(server.url, { label: query, method: route.method, url: `${url}?${query}` }, manager!);
    if ((await ask(`companyId=${foreign}`)).status !== 403) continue;
    guarded++;
    for (const query of smuggled) {
      const res = await ask(query);
      if (res.status < 400) served.push(`${route.method} ${url}?${query} → ${res.status}`);
    }
  }
  expect(guarded).toBeGreaterThanOrEqual(20);
  expect(served).toEqual([]);
});

test('when the fuzzing is over, then /ready answers 200 and a fresh client still gets message:new', async () => {
  await expectServing(server, company);
  expect((await request(server.url).get('/health')).status).toBe(200);
});
