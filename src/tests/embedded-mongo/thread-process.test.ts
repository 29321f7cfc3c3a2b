/**
 * The real process (server.ts, as `npm start` runs it) without MONGODB_URI: the embedded server
 * runs in a worker thread of it; a manager registers and logs in; SIGTERM shuts it down with code 0
 * and the embedded server stopped; the next process on the same DATA_DIR has the account.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { AUTH, registerBody } from '../accounts/support';
import { killAllChildren, runTs, within } from '../helpers/process';

const LISTENING = /PetBuddy API listening on (http:\/\/127\.0\.0\.1:\d+)/;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-embedded-thread-process-'));

afterAll(() => {
  killAllChildren();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startProcess() {
  const child = runTs('server.ts', {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_DIR: path.join(dir, 'logs'),
    BCRYPT_SALT_ROUNDS: '4',
  });
  const url = (await child.waitFor(LISTENING, 30_000))[1]!;
  return { child, url };
}

async function stopProcess(child: Awaited<ReturnType<typeof startProcess>>['child']): Promise<void> {
  child.proc.kill('SIGTERM');
  expect(await within(child.exited, 20_000, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });
}

/** Logs in and reads the company's locations with the access token: a write and reads through the database. */
async function loginAndReadLocations(url: string, user: { email: string; password: string }) {
  const login = await request(url).post(`${AUTH}/login`).send({ email: user.email, password: user.password });
  expect(login.status).toBe(200);
  const locations = await request(url)
    .get('/api/v1/locations')
    .set('Authorization', `Bearer ${login.body.accessToken as string}`);
  expect(locations.status).toBe(200);
  expect(JSON.stringify(locations.body)).toContain('Downtown');
}

/** The log lines (JSON) of the process so far that carry `message`. */
function logged(message: string): Record<string, unknown>[] {
  const lines = fs
    .readFileSync(path.join(dir, 'logs', 'combined.log'), 'utf8')
    .split('\n')
    .filter(Boolean);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === message);
}

test('when the process runs on the embedded database, then it runs in a worker thread, accounts work, SIGTERM exits 0 and the next process has the data', async () => {
  const body = registerBody();
  const first = await startProcess();
  expect(first.child.output()).toMatch(/Embedded MongoDB at mongodb:\/\/127\.0\.0\.1:\d+\/petbuddy/);
  expect(logged('embedded MongoDB started in a worker thread')).toEqual([expect.objectContaining({ threadId: expect.any(Number) })]);
  expect(logged('embedded MongoDB started in a worker thread')[0]!.threadId).toBeGreaterThan(0);

  const registered = await request(first.url).post(`${AUTH}/register-manager`).send(body);
  expect(registered.status).toBe(201);
  await loginAndReadLocations(first.url, body.user);
  await stopProcess(first.child);
  expect(logged('shutdown: embedded MongoDB stopped')).toHaveLength(1);
  expect(fs.existsSync(path.join(dir, 'db', 'mongod.lock'))).toBe(false);
  expect(fs.existsSync(path.join(dir, 'embedded-mongo.json'))).toBe(false);

  const second = await startProcess();
  await loginAndReadLocations(second.url, body.user);
  await stopProcess(second.child);
}, 90_000);
