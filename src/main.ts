#!/usr/bin/env node
import { Replies } from './bot/replies.js';
import { loadConfig } from './config.js';
import { ConsoleDigestPoster, runConsole } from './console/console.js';
import { PaperbotError } from './errors.js';
import { openLibrary } from './library.js';
import { createStderrLogger } from './logger.js';
import { createSlackApp } from './slack/app.js';
import { createBackgroundClient, SlackDigestPoster } from './slack/posting.js';
import { Scheduler } from './subscriptions/scheduler.js';
import { openLowdbStore } from './subscriptions/store.js';

/** The composition root: config → corpus → index → store → replies → Slack app or console → scheduler. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createStderrLogger(config.logLevel);
  const { index } = await openLibrary(config.dataDir, logger);
  const store = await openLowdbStore(config.subscriptionsFile);
  const now = () => new Date();

  if (!config.slack) {
    process.stderr.write('No Slack tokens (SLACK_BOT_TOKEN) set: starting the local console.\n');
    const interactive = Boolean(process.stdin.isTTY);
    const poster = new ConsoleDigestPoster(process.stdout, { color: interactive });
    const scheduler = new Scheduler({ store, index, poster, now, logger });
    scheduler.start();
    await runConsole(new Replies({ index, store, scheduler, now, logger }), {
      input: process.stdin,
      output: process.stdout,
      interactive,
    });
    await scheduler.stop();
    await store.close();
    return;
  }

  const poster = new SlackDigestPoster(createBackgroundClient(config.slack, logger));
  const scheduler = new Scheduler({ store, index, poster, now, logger });
  const app = createSlackApp({
    connection: config.slack,
    replies: new Replies({ index, store, scheduler, now, logger }),
    logger,
  });
  if (config.slack.mode === 'http') {
    await app.start(config.slack.port);
    logger.info(`paperbot is listening for Slack requests on port ${config.slack.port} (/slack/events)`);
  } else {
    await app.start();
    logger.info('paperbot is connected to Slack (Socket Mode)');
  }
  scheduler.start();
  const shutdown = async () => {
    await scheduler.stop();
    await app.stop();
    await store.close();
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof PaperbotError ? error.message : (error as Error).stack}\n`);
  process.exitCode = 1;
});
