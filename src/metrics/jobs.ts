/** Scheduled job metrics: petbuddy_job_runs_total{job,outcome} and petbuddy_job_duration_seconds{job}. */
import { appMetrics } from './families';
import { safely } from './registry';

/** One tick of a job: it ran (and how long), or it was skipped because the previous run was still going. */
export type JobRun = { job: string; outcome: 'success' | 'error'; seconds: number } | { job: string; outcome: 'skipped' };

export function recordJobRun(run: JobRun): void {
  safely('petbuddy_job_runs_total', () => {
    const m = appMetrics();
    m.jobRuns.inc({ job: run.job, outcome: run.outcome });
    if (run.outcome !== 'skipped') m.jobDuration.observe({ job: run.job }, run.seconds);
  });
}
