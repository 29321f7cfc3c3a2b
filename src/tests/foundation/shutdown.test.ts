/**
 * Graceful shutdown of the real process (server.ts main(), started as `npm start` would, with the
 * embedded database): SIGTERM while a slow request is in flight lets it finish with 200 and the
 * process exits 0 well before the grace period; past the grace period it is forced to exit 1.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { killAllChildren, runTs, within } from '../helpers/process';

const dirs: string[] = [];

function dataDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-shutdown-'));
  dirs.push(d);
  return d;
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** The fixture server on a fresh data dir, once `ready` appears in its output (by default: listening). */
async function start(graceMs: number, ready = /PetBuddy API listening on (http:\/\/127\.0\.0\.1:\d+)/) {
  const dir = dataDir();
  const child = runTs('src/tests/fixtures/slow-server.ts', {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_DIR: path.join(dir, 'logs'),
    SHUTDOWN_GRACE_MS: String(graceMs),
  });
  const m = await child.waitFor(ready);
  return { child, url: m[1], dir };
}

afterAll(() => {
  killAllChildren();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('when SIGTERM arrives during a slow request, then the request completes with 200 and the process exits 0 before the grace period', async () => {
  const { child, url, dir } = await start(20_000);
  expect((await get(`${url}/ready`)).status).toBe(200);
  const inFlight = get(`${url}/__test/slow?ms=1500`);
  await new Promise((r) => setTimeout(r, 300));
  const signalledAt = Date.now();
  child.proc.kill('SIGTERM');
  // While the slow request is still running, new connections are already refused.
  await new Promise((r) => setTimeout(r, 200));
  await expect(get(`${url}/health`)).rejects.toThrow();
  const res = await inFlight;
  expect(res.status).toBe(200);
  expect(JSON.parse(res.body)).toEqual({ done: true, ms: 1500 });
  const exit = await within(child.exited, 15_000, 'exit after SIGTERM');
  expect(exit.code).toBe(0);
  expect(Date.now() - signalledAt).toBeLessThan(20_000);
  // And after the exit, too.
  await expect(get(`${url}/health`)).rejects.toThrow();
  // Each shutdown step is logged, in order.
  const log = fs.readFileSync(path.join(dir, 'logs', 'combined.log'), 'utf8');
  const steps = [
    'shutdown: started',
    'readiness now answers 503',
    'in-flight requests finished',
    'jobs stopped',
    'database connection closed',
    'embedded MongoDB stopped',
    'shutdown: complete',
  ];
  const positions = steps.map((s) => log.indexOf(s));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
}, 45_000);

test('when a request outlives the grace period, then the process is forced to exit with code 1', async () => {
  const { child, url } = await start(1000);
  const hanging = get(`${url}/__test/slow?ms=20000`).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 300));
  child.proc.kill('SIGTERM');
  const exit = await within(child.exited, 15_000, 'forced exit');
  expect(exit.code).toBe(1);
  expect(child.output()).toMatch(/grace period over, forcing exit/);
  await hanging;
}, 45_000);

test('when a promise rejection goes unhandled, then it is logged and the process keeps serving; an uncaught exception is logged and the process shuts down with code 1', async () => {
  const { child, url, dir } = await start(5000);
  const combined = (): string => fs.readFileSync(path.join(dir, 'logs', 'combined.log'), 'utf8');

  expect((await get(`${url}/__test/reject`)).status).toBe(202);
  await new Promise((r) => setTimeout(r, 300));
  expect((await get(`${url}/health`)).status).toBe(200);
  expect(child.proc.exitCode).toBeNull();

  expect((await get(`${url}/__test/throw`)).status).toBe(202);
  const exit = await within(child.exited, 15_000, 'exit after the uncaught exception');
  expect(exit.code).toBe(1);
  const log = combined();
  expect(log).toMatch(/unhandled promise rejection.*fixture rejection nobody handles/);
  expect(log).toMatch(/uncaught exception; shutting down.*fixture exception nobody catches/);
  expect(log.indexOf('uncaught exception; shutting down')).toBeLessThan(log.indexOf('shutdown: complete'));
}, 45_000);

test('when SIGTERM arrives while the server is still starting, then it finishes starting and shuts down gracefully with code 0', async () => {
  // The embedded database is up; the HTTP listener is not yet.
  const { child } = await start(30_000, /Embedded MongoDB at/);
  child.proc.kill('SIGTERM');
  const exit = await within(child.exited, 20_000, 'exit after a SIGTERM during start-up');
  expect(exit).toEqual({ code: 0, signal: null });
  expect(child.output()).toMatch(/PetBuddy API listening/);
});
