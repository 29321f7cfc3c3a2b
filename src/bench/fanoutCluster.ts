/**
 * Socket.io fan-out with two app processes behind Redis (BENCH_ONLY=fanout-cluster): 500 dashboard
 * clients of one company, half on each process, while the Meta Bot's messages (20/s for 10 s) all
 * enter through process A; every client must see every message:new, and the latency each sees
 * (from the POST to the event) is measured. Goal: p99 under 50 ms. Redis is the machine's
 * (127.0.0.1:6379, or BENCH_REDIS_URL), under a key prefix of this run's own, removed afterwards.
 * Writes bench-results/fanout-cluster.json.
 */
import * as http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import bcrypt from 'bcrypt';
import mongoose from 'mongoose';
import { createClient } from 'redis';
import { accessToken, formatGoal, startApp, startDatabase, stopChild, SECRETS, writeBenchResult, type Child, type Goal } from './harness';
import { connectDashboards, fakeMetaBot, percentile, postJson } from './loopback';
import { runTag, seedCompany } from './seed';

const CLIENTS = 500;
const RATE = 20;
const SECONDS = 10;

function appProcess(mongoUri: string, redisUrl: string, keyPrefix: string, metaBotUrl: string, logDir: string): Promise<Child> {
  return startApp({ mongoUri, metaBotUrl, logDir, env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix } });
}

async function removeKeys(redisUrl: string, keyPrefix: string): Promise<void> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 1000 })) keys.push(...batch);
    if (keys.length) await client.del(keys);
  } finally {
    await client.quit();
  }
}

export async function fanoutClusterRun(redisUrl: string): Promise<void> {
  const keyPrefix = `petbuddy-bench-${runTag()}:`;
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'petbuddy-fanout-'));
  const bot = await fakeMetaBot();
  let db: Child | undefined;
  const apps: Child[] = [];
  try {
    db = await startDatabase();
    const mongoUri = `${db.url}/petbuddy_fanout`;
    await mongoose.connect(mongoUri);
    const company = await seedCompany({
      name: 'Fan-out Cluster Salon',
      staff: [{ email: `fanout-${runTag()}@example.com`, fullName: 'Fan Out', role: 'manager' }],
      passwordHash: await bcrypt.hash('unused-password', 4),
    });
    await mongoose.disconnect();
    const token = accessToken(company.staff[0]!.userId);
    apps.push(await appProcess(mongoUri, redisUrl, keyPrefix, bot.url, logDir));
    apps.push(await appProcess(mongoUri, redisUrl, keyPrefix, bot.url, logDir));
    const [a, b] = apps as [Child, Child];

    process.stdout.write(`measuring fan-out: ${CLIENTS} clients on two processes behind Redis, ${RATE} messages/s into one…\n`);
    const latencies: number[] = [];
    const onMessage = (e: unknown) => {
      const sentAt = Number((e as { message: { content: string } }).message.content.split(':')[1]);
      if (Number.isFinite(sentAt)) latencies.push(Date.now() - sentAt);
    };
    const clients = [
      ...(await connectDashboards(a.url, CLIENTS / 2, () => token, onMessage)),
      ...(await connectDashboards(b.url, CLIENTS / 2, () => token, onMessage)),
    ];
    const connected = clients.filter((c) => c.connected).length;
    const agent = new http.Agent({ keepAlive: true });
    const target = new URL(`${a.url}/api/v1/internal/messages`);
    // A first message creates the contact (and warms both processes); it is not measured.
    await postJson(
      agent,
      target,
      { 'x-api-key': SECRETS.INTERNAL_SERVICE_API_KEY },
      JSON.stringify({ company_id: company.companyId, platform: 'facebook', customer_social_id: 'psid-cluster', content: 'warm-up' }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    latencies.length = 0;
    for (let i = 0; i < RATE * SECONDS; i++) {
      const tick = Date.now();
      const payload = JSON.stringify({
        company_id: company.companyId,
        platform: 'facebook',
        external_message_id: `cluster-${runTag()}-${i}`,
        customer_social_id: 'psid-cluster',
        content: `t:${Date.now()}`,
      });
      void postJson(agent, target, { 'x-api-key': SECRETS.INTERNAL_SERVICE_API_KEY }, payload);
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 / RATE - (Date.now() - tick))));
    }
    await new Promise((r) => setTimeout(r, 2000));
    agent.destroy();
    for (const c of clients) c.close();
    latencies.sort((x, y) => x - y);
    const expected = connected * RATE * SECONDS;
    const result = {
      clients: connected,
      processes: 2,
      messages: RATE * SECONDS,
      deliveries: latencies.length,
      expectedDeliveries: expected,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? NaN,
    };
    const goals: Goal[] = [
      { goal: 'fan-out through Redis p99 < 50 ms', value: `${result.p99.toFixed(1)} ms`, met: result.p99 < 50 },
      {
        goal: 'every message reached every client on both processes',
        value: `${result.deliveries}/${expected}`,
        met: result.deliveries === expected,
      },
    ];
    process.stdout.write(
      `\nfan-out, 2 processes + Redis: ${connected} clients x ${result.messages} msgs, ${result.deliveries}/${expected} delivered, ` +
        `p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max} ms\n${goals.map(formatGoal).join('\n')}\n`,
    );
    writeBenchResult('fanout-cluster.json', { ...result, goals, machine: { cpus: os.cpus().length, node: process.version } });
  } finally {
    for (const app of apps) await stopChild(app);
    await stopChild(db);
    bot.close();
    await removeKeys(redisUrl, keyPrefix).catch(() => undefined);
    rmSync(logDir, { recursive: true, force: true });
  }
}
