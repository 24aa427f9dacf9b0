// @slack/bolt as the test files import it (jest.config.js maps '@slack/bolt' here): the one-file
// bundle of it that globalSetup.js makes (test/support/boltBundle.js), or the package itself
// when there is none. jest loads every module anew for each test file, and Bolt is some 400
// files (express, axios, ws...): one file of the same code loads in a fraction of the time.
const { existsSync } = require('node:fs');

const bundle = process.env.PAPERBOT_TEST_BOLT_BUNDLE;
module.exports = bundle && existsSync(bundle) ? require(bundle) : require('@slack/bolt/dist/index.js');
