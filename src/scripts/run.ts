/** Shared start-up for operator scripts: configuration, logging to the console, a database connection. */
import mongoose from 'mongoose';
import { databaseForScript } from '../config/embedded';
import { ConfigError, getConfig, type Config } from '../config/env';

export interface ScriptOptions {
  /** Printed for `--help` or `-h`, without connecting to the database. */
  help?: string;
}

export async function runScript(
  name: string,
  fn: (config: Config, args: string[]) => Promise<number | void>,
  options: ScriptOptions = {},
): Promise<void> {
  const argv = process.argv.slice(2);
  if (options.help && argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${options.help}\n`);
    process.exit(0);
  }
  let config: Config;
  try {
    config = getConfig();
  } catch (err) {
    process.stderr.write(`${name}: ${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(1);
  }
  const db = await databaseForScript(config);
  let code = 0;
  try {
    await mongoose.connect(db.uri, { serverSelectionTimeoutMS: 5000 });
    code = (await fn(config, argv)) ?? 0;
  } catch (err) {
    process.stderr.write(`${name} failed: ${(err as Error).message}\n`);
    code = 1;
  } finally {
    await mongoose.disconnect();
    await db.close();
  }
  process.exit(code);
}
