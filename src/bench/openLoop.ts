/**
 * Open-loop load at a fixed offered rate: request n starts at t0 + n / rate whether or not the
 * earlier ones have answered (so a slow server shows as latency, not as a lower offered rate),
 * each abandoned after a timeout. Kinds of request take turns by weight (smooth weighted round
 * robin, so the mix is exact). Measured in windows of one minute: offered by scheduled start,
 * served, errors and latency by completion. Latency runs from the scheduled start.
 */
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { percentile, requestJson, type Reply } from './loopback';

export const WINDOW_MS = 60_000;

export interface Call {
  path: string;
  headers: Record<string, string>;
  body: unknown;
  readBody?: boolean;
  /** Counted under this kind instead of the one that made the call (a fallback). */
  kind?: string;
  onReply?: (r: Reply) => void;
}

export interface Kind {
  name: string;
  weight: number;
  next(): Call;
}

/** One window's counts. Served: answered 2xx/3xx. Errors by status, `timeout` or `network`. */
export interface Window {
  offered: number;
  offeredByKind: Record<string, number>;
  served: number;
  errors: Record<string, number>;
  /** The same errors, by kind of request (`ingest 504`, `login timeout`). */
  errorsByKind: Record<string, number>;
  /** Latencies (ms) of served requests, by kind. */
  latencies: Record<string, number[]>;
  /** Worst delay between a request's scheduled and actual start: the generator falling behind. */
  maxStartLagMs: number;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

function newWindow(): Window {
  return { offered: 0, offeredByKind: {}, served: 0, errors: {}, errorsByKind: {}, latencies: {}, maxStartLagMs: 0 };
}

export function latencySummary(values: number[]): LatencySummary {
  const s = [...values].sort((a, b) => a - b);
  const r = (v: number): number => Math.round(v * 10) / 10;
  return { n: s.length, p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s[s.length - 1] ?? NaN) };
}

/** Served latencies of a window: all kinds, or one. */
export function windowLatency(w: Window, kind?: string): LatencySummary {
  return latencySummary(kind ? (w.latencies[kind] ?? []) : Object.values(w.latencies).flat());
}

/** Picks kinds in proportion to their weights, evenly spread (nginx's smooth weighted round robin). */
function weightedTurns(weights: number[]): () => number {
  const current = weights.map(() => 0);
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let best = 0;
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    return best;
  };
}

const TICK_MS = 5;

/**
 * Runs `windows` windows of load at `rate` requests/s against `baseUrl`; after each window,
 * awaits `onWindowEnd` (the load keeps going meanwhile). Then waits (at most timeoutMs + 5 s)
 * for the requests still in flight; what completes then is counted in `drain`.
 */
export async function runOpenLoop(opts: {
  baseUrl: string;
  rate: number;
  windows: number;
  timeoutMs: number;
  kinds: Kind[];
  onWindowEnd: (index: number, w: Window) => Promise<void>;
}): Promise<{ windows: Window[]; drain: Window; leftInFlight: number }> {
  const { rate, timeoutMs, kinds } = opts;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const turn = weightedTurns(kinds.map((k) => k.weight));
  const windows = Array.from({ length: opts.windows }, newWindow);
  const drain = newWindow();
  const total = Math.round((rate * opts.windows * WINDOW_MS) / 1000);
  const t0 = performance.now();
  const windowAt = (t: number): Window => windows[Math.floor((t - t0) / WINDOW_MS)] ?? drain;
  let started = 0;
  let inFlight = 0;

  const launch = (scheduledAt: number): void => {
    const maker = kinds[turn()]!;
    const call = maker.next();
    const kind = call.kind ?? maker.name;
    const w = windowAt(scheduledAt);
    w.offered++;
    w.offeredByKind[kind] = (w.offeredByKind[kind] ?? 0) + 1;
    w.maxStartLagMs = Math.max(w.maxStartLagMs, performance.now() - scheduledAt);
    inFlight++;
    const headers = { ...call.headers };
    void requestJson(agent, new URL(call.path, opts.baseUrl), headers, JSON.stringify(call.body), {
      timeoutMs,
      readBody: call.readBody ?? false,
    }).then((r) => {
      inFlight--;
      const now = performance.now();
      const done = windowAt(now);
      if (r.status >= 200 && r.status < 400) {
        done.served++;
        (done.latencies[kind] ??= []).push(now - scheduledAt);
      } else {
        const key = r.timedOut ? 'timeout' : r.status === 0 ? 'network' : String(r.status);
        done.errors[key] = (done.errors[key] ?? 0) + 1;
        done.errorsByKind[`${kind} ${key}`] = (done.errorsByKind[`${kind} ${key}`] ?? 0) + 1;
      }
      call.onReply?.(r);
    });
  };

  const ticker = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
    while (started < due) launch(t0 + (started++ * 1000) / rate);
  }, TICK_MS);
  try {
    for (let i = 0; i < opts.windows; i++) {
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + (i + 1) * WINDOW_MS - performance.now())));
      await opts.onWindowEnd(i, windows[i]!);
    }
  } finally {
    clearInterval(ticker);
  }
  const deadline = performance.now() + timeoutMs + 5000;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  agent.destroy();
  return { windows, drain, leftInFlight: inFlight };
}
