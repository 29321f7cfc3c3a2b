/**
 * `npm run delete:facebook-ids -- --file=PATH | --ids=A,B [--dry-run]`: deletes the contacts with
 * these Facebook ids and everything recorded about them, one transaction per contact
 * (src/services/integrations/facebookIdDeletion.ts). stdout is the JSON summary only (progress
 * goes to stderr); exit 1 when a contact could not be deleted.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deleteFacebookIds, parseFacebookIds } from '../services/integrations/facebookIdDeletion';
import { createProgress } from './progress';
import { runScript } from './run';

const HELP = `Usage:
  npm run delete:facebook-ids -- --file=<path> [--dry-run]
  npm run delete:facebook-ids -- --ids=<id>,<id>,... [--dry-run]

Deletes, in every company, the contacts whose Facebook id (social.facebookId) is listed, with their
messages, conversation summaries, appointments (and their resource reservations), booking holds and
pets: one transaction per contact. Prints a JSON summary on stdout.

  --file=<path>  ids as a JSON array, a JSON object {"ids": [...]}, or separated by commas or new lines
  --ids=<list>   ids separated by commas
  --dry-run      only count the contacts that would be deleted
  --help         this text`;

/** The ids asked for, or a usage error (checked before a database is opened). */
function requestedIds(argv: string[]): { ids: string[]; dryRun: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: { file: { type: 'string' }, ids: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  });
  if ((values.file === undefined) === (values.ids === undefined)) throw new Error('give exactly one of --file or --ids (see --help)');
  const text = values.file !== undefined ? readFileSync(values.file, 'utf8') : values.ids!;
  return { ids: parseFacebookIds(text), dryRun: values['dry-run'] ?? false };
}

let request: { ids: string[]; dryRun: boolean } | undefined;
if (!process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
  try {
    request = requestedIds(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`delete:facebook-ids: ${(err as Error).message}\n`);
    process.exit(2);
  }
}

void runScript(
  'delete:facebook-ids',
  async () => {
    const { ids, dryRun } = request!;
    const progress = createProgress(process.stderr, { label: 'delete:facebook-ids' });
    const summary = await deleteFacebookIds(ids, {
      dryRun,
      onStart: (contacts) => progress.start('contacts', contacts),
      onContact: () => progress.tick(),
    });
    if (!dryRun) progress.done(`${summary.deleted.contacts} deleted, ${summary.failed.length} failed`);
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return summary.failed.length > 0 ? 1 : 0;
  },
  { help: HELP },
);
