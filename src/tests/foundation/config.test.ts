/**
 * Configuration: defaults, development secrets, empty variables counting as unset, and production
 * refusing to start with a clear list of problems.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileSecretStore, parseConfig } from '../../config/env';
import { problemsOf } from '../helpers/config';
import { killAllChildren, ROOT, runTs, within } from '../helpers/process';

const STRONG = {
  JWT_ACCESS_SECRET: 'Kq3v9Zt7Lm2Xp8Rw4Ny6Hb1Jd5Fs0Gc-access',
  JWT_REFRESH_SECRET: 'Pw8Ez2Qx6Ty4Ui0Oa3Sd7Fg1Hj9Kl5Zc-refresh',
  INTERNAL_SERVICE_API_KEY: 'Vb7Nm3Qw9Er5Ty1Ui8Op2As6Df0Gh4Jk-internal',
  DATA_ENCRYPTION_KEY: 'Zx5Cv1Bn7Mq3We9Rt2Yu6Io0Pa4Sd8Fg-encrypt',
};

/** Every variable .env.example documents (set or commented out). */
function documentedVariables(): string[] {
  const text = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
  return [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
}

/** The parts of a config that do not vary between two parses of the same input. */
function stable(c: ReturnType<typeof parseConfig>) {
  const { jwt, internalApiKey: _k, dataEncryptionKey: _d, ...rest } = c;
  return { ...rest, jwt: { ...jwt, accessSecret: undefined, refreshSecret: undefined } };
}

const dirs: string[] = [];

afterAll(() => {
  killAllChildren();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

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

  test('when the HTTP timeout and body bound variables are unset, then the documented defaults apply; when set, they are used', () => {
    const c = parseConfig({});
    expect(c.http).toEqual({ headersTimeoutMs: 20_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5000 });
    expect(c.bodyMaxDepth).toBe(64);
    expect(c.bodyMaxKeys).toBe(10_000);
    const set = parseConfig({
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '1500',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000',
      BODY_MAX_DEPTH: '8',
      BODY_MAX_KEYS: '500',
    });
    expect(set.http).toEqual({ headersTimeoutMs: 1000, requestTimeoutMs: 1500, keepAliveTimeoutMs: 65_000 });
    expect([set.bodyMaxDepth, set.bodyMaxKeys]).toEqual([8, 500]);
  });

  test('when the headers timeout exceeds the request timeout, or a bound is below its minimum, then the variable is named', () => {
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toEqual([
      expect.stringMatching(/^HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS/),
    ]);
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '2000' })[0]).toMatch(
      /^HTTP_HEADERS_TIMEOUT_MS: must not exceed/,
    );
    expect(problemsOf({ HTTP_REQUEST_TIMEOUT_MS: '0' })[0]).toMatch(/^HTTP_REQUEST_TIMEOUT_MS/);
    expect(problemsOf({ BODY_MAX_DEPTH: '0' })[0]).toMatch(/^BODY_MAX_DEPTH/);
    expect(problemsOf({ BODY_MAX_KEYS: '1.5' })[0]).toMatch(/^BODY_MAX_KEYS/);
  });

  describe('empty variables (NAME= as docker-compose and CI files pass them)', () => {
    test('when NODE_ENV is empty, then the development defaults apply', () => {
      const c = parseConfig({ NODE_ENV: '' });
      expect(c.env).toBe('development');
      expect(c.isProduction).toBe(false);
      expect(c.host).toBe('127.0.0.1');
      expect(c.cookie).toEqual({ secure: false, sameSite: 'lax' });
      expect(parseConfig({ NODE_ENV: '  ' }).env).toBe('development');
    });

    test('when PORT is empty or whitespace, then it is 4000 (not 0, a random port)', () => {
      expect(parseConfig({ PORT: '' }).port).toBe(4000);
      expect(parseConfig({ PORT: ' \t' }).port).toBe(4000);
    });

    test('when a URL, number, enum or flag variable is empty, then its default applies', () => {
      const c = parseConfig({
        FRONTEND_URL: '',
        META_BOT_BASE_URL: ' ',
        GOOGLE_REDIRECT_URI: '',
        BCRYPT_SALT_ROUNDS: '',
        META_BOT_TIMEOUT_MS: '',
        HTTP_REQUEST_TIMEOUT_MS: '',
        BODY_MAX_DEPTH: '',
        LOG_LEVEL: '',
        ACCESS_TOKEN_TTL: '',
        CSRF_ENABLED: '',
        HOST: ' ',
      });
      expect(c.frontendUrl).toBe('http://localhost:3000');
      expect(c.metaBot).toEqual({ baseUrl: 'http://localhost:5001', timeoutMs: 10_000 });
      expect(c.google.redirectUri).toBeUndefined();
      expect(c.bcryptSaltRounds).toBe(12);
      expect(c.http.requestTimeoutMs).toBe(30_000);
      expect(c.bodyMaxDepth).toBe(64);
      expect(c.logLevel).toBe('info');
      expect(c.jwt.accessTtl).toBe('15m');
      expect(c.csrfEnabled).toBe(false);
      expect(c.host).toBe('127.0.0.1');
    });

    test('when every documented variable is set but empty, then the configuration equals the one with nothing set', () => {
      const names = documentedVariables();
      expect(names).toEqual(expect.arrayContaining(['NODE_ENV', 'PORT', 'MONGODB_URI', 'HTTP_REQUEST_TIMEOUT_MS', 'BODY_MAX_KEYS']));
      const blank = parseConfig(Object.fromEntries(names.map((n) => [n, ''])));
      expect(stable(blank)).toEqual(stable(parseConfig({})));
    });

    test('when production has an empty MONGODB_URI or empty secrets, then they are refused as missing', () => {
      const problems = problemsOf({ NODE_ENV: 'production', ...STRONG, MONGODB_URI: '', JWT_REFRESH_SECRET: ' ' });
      expect(problems).toEqual([
        expect.stringMatching(/^MONGODB_URI is required in production/),
        expect.stringMatching(/^JWT_REFRESH_SECRET is required in production/),
      ]);
    });

    test('when the process starts with NODE_ENV and other variables empty, then it serves in development', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-blank-env-'));
      dirs.push(dir);
      const child = runTs('server.ts', {
        NODE_ENV: '',
        PORT: '0',
        HOST: '',
        MONGODB_URI: '',
        LOG_LEVEL: '',
        HTTP_REQUEST_TIMEOUT_MS: '',
        DATA_DIR: dir,
        LOG_DIR: path.join(dir, 'logs'),
      });
      const m = await child.waitFor(/PetBuddy API listening on (http:\/\/127\.0\.0\.1:\d+) \(development\)/, 30_000);
      expect((await fetch(`${m[1]!}/health`)).status).toBe(200);
      child.proc.kill('SIGTERM');
      expect((await within(child.exited, 20_000, 'exit after SIGTERM')).code).toBe(0);
      expect(child.output()).not.toMatch(/refused to start/);
    }, 60_000);
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
