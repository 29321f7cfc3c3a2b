/** The shape of one data migration (src/migrations/<date>-<name>.ts) and what a run gives it. */

export interface MigrationContext {
  /** Progress lines for the operator (the npm script prints them). */
  report(line: string): void;
  /** `--resolve-duplicates`: migrations that would otherwise stop on conflicting data resolve it. */
  resolveDuplicates: boolean;
}

/** For a migration called directly (tests): no progress lines, no resolution of conflicts. */
export const quietContext: MigrationContext = { report: () => undefined, resolveDuplicates: false };

export interface Migration {
  id: string;
  description: string;
  /** Applies the migration; returns a one-line summary of what it did. Idempotent. */
  up(ctx?: MigrationContext): Promise<string>;
  /** Reverts what can be reverted; returns a one-line summary. */
  down(ctx?: MigrationContext): Promise<string>;
  /** Whether this database has anything to migrate (a fresh one has not: it is recorded as applied). */
  needed?(): Promise<boolean>;
}

/** A migration that found data it will not change on its own (the message says what to do). */
export class MigrationBlockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationBlockedError';
  }
}
