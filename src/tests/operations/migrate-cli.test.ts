/**
 * The migrate script as operators run it: two processes started at once on a database the
 * original wrote apply each migration once; status and down print what they did; --help needs no
 * database. The children use a database of this suite's own, dropped afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose from 'mongoose';
import { MIGRATIONS } from '../../migrations';
import { testServerUri, uniqueDbName, uriWithDb } from '../helpers/mongo';
import { killAllChildren, runTs, within } from '../helpers/process';
import { buildLegacyDatabase } from './legacyDatabase';

const dbName = uniqueDbName('migrate_cli');
const mongoUri = uriWithDb(testServerUri(), dbName);
let dir: string;

const env = () => ({
  NODE_ENV: 'test',
  JWT_ACCESS_SECRET: 'migrate-cli-access-secret-0123456789abcdef',
  JWT_REFRESH_SECRET: 'migrate-cli-refresh-secret-0123456789abcdef',
  INTERNAL_SERVICE_API_KEY: 'migrate-cli-internal-api-key-0123456789ab',
  DATA_ENCRYPTION_KEY: 'migrate-cli-data-encryption-key-0123456789',
  MONGODB_URI: mongoUri,
  DATA_DIR: dir,
  LOG_DIR: path.join(dir, 'logs'),
});

async function migrate(...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = runTs('src/scripts/migrate.ts', env(), args);
  const { code } = await within(child.exited, 60_000, `migrate ${args.join(' ')}`);
  return { code, output: child.output() };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'petbuddy-migrate-'));
  await mongoose.connect(mongoUri, { serverSelectionTimeoutMS: 5000 });
});

afterAll(async () => {
  killAllChildren();
  await mongoose.connection.db?.dropDatabase();
  await mongoose.disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('when two operators run `npm run migrate` at the same moment, then every migration is applied once and both exit 0', async () => {
  await buildLegacyDatabase();
  const [a, b] = await Promise.all([migrate('up', '--resolve-duplicates'), migrate('up', '--resolve-duplicates')]);
  expect([a.code, b.code]).toEqual([0, 0]);
  const both = a.output + b.output;
  for (const m of MIGRATIONS) expect(both.split('\n').filter((l) => l.startsWith(`${m.id}: done`))).toHaveLength(1);
  expect(both).toContain(`migrate: ${MIGRATIONS.length} migration(s) applied`);
  expect(both).toContain('migrate: the database is up to date');

  const status = await migrate('status');
  expect(status.code).toBe(0);
  for (const m of MIGRATIONS) expect(status.output).toMatch(new RegExp(`^applied \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z +${m.id}  `, 'm'));

  const down = await migrate('down');
  expect(down.code).toBe(0);
  expect(down.output).toContain(`${MIGRATIONS[MIGRATIONS.length - 1]!.id}: reverted (`);
  expect(down.output).toContain('migrate:down: 1 migration(s) reverted');
  expect((await migrate('status')).output).toMatch(new RegExp(`^pending +${MIGRATIONS[MIGRATIONS.length - 1]!.id}  `, 'm'));
}, 120_000);

test('when the unique-index migration meets duplicates without the flag, then it lists them, exits 1 and says how to settle them', async () => {
  await buildLegacyDatabase();
  const run = await migrate('up');
  expect(run.code).toBe(1);
  expect(run.output).toMatch(/contacts companyId="[0-9a-f]{24}", social\.instagramId="ig-777": 2 documents/);
  expect(run.output).toContain(
    'migrate: stopped: 4 group(s) of duplicates (listed above) would break the unique indexes; nothing was changed.',
  );
  expect(run.output).toContain('npm run migrate -- --resolve-duplicates');
}, 60_000);

test('when asked for --help or given a wrong option, then it answers without touching the database', async () => {
  const help = runTs('src/scripts/migrate.ts', { ...env(), MONGODB_URI: 'mongodb://127.0.0.1:1/unreachable' }, ['up', '--help']);
  expect((await within(help.exited, 30_000, 'help')).code).toBe(0);
  expect(help.output()).toContain('npm run migrate:down [-- --to=<id> | --step=<n>]');
  const wrong = await migrate('up', '--force-everything');
  expect(wrong.code).toBe(1);
  expect(wrong.output).toMatch(/Unknown option '--force-everything'/);
}, 60_000);
