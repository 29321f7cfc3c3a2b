/** The few variables the benchmark's child processes read (kept here so src/bench reads no process.env elsewhere). */
export function benchEnv(): { mongoUri: string; port: number } {
  // eslint-disable-next-line no-restricted-properties -- bench child processes get their settings from the parent
  const env = process.env;
  return { mongoUri: env.BENCH_MONGO_URI ?? 'mongodb://127.0.0.1:27017/bench', port: Number(env.BENCH_PORT ?? 0) };
}

/** The Redis the two-process fan-out uses (BENCH_REDIS_URL, default the machine's). */
export function benchRedisUrl(): string {
  // eslint-disable-next-line no-restricted-properties -- the bench's own switch
  return process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/**
 * The parts of `npm run bench`: the inbox benchmark, the sustained mixed load, the conversation-list
 * cost, booking, customers, the conversation list and page against their baseline.
 */
export const BENCH_PARTS = ['inbox', 'sustained', 'list-cost', 'booking', 'customers', 'conversations', 'fanout-cluster'] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/** An integer switch: its default when unset, an error when set to anything outside min..max. */
function boundedInt(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} must be an integer from ${min} to ${max} (got ${value})`);
  return n;
}

/**
 * The benchmark's own switches:
 * - BENCH_ONLY: unset runs every part; `healthy` only the inbox benchmark's baseline and healthy
 *   run (for quick comparisons while tuning); otherwise a comma-separated list of parts
 *   (`inbox`, `sustained`, `list-cost`, `booking`, `customers`, `conversations`, `fanout-cluster`);
 * - BENCH_ROUNDS=n: the inbox benchmark's alternating rounds (default 3);
 * - BENCH_CPU_PROF=<dir>: the inbox benchmark, the sustained run, booking, customers, conversations and fanout-cluster profile the database and the app(s);
 * - BENCH_SUSTAINED_MINUTES (default 10) and BENCH_SUSTAINED_RATE (requests/s offered, default 55);
 * - BENCH_LIST_COST_REQUESTS: measured list requests per company (default 200);
 * - BENCH_BOOKING_REQUESTS: measured availability requests per range, one day and one week (default 200);
 * - BENCH_BOOKING_ROUNDS: booking rounds, each 20 clients on distinct slots then 20 on one slot (default 5);
 * - BENCH_CUSTOMERS_REQUESTS: measured customer searches of each kind (default 200);
 * - BENCH_CONVERSATIONS_ROUNDS: alternating rounds of the conversation list, page and staff list, app and baseline (default 4).
 */
export function benchFlags(): {
  parts: Set<BenchPart>;
  only: 'all' | 'healthy';
  cpuProfileDir: string | undefined;
  rounds: number;
  sustainedMinutes: number;
  sustainedRate: number;
  listCostRequests: number;
  bookingRequests: number;
  bookingRounds: number;
  customersRequests: number;
  conversationsRounds: number;
} {
  // eslint-disable-next-line no-restricted-properties -- the benchmark's switches
  const env = process.env;
  const only = env.BENCH_ONLY?.trim() || undefined;
  let parts = new Set<BenchPart>(BENCH_PARTS);
  if (only === 'healthy') parts = new Set(['inbox']);
  else if (only) {
    const named = only.split(',').map((p) => p.trim());
    const unknown = named.filter((p) => !(BENCH_PARTS as readonly string[]).includes(p));
    if (unknown.length > 0)
      throw new Error(`BENCH_ONLY: unknown part ${unknown.join(', ')} (healthy, or a list of ${BENCH_PARTS.join(', ')})`);
    parts = new Set(named as BenchPart[]);
  }
  return {
    parts,
    only: only === 'healthy' ? 'healthy' : 'all',
    cpuProfileDir: env.BENCH_CPU_PROF || undefined,
    rounds: boundedInt('BENCH_ROUNDS', env.BENCH_ROUNDS, 3, 1, 20),
    sustainedMinutes: boundedInt('BENCH_SUSTAINED_MINUTES', env.BENCH_SUSTAINED_MINUTES, 10, 1, 240),
    sustainedRate: boundedInt('BENCH_SUSTAINED_RATE', env.BENCH_SUSTAINED_RATE, 55, 1, 5000),
    listCostRequests: boundedInt('BENCH_LIST_COST_REQUESTS', env.BENCH_LIST_COST_REQUESTS, 200, 10, 10_000),
    bookingRequests: boundedInt('BENCH_BOOKING_REQUESTS', env.BENCH_BOOKING_REQUESTS, 200, 10, 5000),
    bookingRounds: boundedInt('BENCH_BOOKING_ROUNDS', env.BENCH_BOOKING_ROUNDS, 5, 1, 10),
    customersRequests: boundedInt('BENCH_CUSTOMERS_REQUESTS', env.BENCH_CUSTOMERS_REQUESTS, 200, 10, 5000),
    conversationsRounds: boundedInt('BENCH_CONVERSATIONS_ROUNDS', env.BENCH_CONVERSATIONS_ROUNDS, 4, 1, 20),
  };
}
