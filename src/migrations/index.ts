/**
 * The data migrations, in the order they apply. Each is a file in this folder named
 * `<date>-<name>.ts`, idempotent (a run interrupted half-way is safe to repeat) and reversible
 * where it can be; src/migrations/runner.ts applies them with umzug under a cross-process lock.
 */
import { conversationSummaries } from './2026-12-05-conversation-summaries';
import { bookingCleanup } from './2026-12-06-booking-cleanup';
import { contactPhones } from './2026-12-07-contact-phones';
import { encryptIntegrationTokens } from './2026-12-08-encrypt-integration-tokens';
import { serviceProviders } from './2026-12-09-service-providers';
import { uniqueIndexes } from './2026-12-10-unique-indexes';
import { markApplied, migrateDown, migrateUp, migrationStatus, type RunOptions } from './runner';
import type { Migration } from './types';

export type { Migration, MigrationContext } from './types';
export { MigrationBlockedError } from './types';
export { MigrationLockLostError, MigrationLockedError, type MigrationState, type RunOptions } from './runner';

export const MIGRATIONS: readonly Migration[] = [
  conversationSummaries,
  bookingCleanup,
  contactPhones,
  encryptIntegrationTokens,
  serviceProviders,
  uniqueIndexes,
];

/** The ids of the migrations not applied to this database yet, in order. */
export async function pendingMigrations(): Promise<string[]> {
  return (await migrationStatus(MIGRATIONS)).filter((s) => s.appliedAt === null).map((s) => s.id);
}

/** Every migration with when it was applied (null: pending). */
export const statusOfMigrations = () => migrationStatus(MIGRATIONS);

/**
 * At start-up: records as applied the pending migrations this database does not need (a fresh
 * database), and returns the ids of those it does need, for a warning to run `npm run migrate`.
 */
export async function checkMigrations(): Promise<string[]> {
  const pending = new Set(await pendingMigrations());
  const needed: string[] = [];
  for (const m of MIGRATIONS) {
    if (!pending.has(m.id)) continue;
    if (m.needed && !(await m.needed())) await markApplied(m.id, 'nothing to migrate');
    else needed.push(m.id);
  }
  return needed;
}

/** Applies every pending migration in order; `report` hears of each. Returns how many were applied. */
export async function runMigrations(
  report: (line: string) => void,
  options: Omit<RunOptions, 'report'> & { to?: string } = {},
): Promise<number> {
  return (await migrateUp(MIGRATIONS, { ...options, report })).length;
}

/** Reverts the last applied migration (or down to and including `to`, or `step` of them). */
export async function revertMigrations(
  report: (line: string) => void,
  options: Omit<RunOptions, 'report'> & { to?: string; step?: number } = {},
): Promise<string[]> {
  return migrateDown(MIGRATIONS, { ...options, report });
}
