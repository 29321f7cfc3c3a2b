/**
 * In-process job scheduler on setInterval. A job runs first after `initialDelayMs`, then every
 * `intervalMs`; a run never overlaps the previous one (a tick that finds it still running is
 * skipped); errors are logged and the job keeps its schedule. stop() cancels the timers and
 * waits for runs in progress. Every tick is measured (petbuddy_job_runs_total{job,outcome},
 * petbuddy_job_duration_seconds{job}).
 */
import { recordJobRun, type JobRun } from '../metrics/jobs';
import { safely } from '../metrics/registry';
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

export interface SchedulerOptions {
  /** Where each tick's outcome goes: the process's metrics by default (the outbox thread forwards them to its host). */
  onRun?: (run: JobRun) => void;
}

export function createScheduler(options: SchedulerOptions = {}): Scheduler {
  const jobs = new Map<string, { job: Job; running: Promise<void> | null; timers: NodeJS.Timeout[] }>();
  let started = false;
  const onRun = options.onRun ?? recordJobRun;
  const report = (run: JobRun): void => safely('petbuddy_job_runs_total', () => onRun(run));

  const tick = (name: string): Promise<void> => {
    const entry = jobs.get(name);
    if (!entry) return Promise.resolve();
    if (entry.running) {
      log.debug('job still running; tick skipped', { job: name });
      report({ job: name, outcome: 'skipped' });
      return entry.running;
    }
    const t0 = performance.now();
    const seconds = (): number => (performance.now() - t0) / 1000;
    const run = entry.job
      .run()
      .then(
        () => {
          const s = seconds();
          log.debug('job finished', { job: name, ms: Math.round(s * 1000) });
          report({ job: name, outcome: 'success', seconds: s });
        },
        (err: unknown) => {
          log.error('job failed', { job: name, error: (err as Error)?.message, stack: (err as Error)?.stack });
          report({ job: name, outcome: 'error', seconds: seconds() });
        },
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
