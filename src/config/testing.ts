/**
 * The variables only the test harness uses: which database the tests run against, and which
 * jest worker this is. Kept in src/config because nothing else reads process.env.
 */
export interface TestEnvironment {
  /** A real MongoDB replica set to run the tests against, instead of the embedded server. */
  realMongoUri: string | undefined;
  /** The embedded server globalSetup started for this run. */
  embeddedUri: string | undefined;
  workerId: string;
}

export function testEnvironment(): TestEnvironment {
  return {
    realMongoUri: process.env.TEST_MONGODB_URI || undefined,
    embeddedUri: process.env.PETBUDDY_TEST_MONGO_URI || undefined,
    workerId: process.env.JEST_WORKER_ID ?? '0',
  };
}

/** Hands the embedded server's URI from globalSetup to the jest workers. */
export function exportEmbeddedUri(uri: string): void {
  process.env.PETBUDDY_TEST_MONGO_URI = uri;
}

/** The minimal environment a test's child process inherits (PATH and HOME only). */
export function childProcessBaseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
}
