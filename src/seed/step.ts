/** One seed step: its progress (start, a tick per item, done with a summary) and what it counted. */
import type { Progress } from '../scripts/progress';

export interface StepCount {
  total: number;
  /** Written by this run. */
  created: number;
  /** Found from an earlier run (natural key), left as it is. */
  existing: number;
  /** Planned but refused by the service's rules (a booking slot that is not free), not written. */
  skipped: number;
}

export interface StepTracker {
  created(n?: number): void;
  existing(n?: number): void;
  skipped(n?: number): void;
  /** Added to the step's summary line. */
  note(text: string): void;
}

export function summaryOf(count: StepCount, notes: string[] = []): string {
  const parts = [
    ...(count.created ? [`${count.created} created`] : []),
    ...(count.existing ? [`${count.existing} existing`] : []),
    ...(count.skipped ? [`${count.skipped} skipped`] : []),
    ...notes,
  ];
  return parts.join(', ') || 'nothing to do';
}

/** Runs `fn` as the step `name` of `total` items; the step is reported done (or failed) either way. */
export async function runStep<T>(
  report: Progress,
  name: string,
  total: number,
  fn: (t: StepTracker) => Promise<T>,
): Promise<{ value: T; count: StepCount }> {
  const count: StepCount = { total, created: 0, existing: 0, skipped: 0 };
  const notes: string[] = [];
  const bump =
    (key: 'created' | 'existing' | 'skipped') =>
    (n = 1) => {
      count[key] += n;
      report.tick(n);
    };
  report.start(name, total);
  try {
    const value = await fn({ created: bump('created'), existing: bump('existing'), skipped: bump('skipped'), note: (t) => notes.push(t) });
    report.done(summaryOf(count, notes));
    return { value, count };
  } catch (err) {
    report.done(`failed: ${(err as Error).message}`);
    throw err;
  }
}
