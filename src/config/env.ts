/**
 * Configuration: the only module that reads process.env. Variables are parsed and checked with
 * zod, typed, and frozen. In production every problem is listed and the process refuses to
 * start; in development missing secrets are generated once and kept under DATA_DIR so restarts
 * keep sessions valid; in tests they are generated in memory. A variable that is set but empty
 * (or only whitespace), as docker-compose and CI files often pass, counts as unset everywhere.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

const DURATION = /^(\d+)([smhd])$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses durations like `15m` or `7d` (the form the original accepted) into milliseconds. */
export function durationMs(value: string): number {
  const m = DURATION.exec(value);
  if (!m) throw new Error(`invalid duration ${value}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

const duration = z.string().regex(DURATION, { message: 'must look like 15m, 12h or 7d (number + s/m/h/d)' });
const optionalText = z.string().trim().optional();
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = (fallback: string) => z.url().default(fallback);

export const SECRET_NAMES = ['JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET', 'INTERNAL_SERVICE_API_KEY', 'DATA_ENCRYPTION_KEY'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];
export const MIN_SECRET_LENGTH = 32;

/**
 * `NAME=` (or only whitespace) means unset, so every variable falls back to its default (or
 * counts as missing) instead of failing as an empty enum, URL or number: z.coerce.number() would
 * even read '' as 0. Done once here, before the schema, rather than field by field.
 */
function withoutBlanks(source: Record<string, string | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) if (value !== undefined && value.trim() !== '') kept[name] = value;
  return kept;
}

const EnvFields = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: optionalText,
  MONGODB_URI: optionalText,
  JWT_ACCESS_SECRET: optionalText,
  JWT_REFRESH_SECRET: optionalText,
  INTERNAL_SERVICE_API_KEY: optionalText,
  DATA_ENCRYPTION_KEY: optionalText,
  ACCESS_TOKEN_TTL: duration.default('15m'),
  REFRESH_TOKEN_TTL: duration.default('7d'),
  CORS_ORIGINS: z.string().default('http://localhost:3000'),
  FRONTEND_URL: url('http://localhost:3000'),
  BCRYPT_SALT_ROUNDS: z.coerce.number().int().min(4).max(15).default(12),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'debug']).default('info'),
  LOG_DIR: z.string().default('logs'),
  FACEBOOK_APP_ID: optionalText,
  FACEBOOK_APP_SECRET: optionalText,
  FACEBOOK_GRAPH_VERSION: z.string().default('v18.0'),
  FACEBOOK_GRAPH_URL: url('https://graph.facebook.com'),
  FACEBOOK_GRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  FACEBOOK_SCOPES: optionalText,
  GOOGLE_CLIENT_ID: optionalText,
  GOOGLE_CLIENT_SECRET: optionalText,
  GOOGLE_REDIRECT_URI: z.url().optional(),
  GOOGLE_OAUTH_URL: url('https://oauth2.googleapis.com'),
  GOOGLE_API_URL: url('https://www.googleapis.com'),
  GOOGLE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  GOOGLE_SYNC_POLL_MS: z.coerce.number().int().min(10).default(2000),
  GOOGLE_SYNC_RETRY_BASE_MS: z.coerce.number().int().min(1).default(5000),
  GOOGLE_SYNC_RETRY_MAX_DELAY_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(15 * 60_000),
  GOOGLE_SYNC_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  META_BOT_BASE_URL: url('http://localhost:5001'),
  TRUST_PROXY: z.string().default('loopback, linklocal, uniquelocal'),
  DATA_DIR: z.string().default('data'),
  EMBEDDED_MONGO_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(1000).default(30_000),
  CSRF_ENABLED: flag,
  AUTH_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(5),
  AUTH_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60_000),
  MESSAGE_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(300),
  CONVERSATION_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(300),
  INBOX_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60_000),
  /** Appointment routes: requests per user per window (the original's 100 per IP, O-6, was too tight for a front desk). */
  APPOINTMENT_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(1000),
  APPOINTMENT_RATE_LIMIT_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60_000),
  META_BOT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(1000),
  OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(1).default(2000),
  OUTBOX_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(1).default(60_000),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(8),
  OUTBOX_MAX_AGE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(15 * 60_000),
  OUTBOX_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
  SOCKET_AUTH_SWEEP_MS: z.coerce.number().int().min(100).default(30_000),
  AUTH_USER_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
  BODY_MAX_DEPTH: z.coerce.number().int().min(1).default(64),
  BODY_MAX_KEYS: z.coerce.number().int().min(1).default(10_000),
  METRICS_TOKEN: optionalText,
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().trim().default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_KEY_PREFIX: z.string().trim().min(1).max(64).default('petbuddy:'),
  SOCKET_RECOVERY_MS: z.coerce.number().int().min(0).max(3_600_000).default(120_000),
});

// Node refuses a headers timeout longer than the request timeout (the headers are part of the request).
const EnvSchema = EnvFields.refine((e) => e.HTTP_HEADERS_TIMEOUT_MS <= e.HTTP_REQUEST_TIMEOUT_MS, {
  path: ['HTTP_HEADERS_TIMEOUT_MS'],
  message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS (the headers are part of the request)',
}).refine((e) => !e.METRICS_PORT || e.METRICS_PORT !== e.PORT, {
  path: ['METRICS_PORT'],
  message: 'must differ from PORT (the metrics listener is a second server)',
});

export interface Config {
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  isTest: boolean;
  port: number;
  /** Listen address: 0.0.0.0 in production, 127.0.0.1 otherwise, unless HOST says. */
  host: string;
  /** Unset: the embedded MongoDB-compatible server is started (not in production). */
  mongodbUri: string | undefined;
  jwt: { accessSecret: string; refreshSecret: string; accessTtl: string; refreshTtl: string; accessTtlMs: number; refreshTtlMs: number };
  internalApiKey: string;
  dataEncryptionKey: string;
  corsOrigins: string[];
  frontendUrl: string;
  bcryptSaltRounds: number;
  logLevel: string;
  logDir: string;
  facebook: {
    appId: string | undefined;
    appSecret: string | undefined;
    graphVersion: string;
    scopes: string | undefined;
    /** Where Graph API calls go (a local fake in tests), and each call's timeout. */
    graphUrl: string;
    timeoutMs: number;
  };
  google: {
    clientId: string | undefined;
    clientSecret: string | undefined;
    redirectUri: string | undefined;
    /** Where the OAuth token/revoke calls and the Calendar API calls go (local fakes in tests), and each call's timeout. */
    oauthUrl: string;
    apiUrl: string;
    timeoutMs: number;
    /** The calendar sync job: how often it looks for work, its retry backoff, and when it gives up. */
    sync: { pollMs: number; retryBaseMs: number; retryMaxDelayMs: number; maxAttempts: number };
  };
  trustProxy: string | number | boolean;
  dataDir: string;
  embeddedMongoPort: number;
  shutdownGraceMs: number;
  csrfEnabled: boolean;
  authRateLimit: { max: number; windowMs: number };
  inboxRateLimit: { messagesMax: number; conversationsMax: number; windowMs: number };
  appointmentRateLimit: { max: number; windowMs: number };
  metaBot: { baseUrl: string; timeoutMs: number };
  outbox: {
    pollMs: number;
    retryBaseMs: number;
    retryMaxDelayMs: number;
    maxAttempts: number;
    maxAgeMs: number;
    concurrency: number;
    batchSize: number;
  };
  socketAuthSweepMs: number;
  /** How long an authenticated user's record may be reused (0: read on every request). */
  authUserCacheMs: number;
  /**
   * Node HTTP server timeouts: the whole header block, the whole request (headers + body), and an
   * idle keep-alive connection. Slow or stalled clients get 408 and are disconnected.
   */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** Deepest nesting and most object keys (in total) a JSON or form body may have; beyond: 400. */
  bodyMaxDepth: number;
  bodyMaxKeys: number;
  cookie: { secure: boolean; sameSite: 'none' | 'lax' };
  /**
   * GET /metrics. `token`: when set, required as `Authorization: Bearer <token>`. `port`: when set,
   * /metrics is served only by a second listener on `host`:`port`, not on the app's port. Without
   * either, production does not serve it at all; development and tests serve it openly.
   */
  metrics: { token: string | undefined; port: number | undefined; host: string };
  /** Redis for running several processes (Socket.io adapter, rate limits, cache invalidation); undefined: one process. */
  redis: { url: string; keyPrefix: string } | undefined;
  /** How long a dashboard may be disconnected and still get the events it missed on reconnecting. */
  socketRecoveryMs: number;
  /** Secrets generated for this development/test run (names only), for a start-up notice. */
  generatedSecrets: SecretName[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const tooShort = (name: string, value: string): string =>
  `${name} is too short: ${value.length} characters, at least ${MIN_SECRET_LENGTH} required`;

function weakSecretProblem(name: string, value: string | undefined): string | undefined {
  if (!value) return `${name} is required in production (at least ${MIN_SECRET_LENGTH} characters)`;
  if (value.length < MIN_SECRET_LENGTH) return tooShort(name, value);
  if (new Set(value).size < 8 || /change[-_ ]?me|example|secret{2,}/i.test(value)) {
    return `${name} looks like a placeholder or a weak value; generate one with: openssl rand -base64 48`;
  }
  return undefined;
}

function parseTrustProxy(v: string): string | number | boolean {
  const t = v.trim();
  if (t === 'true') return true;
  if (t === 'false' || t === '') return false;
  if (/^\d+$/.test(t)) return Number(t);
  return t;
}

export interface SecretStore {
  load(): Partial<Record<SecretName, string>>;
  save(values: Partial<Record<SecretName, string>>): void;
}

/** Keeps generated development secrets in `<dataDir>/secrets.json` (mode 0600). */
export function fileSecretStore(dataDir: string): SecretStore {
  const file = path.join(dataDir, 'secrets.json');
  return {
    load: () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Record<SecretName, string>>) : {}),
    save: (values) => {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, JSON.stringify(values, null, 2) + '\n', { mode: 0o600 });
    },
  };
}

export function generateSecret(): string {
  return randomBytes(48).toString('base64url');
}

/**
 * Builds the configuration from a set of variables. Pure except for the secret store, which
 * development uses to keep generated secrets. Throws ConfigError listing every problem.
 */
export function parseConfig(source: Record<string, string | undefined>, secretStoreFor?: (dataDir: string) => SecretStore): Config {
  const parsed = EnvSchema.safeParse(withoutBlanks(source));
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  // Generated secrets are kept (in DATA_DIR) in development only.
  const secretStore = e.NODE_ENV === 'development' ? secretStoreFor?.(path.resolve(e.DATA_DIR)) : undefined;
  const secrets: Record<SecretName, string | undefined> = {
    JWT_ACCESS_SECRET: e.JWT_ACCESS_SECRET,
    JWT_REFRESH_SECRET: e.JWT_REFRESH_SECRET,
    INTERNAL_SERVICE_API_KEY: e.INTERNAL_SERVICE_API_KEY,
    DATA_ENCRYPTION_KEY: e.DATA_ENCRYPTION_KEY,
  };
  const generated: SecretName[] = [];
  if (e.NODE_ENV === 'production') {
    if (!e.MONGODB_URI) problems.push('MONGODB_URI is required in production (the embedded database is for development and tests only)');
    for (const name of SECRET_NAMES) {
      const p = weakSecretProblem(name, secrets[name]);
      if (p) problems.push(p);
    }
  } else {
    const stored = secretStore?.load() ?? {};
    for (const name of SECRET_NAMES) {
      if (secrets[name]) {
        if (secrets[name]!.length < MIN_SECRET_LENGTH) {
          problems.push(tooShort(name, secrets[name]!));
        }
        continue;
      }
      secrets[name] = stored[name] ?? generateSecret();
      if (!stored[name]) generated.push(name);
    }
    if (generated.length > 0) secretStore?.save({ ...stored, ...Object.fromEntries(SECRET_NAMES.map((n) => [n, secrets[n]])) });
  }
  if (secrets.JWT_ACCESS_SECRET && secrets.JWT_ACCESS_SECRET === secrets.JWT_REFRESH_SECRET) {
    problems.push('JWT_ACCESS_SECRET and JWT_REFRESH_SECRET must differ (a refresh token would otherwise work as an access token)');
  }
  if (e.NODE_ENV === 'production' && e.BCRYPT_SALT_ROUNDS < 10) problems.push('BCRYPT_SALT_ROUNDS must be between 10 and 15 in production');
  // Optional, but when production sets one it must be as strong as the other secrets.
  if (e.NODE_ENV === 'production' && e.METRICS_TOKEN) {
    const p = weakSecretProblem('METRICS_TOKEN', e.METRICS_TOKEN);
    if (p) problems.push(p);
  }
  // A metrics listener reachable from other hosts is not left open in production.
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(e.METRICS_HOST);
  if (e.NODE_ENV === 'production' && e.METRICS_PORT !== undefined && !loopback && !e.METRICS_TOKEN) {
    problems.push(
      `METRICS_HOST=${e.METRICS_HOST} exposes /metrics beyond this machine: set METRICS_TOKEN too (or keep METRICS_HOST=127.0.0.1)`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const isProduction = e.NODE_ENV === 'production';
  const corsOrigins = [
    ...new Set([
      ...e.CORS_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      e.FRONTEND_URL.replace(/\/$/, ''),
    ]),
  ];
  return Object.freeze({
    env: e.NODE_ENV,
    isProduction,
    isTest: e.NODE_ENV === 'test',
    port: e.PORT,
    host: e.HOST ?? (isProduction ? '0.0.0.0' : '127.0.0.1'),
    mongodbUri: e.MONGODB_URI,
    jwt: Object.freeze({
      accessSecret: secrets.JWT_ACCESS_SECRET!,
      refreshSecret: secrets.JWT_REFRESH_SECRET!,
      accessTtl: e.ACCESS_TOKEN_TTL,
      refreshTtl: e.REFRESH_TOKEN_TTL,
      accessTtlMs: durationMs(e.ACCESS_TOKEN_TTL),
      refreshTtlMs: durationMs(e.REFRESH_TOKEN_TTL),
    }),
    internalApiKey: secrets.INTERNAL_SERVICE_API_KEY!,
    dataEncryptionKey: secrets.DATA_ENCRYPTION_KEY!,
    corsOrigins,
    frontendUrl: e.FRONTEND_URL,
    bcryptSaltRounds: e.BCRYPT_SALT_ROUNDS,
    logLevel: e.LOG_LEVEL,
    logDir: e.LOG_DIR,
    facebook: Object.freeze({
      appId: e.FACEBOOK_APP_ID,
      appSecret: e.FACEBOOK_APP_SECRET,
      graphVersion: e.FACEBOOK_GRAPH_VERSION,
      scopes: e.FACEBOOK_SCOPES,
      graphUrl: e.FACEBOOK_GRAPH_URL.replace(/\/$/, ''),
      timeoutMs: e.FACEBOOK_GRAPH_TIMEOUT_MS,
    }),
    google: Object.freeze({
      clientId: e.GOOGLE_CLIENT_ID,
      clientSecret: e.GOOGLE_CLIENT_SECRET,
      redirectUri: e.GOOGLE_REDIRECT_URI,
      oauthUrl: e.GOOGLE_OAUTH_URL.replace(/\/$/, ''),
      apiUrl: e.GOOGLE_API_URL.replace(/\/$/, ''),
      timeoutMs: e.GOOGLE_TIMEOUT_MS,
      sync: Object.freeze({
        pollMs: e.GOOGLE_SYNC_POLL_MS,
        retryBaseMs: e.GOOGLE_SYNC_RETRY_BASE_MS,
        retryMaxDelayMs: e.GOOGLE_SYNC_RETRY_MAX_DELAY_MS,
        maxAttempts: e.GOOGLE_SYNC_MAX_ATTEMPTS,
      }),
    }),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    dataDir: path.resolve(e.DATA_DIR),
    embeddedMongoPort: e.EMBEDDED_MONGO_PORT,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    csrfEnabled: e.CSRF_ENABLED,
    authRateLimit: Object.freeze({ max: e.AUTH_RATE_LIMIT_MAX, windowMs: e.AUTH_RATE_LIMIT_WINDOW_MS }),
    inboxRateLimit: Object.freeze({
      messagesMax: e.MESSAGE_RATE_LIMIT_MAX,
      conversationsMax: e.CONVERSATION_RATE_LIMIT_MAX,
      windowMs: e.INBOX_RATE_LIMIT_WINDOW_MS,
    }),
    appointmentRateLimit: Object.freeze({ max: e.APPOINTMENT_RATE_LIMIT_MAX, windowMs: e.APPOINTMENT_RATE_LIMIT_WINDOW_MS }),
    metaBot: Object.freeze({ baseUrl: e.META_BOT_BASE_URL.replace(/\/$/, ''), timeoutMs: e.META_BOT_TIMEOUT_MS }),
    outbox: Object.freeze({
      pollMs: e.OUTBOX_POLL_MS,
      retryBaseMs: e.OUTBOX_RETRY_BASE_MS,
      retryMaxDelayMs: e.OUTBOX_RETRY_MAX_DELAY_MS,
      maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
      maxAgeMs: e.OUTBOX_MAX_AGE_MS,
      concurrency: e.OUTBOX_CONCURRENCY,
      batchSize: e.OUTBOX_BATCH_SIZE,
    }),
    socketAuthSweepMs: e.SOCKET_AUTH_SWEEP_MS,
    authUserCacheMs: e.AUTH_USER_CACHE_MS,
    http: Object.freeze({
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    }),
    bodyMaxDepth: e.BODY_MAX_DEPTH,
    bodyMaxKeys: e.BODY_MAX_KEYS,
    cookie: Object.freeze({ secure: isProduction, sameSite: isProduction ? ('none' as const) : ('lax' as const) }),
    metrics: Object.freeze({ token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST }),
    redis: e.REDIS_URL ? Object.freeze({ url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX }) : undefined,
    socketRecoveryMs: e.SOCKET_RECOVERY_MS,
    generatedSecrets: generated,
  });
}

/** Variables from a `.env` file in the working directory, if there is one (never overriding). */
function loadDotEnv(): void {
  const file = path.resolve('.env');
  if (existsSync(file)) process.loadEnvFile(file);
}

let cached: Config | undefined;

/** The process configuration, parsed once from process.env (and `.env`). */
export function getConfig(): Config {
  if (!cached) {
    loadDotEnv();
    cached = parseConfig({ ...process.env }, fileSecretStore);
  }
  return cached;
}
