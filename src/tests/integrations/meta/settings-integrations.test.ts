/**
 * /settings/integrations, /settings/meta and /meta as the dashboard reads them: the [COMPAT] keys
 * (`facebookChatId`, `instagramChatId`, `openaiApiKey` truthy), no secret in any answer (S8: booleans
 * or `***` + last four), secrets saved encrypted, '' removing one key, and ids another company holds refused.
 */
import request from 'supertest';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { encryptSecret } from '../../../utils/secrets';
import { connectThroughUi, plain, storedIntegration, stringsOf, useMetaWorld } from './support';

const m = useMetaWorld();
const INTEGRATIONS = '/api/v1/settings/integrations';

const save = (body: object, auth = m.w.as.manager) => request(m.app).post(INTEGRATIONS).set(auth).send(body);

/** No stored secret (encrypted or plain) nor any token Graph issued is in the answer. */
async function expectNoSecretIn(text: string) {
  const doc = (await storedIntegration(m.w.home.companyId)) ?? {};
  const secrets = [...m.graph.tokens(), ...stringsOf(doc).filter((s) => s.startsWith('enc:v1:') || s.length > 30)];
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('GET /settings/integrations', () => {
  test('when nothing is connected, then {integration: null}', async () => {
    const res = await request(m.app).get(INTEGRATIONS).set(m.w.as.manager);
    expect(res.body).toEqual({ integration: null });
  });

  test('when a page is connected, then ids are shown and every secret is a boolean', async () => {
    const { page } = await connectThroughUi(m);
    await CompanyIntegration.updateOne(
      { companyId: m.w.home.companyId },
      { $set: { instagramChatId: '17841400000011', geminiApiKey: 'AIza-plain-from-the-bot', facebookAdminToken: 'short' } },
    );
    const res = await request(m.app).get(INTEGRATIONS).set(m.w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body.integration).toMatchObject({
      facebookChatId: page,
      instagramChatId: '17841400000011',
      facebookAccessToken: true,
      facebookAppAccessToken: true,
      facebookUserAccessToken: true,
      geminiApiKey: true,
      facebookAdminToken: true,
      openaiApiKey: false,
      facebookTokenSource: 'user_long_lived',
      facebookTokenScopes: ['pages_messaging', 'pages_manage_metadata'],
    });
    expect(res.text).not.toContain('AIza-plain-from-the-bot');
    await expectNoSecretIn(res.text);
  });
});

describe('POST /settings/integrations', () => {
  test('when the UI saves {instagramChatId} after a page connect, then it is stored and returned', async () => {
    await connectThroughUi(m);
    const res = await save({ instagramChatId: '17841400000022' });
    expect(res.status).toBe(200);
    expect(res.body.integration).toMatchObject({ instagramChatId: '17841400000022', facebookAccessToken: true });
    await expectNoSecretIn(res.text);
  });

  test('when the UI saves {openaiApiKey}, then it is stored encrypted and answered as true', async () => {
    const res = await save({ openaiApiKey: 'sk-proj-abcdef1234567890' });
    expect(res.body.integration).toMatchObject({ openaiApiKey: true });
    expect(res.text).not.toContain('sk-proj');
    expect(plain(m.config, (await storedIntegration(m.w.home.companyId))!.openaiApiKey)).toBe('sk-proj-abcdef1234567890');
  });

  test('when a page token is saved directly, then it is stored encrypted (the outbox can read it)', async () => {
    await save({ facebookChatId: '1234567', facebookAccessToken: 'EAAGdirect-page-token-123' });
    const doc = (await storedIntegration(m.w.home.companyId))!;
    expect(doc.facebookChatId).toBe('1234567');
    expect(plain(m.config, doc.facebookAccessToken)).toBe('EAAGdirect-page-token-123');
  });

  test('when only the OpenAI key is sent empty, then only it is removed', async () => {
    await connectThroughUi(m);
    await save({ openaiApiKey: 'sk-proj-abcdef1234567890' });
    const res = await save({ openaiApiKey: '' });
    expect(res.body.integration).toMatchObject({ openaiApiKey: false, facebookAccessToken: true });
  });

  test('when {} is sent, then nothing changes', async () => {
    await connectThroughUi(m);
    const before = await storedIntegration(m.w.home.companyId);
    const res = await save({});
    expect(res.status).toBe(200);
    expect(await storedIntegration(m.w.home.companyId)).toEqual(before);
  });

  test('when another company already uses the Instagram account, then 409 and nothing is written', async () => {
    await CompanyIntegration.create({ companyId: m.w.other.companyId, instagramChatId: '17841400000033' });
    const res = await save({ instagramChatId: '17841400000033', openaiApiKey: 'sk-proj-abcdef1234567890' });
    expect([res.status, res.body.error.code]).toEqual([409, 'PAGE_CONNECTED_ELSEWHERE']);
    expect(await storedIntegration(m.w.home.companyId)).toBeNull();
  });

  test.each([
    ['an id that is not digits', { facebookChatId: 'page-1' }],
    ['an unknown key', { geminiApiKey: 'x' }],
    ['a key with spaces', { openaiApiKey: 'sk not a key' }],
    ['an OpenAI key over 100 characters', { openaiApiKey: 'k'.repeat(101) }],
  ])('when the body has %s, then 400 VALIDATION_ERROR', async (_what, body) => {
    const res = await save(body);
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(res.text).not.toContain('sk not a key');
  });

  test('when a receptionist saves, then 403 and nothing is stored', async () => {
    const res = await save({ openaiApiKey: 'sk-proj-abcdef1234567890' }, m.w.as.receptionist);
    expect(res.status).toBe(403);
    expect(await storedIntegration(m.w.home.companyId)).toBeNull();
  });
});

describe('GET /settings/meta and GET /meta', () => {
  test('when a page is connected, then the tokens show as *** + last four and the health is reported', async () => {
    m.graph.setPageTokenLifetime(30 * 86_400);
    const { page } = await connectThroughUi(m);
    const pageToken = plain(m.config, (await storedIntegration(m.w.home.companyId))!.facebookAccessToken);
    const res = await request(m.app).get('/api/v1/settings/meta').set(m.w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body.meta.facebook).toMatchObject({
      connected: true,
      pageId: page,
      accessToken: `***${pageToken.slice(-4)}`,
      appAccessToken: expect.stringMatching(/^\*\*\*.{4}$/),
      tokenSource: 'user_long_lived',
      tokenHealth: { status: 'healthy', daysUntilExpiry: expect.any(Number) },
    });
    expect([29, 30]).toContain(res.body.meta.facebook.tokenHealth.daysUntilExpiry);
    expect(res.body.meta.instagram).toEqual({ connected: false, pageId: '', accessToken: '' });
    await expectNoSecretIn(res.text);
  });

  test('when nothing is connected, then not_connected', async () => {
    const res = await request(m.app).get('/api/v1/settings/meta').set(m.w.as.manager);
    expect(res.body.meta.facebook).toMatchObject({ connected: false, accessToken: '', tokenHealth: { status: 'not_connected' } });
    const t1 = await request(m.app).get('/api/v1/meta').set(m.w.as.manager);
    expect(t1.body).toEqual({ success: true, data: { facebook: { connected: false }, instagram: { connected: false } } });
  });

  test('when T1 is read for a connected page, then its id, name and source, and no token', async () => {
    const { page } = await connectThroughUi(m);
    await save({ instagramChatId: '17841400000044' });
    const res = await request(m.app).get('/api/v1/meta').set(m.w.as.manager);
    expect(res.body).toEqual({
      success: true,
      data: {
        facebook: { connected: true, pageId: page, pageName: 'Happy Paws', tokenSource: 'user_long_lived', tokenExpiresAt: null },
        instagram: { connected: true, accountId: '17841400000044' },
      },
    });
  });

  test('when the deprecated /settings/meta/connect links Instagram, then the contract’s meta shape', async () => {
    const res = await request(m.app)
      .post('/api/v1/settings/meta/connect')
      .set(m.w.as.manager)
      .send({ platform: 'instagram', pageId: '17841400000055', accessToken: 'unused-token' });
    expect(res.body).toEqual({
      meta: { facebook: { connected: false, pageId: '' }, instagram: { connected: true, pageId: '17841400000055' } },
      message: 'Instagram integration updated successfully',
    });
  });

  test('when a stored token cannot be decrypted, then its mask hides every character', async () => {
    await CompanyIntegration.create({
      companyId: m.w.home.companyId,
      facebookChatId: '777',
      facebookAccessToken: encryptSecret('EAAG-another-key-token', 'some other key entirely, not ours!!'),
    });
    const res = await request(m.app).get('/api/v1/settings/meta').set(m.w.as.manager);
    expect(res.body.meta.facebook.accessToken).toBe('***');
  });
});
