/**
 * `npm run clear:lockout -- <email>`: lifts a login lockout (removes the account's lock and its
 * failed attempts). `--list` shows the accounts locked now.
 */
import { createLockoutService } from '../services/lockout.service';
import { systemClock } from '../utils/clock';
import { normalizeEmail } from '../validators/common.schemas';
import { runScript } from './run';

void runScript('clear:lockout', async (_config, args) => {
  const out = (s: string): void => void process.stdout.write(`${s}\n`);
  const lockout = createLockoutService(systemClock);
  if (args.length === 0 || args[0] === '--list') {
    const locked = await lockout.listLocked();
    out(locked.length ? `Locked accounts:\n${locked.map((e) => `  ${e}`).join('\n')}` : 'No account is locked.');
    if (args.length === 0) out('Usage: npm run clear:lockout -- <email>   (or --list)');
    return 0;
  }
  const raw = args[0]!.startsWith('--email=') ? args[0]!.slice('--email='.length) : args[0]!;
  const email = normalizeEmail(raw);
  const wasLocked = await lockout.isLocked(email);
  const removed = await lockout.clear(email);
  out(`${email}: ${wasLocked ? 'lock lifted' : 'was not locked'}; ${removed} login attempt record(s) removed.`);
  return 0;
});
