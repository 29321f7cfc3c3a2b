/**
 * Conversation-list cost against history: two companies seeded in bulk, a small one (50 contacts ×
 * 40 messages) and a large one (1,000 × 200), and the mean time of POST /api/v1/conversations/list
 * `{platform:'all'}` for each, sequential requests in alternating rounds (the machine's speed
 * drifts). Goal: the large company's mean within 20% of the small one's. Written to
 * bench-results/list-cost.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose from 'mongoose';
import { accessToken, formatGoal, startApp, startDatabase, stopChild, writeBenchResult, type Child, type Goal } from './harness';
import { fakeMetaBot, requestJson } from './loopback';
import { latencySummary } from './openLoop';
import { rebuildConversationSummaries, seedCompany, seedContactsWithHistory } from './seed';

const COMPANIES = [
  { name: 'small', contacts: 50, perContact: 40 },
  { name: 'large', contacts: 1000, perContact: 200 },
] as const;
const WARMUP = 10;
const ROUNDS = 10;
const TIMEOUT_MS = 120_000;
/** No request starts after this long, whatever the request count (a list that scans all messages is slow on large histories). */
const BUDGET_MS = 15 * 60_000;

interface Target {
  name: string;
  contacts: number;
  perContact: number;
  companyId: string;
  token: string;
  times: number[];
  /** Answers other than 200, by status (`timeout`, `network`). */
  failures: Record<string, number>;
}

async function seed(mongoUri: string): Promise<{ targets: Target[]; summaries: string; seedSeconds: number }> {
  const t0 = Date.now();
  await mongoose.connect(mongoUri);
  try {
    const targets: Target[] = [];
    for (const c of COMPANIES) {
      const company = await seedCompany({
        name: `List cost ${c.name}`,
        staff: [{ email: `list-${c.name}-${Date.now()}@bench.example`, fullName: 'List Manager', role: 'manager' }],
        passwordHash: 'x',
      });
      await seedContactsWithHistory(company.companyId, c.contacts, c.perContact);
      targets.push({ ...c, companyId: company.companyId, token: accessToken(company.staff[0]!.userId), times: [], failures: {} });
    }
    const summaries = await rebuildConversationSummaries();
    return { targets, summaries, seedSeconds: (Date.now() - t0) / 1000 };
  } finally {
    await mongoose.disconnect();
  }
}

/** One list request: its time in ms and the number of conversations reported, or why it failed. */
async function listOnce(
  agent: http.Agent,
  appUrl: string,
  t: Target,
): Promise<{ ms: number; totalConversations: number } | { failed: string }> {
  const t0 = process.hrtime.bigint();
  const r = await requestJson(
    agent,
    new URL('/api/v1/conversations/list', appUrl),
    { authorization: `Bearer ${t.token}` },
    JSON.stringify({ company_id: t.companyId, platform: 'all' }),
    { timeoutMs: TIMEOUT_MS, readBody: true },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 200) return { failed: r.timedOut ? 'timeout' : r.status === 0 ? 'network' : String(r.status) };
  return { ms, totalConversations: (JSON.parse(r.body!) as { totalConversations: number }).totalConversations };
}

/** A measured request: its time, or its failure counted. */
async function measure(agent: http.Agent, appUrl: string, t: Target): Promise<void> {
  const r = await listOnce(agent, appUrl, t);
  if ('failed' in r) t.failures[r.failed] = (t.failures[r.failed] ?? 0) + 1;
  else t.times.push(r.ms);
}

export async function listCostRun(opts: { requests: number }): Promise<void> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'petbuddy-list-cost-'));
  const bot = await fakeMetaBot();
  let db: Child | undefined;
  let app: Child | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    db = await startDatabase();
    const mongoUri = `${db.url}/petbuddy_list_cost`;
    process.stdout.write(
      `list cost: seeding ${COMPANIES.map((c) => `${c.contacts} contacts × ${c.perContact} messages`).join(' and ')}…\n`,
    );
    const { targets, summaries, seedSeconds } = await seed(mongoUri);
    app = await startApp({ mongoUri, metaBotUrl: bot.url, logDir });
    // The list must see what was seeded (with summaries, only once they are rebuilt).
    const seen: Record<string, number> = {};
    for (const t of targets) {
      const r = await listOnce(agent, app.url, t);
      if ('failed' in r) throw new Error(`list for the ${t.name} company failed before the measurement: ${r.failed}`);
      seen[t.name] = r.totalConversations;
    }
    for (let i = 0; i < WARMUP; i++) for (const t of targets) await listOnce(agent, app.url, t);
    const perRound = Math.ceil(opts.requests / ROUNDS);
    const t0 = Date.now();
    let rounds = 0;
    process.stdout.write(
      `list cost: ${ROUNDS} alternating rounds of ${perRound} sequential requests per company (seeded in ${seedSeconds.toFixed(0)} s)…\n`,
    );
    const inBudget = (): boolean => Date.now() - t0 < BUDGET_MS;
    while (rounds < ROUNDS && inBudget()) {
      // Alternate which company goes first, so a drift within a round does not favour one.
      const order = rounds % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) for (let i = 0; i < perRound && inBudget(); i++) await measure(agent, app.url, t);
      rounds++;
    }
    const [small, large] = targets as [Target, Target];
    const mean = (t: Target): number => t.times.reduce((a, b) => a + b, 0) / t.times.length;
    const ratio = mean(large) / mean(small);
    const complete = targets.every((t) => seen[t.name] === t.contacts);
    const failed = targets.reduce((n, t) => n + Object.values(t.failures).reduce((a, b) => a + b, 0), 0);
    const goals: Goal[] = [
      {
        goal: 'list on 1,000 × 200 within 20% of 50 × 40 (mean)',
        value:
          `${mean(large).toFixed(1)} ms vs ${mean(small).toFixed(1)} ms (${ratio.toFixed(2)}x)` +
          `${complete ? '' : ', list incomplete'}${failed > 0 ? `, ${failed} failed` : ''}`,
        met: complete && failed === 0 && ratio <= 1.2,
      },
    ];
    const rows = targets.map((t) => ({
      company: t.name,
      contacts: t.contacts,
      messagesPerContact: t.perContact,
      conversationsListed: seen[t.name],
      failures: t.failures,
      meanMs: Math.round(mean(t) * 100) / 100,
      ...latencySummary(t.times),
    }));
    process.stdout.write(
      `\nPOST /api/v1/conversations/list {platform:'all'}, sequential, ${rounds} rounds (conversation summaries: ${summaries})\n`,
    );
    for (const r of rows) {
      process.stdout.write(
        `${`${r.company}: ${r.contacts} contacts × ${r.messagesPerContact} messages`.padEnd(42)} n ${r.n}, mean ${r.meanMs.toFixed(1)} ms, ` +
          `p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.conversationsListed} conversations listed` +
          `${Object.keys(r.failures).length > 0 ? `, failed: ${JSON.stringify(r.failures)}` : ''}\n`,
      );
    }
    process.stdout.write('\n');
    for (const g of goals) process.stdout.write(formatGoal(g));
    writeBenchResult('list-cost.json', {
      when: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      settings: {
        warmup: WARMUP,
        rounds,
        perRound,
        timeoutMs: TIMEOUT_MS,
        budgetMs: BUDGET_MS,
        conversationSummaries: summaries,
        seedSeconds,
      },
      companies: rows,
      ratio,
      goals,
    });
  } finally {
    agent.destroy();
    await stopChild(app);
    await stopChild(db);
    bot.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}
