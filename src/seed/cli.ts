/** What `npm run seed` does with its arguments (help, production guard) and what it prints at the end. */
import type { Config } from '../config/env';
import { PAST_DAYS, FUTURE_DAYS } from './plan';
import type { SeedResult } from './demo';

export const SEED_USAGE = `Usage: npm run seed [-- --force]

Creates the demo company "PetBuddy Grooming Salon" (or completes it): two locations, staff with
weekly schedules, the grooming catalogue, customers with pets, appointments from ${PAST_DAYS} days ago to
${FUTURE_DAYS} days ahead, a few inbox conversations and the AI prompt library. Running it again
writes only what is missing; it never deletes anything and never touches other companies.

Options:
  --force   run even though NODE_ENV is production
  --help    show this text`;

export type SeedDecision =
  | { kind: 'run' }
  | { kind: 'help' }
  /** Not run: `message` says why; the process exits with `exitCode`. */
  | { kind: 'refuse'; message: string; exitCode: number };

/** Whether to seed, given the arguments and the configuration; checked before any database is opened. */
export function decideSeedRun(args: readonly string[], config: Pick<Config, 'isProduction'>): SeedDecision {
  const unknown = args.filter((a) => a !== '--force' && a !== '--help' && a !== '-h');
  if (unknown.length > 0) return { kind: 'refuse', message: `seed: unknown argument ${unknown.join(' ')}\n\n${SEED_USAGE}`, exitCode: 2 };
  if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };
  if (config.isProduction && !args.includes('--force')) {
    return {
      kind: 'refuse',
      message: 'seed: NODE_ENV is production; the demo company would be added to this database. Run with --force if you mean it.',
      exitCode: 1,
    };
  }
  return { kind: 'run' };
}

/** The closing lines: where to log in and as whom. */
export function loginInstructions(config: Pick<Config, 'port'>, result: SeedResult): string[] {
  const width = Math.max(...result.logins.map((l) => l.email.length));
  return [
    `Demo company "${result.companyName}" is ready (${result.companyId}).`,
    result.password === null
      ? `Log in at http://localhost:${config.port}/ (POST /api/v1/auth/login) with the password printed when these accounts were created, as:`
      : `Log in at http://localhost:${config.port}/ (POST /api/v1/auth/login) with password ${result.password} as:`,
    ...result.logins.map((l) => `  ${l.email.padEnd(width)}  ${l.fullName} (${l.role})`),
  ];
}
