/**
 * Conversations: the inbox's reads under closed-loop load, each against the bare Express + driver
 * baseline (./baseline-server.ts) sending the same reads to the same database:
 *   1. the conversation list, POST /api/v1/conversations/list {platform:'all'} (its first page of
 *      50), for a small company (50 contacts × 40 messages) and a large one (1,000 × 200);
 *      goals: at least 40% of the baseline's throughput for each, and the large company's
 *      throughput within 20% of the small one's;
 *   2. the conversation page, POST /api/v1/conversations/messages (the newest 50 messages of a
 *      contact of the large company, a different one each time); goal: at least 40% of the
 *      baseline's throughput;
 *   3. for reference, the staff list GET /api/v1/catalog/staff of the large company (21 staff,
 *      the groomers with their weekly schedules).
 * One database, one app, one baseline; every kind is measured in alternating rounds (the
 * machine's speed drifts), with the CPU time of the server and the database per request.
 * Written to bench-results/conversations.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose, { Types } from 'mongoose';
import { Contact } from '../models/Contact';
import { Conversation } from '../models/Conversation';
import { Message } from '../models/Message';
import { StaffSchedule } from '../models/StaffSchedule';
import { User } from '../models/User';
import { CONCURRENCY, loadOnce, summarize, type LoadResult, type Sample } from './closedLoop';
import {
  accessToken,
  cpuMsOf,
  formatGoal,
  startApp,
  startChild,
  startDatabase,
  stopChild,
  writeBenchResult,
  type Child,
  type CpuMeters,
  type Goal,
} from './harness';
import { fakeMetaBot, requestJson } from './loopback';
import { rebuildConversationSummaries, runTag, seedCompany, seedContactsWithHistory } from './seed';

const COMPANIES = [
  { name: 'small', contacts: 50, perContact: 40 },
  { name: 'large', contacts: 1000, perContact: 200 },
] as const;
const FIRST_WARMUP_MS = 2000;
const ROUND_WARMUP_MS = 1000;
const ROUND_MS = 3000;
const RATIO_GOAL = 0.4;
const SCALE_GOAL = 0.8;
/** Groomers of the large company, each with a schedule Monday to Saturday. */
const GROOMERS = 20;

interface Company {
  name: string;
  contacts: number;
  perContact: number;
  companyId: string;
  token: string;
  contactIds: string[];
}

/** One kind of request, sent to the app and to the baseline. */
interface Kind {
  name: string;
  appPath: string;
  basePath: string;
  company: Company;
  /** A GET without one. */
  body?: () => Record<string, unknown>;
  /** Only measured for reference: no goal. */
  reference?: boolean;
  /** What identifies the answer's items, in order (compared between the app and the baseline). */
  ids: (answer: unknown) => string[];
  app: Sample[];
  base: Sample[];
}

/** Groomers at one location, each working 09:00–17:00 with a lunch break, Monday to Saturday. */
async function seedGroomers(companyId: string): Promise<void> {
  const company = new Types.ObjectId(companyId);
  const locationId = new Types.ObjectId();
  const tag = runTag();
  const users = await User.insertMany(
    Array.from({ length: GROOMERS }, (_, i) => ({
      companyId: company,
      email: `groomer-${i}-${tag}@bench.example`,
      passwordHash: 'x',
      fullName: `Groomer ${String(i).padStart(2, '0')}`,
      role: 'groomer',
      roles: ['groomer'],
      serviceProvider: true,
      locationIds: [locationId],
      primaryLocationId: locationId,
    })),
  );
  await StaffSchedule.insertMany(
    users.flatMap((u) =>
      [1, 2, 3, 4, 5, 6].map((weekday) => ({
        companyId: company,
        userId: u._id,
        locationId,
        weekday,
        startTime: '09:00',
        endTime: '17:00',
        breakWindows: [{ start: '12:00', end: '13:00' }],
      })),
    ),
  );
}

async function seed(mongoUri: string): Promise<{ companies: Company[]; seedSeconds: number }> {
  const t0 = Date.now();
  await mongoose.connect(mongoUri);
  try {
    await Promise.all([
      Conversation.createIndexes(),
      Contact.createIndexes(),
      Message.createIndexes(),
      User.createIndexes(),
      StaffSchedule.createIndexes(),
    ]);
    const companies: Company[] = [];
    for (const c of COMPANIES) {
      const company = await seedCompany({
        name: `Conversations ${c.name}`,
        staff: [{ email: `conversations-${c.name}-${Date.now()}@bench.example`, fullName: 'Inbox Manager', role: 'manager' }],
        passwordHash: 'x',
      });
      const contacts = await seedContactsWithHistory(company.companyId, c.contacts, c.perContact);
      companies.push({
        ...c,
        companyId: company.companyId,
        token: accessToken(company.staff[0]!.userId),
        contactIds: contacts.map((x) => x.id),
      });
    }
    await seedGroomers(companies[1]!.companyId);
    await rebuildConversationSummaries();
    return { companies, seedSeconds: (Date.now() - t0) / 1000 };
  } finally {
    await mongoose.disconnect();
  }
}

const idsOf = (items: { _id?: unknown; contactId?: unknown }[]): string[] => items.map((x) => String(x.contactId ?? x._id));

function kindsOf(small: Company, large: Company): Kind[] {
  const list = (company: Company): Kind => ({
    name: `conversation list, ${company.contacts} × ${company.perContact}`,
    appPath: '/api/v1/conversations/list',
    basePath: '/conversations/list',
    company,
    body: () => ({ company_id: company.companyId, platform: 'all' }),
    ids: (a) => idsOf((a as { conversations: { _id?: unknown; contactId?: unknown }[] }).conversations),
    app: [],
    base: [],
  });
  let n = 0;
  return [
    list(small),
    list(large),
    {
      name: `conversation page, ${large.contacts} × ${large.perContact}`,
      appPath: '/api/v1/conversations/messages',
      basePath: '/conversations/messages',
      company: large,
      // Contacts in turn, spread over the company (a prime step), so no answer repeats in a row.
      body: () => ({ company_id: large.companyId, contactId: large.contactIds[(n++ * 7919) % large.contactIds.length]!, limit: 50 }),
      ids: (a) => idsOf((a as { messages: { _id: unknown }[] }).messages),
      app: [],
      base: [],
    },
    {
      name: `staff list, ${GROOMERS + 1} staff`,
      appPath: '/api/v1/catalog/staff',
      basePath: `/catalog/staff?company_id=${large.companyId}`,
      company: large,
      reference: true,
      ids: (a) => idsOf((a as { items: { _id: unknown }[] }).items),
      app: [],
      base: [],
    },
  ];
}

/** The app and the baseline must answer the same items in the same order, or the comparison means nothing. */
async function checkSameAnswers(kinds: Kind[], appUrl: string, baseUrl: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true });
  try {
    for (const k of kinds) {
      const body = k.body && JSON.stringify(k.body());
      const [a, b] = await Promise.all([
        requestJson(agent, new URL(k.appPath, appUrl), { authorization: `Bearer ${k.company.token}` }, body, { readBody: true }),
        requestJson(agent, new URL(k.basePath, baseUrl), {}, body, { readBody: true }),
      ]);
      if (a.status !== 200 || b.status !== 200) throw new Error(`${k.name}: app answered ${a.status}, baseline ${b.status}`);
      const [x, y] = [k.ids(JSON.parse(a.body!)), k.ids(JSON.parse(b.body!))];
      if (x.length === 0 || x.join() !== y.join()) throw new Error(`${k.name}: the app and the baseline answer different items`);
    }
  } finally {
    agent.destroy();
  }
}

const ratioOf = (a: LoadResult, b: LoadResult): number => a.rps / b.rps;
const pct = (r: number): string => `${(r * 100).toFixed(0)}%`;

export async function conversationsRun(opts: { rounds: number; nodeArgs?: string[] }): Promise<void> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'petbuddy-conversations-'));
  const bot = await fakeMetaBot();
  let db: Child | undefined;
  let app: Child | undefined;
  let baseline: Child | undefined;
  try {
    db = await startDatabase(opts.nodeArgs);
    const mongoUri = `${db.url}/petbuddy_conversations`;
    process.stdout.write(
      `conversations: seeding ${COMPANIES.map((c) => `${c.contacts} contacts × ${c.perContact} messages`).join(' and ')}…\n`,
    );
    const { companies, seedSeconds } = await seed(mongoUri);
    const [small, large] = companies as [Company, Company];
    baseline = await startChild(
      ['dist/src/bench/baseline-server.js'],
      { BENCH_MONGO_URI: mongoUri, BENCH_PORT: '0' },
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    );
    app = await startApp({ mongoUri, metaBotUrl: bot.url, logDir, nodeArgs: opts.nodeArgs });
    const kinds = kindsOf(small, large);
    await checkSameAnswers(kinds, app.url, baseline.url);
    const dbPid = db.proc.pid!;
    const meters = (pid: number): CpuMeters => ({
      server: () => cpuMsOf(pid),
      database: () => cpuMsOf(dbPid),
      'load generator': () => cpuMsOf(process.pid),
    });
    const appMeters = meters(app.proc.pid!);
    const baseMeters = meters(baseline.proc.pid!);
    process.stdout.write(
      `conversations: ${opts.rounds} alternating rounds of ${ROUND_MS / 1000} s per kind, app and baseline (seeded in ${seedSeconds.toFixed(0)} s)…\n`,
    );
    for (let round = 1; round <= opts.rounds; round++) {
      const warmup = round === 1 ? FIRST_WARMUP_MS : ROUND_WARMUP_MS;
      // Alternate which goes first, so a drift within a round favours neither.
      for (const k of round % 2 === 1 ? kinds : [...kinds].reverse()) {
        const body = k.body && ((): string => JSON.stringify(k.body!()));
        const appRun = () =>
          loadOnce(`${app!.url}${k.appPath}`, { authorization: `Bearer ${k.company.token}` }, body, appMeters, warmup, ROUND_MS);
        const baseRun = () => loadOnce(`${baseline!.url}${k.basePath}`, {}, body, baseMeters, warmup, ROUND_MS);
        process.stdout.write(`round ${round}/${opts.rounds}: ${k.name}…\n`);
        if (round % 2 === 1) {
          k.base.push(await baseRun());
          k.app.push(await appRun());
        } else {
          k.app.push(await appRun());
          k.base.push(await baseRun());
        }
      }
    }
    const results = kinds.map((k) => {
      const a = summarize(k.app);
      const b = summarize(k.base);
      return { kind: k.name, app: a, baseline: b, ratio: ratioOf(a, b) };
    });
    const [listSmall, listLarge] = results as [(typeof results)[0], (typeof results)[0]];
    const scale = ratioOf(listLarge.app, listSmall.app);
    const errors = results.reduce((n, r) => n + r.app.errors + r.baseline.errors, 0);
    const goals: Goal[] = [
      ...results
        .filter((_, i) => !kinds[i]!.reference)
        .map((r) => ({
          goal: `${r.kind}: >= ${pct(RATIO_GOAL)} of baseline`,
          value: `${pct(r.ratio)} (${r.app.rps.toFixed(0)} vs ${r.baseline.rps.toFixed(0)} req/s)`,
          met: r.app.errors === 0 && r.ratio >= RATIO_GOAL,
        })),
      {
        goal: `list: large company >= ${pct(SCALE_GOAL)} of the small one's req/s`,
        value: `${pct(scale)} (${listLarge.app.rps.toFixed(0)} vs ${listSmall.app.rps.toFixed(0)} req/s)`,
        met: scale >= SCALE_GOAL,
      },
    ];
    const cpu = (r: LoadResult, name: string): string => (r.cpuMsPerRequest[name] ?? NaN).toFixed(2);
    process.stdout.write(
      `\nConversations (${os.cpus().length} cores, ${CONCURRENCY} concurrent clients, ${opts.rounds} alternating rounds of ${ROUND_MS / 1000} s; ` +
        `CPU ms per request of the server and the database)\n\n`,
    );
    process.stdout.write(
      `${''.padEnd(44)}${'req/s'.padStart(8)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}${'server'.padStart(9)}${'database'.padStart(10)}${'app/base'.padStart(10)}\n`,
    );
    for (const r of results) {
      for (const [label, x] of [
        [`${r.kind}: app`, r.app],
        [`${r.kind}: baseline`, r.baseline],
      ] as const) {
        process.stdout.write(
          `${label.padEnd(44)}${x.rps.toFixed(0).padStart(8)}${x.p50.toFixed(1).padStart(9)}${x.p95.toFixed(1).padStart(9)}` +
            `${cpu(x, 'server').padStart(9)}${cpu(x, 'database').padStart(10)}${(x === r.app ? pct(r.ratio) : '').padStart(10)}\n`,
        );
      }
    }
    process.stdout.write(`\nlist, large/small (app): ${pct(scale)}; errors: ${errors}\n\n`);
    for (const g of goals) process.stdout.write(formatGoal(g));
    writeBenchResult('conversations.json', {
      when: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      settings: { concurrency: CONCURRENCY, rounds: opts.rounds, roundMs: ROUND_MS, companies: COMPANIES, seedSeconds },
      results,
      scale,
      goals,
    });
  } finally {
    await stopChild(app);
    await stopChild(baseline);
    await stopChild(db);
    bot.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}
