// Plain JavaScript: jest loads its test environment without the TypeScript transform.
import { AsyncLocalStorage } from 'node:async_hooks';
import { TestEnvironment } from 'jest-environment-node';

/**
 * The AsyncLocalStorages the current file enabled. jest evaluates the sources again for every
 * file, so each file makes its own (src/requestContext.ts has one), and Node keeps every enabled
 * one in a process-wide list it walks for every promise made: a worker that ran 50 files walked
 * 50 of them. Each file's are disabled when it is done.
 * @type {Set<AsyncLocalStorage<unknown>>}
 */
const enabledStorages = new Set();
for (const method of ['run', 'enterWith']) {
  const original = AsyncLocalStorage.prototype[method];
  AsyncLocalStorage.prototype[method] = function (...args) {
    enabledStorages.add(this);
    return original.apply(this, args);
  };
}

/**
 * jest's Node environment, plus the clean-ups test/support/cleanup.ts registers: those registered
 * during a test run once the test is done (after its afterEach hooks, whether it passed, failed
 * or timed out), the others once the file is done (after its afterAll hooks). Newest first.
 */
export default class PaperbotEnvironment extends TestEnvironment {
  /** @type {Array<() => unknown>} */
  #forTest = [];
  /** @type {Array<() => unknown>} */
  #forFile = [];
  #inTest = false;

  constructor(config, context) {
    super(config, context);
    this.global.__paperbotCleanup = (cleanup) => (this.#inTest ? this.#forTest : this.#forFile).push(cleanup);
  }

  async handleTestEvent(event) {
    if (event.name === 'test_start') this.#inTest = true;
    else if (event.name === 'test_done') {
      this.#inTest = false;
      await run(this.#forTest.splice(0), event.test.name);
    } else if (event.name === 'run_finish') await run(this.#forFile.splice(0), 'the file');
  }

  async teardown() {
    // Registered late: by a test that timed out and went on running after the file was done.
    await run([...this.#forFile.splice(0), ...this.#forTest.splice(0)], 'the file');
    for (const storage of enabledStorages) storage.disable();
    enabledStorages.clear();
    await super.teardown();
  }
}

async function run(cleanups, after) {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      process.stderr.write(`A clean-up after ${after} failed: ${error?.stack ?? error}\n`);
    }
  }
}
