/**
 * Rate-limited logging for lines a client can cause at will (bad socket packets, failing
 * handlers): at most `max` lines per key in each window, then one line saying how many were
 * suppressed, so no client can flood the log files.
 */
import type winston from 'winston';

export interface LogThrottle {
  /** Logs through `log` unless this key already logged `max` lines in the current window. */
  (key: string, level: 'warn' | 'error', message: string, meta?: Record<string, unknown>): void;
}

export function logThrottle(log: winston.Logger, opts: { max?: number; windowMs?: number; now?: () => number } = {}): LogThrottle {
  const max = opts.max ?? 5;
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const windows = new Map<string, { start: number; count: number }>();
  return (key, level, message, meta = {}) => {
    const t = now();
    let w = windows.get(key);
    if (!w || t - w.start >= windowMs) {
      if (w && w.count > max) log.warn('similar log lines suppressed', { key, suppressed: w.count - max, windowMs });
      w = { start: t, count: 0 };
      windows.set(key, w);
      // Keys are few (event names, error classes), but never let the map grow without bound.
      if (windows.size > 1000) windows.delete(windows.keys().next().value as string);
    }
    w.count++;
    if (w.count <= max) log[level](message, meta);
  };
}
