/**
 * `npm run delete:facebook-ids` and `npm run clear:lockout` as operators run them: the JSON summary
 * alone on stdout, --file and --ids, --dry-run, usage errors before any database work, --help.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Contact } from '../../models/Contact';
import { LoginAttempt } from '../../models/LoginAttempt';
import { createLockoutService, MAX_FAILED_ATTEMPTS } from '../../services/lockout.service';
import { systemClock } from '../../utils/clock';
import { createCompany } from '../factories/accounts';
import { personIn } from '../factories/person';
import { useScriptDatabase } from './scripts';

const scripts = useScriptDatabase('maintenance_cli');

test('delete:facebook-ids: a dry run counts, a real run deletes and prints the JSON summary alone on stdout', async () => {
  const co = await createCompany();
  await personIn(co.companyId, { facebookId: '8880001' });
  await personIn(co.companyId, { facebookId: '8880002' });
  const file = path.join(scripts.dir(), 'ids.json');
  fs.writeFileSync(file, JSON.stringify({ ids: ['8880001', '8880002', '8880003'] }));

  const dry = await scripts.run('delete-facebook-ids', ['--ids=8880001,8880003', '--dry-run']);
  expect(dry.code).toBe(0);
  expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, ids: 2, contactsFound: 1, notFound: ['8880003'], deleted: { contacts: 0 } });
  expect(await Contact.countDocuments({ companyId: co.companyId })).toBe(2);

  const run = await scripts.run('delete-facebook-ids', [`--file=${file}`]);
  expect(run.code).toBe(0);
  expect(JSON.parse(run.stdout)).toMatchObject({
    dryRun: false,
    ids: 3,
    contactsFound: 2,
    notFound: ['8880003'],
    deleted: { contacts: 2, messages: 4, appointments: 2, pets: 2 },
    failed: [],
  });
  expect(await Contact.countDocuments({ companyId: co.companyId })).toBe(0);
}, 90_000);

test('delete:facebook-ids: wrong arguments are refused before any database work, and --help explains', async () => {
  const offline = { MONGODB_URI: 'mongodb://127.0.0.1:1/unreachable' };
  const both = await scripts.run('delete-facebook-ids', ['--ids=1', '--file=x'], offline);
  expect(both.code).toBe(2);
  expect(both.output).toContain('give exactly one of --file or --ids');
  const bad = await scripts.run('delete-facebook-ids', ['--ids=1,$where'], offline);
  expect(bad.code).toBe(2);
  expect(bad.output).toContain('not a Facebook id');
  const help = await scripts.run('delete-facebook-ids', ['--help'], offline);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('--dry-run      only count the contacts that would be deleted');
}, 90_000);

test('clear:lockout: lists locked accounts, --all lifts them naming them, --email lifts one', async () => {
  const lockout = createLockoutService(systemClock);
  for (const email of ['ana@example.com', 'levan@example.com']) {
    for (let i = 0; i < MAX_FAILED_ATTEMPTS; i++) await lockout.recordFailure(email, '10.0.0.1');
  }
  const list = await scripts.run('clear-lockout', []);
  expect(list.code).toBe(0);
  expect(list.stdout).toContain('Locked accounts:\n  ana@example.com\n  levan@example.com');

  const one = await scripts.run('clear-lockout', ['--email', 'Ana@Example.com']);
  expect(one.stdout).toContain(`ana@example.com: lock lifted; ${MAX_FAILED_ATTEMPTS + 1} login attempt record(s) removed.`);

  const all = await scripts.run('clear-lockout', ['--all']);
  expect(all.code).toBe(0);
  expect(all.stdout).toContain('Previously locked accounts:\n  levan@example.com');
  expect(all.stdout).toContain(`All locks lifted; ${MAX_FAILED_ATTEMPTS + 1} failed login record(s) removed.`);
  expect(await LoginAttempt.countDocuments({ successful: false })).toBe(0);

  const conflicting = await scripts.run('clear-lockout', ['--all', '--email=x@example.com']);
  expect(conflicting.code).toBe(1);
  expect(conflicting.output).toContain('give one of --email, --all or --list');
}, 120_000);
