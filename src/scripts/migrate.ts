/**
 * `npm run migrate` (up), `npm run migrate:status`, `npm run migrate:down`: the data migrations of
 * src/migrations/, one runner at a time across processes. See `--help`.
 */
import { parseArgs } from 'node:util';
import {
  MigrationBlockedError,
  MigrationLockLostError,
  MigrationLockedError,
  revertMigrations,
  runMigrations,
  statusOfMigrations,
} from '../migrations';
import { runScript } from './run';

const HELP = `Usage:
  npm run migrate [-- --resolve-duplicates] [--to=<id>] [--wait=<seconds>]
      apply the pending migrations in order (up to and including <id>)
  npm run migrate:status
      list every migration, applied (when, what it did) or pending
  npm run migrate:down [-- --to=<id> | --step=<n>] [--wait=<seconds>]
      revert the last applied migration (or every one back to and including <id>, or <n> of them)

Options:
  --resolve-duplicates  let the unique-index migration settle duplicates (merge contacts, rename
                        and deactivate duplicate users, collapse service items and messages);
                        without it, it lists them and stops without changing anything
  --wait=<seconds>      how long to wait for another runner to finish (default 120)
  --help                this text`;

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const PAD = ' '.repeat(33);

interface Request {
  command: 'up' | 'down' | 'status';
  options: { to?: string; step?: number; waitMs?: number; resolveDuplicates: boolean };
}

/** The command and its options, or a usage error (checked before a database is opened). */
function parseRequest(argv: string[]): Request {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'resolve-duplicates': { type: 'boolean' }, to: { type: 'string' }, step: { type: 'string' }, wait: { type: 'string' } },
  });
  const command = positionals[0];
  const seconds = values.wait === undefined ? undefined : Number(values.wait);
  const step = values.step === undefined ? undefined : Number(values.step);
  if ((command !== 'up' && command !== 'down' && command !== 'status') || positionals.length > 1)
    throw new Error('unknown command (up, down or status)');
  if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= 0)) throw new Error('--wait takes a whole number of seconds');
  if (step !== undefined && !(Number.isInteger(step) && step > 0)) throw new Error('--step takes a positive whole number');
  return {
    command,
    options: {
      to: values.to,
      step,
      waitMs: seconds === undefined ? undefined : seconds * 1000,
      resolveDuplicates: values['resolve-duplicates'] ?? false,
    },
  };
}

let request: Request | undefined;
if (!process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
  try {
    request = parseRequest(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`migrate: ${(err as Error).message} (see --help)\n`);
    process.exit(2);
  }
}

void runScript(
  'migrate',
  async () => {
    const { command, options } = request!;
    try {
      if (command === 'status') {
        for (const s of await statusOfMigrations()) {
          say(`${s.appliedAt ? `applied ${s.appliedAt.toISOString()} ` : `pending${PAD.slice(7)}`} ${s.id}  ${s.description}`);
          if (s.summary) say(`${PAD} ${s.summary}`);
        }
      } else if (command === 'down') {
        const reverted = await revertMigrations(say, options);
        say(reverted.length === 0 ? 'migrate:down: nothing to revert' : `migrate:down: ${reverted.length} migration(s) reverted`);
      } else {
        const count = await runMigrations(say, options);
        say(count === 0 ? 'migrate: the database is up to date' : `migrate: ${count} migration(s) applied`);
      }
      return 0;
    } catch (err) {
      if (!(err instanceof MigrationBlockedError || err instanceof MigrationLockedError || err instanceof MigrationLockLostError))
        throw err;
      process.stderr.write(`migrate: stopped: ${err.message}\n`);
      return 1;
    }
  },
  { help: HELP },
);
