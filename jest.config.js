/** @type {import('jest').Config} */
export default {
  // Node's, plus the clean-ups of test/support/cleanup.ts (tempDir() of test/support/tmp.ts uses them).
  testEnvironment: '<rootDir>/test/support/environment.js',
  roots: ['<rootDir>/test'],
  // Not the system temp folder: a run leaves nothing there (test/support/globalTeardown.js checks).
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  testMatch: ['**/*.test.ts'],
  // One PostgreSQL server for the whole run (suites make their own databases on it).
  globalSetup: '<rootDir>/test/support/globalSetup.js',
  globalTeardown: '<rootDir>/test/support/globalTeardown.js',
  // jest's default is one worker per core but one, which on the 2-core machines we run on means
  // one test file at a time; most files wait on sockets and child processes, so two overlap well.
  maxWorkers: 2,
  // Node 20 never frees the vm modules jest makes for each file (nodejs/node#59118): a worker's heap
  // grows by the sources every file loads, and collecting it costs more with each file. A worker
  // past this size after a file is replaced by a fresh one (about 9 % less CPU on the in-process
  // suites).
  workerIdleMemoryLimit: '400MB',
  // On a run without the durations of an earlier one (a fresh clone), the process tests first.
  testSequencer: '<rootDir>/test/support/sequencer.js',
  // Tests assert behaviour, never speed (benchmarks measure that); on a shared, loaded machine a
  // long end-to-end test can take several times its usual 1-4 s, past jest's 5 s default.
  testTimeout: 20_000,
  extensionsToTreatAsEsm: ['.ts'],
  // Sources import './x.js' (NodeNext ESM); map those to the .ts files for jest.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The same Bolt, from one file (test/support/slackBolt.cjs): seconds less per suite that loads it.
    '^@slack/bolt$': '<rootDir>/test/support/slackBolt.cjs',
  },
  transform: {
    '^.+\\.ts$': [
      // @swc/jest, with the built-in globals bound in each module (see the file for why).
      '<rootDir>/test/support/transform.cjs',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
};
