/**
 * A clean `npm install` prints no warning the project can fix: npm (11+) skips the install scripts
 * of dependencies that package.json's `allowScripts` does not cover and warns about each, so every
 * package with an install script in the lockfile must be allowed or denied there, by name.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/process';

const read = (file: string) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;

test('every dependency with an install script is declared in allowScripts, and nothing stale is', () => {
  const lock = read('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> };
  const allow = (read('package.json').allowScripts ?? {}) as Record<string, boolean>;
  const withScripts = new Set(
    Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript)
      .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length)),
  );
  expect([...withScripts].filter((name) => !(name in allow))).toEqual([]);
  expect(Object.keys(allow).filter((name) => !withScripts.has(name))).toEqual([]);
  // bcrypt's script only builds when no prebuilt binary matches; the others are not needed (esbuild's
  // binary comes as an optional dependency) or not wanted (swagger-ui-dist's install-time telemetry).
  expect(allow).toEqual({ bcrypt: true, esbuild: false, '@scarf/scarf': false });
});
