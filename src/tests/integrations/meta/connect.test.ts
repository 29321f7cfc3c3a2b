/**
 * Connecting a Facebook page against a fake Graph: the token exchange, the page token, the app
 * subscription, expiry and scopes stored encrypted with one partial write; every Graph failure a
 * clear 400/502 (never 401, B-12) without Graph's text (S20), and nothing written.
 */
import request from 'supertest';
import { buildApp } from '../../../app';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { encryptSecret } from '../../../utils/secrets';
import { testConfig } from '../../helpers/config';
import { GRAPH_TEXT, LONG_LIVED_SECS, type GraphFault } from '../../helpers/fakeGraph';
import { connectThroughUi, pageId, plain, storedIntegration, useMetaWorld } from './support';

const m = useMetaWorld();
const PAGE_CONNECT = '/api/v1/settings/meta/page/connect';

const connect = (body: object, auth = m.w.as.manager) => request(m.app).post(PAGE_CONNECT).set(auth).send(body);

describe('POST /settings/meta/page/connect', () => {
  test('when the UI connects with a user token, then the page is subscribed and its tokens are stored encrypted', async () => {
    const { page, userToken, res } = await connectThroughUi(m);
    expect(res.body).toEqual({
      success: true,
      message: 'Facebook page connected successfully',
      data: { pageId: page, pageName: 'Happy Paws', pageCategory: 'Pet Groomer' },
    });
    expect(m.graph.subscribed.has(page)).toBe(true);
    // The short-lived user token was exchanged for a long-lived one, once.
    const exchanges = m.graph.calls(/^GET \/oauth\/access_token$/).filter((r) => r.query.grant_type === 'fb_exchange_token');
    expect(exchanges.map((r) => r.query.fb_exchange_token)).toEqual([userToken]);
    const doc = (await storedIntegration(m.w.home.companyId))!;
    expect(doc).toMatchObject({ facebookChatId: page, facebookTokenSource: 'user_long_lived', facebookPageName: 'Happy Paws' });
    expect(plain(m.config, doc.facebookAccessToken)).toMatch(/^PAGETOKEN-/);
    expect(plain(m.config, doc.facebookUserAccessToken)).toMatch(/^USERTOKEN-long-/);
    expect(plain(m.config, doc.facebookAppAccessToken)).toMatch(/^APPTOKEN-/);
    expect(doc.facebookTokenScopes).toEqual(['pages_messaging', 'pages_manage_metadata']);
    expect(doc.facebookTokenExpiresAt).toBeNull();
    const userExpiry = (doc.facebookUserTokenExpiresAt as Date).getTime();
    expect(Math.abs(userExpiry - (Date.now() + LONG_LIVED_SECS * 1000))).toBeLessThan(60_000);
    // Tokens travel in the Authorization header, not the URL (S-14).
    for (const r of m.graph.calls(/^(GET|POST) \/\d+/)) expect(Object.keys(r.query)).not.toContain('access_token');
  });

  test('when the page token expires, then its expiry is stored', async () => {
    m.graph.setPageTokenLifetime(3 * 86_400);
    await connectThroughUi(m);
    const doc = (await storedIntegration(m.w.home.companyId))!;
    expect((doc.facebookTokenExpiresAt as Date).getTime()).toBeGreaterThan(Date.now() + 2 * 86_400_000);
  });

  test('when a system user token is given, then it is used and no user token is kept', async () => {
    const page = pageId();
    m.graph.addPage(page);
    const res = await connect({ pageId: page, systemUserAccessToken: m.graph.addUser([page]) });
    expect(res.status).toBe(200);
    const doc = (await storedIntegration(m.w.home.companyId))!;
    expect(doc.facebookTokenSource).toBe('system_user');
    expect(doc.facebookUserAccessToken).toBeUndefined();
    expect(m.graph.calls(/oauth\/access_token/).filter((r) => r.query.grant_type === 'fb_exchange_token')).toHaveLength(0);
  });

  test('when only a page token is given, then it is stored as page_direct after Graph accepted it', async () => {
    const page = pageId();
    m.graph.addPage(page);
    const user = m.graph.addUser([page]);
    expect((await connect({ pageId: page, systemUserAccessToken: user })).status).toBe(200);
    const pageToken = plain(m.config, (await storedIntegration(m.w.home.companyId))!.facebookAccessToken);
    await CompanyIntegration.deleteOne({ companyId: m.w.home.companyId });
    const res = await connect({ pageId: page, pageAccessToken: pageToken });
    expect(res.status).toBe(200);
    expect(await storedIntegration(m.w.home.companyId)).toMatchObject({ facebookChatId: page, facebookTokenSource: 'page_direct' });
  });

  test('when no token is given, then 400 MISSING_FIELDS', async () => {
    const res = await connect({ pageId: pageId() });
    expect([res.status, res.body.error.code]).toEqual([400, 'MISSING_FIELDS']);
  });

  test.each([
    ['a page id that is not digits', { pageId: '../oauth/access_token', userAccessToken: 'x' }],
    ['a token with spaces', { pageId: '123', userAccessToken: 'not a token' }],
    ['an unknown field', { pageId: '123', userAccessToken: 'abc', companyName: 'x' }],
  ])('when the body has %s, then 400 VALIDATION_ERROR and Graph is not called', async (_what, body) => {
    const res = await connect(body);
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(m.graph.requests).toHaveLength(0);
  });

  test('when the page id is unknown to Graph, then 400 META_PAGE_NOT_FOUND and nothing is stored', async () => {
    const res = await connect({ pageId: pageId(), userAccessToken: m.graph.addUser([]) });
    expect([res.status, res.body.error.code]).toEqual([400, 'META_PAGE_NOT_FOUND']);
    expect(res.body.error.details).toEqual(expect.any(String));
    expect(res.text).not.toContain(GRAPH_TEXT);
    expect(await storedIntegration(m.w.home.companyId)).toBeNull();
  });

  test('when the user does not manage the page, then 400 META_PAGE_NOT_MANAGED and nothing is subscribed', async () => {
    const page = pageId();
    m.graph.addPage(page);
    const res = await connect({ pageId: page, userAccessToken: m.graph.addUser([]) });
    expect([res.status, res.body.error.code]).toEqual([400, 'META_PAGE_NOT_MANAGED']);
    expect(m.graph.subscribed.has(page)).toBe(false);
    expect(await storedIntegration(m.w.home.companyId)).toBeNull();
  });

  test.each<[GraphFault, number, string]>([
    ['invalidToken', 400, 'META_TOKEN_INVALID'],
    ['unauthorized', 400, 'META_TOKEN_INVALID'],
    ['badRequest', 400, 'META_REQUEST_REJECTED'],
    ['rateLimited', 502, 'META_RATE_LIMITED'],
    ['serverError', 502, 'META_UNAVAILABLE'],
    ['hang', 502, 'META_TIMEOUT'],
  ])('when Graph answers the exchange with %s, then %i %s, no Graph text, nothing written', async (fault, status, code) => {
    m.graph.fail(/^GET \/oauth\/access_token$/, fault);
    const page = pageId();
    m.graph.addPage(page);
    const userToken = m.graph.addUser([page]);
    const res = await connect({ pageId: page, userAccessToken: userToken });
    expect([res.status, res.body.error.code]).toEqual([status, code]);
    expect(res.status).not.toBe(401);
    expect(res.text).not.toContain(GRAPH_TEXT);
    expect(res.text).not.toContain(userToken);
    expect(await storedIntegration(m.w.home.companyId)).toBeNull();
  });

  test('when the subscription fails, then the page is not stored as connected', async () => {
    await CompanyIntegration.create({
      companyId: m.w.home.companyId,
      openaiApiKey: encryptSecret('sk-test-key-1234567890', m.config.dataEncryptionKey),
    });
    m.graph.fail(/^POST \/\d+\/subscribed_apps$/, 'serverError');
    const page = pageId();
    m.graph.addPage(page);
    const res = await connect({ pageId: page, userAccessToken: m.graph.addUser([page]) });
    expect([res.status, res.body.error.code]).toEqual([502, 'META_UNAVAILABLE']);
    const doc = (await storedIntegration(m.w.home.companyId))!;
    expect(doc.facebookChatId).toBeUndefined();
    expect(doc.facebookAccessToken).toBeUndefined();
    expect(doc.openaiApiKey).toEqual(expect.any(String));
  });

  test('when debug_token fails, then the page is still connected with an unknown expiry', async () => {
    m.graph.fail(/^GET \/debug_token$/, 'serverError');
    await connectThroughUi(m);
    const doc = (await storedIntegration(m.w.home.companyId))!;
    expect(doc.facebookTokenExpiresAt).toBeNull();
    expect(doc.facebookTokenScopes).toEqual([]);
  });

  test('when reconnecting, then the OpenAI key and the Meta Bot’s own fields survive (partial update)', async () => {
    await CompanyIntegration.collection.insertOne({
      companyId: m.w.home.companyId,
      openaiApiKey: encryptSecret('sk-test-key-1234567890', m.config.dataEncryptionKey),
      facebookAdminChatId: '555',
      aiProvider: 'gemini',
    });
    await connectThroughUi(m);
    expect(await storedIntegration(m.w.home.companyId)).toMatchObject({
      facebookAdminChatId: '555',
      aiProvider: 'gemini',
      openaiApiKey: expect.any(String),
    });
  });

  test('when another company has the page connected, then 409 and Graph is not called', async () => {
    const { page } = await connectThroughUi(m);
    m.graph.reset();
    const res = await connect({ pageId: page, userAccessToken: m.graph.addUser([page]) }, m.w.otherManager);
    expect([res.status, res.body.error.code]).toEqual([409, 'PAGE_CONNECTED_ELSEWHERE']);
    expect(m.graph.requests).toHaveLength(0);
  });

  test('when a receptionist tries, then 403', async () => {
    const res = await connect({ pageId: pageId(), userAccessToken: 'abc' }, m.w.as.receptionist);
    expect(res.status).toBe(403);
  });
});

describe('POST /meta/facebook/connect (T2)', () => {
  const T2 = '/api/v1/meta/facebook/connect';

  test('when the page has no Instagram account (null, B-13), then 200 and instagramConnected false', async () => {
    const page = pageId();
    m.graph.addPage(page);
    const res = await request(m.app)
      .post(T2)
      .set(m.w.as.manager)
      .send({ pageId: page, userAccessToken: m.graph.addUser([page]), instagramChatId: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      message: 'Facebook page connected successfully',
      data: { pageId: page, pageName: `Page ${page}`, instagramConnected: false },
    });
  });

  test('when an Instagram id is given, then it is stored with the page in the same write', async () => {
    const page = pageId();
    m.graph.addPage(page);
    const res = await request(m.app)
      .post(T2)
      .set(m.w.as.manager)
      .send({ pageId: page, userAccessToken: m.graph.addUser([page]), instagramChatId: '17841400000001' });
    expect(res.body.data.instagramConnected).toBe(true);
    expect(await storedIntegration(m.w.home.companyId)).toMatchObject({ facebookChatId: page, instagramChatId: '17841400000001' });
  });

  test('when Graph refuses the token, then the /meta envelope {success:false, error:{code,message}} and 400', async () => {
    m.graph.fail(/oauth/, 'unauthorized');
    const res = await request(m.app).post(T2).set(m.w.as.manager).send({ pageId: pageId(), userAccessToken: 'EAAexpired' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: { code: 'META_TOKEN_INVALID', message: expect.any(String) } });
  });
});

describe('when FACEBOOK_APP_ID / FACEBOOK_APP_SECRET are not set', () => {
  test('then connecting answers 503 META_NOT_CONFIGURED without calling Graph', async () => {
    const sameSecrets = {
      JWT_ACCESS_SECRET: m.config.jwt.accessSecret,
      JWT_REFRESH_SECRET: m.config.jwt.refreshSecret,
      DATA_ENCRYPTION_KEY: m.config.dataEncryptionKey,
    };
    const app = buildApp({ config: testConfig({ ...sameSecrets, FACEBOOK_GRAPH_URL: m.graph.url }) });
    const res = await request(app).post(PAGE_CONNECT).set(m.w.as.manager).send({ pageId: pageId(), userAccessToken: 'abc' });
    expect([res.status, res.body.error.code]).toEqual([503, 'META_NOT_CONFIGURED']);
    expect(m.graph.requests).toHaveLength(0);
  });
});
