/** The job scheduler: runs after the initial delay then on its interval, never overlaps, survives errors, and stop() waits. */
import { createScheduler } from '../../jobs/scheduler';
import { captureLogs } from '../helpers/logs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

test('when a run takes longer than the interval, then runs never overlap', async () => {
  const scheduler = createScheduler();
  let active = 0;
  let maxActive = 0;
  let runs = 0;
  scheduler.add({
    name: 'slow',
    intervalMs: 10,
    initialDelayMs: 0,
    run: async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(40);
      active--;
      runs++;
    },
  });
  scheduler.start();
  await until(() => runs >= 3);
  await scheduler.stop();
  expect(maxActive).toBe(1);
});

test('when a run throws, then the error is logged and the job keeps its schedule', async () => {
  const logs = captureLogs();
  const scheduler = createScheduler();
  let calls = 0;
  scheduler.add({
    name: 'flaky',
    intervalMs: 10,
    initialDelayMs: 0,
    run: async () => {
      calls++;
      if (calls === 1) throw new Error('first run fails');
    },
  });
  scheduler.start();
  await until(() => calls >= 3);
  await scheduler.stop();
  logs.stop();
  expect(logs.lines.some((l) => l.message === 'job failed' && l.job === 'flaky' && l.error === 'first run fails')).toBe(true);
});

test('when stop() is called during a run, then it waits for that run and no further run starts', async () => {
  const scheduler = createScheduler();
  let finished = 0;
  let started = 0;
  scheduler.add({
    name: 'long',
    intervalMs: 10,
    initialDelayMs: 0,
    run: async () => {
      started++;
      await sleep(50);
      finished++;
    },
  });
  scheduler.start();
  await until(() => started === 1);
  await scheduler.stop();
  expect(finished).toBe(1);
  await sleep(40);
  expect(started).toBe(1);
});

test('when a job has an initial delay, then it does not run before it', async () => {
  const scheduler = createScheduler();
  let runs = 0;
  scheduler.add({ name: 'delayed', intervalMs: 10_000, initialDelayMs: 60_000, run: async () => void runs++ });
  scheduler.start();
  await sleep(50);
  expect(runs).toBe(0);
  await scheduler.runNow('delayed');
  expect(runs).toBe(1);
  await scheduler.stop();
});
