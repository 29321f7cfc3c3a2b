/** `npm run migrate`: applies the pending data migrations (src/migrations/) to the database. */
import { runMigrations } from '../migrations';
import { runScript } from './run';

void runScript('migrate', async () => {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const count = await runMigrations(say);
  say(count === 0 ? 'migrate: the database is up to date' : `migrate: ${count} migration(s) applied`);
});
