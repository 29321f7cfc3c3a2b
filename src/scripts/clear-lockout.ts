/**
 * `npm run clear:lockout -- --email=<email>` lifts one account's login lockout (its lock and failed
 * attempts); `--all` lifts every lock; with no option (or `--list`) it lists the accounts locked now.
 */
import { parseArgs } from 'node:util';
import { createLockoutService } from '../services/lockout.service';
import { systemClock } from '../utils/clock';
import { normalizeEmail } from '../validators/common.schemas';
import { runScript } from './run';

const HELP = `Usage:
  npm run clear:lockout                      list the accounts locked now
  npm run clear:lockout -- --email=<email>   lift that account's lock and forget its failed logins
  npm run clear:lockout -- --all             lift every lock and forget every failed login
  (--email <email> and a bare <email> work too)`;

void runScript(
  'clear:lockout',
  async (_config, argv) => {
    const out = (s: string): void => void process.stdout.write(`${s}\n`);
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { email: { type: 'string' }, all: { type: 'boolean' }, list: { type: 'boolean' } },
    });
    const email = values.email ?? positionals[0];
    const chosen = [email !== undefined, values.all === true, values.list === true].filter(Boolean).length;
    if (chosen > 1 || positionals.length > 1 || (values.email !== undefined && positionals.length > 0))
      throw new Error(`give one of --email, --all or --list\n${HELP}`);
    const lockout = createLockoutService(systemClock);
    if (values.all) {
      const { previouslyLocked, removed } = await lockout.clearAll();
      out(
        previouslyLocked.length
          ? `Previously locked accounts:\n${previouslyLocked.map((e) => `  ${e}`).join('\n')}`
          : 'No account was locked.',
      );
      out(`All locks lifted; ${removed} failed login record(s) removed.`);
      return 0;
    }
    if (email === undefined) {
      const locked = await lockout.listLocked();
      out(locked.length ? `Locked accounts:\n${locked.map((e) => `  ${e}`).join('\n')}` : 'No account is locked.');
      if (!values.list) out('Usage: npm run clear:lockout -- --email=<email> | --all   (--help for more)');
      return 0;
    }
    const normalized = normalizeEmail(email);
    const wasLocked = await lockout.isLocked(normalized);
    const removed = await lockout.clear(normalized);
    out(`${normalized}: ${wasLocked ? 'lock lifted' : 'was not locked'}; ${removed} login attempt record(s) removed.`);
    return 0;
  },
  { help: HELP },
);
