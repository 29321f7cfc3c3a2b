/** Configuration for tests: NODE_ENV=test, fast bcrypt, secrets generated in memory. */
import { parseConfig, type Config } from '../../config/env';

export function testConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig({ NODE_ENV: 'test', BCRYPT_SALT_ROUNDS: '4', LOG_LEVEL: 'error', ...overrides });
}
