/**
 * Secrets at rest and in logs (decision 5, S7, S9, S-11): after connecting, reading, refreshing
 * (with failures) and failing to connect, no token Graph issued and no app secret appears in the
 * database or in the log files the process writes to LOG_DIR; Graph's own error text is not logged
 * either. The migration encrypts what an original database holds in plaintext, once.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import mongoose from 'mongoose';
import request from 'supertest';
import { encryptIntegrationTokensWith } from '../../../migrations/2026-12-08-encrypt-integration-tokens';
import { CompanyIntegration } from '../../../models/CompanyIntegration';
import { tokenRefreshJob } from '../../../jobs/tokenRefresh.job';
import { manualClock } from '../../../utils/clock';
import { configureLogger } from '../../../utils/logger';
import { decryptSecret } from '../../../utils/secrets';
import { APP_SECRET, GRAPH_TEXT } from '../../helpers/fakeGraph';
import { connectThroughUi, pageId, useMetaWorld } from './support';

const m = useMetaWorld();

/** Everything in the test database, as one string. */
async function databaseText(): Promise<string> {
  const db = mongoose.connection.db!;
  const parts: string[] = [];
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    parts.push(JSON.stringify(await db.collection(c.name).find({}).toArray()));
  }
  return parts.join('\n');
}

async function flushedLogs(dir: string): Promise<string> {
  // winston's file transports write asynchronously: wait until the files stop growing.
  let previous = -1;
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const size = readdirSync(dir).reduce((n, f) => n + readFileSync(path.join(dir, f)).length, 0);
    if (size === previous && size > 0) break;
    previous = size;
  }
  return readdirSync(dir)
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

test('when a page is connected, read, refreshed and fails, then no token is in plaintext in the database or in logs/', async () => {
  const logDir = mkdtempSync(path.join(tmpdir(), 'petbuddy-logs-'));
  // As production writes them (files under LOG_DIR), at the most verbose level.
  configureLogger({ env: 'production', level: 'debug', logDir });
  try {
    m.graph.setPageTokenLifetime(3 * 86_400);
    const { page, userToken } = await connectThroughUi(m);
    await request(m.app).get('/api/v1/settings/integrations').set(m.w.as.manager).expect(200);
    await request(m.app).get('/api/v1/settings/meta').set(m.w.as.manager).expect(200);
    await request(m.app)
      .post('/api/v1/settings/integrations')
      .set(m.w.as.manager)
      .send({ openaiApiKey: 'sk-proj-secret-key-0123456789' })
      .expect(200);
    // A refresh that succeeds, then one that fails.
    const clock = manualClock(new Date());
    await tokenRefreshJob({ config: m.config, clock, owner: 'a' }).run();
    await CompanyIntegration.updateOne(
      { companyId: m.w.home.companyId },
      { $set: { facebookTokenExpiresAt: new Date(Date.now() + 86_400_000) } },
    );
    m.graph.fail(/oauth/, 'invalidToken', 1);
    clock.advance(25 * 3_600_000);
    await tokenRefreshJob({ config: m.config, clock, owner: 'a' }).run();
    // Connects that fail at Graph, with the tokens in Graph's error text.
    const other = pageId();
    m.graph.addPage(other);
    for (const fault of ['invalidToken', 'serverError'] as const) {
      m.graph.fail(/oauth/, fault, 1);
      await request(m.app)
        .post('/api/v1/meta/facebook/connect')
        .set(m.w.otherManager)
        .send({ pageId: other, userAccessToken: m.graph.addUser([other]) });
    }
    expect(userToken).toBeTruthy();
    expect(page).toBeTruthy();

    const secrets = [...m.graph.tokens(), 'sk-proj-secret-key-0123456789'];
    expect(secrets.length).toBeGreaterThan(5);
    const stored = await databaseText();
    const logs = await flushedLogs(logDir);
    expect(logs).toContain('facebook page connected');
    expect(logs).toContain('facebook token refresh failed');
    for (const s of secrets) {
      expect(stored).not.toContain(s);
      expect(logs).not.toContain(s);
    }
    expect(logs).not.toContain(APP_SECRET);
    expect(logs).not.toContain(GRAPH_TEXT);
  } finally {
    configureLogger({ env: 'test', level: 'error', logDir: 'logs' });
    rmSync(logDir, { recursive: true, force: true });
  }
});

describe('migration 2026-12-08-encrypt-integration-tokens', () => {
  const RAW = {
    facebookAccessToken: 'EAAG-plaintext-page-token',
    facebookAppAccessToken: '123|app-secret-part',
    openaiApiKey: 'sk-plaintext-openai',
    geminiApiKey: 'AIza-plaintext',
    googleRefreshToken: '1//plaintext-refresh',
    facebookAdminToken: 'EAAG-admin',
  };

  test('when an original database holds plaintext tokens, then up encrypts each once, and down restores them', async () => {
    const key = m.config.dataEncryptionKey;
    const migration = encryptIntegrationTokensWith(() => key);
    const collection = CompanyIntegration.collection;
    await collection.insertOne({ companyId: m.w.home.companyId, facebookChatId: '123', ...RAW, facebookTokenSource: 'user_long_lived' });
    await collection.insertOne({ companyId: m.w.other.companyId, openaiApiKey: '' });
    expect(await migration.needed!()).toBe(true);

    expect(await migration.up()).toBe('6 value(s) encrypted');
    const doc = (await collection.findOne({ companyId: m.w.home.companyId }))!;
    for (const [field, value] of Object.entries(RAW)) {
      expect(doc[field]).toMatch(/^enc:v1:/);
      expect(decryptSecret(doc[field] as string, key)).toBe(value);
    }
    expect(doc).toMatchObject({ facebookChatId: '123', facebookTokenSource: 'user_long_lived' });
    expect((await collection.findOne({ companyId: m.w.other.companyId }))!.openaiApiKey).toBe('');

    expect(await migration.needed!()).toBe(false);
    expect(await migration.up()).toBe('0 value(s) encrypted');
    expect(await collection.findOne({ companyId: m.w.home.companyId })).toEqual(doc);

    expect(await migration.down!()).toBe('6 value(s) decrypted');
    expect(await collection.findOne({ companyId: m.w.home.companyId })).toMatchObject(RAW);
  });

  test('when the database has nothing to encrypt, then it is not needed', async () => {
    expect(await encryptIntegrationTokensWith(() => m.config.dataEncryptionKey).needed!()).toBe(false);
  });
});
