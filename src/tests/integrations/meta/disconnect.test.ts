/**
 * Disconnecting Meta: the app is unsubscribed from the page at Graph (best effort), every Meta
 * field goes, the Instagram id too, and the OpenAI key, Google and Meta Bot fields stay (B13, B-22).
 */
import request from 'supertest';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { encryptSecret } from '../../../utils/secrets';
import { META_FIELDS } from '../../../services/integrations/meta.service';
import { connectThroughUi, storedIntegration, useMetaWorld } from './support';

const m = useMetaWorld();

const OPENAI = 'sk-proj-disconnect-test-1234567890';

/** A connected page with an Instagram account, an OpenAI key, Google tokens and a Meta Bot field. */
async function fullyConnected() {
  const { page } = await connectThroughUi(m);
  await CompanyIntegration.updateOne(
    { companyId: m.w.home.companyId },
    {
      $set: {
        instagramChatId: '17841400000077',
        openaiApiKey: encryptSecret(OPENAI, m.config.dataEncryptionKey),
        googleRefreshToken: encryptSecret('1//google-refresh', m.config.dataEncryptionKey),
        googleCalendarId: 'primary',
        facebookAdminChatId: '999',
        facebookTokenRefreshError: 'RATE_LIMITED',
      },
    },
  );
  return page;
}

function expectMetaGoneAndRestKept(doc: Record<string, unknown> | null) {
  expect(doc).not.toBeNull();
  for (const field of META_FIELDS) expect(doc![field]).toBeUndefined();
  expect(doc).toMatchObject({
    openaiApiKey: expect.stringMatching(/^enc:v1:/),
    googleRefreshToken: expect.any(String),
    googleCalendarId: 'primary',
    facebookAdminChatId: '999',
  });
}

test('when the UI disconnects through /settings/meta/disconnect, then the app is unsubscribed and only Meta is cleared', async () => {
  const page = await fullyConnected();
  expect(m.graph.subscribed.has(page)).toBe(true);
  const res = await request(m.app).post('/api/v1/settings/meta/disconnect').set(m.w.as.manager).send({ platform: 'facebook' });
  expect(res.status).toBe(200);
  expect(res.body).toEqual({ success: true, message: 'Facebook disconnected successfully' });
  expect(m.graph.subscribed.has(page)).toBe(false);
  expectMetaGoneAndRestKept(await storedIntegration(m.w.home.companyId));
});

test('when the UI sends its "Disconnect Meta" body to /settings/integrations, then the OpenAI key survives (B13)', async () => {
  const page = await fullyConnected();
  const res = await request(m.app)
    .post('/api/v1/settings/integrations')
    .set(m.w.as.manager)
    .send({ facebookChatId: '', facebookAccessToken: '', instagramChatId: '' });
  expect(res.status).toBe(200);
  expect(res.body.integration).toMatchObject({ openaiApiKey: true });
  expect(res.body.integration.facebookChatId).toBeUndefined();
  expect(res.body.integration.instagramChatId).toBeUndefined();
  expect(m.graph.subscribed.has(page)).toBe(false);
  expectMetaGoneAndRestKept(await storedIntegration(m.w.home.companyId));
});

test.each(['serverError', 'invalidToken', 'hang'] as const)(
  'when Graph fails the unsubscribe (%s), then the page is still disconnected here and the answer is 200',
  async (fault) => {
    await fullyConnected();
    m.graph.fail(/^DELETE /, fault);
    const res = await request(m.app).post('/api/v1/meta/facebook/disconnect').set(m.w.as.manager);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, message: 'Facebook disconnected successfully', unsubscribed: false });
    expectMetaGoneAndRestKept(await storedIntegration(m.w.home.companyId));
  },
);

test('when /meta/facebook/disconnect (T3) succeeds, then it says the app was unsubscribed', async () => {
  await fullyConnected();
  const res = await request(m.app).post('/api/v1/meta/facebook/disconnect').set(m.w.as.manager);
  expect(res.body).toEqual({ success: true, message: 'Facebook disconnected successfully', unsubscribed: true });
});

test('when Instagram alone is disconnected (T4, /settings/meta/disconnect), then the page stays connected', async () => {
  const page = await fullyConnected();
  const t4 = await request(m.app).post('/api/v1/meta/instagram/disconnect').set(m.w.as.manager);
  expect(t4.body).toEqual({ success: true, message: 'Instagram disconnected successfully' });
  const doc = (await storedIntegration(m.w.home.companyId))!;
  expect(doc.instagramChatId).toBeUndefined();
  expect(doc.facebookChatId).toBe(page);
  expect(m.graph.subscribed.has(page)).toBe(true);
  const again = await request(m.app).post('/api/v1/settings/meta/disconnect').set(m.w.as.manager).send({ platform: 'instagram' });
  expect(again.body).toEqual({ success: true, message: 'Instagram disconnected successfully' });
});

test('when a company with nothing connected disconnects, then 200 and no document is created', async () => {
  const res = await request(m.app).post('/api/v1/meta/facebook/disconnect').set(m.w.as.manager);
  expect(res.status).toBe(200);
  expect(await storedIntegration(m.w.home.companyId)).toBeNull();
});

test('when another company’s manager disconnects, then this company’s page stays connected', async () => {
  const page = await fullyConnected();
  await request(m.app).post('/api/v1/meta/facebook/disconnect').set(m.w.otherManager).expect(200);
  expect((await storedIntegration(m.w.home.companyId))!.facebookChatId).toBe(page);
  expect(m.graph.subscribed.has(page)).toBe(true);
});

test('when the platform is not facebook or instagram, then 400 VALIDATION_ERROR', async () => {
  const res = await request(m.app).post('/api/v1/settings/meta/disconnect').set(m.w.as.manager).send({ platform: 'whatsapp' });
  expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
});
