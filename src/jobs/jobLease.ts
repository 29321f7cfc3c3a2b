/**
 * "Run this job once per period, in one process", for processes sharing a database. A run starts
 * only by claiming the job's lease document with one atomic update whose filter says "the lease
 * is free and the last run is at least a period old"; the update records the new run's start at
 * once, so however many processes tick at the same moment, one claims it, and a process that
 * restarts within the period finds the run already done. The holder extends its lease while it
 * works; a holder that dies leaves a lease that simply expires.
 */
import { randomUUID } from 'node:crypto';
import { JobLease } from '../models/JobLease';
import type { Clock } from '../utils/clock';

export interface ClaimedRun {
  owner: string;
  startedAt: Date;
  /** Extends the lease; false when this process no longer holds it (it expired and another took over). */
  extend(): Promise<boolean>;
  /** Frees the lease and records how the run ended. */
  finish(result: Record<string, unknown>): Promise<void>;
}

export interface LeaseOptions {
  job: string;
  clock: Clock;
  /** The job runs at most once per this many milliseconds. */
  periodMs: number;
  /** How long a claim (or extension) holds without being extended. */
  leaseMs: number;
  owner?: string;
}

/** Claims the job's run if one is due and nobody holds it; null otherwise. */
export async function claimDueRun(o: LeaseOptions): Promise<ClaimedRun | null> {
  const owner = o.owner ?? randomUUID();
  const now = o.clock.now();
  const free = { $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }] };
  const due = { $or: [{ lastRunAt: null }, { lastRunAt: { $lte: new Date(now.getTime() - o.periodMs) } }] };
  try {
    const claimed = await JobLease.findOneAndUpdate(
      { _id: o.job, $and: [free, due] },
      { $set: { owner, leaseUntil: new Date(now.getTime() + o.leaseMs), lastRunAt: now } },
      { upsert: true, new: true, projection: { _id: 1 } },
    ).lean();
    if (!claimed) return null;
  } catch (err) {
    // The document exists but is held or not due: the upsert's insert collides with it.
    if ((err as { code?: number }).code === 11000) return null;
    throw err;
  }
  const mine = { _id: o.job, owner };
  return {
    owner,
    startedAt: now,
    async extend() {
      const res = await JobLease.updateOne(mine, { $set: { leaseUntil: new Date(o.clock.now().getTime() + o.leaseMs) } });
      return res.matchedCount > 0;
    },
    async finish(result) {
      await JobLease.updateOne(mine, { $set: { lastFinishedAt: o.clock.now(), lastResult: result }, $unset: { owner: 1, leaseUntil: 1 } });
    },
  };
}
