/**
 * Data migrations, applied in order and recorded in the `migrations` collection
 * (`{ _id: id, appliedAt }`), so `npm run migrate` applies each one once. Every migration is
 * idempotent, so a run interrupted half-way is safe to repeat.
 */
import mongoose from 'mongoose';
import { conversationSummaries } from './2026-12-05-conversation-summaries';
import { bookingCleanup } from './2026-12-06-booking-cleanup';
import { contactPhones } from './2026-12-07-contact-phones';
import { encryptIntegrationTokens } from './2026-12-08-encrypt-integration-tokens';

export interface Migration {
  id: string;
  description: string;
  /** Applies the migration; returns a one-line summary of what it did. */
  up(): Promise<string>;
  down?(): Promise<string>;
  /** Whether this database has anything to migrate (a fresh one has not: it is recorded as applied). */
  needed?(): Promise<boolean>;
}

export const MIGRATIONS: readonly Migration[] = [conversationSummaries, bookingCleanup, contactPhones, encryptIntegrationTokens];

const applied = () => mongoose.connection.db!.collection<{ _id: string; appliedAt: Date }>('migrations');

/** The ids of the migrations not applied to this database yet, in order. */
export async function pendingMigrations(): Promise<string[]> {
  const done = new Set(
    (
      await applied()
        .find({}, { projection: { _id: 1 } })
        .toArray()
    ).map((d) => d._id),
  );
  return MIGRATIONS.filter((m) => !done.has(m.id)).map((m) => m.id);
}

/**
 * At start-up: records as applied the pending migrations this database does not need (a fresh
 * database), and returns the ids of those it does need, for a warning to run `npm run migrate`.
 */
export async function checkMigrations(): Promise<string[]> {
  const pending = new Set(await pendingMigrations());
  const needed: string[] = [];
  for (const m of MIGRATIONS) {
    if (!pending.has(m.id)) continue;
    if (m.needed && !(await m.needed())) await applied().updateOne({ _id: m.id }, { $set: { appliedAt: new Date() } }, { upsert: true });
    else needed.push(m.id);
  }
  return needed;
}

/** Applies every pending migration in order; `report` hears of each. */
export async function runMigrations(report: (line: string) => void): Promise<number> {
  const pending = new Set(await pendingMigrations());
  let count = 0;
  for (const m of MIGRATIONS) {
    if (!pending.has(m.id)) continue;
    report(`${m.id}: ${m.description} …`);
    const outcome = await m.up();
    await applied().updateOne({ _id: m.id }, { $set: { appliedAt: new Date() } }, { upsert: true });
    report(`${m.id}: done (${outcome})`);
    count++;
  }
  return count;
}
