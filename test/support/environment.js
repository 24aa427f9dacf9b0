// Plain JavaScript: jest loads its test environment without the TypeScript transform.
import { TestEnvironment } from 'jest-environment-node';

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
