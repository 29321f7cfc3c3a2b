/** The few variables the benchmark's child processes read (kept here so src/bench reads no process.env elsewhere). */
export function benchEnv(): { mongoUri: string; port: number } {
  // eslint-disable-next-line no-restricted-properties -- bench child processes get their settings from the parent
  const env = process.env;
  return { mongoUri: env.BENCH_MONGO_URI ?? 'mongodb://127.0.0.1:27017/bench', port: Number(env.BENCH_PORT ?? 0) };
}
