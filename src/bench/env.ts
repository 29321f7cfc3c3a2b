/** The few variables the benchmark's child processes read (kept here so src/bench reads no process.env elsewhere). */
export function benchEnv(): { mongoUri: string; port: number } {
  // eslint-disable-next-line no-restricted-properties -- bench child processes get their settings from the parent
  const env = process.env;
  return { mongoUri: env.BENCH_MONGO_URI ?? 'mongodb://127.0.0.1:27017/bench', port: Number(env.BENCH_PORT ?? 0) };
}

/**
 * The benchmark's own switches: BENCH_ONLY=healthy stops after the baseline and the healthy run
 * (for quick comparisons while tuning); BENCH_ROUNDS=n sets the alternating rounds (default 3);
 * BENCH_CPU_PROF=<dir> profiles the database and the app.
 */
export function benchFlags(): { only: 'all' | 'healthy'; cpuProfileDir: string | undefined; rounds: number } {
  // eslint-disable-next-line no-restricted-properties -- the benchmark's switches
  const env = process.env;
  const rounds = Number(env.BENCH_ROUNDS);
  return {
    only: env.BENCH_ONLY === 'healthy' ? 'healthy' : 'all',
    cpuProfileDir: env.BENCH_CPU_PROF || undefined,
    rounds: Number.isInteger(rounds) && rounds > 0 && rounds <= 20 ? rounds : 3,
  };
}
