/**
 * Scheduler metrics: every run of a job counts in petbuddy_job_runs_total{job,outcome} and its
 * duration in petbuddy_job_duration_seconds{job}; a failing job counts as `error`, a tick that
 * finds the previous run still going as `skipped`.
 */
import { buildApp } from '../../app';
import { createScheduler } from '../../jobs/scheduler';
import { testConfig } from '../helpers/config';
import { scrape, total } from './support';

const app = buildApp({ config: testConfig() });
const RUNS = 'petbuddy_job_runs_total';

test('when a job is run with runNow(), then its run counter and duration histogram move', async () => {
  const scheduler = createScheduler();
  scheduler.add({ name: 'metrics-test-ok', intervalMs: 60_000, run: () => new Promise((r) => setTimeout(r, 20)) });
  const before = await scrape(app);
  await scheduler.runNow('metrics-test-ok');
  await scheduler.runNow('metrics-test-ok');
  const after = await scrape(app);
  const job = { job: 'metrics-test-ok' };
  expect(total(after, RUNS, { ...job, outcome: 'success' }) - total(before, RUNS, { ...job, outcome: 'success' })).toBe(2);
  expect(total(after, 'petbuddy_job_duration_seconds_count', job) - total(before, 'petbuddy_job_duration_seconds_count', job)).toBe(2);
  expect(total(after, 'petbuddy_job_duration_seconds_sum', job)).toBeGreaterThanOrEqual(0.03);
});

test('when a job throws, then its run counts as error; when it is still running, a tick counts as skipped', async () => {
  const scheduler = createScheduler();
  let release = (): void => undefined;
  scheduler.add({ name: 'metrics-test-failing', intervalMs: 60_000, run: () => Promise.reject(new Error('boom')) });
  scheduler.add({ name: 'metrics-test-slow', intervalMs: 60_000, run: () => new Promise<void>((r) => (release = r)) });
  await scheduler.runNow('metrics-test-failing');
  const slow = scheduler.runNow('metrics-test-slow');
  const skipped = scheduler.runNow('metrics-test-slow');
  release();
  await Promise.all([slow, skipped]);
  const e = await scrape(app);
  expect(total(e, RUNS, { job: 'metrics-test-failing', outcome: 'error' })).toBe(1);
  expect(total(e, RUNS, { job: 'metrics-test-slow', outcome: 'skipped' })).toBe(1);
  expect(total(e, RUNS, { job: 'metrics-test-slow', outcome: 'success' })).toBe(1);
  // A skipped tick has no duration of its own.
  expect(total(e, 'petbuddy_job_duration_seconds_count', { job: 'metrics-test-slow' })).toBe(1);
});

test('when recording a run throws, then the job still runs and its schedule is unharmed', async () => {
  let runs = 0;
  const scheduler = createScheduler({
    onRun: () => {
      throw new Error('broken metric');
    },
  });
  scheduler.add({ name: 'metrics-test-unharmed', intervalMs: 60_000, run: async () => void runs++ });
  await expect(scheduler.runNow('metrics-test-unharmed')).resolves.toBeUndefined();
  await expect(scheduler.runNow('metrics-test-unharmed')).resolves.toBeUndefined();
  expect(runs).toBe(2);
});
