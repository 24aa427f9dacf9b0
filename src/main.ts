#!/usr/bin/env node
import { Replies } from './bot/replies.js';
import { loadConfig } from './config.js';
import { runConsole } from './console/console.js';
import { PaperbotError } from './errors.js';
import { openLibrary } from './library.js';
import { createStderrLogger } from './logger.js';
import { createSlackApp } from './slack/app.js';

/** The composition root: config → corpus → index → replies → Slack app or local console. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createStderrLogger(config.logLevel);
  const { index } = await openLibrary(config.dataDir, logger);
  const replies = new Replies(index, logger);

  if (!config.slack) {
    process.stderr.write('No Slack tokens (SLACK_BOT_TOKEN) set: starting the local console.\n');
    await runConsole(replies, {
      input: process.stdin,
      output: process.stdout,
      interactive: Boolean(process.stdin.isTTY),
    });
    return;
  }
  const app = createSlackApp({ connection: config.slack, replies, logger });
  if (config.slack.mode === 'http') {
    await app.start(config.slack.port);
    logger.info(`paperbot is listening for Slack requests on port ${config.slack.port} (/slack/events)`);
  } else {
    await app.start();
    logger.info('paperbot is connected to Slack (Socket Mode)');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof PaperbotError ? error.message : (error as Error).stack}\n`);
  process.exitCode = 1;
});
