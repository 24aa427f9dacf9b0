/** Registered by test/support/environment.js, the environment jest runs every test file in. */
declare const __paperbotCleanup: ((cleanup: () => unknown) => void) | undefined;

/**
 * Runs `cleanup` when the current test is done (passed, failed or timed out, after its afterEach
 * hooks), or, when called outside a test (at the top of a file, in beforeAll), when the file is
 * done (after its afterAll hooks). Clean-ups run newest first.
 */
export function cleanUpAfter(cleanup: () => unknown): void {
  if (typeof __paperbotCleanup !== 'function')
    throw new Error(
      'cleanUpAfter needs the test environment of jest.config.js (test/support/environment.js).',
    );
  __paperbotCleanup(cleanup);
}

/** Returns `resource`, closed when the current test (or, outside a test, the file) is done. */
export function closedAfter<T extends { close(): unknown }>(resource: T): T {
  cleanUpAfter(() => resource.close());
  return resource;
}
