/**
 * The benchmarks' child processes: the build, the embedded database and the real process (started
 * from dist/ as `npm start` runs it, production mode, on 127.0.0.1), stopped on every way out so
 * none is left running; the CPU time they use, read from /proc; the secrets they share; what is
 * left for the outbox to deliver; where results are written.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import jwt from 'jsonwebtoken';
import { MongoClient } from 'mongodb';
import { childProcessBaseEnv } from '../config/testing';

export const ROOT = path.resolve(__dirname, '../..');

export const SECRETS = {
  JWT_ACCESS_SECRET: 'bench-access-secret-Kq3v9Zt7Lm2Xp8Rw4Ny6Hb1Jd5Fs0Gc',
  JWT_REFRESH_SECRET: 'bench-refresh-secret-Pw8Ez2Qx6Ty4Ui0Oa3Sd7Fg1Hj9Kl5Zc',
  INTERNAL_SERVICE_API_KEY: 'bench-internal-key-Vb7Nm3Qw9Er5Ty1Ui8Op2As6Df0Gh4Jk',
  DATA_ENCRYPTION_KEY: 'bench-encryption-key-Zx5Cv1Bn7Mq3We9Rt2Yu6Io0Pa4Sd8Fg',
};

/** Far above any benchmark's request count: the per-IP limiters would otherwise answer 429 (everything comes from 127.0.0.1). */
const NO_RATE_LIMIT = '100000000';

export interface Child {
  proc: ChildProcess;
  url: string;
}

const children = new Set<ChildProcess>();
// Never leave a child running when the benchmark ends or is interrupted.
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

export function startChild(args: string[], env: Record<string, string>, ready: RegExp, ipc = false): Promise<Child> {
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...childProcessBaseEnv(), ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not start: ${args.join(' ')}\n${out}`)), 30_000);
    const onData = (c: Buffer): void => {
      out += c.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]! });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}): ${out}`));
    });
  });
}

export async function stopChild(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null) return;
  const exited = new Promise((r) => c.proc.once('exit', r));
  c.proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
}

/** The processes under test run the compiled code, as `npm start` does. */
export function build(): void {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('build failed');
}

/** The embedded database on a free loopback port; its URI (without a database name) is `url`. */
export function startDatabase(nodeArgs: string[] = []): Promise<Child> {
  return startChild([...nodeArgs, 'dist/src/embedded-mongo/cli.js', '--port', '0'], {}, /(mongodb:\/\/127\.0\.0\.1:\d+)/);
}

/**
 * The real process in production mode with the bench secrets, on a free loopback port, its rate
 * limits raised; IPC open for the heap probe of app-server.ts.
 */
export function startApp(opts: {
  mongoUri: string;
  metaBotUrl: string;
  logDir: string;
  nodeArgs?: string[];
  /** More settings (REDIS_URL for the fan-out through Redis). */
  env?: Record<string, string>;
}): Promise<Child> {
  return startChild(
    [...(opts.nodeArgs ?? []), '--expose-gc', 'dist/src/bench/app-server.js'],
    {
      NODE_ENV: 'production',
      MONGODB_URI: opts.mongoUri,
      ...SECRETS,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_DIR: opts.logDir,
      META_BOT_BASE_URL: opts.metaBotUrl,
      MESSAGE_RATE_LIMIT_MAX: NO_RATE_LIMIT,
      APPOINTMENT_RATE_LIMIT_MAX: NO_RATE_LIMIT,
      CONVERSATION_RATE_LIMIT_MAX: NO_RATE_LIMIT,
      AUTH_RATE_LIMIT_MAX: NO_RATE_LIMIT,
      CORS_ORIGINS: 'http://localhost:3000',
      ...opts.env,
    },
    /PetBuddy API listening on (http:\/\/127\.0\.0\.1:\d+)/,
    true,
  );
}

/** An access token as the app signs them, valid for `ttlSeconds` (longer than a run, unlike the app's 15 min). */
export function accessToken(userId: string, ttlSeconds = 7200): string {
  return jwt.sign({ userId }, SECRETS.JWT_ACCESS_SECRET, { algorithm: 'HS256', expiresIn: ttlSeconds });
}

/** CPU time (user + system, ms) used so far by a process, or by one of its threads; NaN where unavailable. */
export function cpuMsOf(pid: number, thread?: number): number {
  if (pid === process.pid && thread === undefined) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    // Fields after the command name: state is the 1st, utime the 12th and stime the 13th (clock ticks of 10 ms).
    const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

export type CpuMeters = Record<string, () => number>;

export function cpuSnapshot(meters: CpuMeters): Record<string, number> {
  return Object.fromEntries(Object.entries(meters).map(([name, read]) => [name, read()]));
}

/** Waits (bounded) until no message is queued for delivery; returns how many there were and how long it took. */
export async function drainBacklog(
  mongoUri: string,
  maxMs = 180_000,
): Promise<{ queuedAtStart: number; drainSeconds: number; leftQueued: number }> {
  const client = new MongoClient(mongoUri);
  await client.connect();
  try {
    const messages = client.db().collection('messages');
    const queued = () => messages.countDocuments({ delivery_status: 'queued' });
    const t0 = Date.now();
    const queuedAtStart = await queued();
    let left = queuedAtStart;
    while (left > 0 && Date.now() - t0 < maxMs) {
      await new Promise((r) => setTimeout(r, 500));
      left = await queued();
    }
    return { queuedAtStart, drainSeconds: (Date.now() - t0) / 1000, leftQueued: left };
  } finally {
    await client.close();
  }
}

export interface Goal {
  goal: string;
  value: string;
  /** null: could not be evaluated in this run. */
  met: boolean | null;
}

export function formatGoal(g: Goal): string {
  return `${g.met === null ? 'N/A   ' : g.met ? 'MET   ' : 'MISSED'} ${g.goal.padEnd(52)} ${g.value}\n`;
}

/** Writes bench-results/<file> (pretty JSON) and says so. */
export function writeBenchResult(file: string, data: unknown): void {
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench-results', file), JSON.stringify(data, null, 2));
  process.stdout.write(`written to bench-results/${file}\n`);
}
