/**
 * Runs the migrations of src/migrations/index.ts with umzug: applied ones are recorded in the
 * `migrations` collection (`{ _id: id, appliedAt, summary }`, the format earlier versions wrote),
 * in list order. One runner at a time across processes: a run holds the `migrations` lease
 * (src/jobs/jobLease.ts), extends it while it works, and a second runner waits for it (then finds
 * nothing pending) or gives up after `waitMs` saying who holds it.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { Umzug, type UmzugStorage } from 'umzug';
import { claimDueRun, type ClaimedRun } from '../jobs/jobLease';
import { JobLease } from '../models/JobLease';
import { systemClock } from '../utils/clock';
import type { Migration, MigrationContext } from './types';

interface AppliedDoc {
  _id: string;
  appliedAt: Date;
  summary?: string;
}

const applied = () => mongoose.connection.db!.collection<AppliedDoc>('migrations');

export interface RunOptions {
  report?: (line: string) => void;
  resolveDuplicates?: boolean;
  /** How long to wait for another runner to finish (default 2 minutes). */
  waitMs?: number;
  /** How long the lock holds without being extended (default 60 s; it is extended every third of that). */
  leaseMs?: number;
}

export interface MigrationState {
  id: string;
  description: string;
  appliedAt: Date | null;
  summary?: string;
}

export class MigrationLockedError extends Error {
  constructor(holder: string, until: Date | undefined) {
    super(`another migration runner (${holder}) holds the lock${until ? ` until ${until.toISOString()} unless it extends it` : ''}`);
    this.name = 'MigrationLockedError';
  }
}

const LOCK = 'migrations';

export class MigrationLockLostError extends Error {
  constructor() {
    super(
      'the migration lock was lost (it could not be extended in time): stopped before recording or starting another migration; run it again',
    );
    this.name = 'MigrationLockLostError';
  }
}

interface HeldLock {
  /** Throws MigrationLockLostError once an extension failed or found the lock taken over. */
  assertHeld(): void;
  release(result: Record<string, unknown>): Promise<void>;
}

/** Waits for the migration lock; the returned lock is extended in the background until released. */
async function acquireLock(waitMs: number, leaseMs: number): Promise<HeldLock> {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const deadline = Date.now() + waitMs;
  let run: ClaimedRun | null = null;
  for (;;) {
    run = await claimDueRun({ job: LOCK, clock: systemClock, periodMs: 0, leaseMs, owner });
    if (run || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!run) {
    const held = await JobLease.findById(LOCK).lean();
    throw new MigrationLockedError(held?.owner ?? 'unknown', held?.leaseUntil ?? undefined);
  }
  const claimed = run;
  let lost = false;
  let heldSince = Date.now();
  // Extended every third of the lease, so one failed extension is not yet a lost lock.
  const timer = setInterval(
    () => {
      const asked = Date.now();
      claimed.extend().then(
        (held) => {
          if (held) heldSince = asked;
          else lost = true;
        },
        () => undefined,
      );
    },
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  timer.unref();
  return {
    assertHeld() {
      // Taken over, or not extended for a whole lease (another runner may have claimed it).
      if (lost || Date.now() - heldSince >= leaseMs) throw new MigrationLockLostError();
    },
    async release(result) {
      clearInterval(timer);
      await claimed.finish(result);
    },
  };
}

function storage(summaries: Map<string, string>, lock: HeldLock): UmzugStorage<MigrationContext> {
  return {
    async executed() {
      return (
        await applied()
          .find({}, { projection: { _id: 1 } })
          .toArray()
      ).map((d) => d._id);
    },
    async logMigration({ name }) {
      lock.assertHeld();
      await applied().updateOne({ _id: name }, { $set: { appliedAt: new Date(), summary: summaries.get(name) ?? '' } }, { upsert: true });
    },
    async unlogMigration({ name }) {
      lock.assertHeld();
      await applied().deleteOne({ _id: name });
    },
  };
}

function migrator(list: readonly Migration[], context: MigrationContext, lock: HeldLock): Umzug<MigrationContext> {
  const summaries = new Map<string, string>();
  const step = (m: Migration, direction: 'up' | 'down') => async () => {
    lock.assertHeld();
    context.report(`${m.id}: ${direction === 'up' ? m.description : 'reverting'} …`);
    const summary = await m[direction](context);
    summaries.set(m.id, summary);
    context.report(`${m.id}: ${direction === 'up' ? 'done' : 'reverted'} (${summary})`);
  };
  return new Umzug<MigrationContext>({
    migrations: list.map((m) => ({ name: m.id, up: step(m, 'up'), down: step(m, 'down') })),
    storage: storage(summaries, lock),
    context,
    logger: undefined,
  });
}

/** umzug wraps a migration's error; the operator needs the migration's own message. */
function unwrap(err: unknown): Error {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? cause : (err as Error);
}

async function locked<T>(options: RunOptions, list: readonly Migration[], fn: (u: Umzug<MigrationContext>) => Promise<T>): Promise<T> {
  const lock = await acquireLock(options.waitMs ?? 120_000, options.leaseMs ?? 60_000);
  const context: MigrationContext = { report: options.report ?? (() => undefined), resolveDuplicates: options.resolveDuplicates ?? false };
  let outcome: Record<string, unknown> = { ok: false };
  try {
    const result = await fn(migrator(list, context, lock));
    outcome = { ok: true };
    return result;
  } catch (err) {
    const e = unwrap(err);
    outcome = { ok: false, error: e.message };
    throw e;
  } finally {
    await lock.release(outcome);
  }
}

/** Applies the pending migrations in order (up to and including `to`); returns the ids applied. */
export async function migrateUp(list: readonly Migration[], options: RunOptions & { to?: string } = {}): Promise<string[]> {
  return locked(options, list, async (u) => (await u.up(options.to ? { to: options.to } : {})).map((m) => m.name));
}

/** Reverts the last applied migration, or every one after `to` (`to` itself too), or `step` of them. */
export async function migrateDown(
  list: readonly Migration[],
  options: RunOptions & { to?: string; step?: number } = {},
): Promise<string[]> {
  const how = options.to ? { to: options.to } : { step: options.step ?? 1 };
  return locked(options, list, async (u) => (await u.down(how)).map((m) => m.name));
}

/** Every migration with when it was applied (null: pending), in order. */
export async function migrationStatus(list: readonly Migration[]): Promise<MigrationState[]> {
  const docs = new Map((await applied().find({}).toArray()).map((d) => [d._id, d]));
  return list.map((m) => ({
    id: m.id,
    description: m.description,
    appliedAt: docs.get(m.id)?.appliedAt ?? null,
    summary: docs.get(m.id)?.summary,
  }));
}

/** Records a migration as applied without running it (a fresh database has nothing to migrate). */
export async function markApplied(id: string, summary: string): Promise<void> {
  await applied().updateOne({ _id: id }, { $set: { appliedAt: new Date(), summary } }, { upsert: true });
}
