/**
 * Closed-loop load: a fixed number of workers, each sending its next request when the last one
 * answered, measured over a window after a warm-up, with the CPU time each process (or thread)
 * used during that window. Windows of alternating rounds are merged by summarize().
 */
import * as http from 'node:http';
import { cpuSnapshot, type CpuMeters } from './harness';
import { percentile, requestJson } from './loopback';

export const CONCURRENCY = 16;

export interface LoadResult {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** CPU time per answered request during the measured windows, per process or thread (Linux only). */
  cpuMsPerRequest: Record<string, number>;
}

/** One measured window of closed-loop load. */
export interface Sample {
  latencies: number[];
  errors: number;
  seconds: number;
  cpuMs: Record<string, number>;
}

/**
 * CONCURRENCY workers POST `body()` to `url` (or GET it, without `body`); only what answers after
 * the warm-up is measured.
 */
export async function loadOnce(
  url: string,
  headers: Record<string, string>,
  body: (() => string) | undefined,
  meters: CpuMeters,
  warmupMs: number,
  measureMs: number,
): Promise<Sample> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(url);
  const send = (): Promise<number> => requestJson(agent, target, headers, body?.()).then((r) => r.status);
  const latencies: number[] = [];
  let errors = 0;
  const measureFrom = Date.now() + warmupMs;
  const end = measureFrom + measureMs;
  let cpuFrom: Record<string, number> | undefined;
  let cpuTo: Record<string, number> | undefined;
  const t1 = setTimeout(() => (cpuFrom = cpuSnapshot(meters)), warmupMs);
  const t2 = setTimeout(() => (cpuTo = cpuSnapshot(meters)), warmupMs + measureMs);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const t0 = process.hrtime.bigint();
        const status = await send();
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (Date.now() < measureFrom) continue;
        if (status >= 200 && status < 300) latencies.push(ms);
        else errors++;
      }
    }),
  );
  agent.destroy();
  clearTimeout(t1);
  clearTimeout(t2);
  cpuTo ??= cpuSnapshot(meters);
  const from = cpuFrom ?? cpuTo;
  return {
    latencies,
    errors,
    seconds: measureMs / 1000,
    cpuMs: Object.fromEntries(Object.keys(meters).map((name) => [name, cpuTo![name]! - from[name]!])),
  };
}

/** Merges measured windows: throughput over their total time, percentiles over all their latencies. */
export function summarize(samples: Sample[]): LoadResult {
  const latencies = samples.flatMap((x) => x.latencies).sort((a, b) => a - b);
  const seconds = samples.reduce((n, x) => n + x.seconds, 0);
  const names = Object.keys(samples[0]?.cpuMs ?? {});
  return {
    requests: latencies.length,
    errors: samples.reduce((n, x) => n + x.errors, 0),
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
    cpuMsPerRequest: Object.fromEntries(
      names.map((name) => {
        const ms = samples.reduce((n, x) => n + x.cpuMs[name]!, 0);
        return [name, Math.round((ms / Math.max(1, latencies.length)) * 1000) / 1000];
      }),
    ),
  };
}
