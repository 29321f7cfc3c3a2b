/**
 * Operator scripts run as operators run them: a child process (tsx) on a database of the suite's
 * own (dropped afterwards), the same database this test process connects to for setting up and
 * checking.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import mongoose from 'mongoose';
import { testServerUri, uniqueDbName, uriWithDb } from '../helpers/mongo';
import { killAllChildren, runTs, within } from '../helpers/process';

export interface ScriptRun {
  code: number | null;
  stdout: string;
  output: string;
}

export function useScriptDatabase(name: string) {
  const mongoUri = uriWithDb(testServerUri(), uniqueDbName(name));
  let dir = '';
  const env = (): Record<string, string> => ({
    NODE_ENV: 'test',
    JWT_ACCESS_SECRET: 'scripts-suite-access-secret-0123456789abcdef',
    JWT_REFRESH_SECRET: 'scripts-suite-refresh-secret-0123456789abcdef',
    INTERNAL_SERVICE_API_KEY: 'scripts-suite-internal-api-key-0123456789ab',
    DATA_ENCRYPTION_KEY: 'scripts-suite-data-encryption-key-0123456789',
    MONGODB_URI: mongoUri,
    DATA_DIR: dir,
    LOG_DIR: path.join(dir, 'logs'),
  });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `petbuddy-${name}-`));
    await mongoose.connect(mongoUri, { serverSelectionTimeoutMS: 5000 });
  });
  afterAll(async () => {
    killAllChildren();
    await mongoose.connection.db?.dropDatabase();
    await mongoose.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  return {
    dir: () => dir,
    /** Runs src/scripts/<script>.ts with `args`; `env` overrides the suite's environment. */
    async run(script: string, args: string[], extra: Record<string, string> = {}): Promise<ScriptRun> {
      const child = runTs(`src/scripts/${script}.ts`, { ...env(), ...extra }, args);
      let stdout = '';
      child.proc.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      const { code } = await within(child.exited, 60_000, `${script} ${args.join(' ')}`);
      return { code, stdout, output: child.output() };
    },
  };
}
