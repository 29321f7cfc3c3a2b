/**
 * The migrate script as operators run it: two processes started at once on a database the
 * original wrote apply each migration once; status and down print what they did; --help needs no
 * database. The children use a database of this suite's own, dropped afterwards.
 */
import { MIGRATIONS } from '../../migrations';
import { buildLegacyDatabase } from './legacyDatabase';
import { useScriptDatabase } from './scripts';

const scripts = useScriptDatabase('migrate_cli');
const migrate = (...args: string[]) => scripts.run('migrate', args);

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
  const help = await scripts.run('migrate', ['up', '--help'], { MONGODB_URI: 'mongodb://127.0.0.1:1/unreachable' });
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('npm run migrate:down [-- --to=<id> | --step=<n>]');
  const offline = { MONGODB_URI: 'mongodb://127.0.0.1:1/unreachable' };
  const wrong = await scripts.run('migrate', ['up', '--force-everything'], offline);
  expect(wrong.code).toBe(2);
  expect(wrong.output).toMatch(/Unknown option '--force-everything'/);
  const command = await scripts.run('migrate', ['sideways'], offline);
  expect(command.code).toBe(2);
  expect(command.output).toContain('migrate: unknown command (up, down or status) (see --help)');
}, 60_000);
