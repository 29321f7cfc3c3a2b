/**
 * Customers: one grooming company in Tbilisi with 20,000 contacts (20% customers with a phone and
 * an email, 80% leads from Instagram or Facebook, a third of them with the phone the bot
 * collected), realistic names, seeded in bulk with their search keys as the API and the inbox
 * write them, and another company's 5,000 contacts with the same names as noise. Then sequential
 * GET /api/v1/catalog/customers searches in alternating blocks: a name fragment and a phone's
 * digits (the dashboard's default list, customers; goal p95 under 50 ms each), and for reference
 * a name fragment over customers and leads with a page of 50, the booking wizard's
 * /customers/search/by-phone, and the list without a search (a page of 50, and the whole list
 * the dashboard loads). Written to bench-results/customers.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose, { Types } from 'mongoose';
import { Company } from '../models/Company';
import { Contact } from '../models/Contact';
import {
  accessToken,
  cpuMsOf,
  cpuSnapshot,
  formatGoal,
  startApp,
  startDatabase,
  stopChild,
  writeBenchResult,
  type Child,
  type Goal,
} from './harness';
import { fakeMetaBot } from './loopback';
import { latencySummary } from './openLoop';
import { seedCompany } from './seed';

const CONTACTS = 20_000;
const NOISE_CONTACTS = 5_000;
const CUSTOMER_SHARE = 0.2;
const LEAD_PHONE_SHARE = 1 / 3;
const BATCH = 2000;
const WARMUP = 20;
const BLOCKS = 5;
const FULL_LIST_REQUESTS = 50;
const GOAL_MS = 50;
const TIMEOUT_MS = 30_000;
/** No measured request starts after this long. */
const BUDGET_MS = 2 * 60_000;

const FIRST = (
  'Nino Mariam Ana Tamar Elene Salome Natia Keti Lika Sopho Maia Tea Nana Eka Irina Giorgi Davit Luka Levan Irakli Nika ' +
  'Sandro Lasha Zurab Beka Tornike Vakhtang Otar Gela Dato Olivia Emma Sophia Amelia Isla Ava Mia Grace Chloe Emily ' +
  'Oliver George Noah Arthur Harry Leo Jack Charlie Oscar James Maria Anna Elena Sofia Alex Daniel Michael Sarah Laura Paul'
).split(' ');
const LAST = (
  'Beridze Kapanadze Gelashvili Maisuradze Giorgadze Lomidze Tsiklauri Bolkvadze Nozadze Khutsishvili Abashidze ' +
  'Mamedov Aliev Chikovani Kvaratskhelia Dolidze Japaridze Goguadze Tabatadze Mchedlishvili Kiknadze Gogoladze ' +
  'Shengelia Jgharkava Kobakhidze Sulaberidze Makharadze Chachua Tsertsvadze Baratashvili Smith Jones Taylor Brown ' +
  'Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke ' +
  'Patel Khan Lewis James Phillips Mason Mitchell Rose Davis Rodriguez Cox Alexander Garcia Martin Müller Schmidt ' +
  'Petrov Ivanova Novak Horvat Kowalski Nowak Rossi Russo Dubois Moreau Lefèvre'
).split(' ');

/** A deterministic pseudo-random sequence in [0, 1), so every run seeds the same contacts. */
function sequence(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** Georgian mobile numbers: distinct per index, in the API's display and E.164 forms. */
function phoneOf(i: number, salt: number): { phone: string; phoneE164: string } {
  const n = String((i * 7919 + salt) % 10_000_000).padStart(7, '0');
  const prefix = ['555', '557', '568', '571', '577', '591', '595', '598', '599'][i % 9]!;
  return { phone: `+995 ${prefix} ${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4)}`, phoneE164: `+995${prefix}${n}` };
}

function contactsOf(companyId: Types.ObjectId, count: number, seed: number) {
  const rand = sequence(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    const customer = rand() < CUSTOMER_SHARE;
    const withPhone = customer || rand() < LEAD_PHONE_SHARE;
    const platform = rand() < 0.7 ? 'instagram' : 'facebook';
    const socialId = `${platform === 'instagram' ? '178414' : '245190'}${String(seed * 100_000 + i).padStart(11, '0')}`;
    return {
      companyId,
      fullName: `${first} ${last}`,
      ...(withPhone ? phoneOf(i, seed) : {}),
      ...(customer ? { email: `${first}.${last}${i % 97}@example.com`.toLowerCase() } : {}),
      social: platform === 'instagram' ? { instagramId: socialId } : { facebookId: socialId },
      contactStatus: customer ? 'customer' : 'lead',
      ...(customer ? {} : { leadSource: platform, leadStage: 'new' }),
      messageCount: 1 + Math.floor(rand() * 30),
    };
  });
}

interface Seeded {
  token: string;
  nameFragments: string[];
  phoneFragments: string[];
  customers: number;
  leads: number;
  meanKeys: number;
  seedSeconds: number;
}

async function seed(mongoUri: string): Promise<Seeded> {
  const t0 = Date.now();
  await mongoose.connect(mongoUri);
  try {
    await Promise.all([Contact.createIndexes(), Company.createIndexes()]);
    const company = await seedCompany({
      name: 'Bench Customers Grooming',
      staff: [{ email: 'front-desk@customers.bench.example', fullName: 'Front Desk', role: 'receptionist' }],
      passwordHash: 'x',
    });
    const noise = await seedCompany({ name: 'Bench Noise Grooming', staff: [], passwordHash: 'x' });
    const companyId = new Types.ObjectId(company.companyId);
    // Local numbers of this company are Georgian.
    await Company.updateOne({ _id: companyId }, { $set: { timezone: 'Asia/Tbilisi' } });
    const docs = contactsOf(companyId, CONTACTS, 1);
    const noiseDocs = contactsOf(new Types.ObjectId(noise.companyId), NOISE_CONTACTS, 2);
    // Through the model: its insertMany hook writes the search keys, as every writer does.
    for (const all of [docs, noiseDocs]) for (let i = 0; i < all.length; i += BATCH) await Contact.insertMany(all.slice(i, i + BATCH));
    const sample = await Contact.find({ companyId }, { searchKeys: 1 }).select('+searchKeys').limit(500).lean();
    const rand = sequence(7);
    const customers = docs.filter((d) => d.contactStatus === 'customer');
    const withPhone = customers.filter((d) => d.phone);
    return {
      token: accessToken(company.staff[0]!.userId),
      // What staff type: the start of a first or last name (3 to 5 letters), and a number's first digits.
      nameFragments: Array.from({ length: 50 }, () => {
        const [first, last] = customers[Math.floor(rand() * customers.length)]!.fullName.split(' ') as [string, string];
        const word = rand() < 0.5 ? first : last;
        return word.slice(0, 3 + Math.floor(rand() * 3)).toLowerCase();
      }),
      phoneFragments: Array.from({ length: 50 }, () => {
        const [, prefix, a, b] = withPhone[Math.floor(rand() * withPhone.length)]!.phone!.split(' ') as [string, string, string, string];
        return rand() < 0.5 ? `${prefix} ${a}${b}` : `${prefix} ${a} ${b.slice(0, 1)}`;
      }),
      customers: customers.length,
      leads: docs.length - customers.length,
      meanKeys: Math.round((sample.reduce((n, c) => n + (c.searchKeys?.length ?? 0), 0) / Math.max(1, sample.length)) * 10) / 10,
      seedSeconds: (Date.now() - t0) / 1000,
    };
  } finally {
    await mongoose.disconnect();
  }
}

interface Kind {
  name: string;
  path: string;
  query: (i: number) => Record<string, string>;
  goal: boolean;
  times: number[];
  items: number[];
  failures: Record<string, number>;
  cpuMs: Record<string, number>;
}

async function once(appUrl: string, token: string, k: Kind, i: number): Promise<{ ms: number; items?: number; status: number }> {
  const url = new URL(k.path, appUrl);
  for (const [key, v] of Object.entries(k.query(i))) url.searchParams.set(key, v);
  const t0 = process.hrtime.bigint();
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const body = await res.text();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return res.status === 200
      ? { ms, status: 200, items: (JSON.parse(body) as { items: unknown[] }).items.length }
      : { ms, status: res.status };
  } catch {
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: 0 };
  }
}

export async function customersRun(opts: { requests: number; nodeArgs?: string[] }): Promise<void> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'petbuddy-customers-'));
  const bot = await fakeMetaBot();
  let db: Child | undefined;
  let app: Child | undefined;
  try {
    db = await startDatabase(opts.nodeArgs);
    const mongoUri = `${db.url}/petbuddy_customers`;
    process.stdout.write(`customers: seeding ${CONTACTS} contacts (and ${NOISE_CONTACTS} of another company)…\n`);
    const s = await seed(mongoUri);
    app = await startApp({ mongoUri, metaBotUrl: bot.url, logDir, nodeArgs: opts.nodeArgs });
    const meters = { app: () => cpuMsOf(app!.proc.pid!), database: () => cpuMsOf(db!.proc.pid!) };
    const LIST = '/api/v1/catalog/customers';
    const kind = (name: string, p: string, query: Kind['query'], goal: boolean): Kind => ({
      name,
      path: p,
      query,
      goal,
      times: [],
      items: [],
      failures: {},
      cpuMs: {},
    });
    const kinds: Kind[] = [
      kind('q=<name fragment>, customers', LIST, (i) => ({ q: s.nameFragments[i % s.nameFragments.length]! }), true),
      kind('q=<phone digits>, customers', LIST, (i) => ({ q: s.phoneFragments[i % s.phoneFragments.length]! }), true),
      kind(
        'q=<name fragment>, all contacts, limit 50',
        LIST,
        (i) => ({ q: s.nameFragments[i % 50]!, contactStatus: 'all', limit: '50' }),
        false,
      ),
      kind('search/by-phone?phone=<digits>', `${LIST}/search/by-phone`, (i) => ({ phone: s.phoneFragments[i % 50]! }), false),
      kind('no q, one page of 50 customers', LIST, (i) => ({ page: String(1 + (i % 20)), limit: '50' }), false),
    ];
    // Measured on its own after the others: its answers are large enough to disturb what follows them.
    const fullList = kind('no q, every customer [COMPAT]', LIST, () => ({}), false);
    for (let i = 0; i < WARMUP; i++) for (const k of kinds) await once(app.url, s.token, k, i);
    const t0 = Date.now();
    const measure = async (k: Kind, count: number, offset: number): Promise<void> => {
      const before = cpuSnapshot(meters);
      for (let n = 0; n < count && Date.now() - t0 < BUDGET_MS; n++) {
        const r = await once(app!.url, s.token, k, offset + n);
        if (r.items === undefined) k.failures[String(r.status)] = (k.failures[String(r.status)] ?? 0) + 1;
        else {
          k.times.push(r.ms);
          k.items.push(r.items);
        }
      }
      const after = cpuSnapshot(meters);
      for (const m of Object.keys(meters)) k.cpuMs[m] = (k.cpuMs[m] ?? 0) + after[m]! - before[m]!;
    };
    const perBlock = Math.ceil(opts.requests / BLOCKS);
    process.stdout.write(
      `customers: ${BLOCKS} alternating blocks of ${perBlock} sequential requests per search, then ${FULL_LIST_REQUESTS} of the whole list (seeded in ${s.seedSeconds.toFixed(0)} s)…\n`,
    );
    for (let block = 0; block < BLOCKS; block++) {
      for (const k of block % 2 === 0 ? kinds : [...kinds].reverse()) await measure(k, perBlock, block * perBlock);
    }
    for (let i = 0; i < 3; i++) await once(app.url, s.token, fullList, i);
    await measure(fullList, FULL_LIST_REQUESTS, 0);
    kinds.push(fullList);
    const results = kinds.map((k) => ({
      search: k.name,
      ...latencySummary(k.times),
      meanItems: Math.round((k.items.reduce((a, b) => a + b, 0) / Math.max(1, k.items.length)) * 10) / 10,
      failures: k.failures,
      cpuMsPerRequest: Object.fromEntries(
        Object.entries(k.cpuMs).map(([m, ms]) => [m, Math.round((ms / Math.max(1, k.times.length)) * 10) / 10]),
      ),
    }));
    const goals: Goal[] = results
      .filter((_, i) => kinds[i]!.goal)
      .map((r) => ({
        goal: `GET /catalog/customers ${r.search} p95 < ${GOAL_MS} ms`,
        value: `${r.p95} ms (n ${r.n}${Object.keys(r.failures).length ? `, failed ${JSON.stringify(r.failures)}` : ''})`,
        met: r.n > 0 && Object.keys(r.failures).length === 0 && r.p95 < GOAL_MS,
      }));
    process.stdout.write(
      `\nCustomers: ${CONTACTS} contacts in one company (${s.customers} customers, ${s.leads} leads; ${s.meanKeys} search keys each on average), ` +
        `${NOISE_CONTACTS} in another\n\n`,
    );
    for (const r of results) {
      process.stdout.write(
        `${r.search.padEnd(44)} n ${r.n}, p50 ${r.p50} ms, p95 ${r.p95} ms, max ${r.max} ms, ${r.meanItems} items, ` +
          `CPU ms per request: app ${r.cpuMsPerRequest.app}, database ${r.cpuMsPerRequest.database}\n`,
      );
    }
    process.stdout.write('\n');
    for (const g of goals) process.stdout.write(formatGoal(g));
    writeBenchResult('customers.json', {
      when: new Date().toISOString(),
      node: process.version,
      cpus: os.cpus().length,
      settings: {
        contacts: CONTACTS,
        noiseContacts: NOISE_CONTACTS,
        customerShare: CUSTOMER_SHARE,
        requests: opts.requests,
        blocks: BLOCKS,
      },
      seeded: { customers: s.customers, leads: s.leads, meanSearchKeys: s.meanKeys, seedSeconds: s.seedSeconds },
      fragments: { names: s.nameFragments, phones: s.phoneFragments },
      results,
      goals,
    });
  } finally {
    await stopChild(app);
    await stopChild(db);
    bot.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}
