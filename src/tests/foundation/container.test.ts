/**
 * The container, checked without a Docker engine (none runs here): the Dockerfile's runtime stage
 * is production-only and unprivileged, starts the file the build emits for server.ts, exposes the
 * app's port, and its HEALTHCHECK command, run for real, passes against the app's /health and fails
 * without it; docker-compose.yml wires the API to a MongoDB replica set and Redis on loopback.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { parse } from 'yaml';
import { buildApp } from '../../app';
import { parseConfig } from '../../config/env';
import { testConfig } from '../helpers/config';
import { ROOT } from '../helpers/process';

const run = promisify(execFile);
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = instructions.reduce<string[][]>(
  (acc, line) => (line.startsWith('FROM ') ? [...acc, [line]] : (acc.at(-1)!.push(line), acc)),
  [],
);
const runtime = stages.at(-1)!;
const one = (keyword: string): string => {
  const found = runtime.filter((l) => l.startsWith(`${keyword} `));
  expect(found).toHaveLength(1);
  return found[0]!.slice(keyword.length + 1);
};
const defaultPort = parseConfig({ NODE_ENV: 'test' }).port;

test('the image is built in stages and runs production dependencies only, as a non-root user, in production mode', () => {
  expect(stages.length).toBeGreaterThanOrEqual(2);
  expect(runtime.some((l) => /^RUN npm ci .*--omit=dev/.test(l))).toBe(true);
  expect(runtime.some((l) => /^RUN npm (ci|install)(?!.*--omit=dev)/.test(l))).toBe(false);
  expect(one('USER')).not.toMatch(/^(root|0)(:|$)/);
  expect(one('ENV')).toMatch(/\bNODE_ENV=production\b/);
  expect(runtime.filter((l) => l.startsWith('COPY ')).every((l) => !/\bsrc\b/.test(l) || /--from=build/.test(l))).toBe(true);
});

test('CMD starts the file the build emits for server.ts, and the port exposed is the one the app listens on', () => {
  const cmd = JSON.parse(one('CMD')) as string[];
  const tsconfig = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, 'tsconfig.build.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
  )!;
  const emitted = ts.getOutputFileNames(tsconfig, path.join(ROOT, 'server.ts'), false).find((f) => f.endsWith('.js'))!;
  expect(cmd).toEqual(['node', path.relative(ROOT, emitted)]);
  expect(one('EXPOSE')).toBe(String(defaultPort));
  expect(one('ENV')).toMatch(new RegExp(`\\bPORT=${defaultPort}\\b`));
});

describe('HEALTHCHECK', () => {
  const command = one('HEALTHCHECK').replace(/^(--\S+\s+)*CMD\s+/, '');
  const script = /^node -e "(.*)"$/.exec(command)?.[1];
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer(buildApp({ config: testConfig() }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('when the app answers /health on PORT, then the check passes', async () => {
    expect(script).toContain('/health');
    await expect(run(process.execPath, ['-e', script!], { env: { PORT: String(port) }, timeout: 10_000 })).resolves.toBeDefined();
  });

  test('when nothing listens there, then the check fails', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(run(process.execPath, ['-e', script!], { env: { PORT: String(free) }, timeout: 10_000 })).rejects.toMatchObject({
      code: 1,
    });
  });
});

test('docker-compose runs the API against a MongoDB replica set and Redis, published on loopback only, secrets required', () => {
  const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<
      string,
      { command?: string[]; environment?: Record<string, string>; ports?: string[]; depends_on?: Record<string, unknown>; build?: string }
    >;
  };
  const { api, mongo, redis } = compose.services;
  expect(api?.build).toBe('.');
  expect(mongo?.command).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
  expect(redis).toBeDefined();
  expect(api?.environment?.MONGODB_URI).toMatch(/^mongodb:\/\/mongo:27017\/\w+\?replicaSet=rs0$/);
  expect(api?.environment?.REDIS_URL).toBe('redis://redis:6379');
  expect(api?.environment?.NODE_ENV).toBe('production');
  expect(api?.ports).toEqual([`127.0.0.1:${defaultPort}:${defaultPort}`]);
  for (const secret of ['JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET', 'INTERNAL_SERVICE_API_KEY', 'DATA_ENCRYPTION_KEY']) {
    expect(api?.environment?.[secret]).toMatch(new RegExp(`^\\$\\{${secret}:\\?`));
  }
  expect(Object.keys(api?.depends_on ?? {}).sort()).toEqual(['mongo', 'redis']);
});

test('the build context leaves out what must not reach the image', () => {
  const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['node_modules', 'dist', 'data', '.env', '.git', 'logs']) expect(ignored).toContain(entry);
});
