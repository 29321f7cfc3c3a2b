/**
 * The Facebook token refresh job against a fake Graph: it renews through the stored long-lived
 * user token (B-22), records every failure on the integration, runs once across processes sharing
 * the database (a lease), and a restart within 24 h does not run it again (the last run is stored).
 */
import { JobLease } from '../../../models/JobLease';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { createScheduler } from '../../../jobs/scheduler';
import { TOKEN_REFRESH_JOB, tokenRefreshJob } from '../../../jobs/tokenRefresh.job';
import { checkTokenHealth } from '../../../services/integrations/tokenRefresh.service';
import { manualClock } from '../../../utils/clock';
import { encryptSecret } from '../../../utils/secrets';
import { bearer, companyWithStaff } from '../../factories/accounts';
import { testConfig } from '../../helpers/config';
import type { GraphFault } from '../../helpers/fakeGraph';
import { connectThroughUi, plain, storedIntegration, useMetaWorld } from './support';

const m = useMetaWorld();
const DAY = 86_400_000;
const HOUR = 3_600_000;

let clock: ReturnType<typeof manualClock>;
beforeEach(() => {
  clock = manualClock(new Date());
});

const job = (owner: string) => tokenRefreshJob({ config: m.config, clock, owner });
const exchanges = () => m.graph.calls(/^GET \/oauth\/access_token$/).filter((r) => r.query.grant_type === 'fb_exchange_token');

/** A page connected through the UI whose page token expires in three days (so the job renews it). */
async function expiringPage(auth = m.w.as.manager, companyId = m.w.home.companyId) {
  m.graph.setPageTokenLifetime(3 * 86_400);
  const { page } = await connectThroughUi(m, { auth });
  const doc = (await storedIntegration(companyId))!;
  m.graph.reset();
  return { page, doc, userToken: plain(m.config, doc.facebookUserAccessToken), pageToken: plain(m.config, doc.facebookAccessToken) };
}

test('when a page token expires within 7 days, then the stored user token is exchanged and a new page token stored', async () => {
  const before = await expiringPage();
  m.graph.setPageTokenLifetime(60 * 86_400);
  const outcome = await job('a').run();
  expect(outcome).toMatchObject({ ran: true, refreshed: 1, failed: 0, total: 1 });
  // The correct flow: the long-lived *user* token goes to fb_exchange_token, never the page token.
  expect(exchanges().map((r) => r.query.fb_exchange_token)).toEqual([before.userToken]);
  const doc = (await storedIntegration(m.w.home.companyId))!;
  const pageToken = plain(m.config, doc.facebookAccessToken);
  expect(pageToken).not.toBe(before.pageToken);
  expect(plain(m.config, doc.facebookUserAccessToken)).not.toBe(before.userToken);
  expect((doc.facebookTokenExpiresAt as Date).getTime()).toBeGreaterThan(Date.now() + 50 * DAY);
  expect(doc.facebookTokenRefreshedAt).toEqual(clock.now());
  expect(doc.facebookTokenRefreshError).toBeUndefined();
  const health = await checkTokenHealth(m.w.home.companyId, clock);
  expect(health).toMatchObject({ status: 'healthy' });
  // Sixty days from when Graph issued it (the test's clock started a little earlier).
  expect([59, 60]).toContain((health as { daysUntilExpiry: number }).daysUntilExpiry);
});

test('when the user token expires within 7 days (page token permanent), then it is renewed too', async () => {
  await connectThroughUi(m);
  await CompanyIntegration.updateOne(
    { companyId: m.w.home.companyId },
    { $set: { facebookUserTokenExpiresAt: new Date(Date.now() + 2 * DAY) } },
  );
  m.graph.reset();
  expect(await job('a').run()).toMatchObject({ ran: true, refreshed: 1 });
  const doc = (await storedIntegration(m.w.home.companyId))!;
  expect((doc.facebookUserTokenExpiresAt as Date).getTime()).toBeGreaterThan(Date.now() + 50 * DAY);
});

test.each<[string, RegExp, GraphFault, string, string]>([
  ['refuses the token (400)', /oauth/, 'invalidToken', 'TOKEN_INVALID', 'error'],
  ['answers 401', /oauth/, 'unauthorized', 'TOKEN_INVALID', 'error'],
  ['rejects the request (400)', /oauth/, 'badRequest', 'GRAPH_REJECTED', 'expiring_soon'],
  ['rate-limits (429)', /oauth/, 'rateLimited', 'RATE_LIMITED', 'expiring_soon'],
  ['fails (500)', /oauth/, 'serverError', 'GRAPH_UNAVAILABLE', 'expiring_soon'],
  ['hangs', /oauth/, 'hang', 'GRAPH_TIMEOUT', 'expiring_soon'],
  ['refuses the page read', /^GET \/\d+$/, 'invalidToken', 'TOKEN_INVALID', 'error'],
])('when Graph %s, then the failure is recorded, the token kept and the health says so', async (_what, match, fault, code, health) => {
  const before = await expiringPage();
  m.graph.fail(match, fault);
  expect(await job('a').run()).toMatchObject({ ran: true, refreshed: 0, failed: 1 });
  const doc = (await storedIntegration(m.w.home.companyId))!;
  expect(doc).toMatchObject({
    facebookTokenRefreshError: code,
    facebookTokenRefreshFailures: 1,
    facebookTokenRefreshFailedAt: clock.now(),
  });
  expect(plain(m.config, doc.facebookAccessToken)).toBe(before.pageToken);
  const report = await checkTokenHealth(m.w.home.companyId, clock);
  expect(report.status).toBe(health);
  if (health !== 'error') expect(report).toMatchObject({ lastRefreshError: code });
});

test('when a failure needs a reconnect, then the next day Graph is not asked again; a passing one is retried', async () => {
  await expiringPage();
  m.graph.fail(/oauth/, 'rateLimited', 1);
  await job('a').run();
  clock.advance(DAY + HOUR);
  expect(await job('a').run()).toMatchObject({ ran: true, refreshed: 1 });
  await CompanyIntegration.updateOne({ companyId: m.w.home.companyId }, { $set: { facebookTokenExpiresAt: new Date(Date.now() + DAY) } });
  m.graph.fail(/oauth/, 'invalidToken', 1);
  clock.advance(DAY + HOUR);
  expect(await job('a').run()).toMatchObject({ failed: 1 });
  m.graph.reset();
  clock.advance(DAY + HOUR);
  expect(await job('a').run()).toMatchObject({ ran: true, total: 0 });
  expect(m.graph.requests).toHaveLength(0);
});

test('when an integration has no user token (connected by the original), then REAUTH_REQUIRED without calling Graph (B-22)', async () => {
  await CompanyIntegration.create({
    companyId: m.w.home.companyId,
    facebookChatId: '1234',
    facebookAccessToken: encryptSecret('EAAG-legacy-page-token', m.config.dataEncryptionKey),
    facebookTokenSource: 'user_long_lived',
    facebookTokenExpiresAt: new Date(Date.now() - DAY),
  });
  expect(await job('a').run()).toMatchObject({ ran: true, failed: 1 });
  expect(m.graph.calls(/oauth|^GET \/\d/)).toHaveLength(0);
  expect(await checkTokenHealth(m.w.home.companyId, clock)).toMatchObject({ status: 'error', code: 'REAUTH_REQUIRED' });
});

test('when two processes’ schedulers run the job at the same moment, then each token is refreshed once', async () => {
  const third = await companyWithStaff(m.config);
  const companies = [
    [m.w.as.manager, m.w.home.companyId],
    [m.w.otherManager, m.w.other.companyId],
    [bearer(third.users.manager.token), third.companyId],
  ] as const;
  const users: string[] = [];
  for (const [auth, id] of companies) users.push((await expiringPage(auth, id)).userToken);
  const schedulers = [createScheduler(), createScheduler()];
  schedulers.forEach((s, i) => s.add({ ...job(`process-${i}`), initialDelayMs: 60 * HOUR }));
  await Promise.all(schedulers.map((s) => s.runNow(TOKEN_REFRESH_JOB)));
  await Promise.all(schedulers.map((s) => s.stop()));
  expect(
    exchanges()
      .map((r) => r.query.fb_exchange_token)
      .sort(),
  ).toEqual([...users].sort());
  for (const [, id] of companies) expect((await storedIntegration(id))!.facebookTokenRefreshedAt).toEqual(clock.now());
  expect(await JobLease.findById(TOKEN_REFRESH_JOB).lean()).toMatchObject({ lastResult: { refreshed: 3, failed: 0, total: 3 } });
});

test('when two job instances run at once, then exactly one of them runs', async () => {
  await expiringPage();
  const outcomes = await Promise.all([job('p1').run(), job('p2').run(), job('p3').run()]);
  expect(outcomes.filter((o) => o.ran)).toHaveLength(1);
  expect(exchanges()).toHaveLength(1);
});

test('when the process restarts within 24 h, then the job does not run again until the day is over', async () => {
  await expiringPage();
  expect(await job('before-restart').run()).toMatchObject({ ran: true, refreshed: 1 });
  await CompanyIntegration.updateOne({ companyId: m.w.home.companyId }, { $set: { facebookTokenExpiresAt: new Date(Date.now() + DAY) } });
  m.graph.reset();
  clock.advance(HOUR);
  const restarted = job('after-restart');
  expect(restarted.initialDelayMs).toBe(10_000);
  expect(await restarted.run()).toEqual({ ran: false });
  clock.advance(22 * HOUR);
  expect(await restarted.run()).toEqual({ ran: false });
  expect(m.graph.requests).toHaveLength(0);
  clock.advance(HOUR);
  expect(await restarted.run()).toMatchObject({ ran: true, refreshed: 1 });
});

test('when the process holding the lease died, then another runs the job once the lease has expired', async () => {
  await expiringPage();
  await JobLease.create({
    _id: TOKEN_REFRESH_JOB,
    owner: 'dead-process',
    leaseUntil: new Date(clock.now().getTime() + 60_000),
    lastRunAt: new Date(clock.now().getTime() - 2 * DAY),
  });
  expect(await job('alive').run()).toEqual({ ran: false });
  clock.advance(61_000);
  expect(await job('alive').run()).toMatchObject({ ran: true, refreshed: 1 });
});

test('when Graph is not configured, then the job ends without claiming a run', async () => {
  const unconfigured = tokenRefreshJob({ config: testConfig({ FACEBOOK_GRAPH_URL: m.graph.url }), clock });
  expect(await unconfigured.run()).toEqual({ ran: false });
  expect(await JobLease.findById(TOKEN_REFRESH_JOB).lean()).toBeNull();
});

describe('checkTokenHealth', () => {
  const health = async (set: Record<string, unknown>) => {
    await CompanyIntegration.updateOne({ companyId: m.w.home.companyId }, { $set: set }, { upsert: true });
    return checkTokenHealth(m.w.home.companyId, clock);
  };
  const inDays = (d: number) => new Date(clock.now().getTime() + d * DAY);

  test('then each state the contract lists', async () => {
    expect(await checkTokenHealth(m.w.home.companyId, clock)).toEqual({ status: 'not_connected' });
    expect(await health({ openaiApiKey: 'x' })).toEqual({ status: 'not_connected' });
    const token = { facebookChatId: '1', facebookAccessToken: encryptSecret('t', m.config.dataEncryptionKey) };
    expect(await health({ ...token, facebookTokenExpiresAt: null })).toEqual({ status: 'unknown_expiry', hasToken: true });
    expect(await health({ facebookTokenExpiresAt: inDays(-1) })).toEqual({ status: 'expired', expiresAt: inDays(-1), daysUntilExpiry: -1 });
    expect(await health({ facebookTokenExpiresAt: inDays(6.5) })).toEqual({
      status: 'expiring_soon',
      expiresAt: inDays(6.5),
      daysUntilExpiry: 6,
    });
    expect(await health({ facebookTokenExpiresAt: inDays(40) })).toEqual({ status: 'healthy', expiresAt: inDays(40), daysUntilExpiry: 40 });
    expect(await health({ facebookTokenRefreshError: 'TOKEN_INVALID' })).toMatchObject({
      status: 'error',
      code: 'TOKEN_INVALID',
      error: expect.any(String),
    });
  });
});
