/** Configuration for tests: NODE_ENV=test, fast bcrypt, secrets generated in memory. */
import { ConfigError, parseConfig, type Config } from '../../config/env';

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig({ NODE_ENV: 'test', BCRYPT_SALT_ROUNDS: '4', LOG_LEVEL: 'error', ...overrides });
}

/** The problems parseConfig reports for `source` (empty when it accepts it). */
export function problemsOf(source: Record<string, string | undefined>): string[] {
  try {
    parseConfig(source);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}
