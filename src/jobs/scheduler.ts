/**
 * In-process job scheduler on setInterval. A job runs first after `initialDelayMs`, then every
 * `intervalMs`; a run never overlaps the previous one (a tick that finds it still running is
 * skipped); errors are logged and the job keeps its schedule. stop() cancels the timers and
 * waits for runs in progress.
 */
import { moduleLogger } from '../utils/logger';

const log = moduleLogger('scheduler');

export interface Job {
  name: string;
  intervalMs: number;
  initialDelayMs?: number;
  run: () => Promise<unknown>;
}

export interface Scheduler {
  add(job: Job): void;
  start(): void;
  stop(): Promise<void>;
  /** Runs a job now (unless it is running), as its timer would. */
  runNow(name: string): Promise<void>;
}

export function createScheduler(): Scheduler {
  const jobs = new Map<string, { job: Job; running: Promise<void> | null; timers: NodeJS.Timeout[] }>();
  let started = false;

  const tick = (name: string): Promise<void> => {
    const entry = jobs.get(name);
    if (!entry) return Promise.resolve();
    if (entry.running) {
      log.debug('job still running; tick skipped', { job: name });
      return entry.running;
    }
    const t0 = Date.now();
    const run = entry.job
      .run()
      .then(
        () => void log.debug('job finished', { job: name, ms: Date.now() - t0 }),
        (err: unknown) => void log.error('job failed', { job: name, error: (err as Error)?.message, stack: (err as Error)?.stack }),
      )
      .finally(() => {
        entry.running = null;
      });
    entry.running = run;
    return run;
  };

  const schedule = (name: string): void => {
    const entry = jobs.get(name)!;
    const first = setTimeout(() => {
      void tick(name);
      const every = setInterval(() => void tick(name), entry.job.intervalMs);
      every.unref();
      entry.timers.push(every);
    }, entry.job.initialDelayMs ?? entry.job.intervalMs);
    first.unref();
    entry.timers.push(first);
  };

  return {
    add(job) {
      if (jobs.has(job.name)) throw new Error(`job ${job.name} already registered`);
      jobs.set(job.name, { job, running: null, timers: [] });
      if (started) schedule(job.name);
    },
    start() {
      if (started) return;
      started = true;
      for (const name of jobs.keys()) schedule(name);
      log.info('scheduler started', { jobs: [...jobs.keys()] });
    },
    async stop() {
      started = false;
      for (const entry of jobs.values()) {
        for (const t of entry.timers) clearTimeout(t);
        entry.timers = [];
      }
      await Promise.all([...jobs.values()].map((e) => e.running ?? Promise.resolve()));
    },
    runNow: (name) => tick(name),
  };
}
