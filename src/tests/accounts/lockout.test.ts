/** Account lockout (5 failures in 15 min lock 30 min), the clear:lockout script, and the shared per-IP auth rate limit. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { childProcessBaseEnv } from '../../config/testing';
import { manualClock } from '../../utils/clock';
import { createCompany, createStaff } from '../factories/accounts';
import { useTestDatabase, workerDatabaseName } from '../helpers/database';
import { testServerUri, uriWithDb } from '../helpers/mongo';
import { ROOT, within } from '../helpers/process';
import { AUTH, authApp, login, registerBody } from './support';

useTestDatabase();

const WRONG = 'Wrong1Password';

async function staffAccount(email?: string) {
  const company = await createCompany();
  return createStaff(company.companyId, 'groomer', email ? { email } : {});
}

async function fail(app: Express, emails: string[]): Promise<void> {
  for (const email of emails) {
    const res = await login(app, { email, password: WRONG });
    expect(res.status).toBe(401);
  }
}

describe('account lockout', () => {
  test('when five logins fail, then the sixth is refused with 429 ACCOUNT_LOCKED and lockedUntil even with the right password', async () => {
    const clock = manualClock(new Date('2030-03-01T10:00:00.000Z'));
    const { app } = authApp({ clock });
    const staff = await staffAccount();
    await fail(app, Array(5).fill(staff.email));

    const res = await login(app, { email: staff.email, password: staff.password });
    expect(res.status).toBe(429);
    expect(res.body).toEqual({
      error: {
        code: 'ACCOUNT_LOCKED',
        message: 'Account is temporarily locked due to too many failed login attempts. Please try again in 30 minutes.',
        lockedUntil: '2030-03-01T10:30:00.000Z',
      },
    });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  test('when four logins fail, then the fifth with the right password still succeeds', async () => {
    const { app } = authApp({ clock: manualClock() });
    const staff = await staffAccount();
    await fail(app, Array(4).fill(staff.email));
    expect((await login(app, { email: staff.email, password: staff.password })).status).toBe(200);
  });

  test('when 31 minutes pass after the lock, then the right password logs in again', async () => {
    const clock = manualClock();
    const { app } = authApp({ clock });
    const staff = await staffAccount();
    await fail(app, Array(5).fill(staff.email));
    expect((await login(app, { email: staff.email, password: staff.password })).status).toBe(429);

    clock.advance(29 * 60_000);
    const still = await login(app, { email: staff.email, password: staff.password });
    expect(still.status).toBe(429);
    expect(still.body.error.message).toMatch(/Please try again in 1 minute\.$/);

    clock.advance(2 * 60_000);
    expect((await login(app, { email: staff.email, password: staff.password })).status).toBe(200);
  });

  test('when failures are spread over more than 15 minutes, then they do not add up to a lock', async () => {
    const clock = manualClock();
    const { app } = authApp({ clock });
    const staff = await staffAccount();
    await fail(app, Array(3).fill(staff.email));
    clock.advance(16 * 60_000);
    await fail(app, Array(2).fill(staff.email));
    expect((await login(app, { email: staff.email, password: staff.password })).status).toBe(200);
  });

  test('when the failures use different casing and spacing of the email, then they count for one account', async () => {
    const { app } = authApp({ clock: manualClock() });
    const staff = await staffAccount('jane.doe@gmail.com');
    await fail(app, ['Jane.Doe@Gmail.com', ' JANE.DOE@GMAIL.COM', 'jane.doe@gmail.com ', 'Jane.Doe@gmail.com', 'jane.DOE@Gmail.Com']);
    const res = await login(app, { email: 'jane.doe@gmail.com', password: staff.password });
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('ACCOUNT_LOCKED');
  });

  test('when one account is locked, then another account still logs in', async () => {
    const { app } = authApp({ clock: manualClock() });
    const locked = await staffAccount();
    const other = await staffAccount();
    await fail(app, Array(5).fill(locked.email));
    expect((await login(app, { email: other.email, password: other.password })).status).toBe(200);
  });
});

/** `node --import tsx src/scripts/clear-lockout.ts <args>` against this worker's database. */
async function clearLockout(...args: string[]): Promise<{ code: number | null; output: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/scripts/clear-lockout.ts'), ...args], {
    cwd: ROOT,
    env: {
      ...childProcessBaseEnv(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      MONGODB_URI: uriWithDb(testServerUri(), workerDatabaseName()),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await within(new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c))), 30_000, 'clear-lockout').catch(
    (err: Error) => {
      proc.kill('SIGKILL');
      throw err;
    },
  );
  return { code, output };
}

describe('npm run clear:lockout', () => {
  test('when the operator clears a locked account (given in any case), then it can log in again at once', async () => {
    const { app } = authApp();
    const staff = await staffAccount();
    await fail(app, Array(5).fill(staff.email));
    expect((await login(app, { email: staff.email, password: staff.password })).status).toBe(429);

    const run = await clearLockout(` ${staff.email.toUpperCase()} `);
    expect(run.code).toBe(0);
    expect(run.output).toContain(`${staff.email}: lock lifted`);

    expect((await login(app, { email: staff.email, password: staff.password })).status).toBe(200);
  }, 60_000);

  test('when --list is given, then the locked accounts are printed', async () => {
    const { app } = authApp();
    const staff = await staffAccount();
    await fail(app, Array(5).fill(staff.email));
    const run = await clearLockout('--list');
    expect(run.code).toBe(0);
    expect(run.output).toMatch(new RegExp(`Locked accounts:\\n\\s+${staff.email.replace(/[.]/g, '\\.')}`));
  }, 60_000);
});

describe('auth rate limit', () => {
  const limited = () => authApp({ env: { AUTH_RATE_LIMIT_MAX: '3' } }).app;
  const RATE_LIMITED = { error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Too many authentication attempts, please try again later' } };

  test('when one IP exceeds the limit on login, then 429 RATE_LIMIT_EXCEEDED with X-RateLimit-* and Retry-After', async () => {
    const app = limited();
    const staff = await staffAccount();
    const first = await login(app, { email: staff.email, password: staff.password });
    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    await login(app, { email: 'nobody@example.com', password: WRONG });
    await login(app, { email: 'nobody@example.com', password: WRONG });

    const res = await login(app, { email: staff.email, password: staff.password });
    expect(res.status).toBe(429);
    expect(res.body).toEqual(RATE_LIMITED);
    expect(res.headers['x-ratelimit-limit']).toBe('3');
    expect(res.headers['x-ratelimit-remaining']).toBe('0');
    expect(res.headers['x-ratelimit-reset']).toMatch(/^\d+$/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('when logins use up the budget, then registration from the same IP is limited too, and the reverse', async () => {
    const app = limited();
    for (let i = 0; i < 3; i++) await login(app, { email: 'nobody@example.com', password: WRONG });
    const register = await request(app).post(`${AUTH}/register-manager`).send(registerBody());
    expect(register.status).toBe(429);
    expect(register.body).toEqual(RATE_LIMITED);

    const other = limited();
    for (let i = 0; i < 3; i++) await request(other).post(`${AUTH}/register-manager`).send({});
    const loginRes = await login(other, { email: 'nobody@example.com', password: WRONG });
    expect(loginRes.status).toBe(429);
    expect(loginRes.body).toEqual(RATE_LIMITED);
  });

  test('when the auth budget is used up, then refresh and logout are not limited', async () => {
    const app = limited();
    for (let i = 0; i < 4; i++) await login(app, { email: 'nobody@example.com', password: WRONG });
    expect((await request(app).post(`${AUTH}/refresh`).send({})).status).toBe(400);
    expect((await request(app).post(`${AUTH}/logout`).send({})).status).toBe(200);
  });

  test('when requests come from different client IPs behind the trusted proxy, then each IP has its own budget', async () => {
    const app = limited();
    const from = (ip: string) => login(app, { email: 'nobody@example.com', password: WRONG }).set('X-Forwarded-For', ip);
    for (let i = 0; i < 3; i++) await from('203.0.113.7');
    expect((await from('203.0.113.7')).status).toBe(429);
    expect((await from('198.51.100.9')).status).toBe(401);
  });
});
