import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['<rootDir>/src/tests/**/*.test.ts'],
  transform: {
    // Type-checking is `npm run typecheck`'s job; tests are only transpiled.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  globalSetup: '<rootDir>/src/tests/helpers/globalSetup.ts',
  globalTeardown: '<rootDir>/src/tests/helpers/globalTeardown.ts',
  testTimeout: 30_000,
  maxWorkers: 2,
  collectCoverageFrom: ['src/**/*.ts', '!src/tests/**', '!src/**/*.d.ts'],
};

export default config;
