/**
 * The sustained mixed-load run: one company's inbox at a fixed offered rate for N minutes
 * (open loop, the mix of ./inboxMix.ts) with 200 dashboards connected, one row a minute, then a
 * summary; written to bench-results/sustained.json. Goals: every minute serves at least 95% of
 * the offered rate with no 5xx, and the last minute's p99 stays within 1.5× the second minute's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import bcrypt from 'bcrypt';
import { MongoClient } from 'mongodb';
import mongoose from 'mongoose';
import type { Socket } from 'socket.io-client';
import {
  accessToken,
  cpuMsOf,
  cpuSnapshot,
  drainBacklog,
  formatGoal,
  SECRETS,
  startApp,
  startDatabase,
  stopChild,
  writeBenchResult,
  type Child,
  type CpuMeters,
  type Goal,
} from './harness';
import { inboxMix, MIX, refreshCookie } from './inboxMix';
import { connectDashboards, fakeMetaBot, requestJson } from './loopback';
import { latencySummary, runOpenLoop, WINDOW_MS, windowLatency, type LatencySummary, type Window } from './openLoop';
import { rebuildConversationSummaries, runTag, seedCompany, seedContactsWithHistory } from './seed';

const SOCKET_CLIENTS = 200;
const CONTACTS = 300;
const HISTORY_PER_CONTACT = 20;
const TIMEOUT_MS = 30_000;
/** Dashboards signed in before the load (their cookies are what the refreshes present). */
const INITIAL_SESSIONS = 32;
const PASSWORD = 'Bench-Passw0rd-2024!';
/** The app's default BCRYPT_SALT_ROUNDS in production: a login costs what it would for real accounts. */
const BCRYPT_ROUNDS = 12;

interface MinuteRow {
  minute: number;
  offeredPerSec: number;
  servedPerSec: number;
  servedShare: number;
  errors: Record<string, number>;
  errorsByKind: Record<string, number>;
  latencyMs: LatencySummary;
  listLatencyMs: LatencySummary;
  latencyMsByKind: Record<string, LatencySummary>;
  offeredByKind: Record<string, number>;
  messagesInDb: number;
  socketEvents: number;
  cpuSeconds: Record<string, number>;
  maxStartLagMs: number;
}

const fixed = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '-');
const triple = (l: LatencySummary): string => `${fixed(l.p50)}/${fixed(l.p95)}/${fixed(l.p99)} ms`;
const errorText = (e: Record<string, number>): string =>
  Object.keys(e).length === 0
    ? 'none'
    : Object.entries(e)
        .map(([k, n]) => `${k}×${n}`)
        .join(' ');

function formatRow(r: MinuteRow): string {
  const cpu = Object.entries(r.cpuSeconds)
    .map(([k, s]) => `${k} ${fixed(s)}`)
    .join(', ');
  return (
    `min ${String(r.minute).padStart(2)}: offered ${fixed(r.offeredPerSec)}/s, served ${fixed(r.servedPerSec)}/s (${fixed(r.servedShare * 100)}%), ` +
    `errors ${errorText(r.errors)}, p50/p95/p99 ${triple(r.latencyMs)}, list ${triple(r.listLatencyMs)}, ` +
    `messages ${r.messagesInDb}, socket events ${r.socketEvents}, CPU s: ${cpu}\n`
  );
}

async function seed(mongoUri: string) {
  await mongoose.connect(mongoUri);
  try {
    const tag = runTag();
    const company = await seedCompany({
      name: 'Sustained Grooming',
      staff: [
        { email: `manager-${tag}@bench.example`, fullName: 'Sustained Manager', role: 'manager' },
        { email: `reception-${tag}@bench.example`, fullName: 'Sustained Receptionist', role: 'receptionist' },
      ],
      passwordHash: await bcrypt.hash(PASSWORD, BCRYPT_ROUNDS),
      page: true,
    });
    const contacts = await seedContactsWithHistory(company.companyId, CONTACTS, HISTORY_PER_CONTACT);
    const summaries = await rebuildConversationSummaries();
    return { tag, company, contacts, summaries };
  } finally {
    await mongoose.disconnect();
  }
}

/** Logins before the load (four at a time, as many as bcrypt's threads), so the refreshes have sessions to rotate. */
async function startSessions(appUrl: string, logins: { email: string; password: string }[], n: number): Promise<string[]> {
  const agent = new http.Agent({ keepAlive: true });
  const cookies: string[] = [];
  const signIn = async (i: number): Promise<void> => {
    const r = await requestJson(agent, new URL('/api/v1/auth/login', appUrl), {}, JSON.stringify(logins[i % logins.length]), {
      timeoutMs: TIMEOUT_MS,
    });
    const cookie = r.status === 200 ? refreshCookie(r) : undefined;
    if (!cookie) throw new Error(`login before the run failed: ${r.status}`);
    cookies.push(cookie);
  };
  for (let i = 0; i < n; i += 4) await Promise.all([i, i + 1, i + 2, i + 3].filter((j) => j < n).map(signIn));
  agent.destroy();
  return cookies;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  return into;
}

function goalsOf(rows: MinuteRow[], fiveXX: number): Goal[] {
  const lowest = Math.min(...rows.map((r) => r.servedShare));
  const second = rows[1];
  const last = rows[rows.length - 1]!;
  // Minute 1 includes the warm-up; with 2 minutes the last is the second, compared with itself.
  const comparable = second !== undefined && rows.length >= 3;
  const drift = last.latencyMs.p99 / (second?.latencyMs.p99 ?? NaN);
  return [
    {
      goal: 'every minute served >= 95% of offered, no 5xx',
      value: `lowest minute ${fixed(lowest * 100)}%, 5xx: ${fiveXX}`,
      met: lowest >= 0.95 && fiveXX === 0,
    },
    {
      goal: "last minute's p99 <= 1.5x the second minute's",
      value: !comparable
        ? 'needs 3 minutes or more'
        : Number.isFinite(drift)
          ? `${fixed(last.latencyMs.p99)} ms vs ${fixed(second.latencyMs.p99)} ms (${fixed(drift, 2)}x)`
          : 'a minute with no request served',
      met: comparable ? drift <= 1.5 : null,
    },
  ];
}

export async function sustainedRun(opts: { minutes: number; rate: number; nodeArgs?: string[] }): Promise<void> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'petbuddy-sustained-'));
  const bot = await fakeMetaBot();
  let db: Child | undefined;
  let app: Child | undefined;
  let sockets: Socket[] = [];
  let client: MongoClient | undefined;
  try {
    db = await startDatabase(opts.nodeArgs);
    const mongoUri = `${db.url}/petbuddy_sustained`;
    process.stdout.write(`sustained: seeding ${CONTACTS} contacts × ${HISTORY_PER_CONTACT} messages…\n`);
    const seeded = await seed(mongoUri);
    app = await startApp({ mongoUri, metaBotUrl: bot.url, logDir, ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}) });
    const logins = seeded.company.staff.map((s) => ({ email: s.email, password: PASSWORD }));
    const tokens = seeded.company.staff.map((s) => accessToken(s.userId, opts.minutes * 60 + 3600));
    const sessions = await startSessions(app.url, logins, INITIAL_SESSIONS);
    let events = 0;
    let disconnects = 0;
    sockets = await connectDashboards(
      app.url,
      SOCKET_CLIENTS,
      (i) => tokens[i % tokens.length]!,
      () => events++,
    );
    for (const s of sockets) s.on('disconnect', () => disconnects++);
    const connected = sockets.filter((s) => s.connected).length;
    client = new MongoClient(mongoUri);
    await client.connect();
    const messages = client.db().collection('messages');
    const mix = inboxMix({
      companyId: seeded.company.companyId,
      apiKey: SECRETS.INTERNAL_SERVICE_API_KEY,
      tokens,
      logins,
      contacts: seeded.contacts,
      sessions,
      tag: seeded.tag,
    });
    const appPid = app.proc.pid!;
    const dbPid = db.proc.pid!;
    // The app's main thread apart: at 60 s a minute it is saturated, whatever the cores.
    const meters: CpuMeters = {
      app: () => cpuMsOf(appPid),
      'app main thread': () => cpuMsOf(appPid, appPid),
      database: () => cpuMsOf(dbPid),
      'load generator': () => cpuMsOf(process.pid),
    };
    const messagesAtStart = await messages.estimatedDocumentCount();
    let cpuBefore = cpuSnapshot(meters);
    let eventsBefore = 0;
    const rows: MinuteRow[] = [];
    process.stdout.write(
      `sustained: ${opts.minutes} min at ${opts.rate} req/s offered (open loop, ${TIMEOUT_MS / 1000} s timeout), ` +
        `${connected}/${SOCKET_CLIENTS} dashboards connected, ${messagesAtStart} messages, summaries: ${seeded.summaries}\n`,
    );
    const run = await runOpenLoop({
      baseUrl: app.url,
      rate: opts.rate,
      windows: opts.minutes,
      timeoutMs: TIMEOUT_MS,
      kinds: mix.kinds,
      onWindowEnd: async (i: number, w: Window) => {
        const cpuNow = cpuSnapshot(meters);
        const socketEvents = events - eventsBefore;
        eventsBefore = events;
        const seconds = WINDOW_MS / 1000;
        const row: MinuteRow = {
          minute: i + 1,
          offeredPerSec: w.offered / seconds,
          servedPerSec: w.served / seconds,
          servedShare: w.offered > 0 ? w.served / w.offered : NaN,
          errors: w.errors,
          errorsByKind: w.errorsByKind,
          latencyMs: windowLatency(w),
          listLatencyMs: windowLatency(w, 'list'),
          latencyMsByKind: Object.fromEntries(Object.keys(w.latencies).map((k) => [k, windowLatency(w, k)])),
          offeredByKind: w.offeredByKind,
          messagesInDb: await messages.estimatedDocumentCount(),
          socketEvents,
          cpuSeconds: Object.fromEntries(Object.keys(meters).map((k) => [k, (cpuNow[k]! - cpuBefore[k]!) / 1000])),
          maxStartLagMs: Math.round(w.maxStartLagMs),
        };
        cpuBefore = cpuNow;
        rows.push(row);
        process.stdout.write(formatRow(row));
      },
    });
    // The last announcements and the outbox's last deliveries, then the totals.
    await new Promise((r) => setTimeout(r, 2000));
    const outbox = await drainBacklog(mongoUri, 60_000);
    const all = [...run.windows, run.drain];
    const errors = all.reduce((e, w) => addCounts(e, w.errors), {} as Record<string, number>);
    const messagesAtEnd = await messages.estimatedDocumentCount();
    const fiveXX = Object.entries(errors).reduce((n, [k, c]) => n + (k.startsWith('5') ? c : 0), 0);
    const summary = {
      offered: all.reduce((n, w) => n + w.offered, 0),
      served: all.reduce((n, w) => n + w.served, 0),
      servedAfterTheLastMinute: run.drain.served,
      leftInFlight: run.leftInFlight,
      errors,
      errorsByKind: all.reduce((e, w) => addCounts(e, w.errorsByKind), {} as Record<string, number>),
      latencyMs: latencySummary(all.flatMap((w) => Object.values(w.latencies).flat())),
      listLatencyMs: latencySummary(all.flatMap((w) => w.latencies.list ?? [])),
      offeredByKind: all.reduce((e, w) => addCounts(e, w.offeredByKind), {} as Record<string, number>),
      messagesAtStart,
      messagesAtEnd,
      newContacts: mix.state.newContacts,
      // Every message the app stored announces one message:new to each dashboard, answered in time or not.
      dashboards: { connected, disconnects, events, expected: (messagesAtEnd - messagesAtStart) * connected },
      metaBotDeliveries: bot.sent(),
      outbox,
      refreshesSharingACookie: mix.state.refreshesSharingACookie,
      refreshesWithoutSession: mix.state.refreshesWithoutSession,
      maxStartLagMs: Math.max(...all.map((w) => Math.round(w.maxStartLagMs))),
    };
    const goals = goalsOf(rows, fiveXX);
    process.stdout.write(
      `\nsustained totals: ${summary.served}/${summary.offered} served, errors ${errorText(errors)}, p50/p95/p99 ${triple(summary.latencyMs)}, ` +
        `list ${triple(summary.listLatencyMs)}; messages ${summary.messagesAtStart} → ${summary.messagesAtEnd} (${summary.newContacts} new contacts); ` +
        `message:new ${events}/${summary.dashboards.expected} received, ${disconnects} disconnects; Meta Bot got ${summary.metaBotDeliveries} replies, ` +
        `${outbox.leftQueued} still queued; generator lag at most ${summary.maxStartLagMs} ms\n\n`,
    );
    for (const g of goals) process.stdout.write(formatGoal(g));
    writeBenchResult('sustained.json', {
      when: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      settings: {
        minutes: opts.minutes,
        offeredRate: opts.rate,
        timeoutMs: TIMEOUT_MS,
        mix: MIX,
        dashboards: SOCKET_CLIENTS,
        seededContacts: CONTACTS,
        seededMessagesPerContact: HISTORY_PER_CONTACT,
        bcryptRounds: BCRYPT_ROUNDS,
        conversationSummaries: seeded.summaries,
      },
      minutes: rows,
      summary,
      goals,
    });
  } finally {
    for (const s of sockets) s.close();
    await client?.close();
    await stopChild(app);
    await stopChild(db);
    bot.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}
