/** Stops the embedded MongoDB started by globalSetup. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__PETBUDDY_TEST_MONGO__?.stop();
}
