/** Configuration: defaults, development secrets, and production refusing to start with a clear list of problems. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, fileSecretStore, parseConfig } from '../../config/env';
import { killAllChildren, runTs, within } from '../helpers/process';

const STRONG = {
  JWT_ACCESS_SECRET: 'Kq3v9Zt7Lm2Xp8Rw4Ny6Hb1Jd5Fs0Gc-access',
  JWT_REFRESH_SECRET: 'Pw8Ez2Qx6Ty4Ui0Oa3Sd7Fg1Hj9Kl5Zc-refresh',
  INTERNAL_SERVICE_API_KEY: 'Vb7Nm3Qw9Er5Ty1Ui8Op2As6Df0Gh4Jk-internal',
  DATA_ENCRYPTION_KEY: 'Zx5Cv1Bn7Mq3We9Rt2Yu6Io0Pa4Sd8Fg-encrypt',
};

function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    parseConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

afterAll(() => killAllChildren());

describe('configuration', () => {
  test('when nothing is set in development, then the contract defaults apply and secrets are generated', () => {
    const c = parseConfig({});
    expect(c.env).toBe('development');
    expect(c.port).toBe(4000);
    expect(c.jwt.accessTtl).toBe('15m');
    expect(c.jwt.refreshTtlMs).toBe(7 * 24 * 3600 * 1000);
    expect(c.corsOrigins).toEqual(['http://localhost:3000']);
    expect(c.metaBot).toEqual({ baseUrl: 'http://localhost:5001', timeoutMs: 10_000 });
    expect(c.bcryptSaltRounds).toBe(12);
    expect(c.mongodbUri).toBeUndefined();
    expect(c.jwt.accessSecret.length).toBeGreaterThanOrEqual(32);
    expect(c.jwt.accessSecret).not.toBe(c.jwt.refreshSecret);
    expect(c.cookie).toEqual({ secure: false, sameSite: 'lax' });
  });

  test('when development secrets were generated once, then the next start reuses them from the data directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-secrets-'));
    try {
      const first = parseConfig({ NODE_ENV: 'development', DATA_DIR: dir }, fileSecretStore);
      const second = parseConfig({ NODE_ENV: 'development', DATA_DIR: dir }, fileSecretStore);
      expect(first.generatedSecrets).toContain('JWT_ACCESS_SECRET');
      expect(second.generatedSecrets).toEqual([]);
      expect(second.jwt.accessSecret).toBe(first.jwt.accessSecret);
      expect(second.internalApiKey).toBe(first.internalApiKey);
      expect(fs.statSync(path.join(dir, 'secrets.json')).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('when production has no MONGODB_URI and no secrets, then every problem is listed', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.some((p) => p.startsWith('MONGODB_URI'))).toBe(true);
    for (const name of Object.keys(STRONG)) expect(problems.some((p) => p.startsWith(name))).toBe(true);
  });

  test('when production secrets are short, weak or reused, then each is named', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db.example/petbuddy',
      ...STRONG,
      JWT_ACCESS_SECRET: 'short',
      INTERNAL_SERVICE_API_KEY: 'change-me-change-me-change-me-change-me',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^JWT_ACCESS_SECRET is too short/),
        expect.stringMatching(/^INTERNAL_SERVICE_API_KEY looks like a placeholder/),
      ]),
    );
    const reused = problemsOf({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db/x',
      ...STRONG,
      JWT_REFRESH_SECRET: STRONG.JWT_ACCESS_SECRET,
    });
    expect(reused).toEqual([expect.stringMatching(/must differ/)]);
  });

  test('when production is fully configured, then it parses with secure cookies and no generated secrets', () => {
    const c = parseConfig({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db/x',
      ...STRONG,
      CORS_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(c.cookie).toEqual({ secure: true, sameSite: 'none' });
    expect(c.generatedSecrets).toEqual([]);
    expect(c.host).toBe('0.0.0.0');
    expect(c.corsOrigins).toEqual(['https://a.example', 'https://b.example', 'http://localhost:3000']);
  });

  test('when a variable has the wrong form, then the problem names the variable', () => {
    expect(problemsOf({ PORT: 'eighty' })[0]).toMatch(/^PORT/);
    expect(problemsOf({ ACCESS_TOKEN_TTL: '1w' })[0]).toMatch(/^ACCESS_TOKEN_TTL: must look like/);
    expect(problemsOf({ NODE_ENV: 'staging' })[0]).toMatch(/^NODE_ENV/);
  });

  test('when the process starts in production without configuration, then it exits 1 printing every problem', async () => {
    const child = runTs('server.ts', { NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1' });
    const exit = await within(child.exited, 20_000, 'exit');
    expect(exit.code).toBe(1);
    const out = child.output();
    expect(out).toMatch(/PetBuddy refused to start/);
    expect(out).toMatch(/MONGODB_URI is required in production/);
    expect(out).toMatch(/JWT_ACCESS_SECRET is required/);
    expect(out).toMatch(/JWT_REFRESH_SECRET is required/);
    expect(out).toMatch(/INTERNAL_SERVICE_API_KEY is required/);
    expect(out).not.toMatch(/listening/);
  }, 30_000);
});
