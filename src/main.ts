#!/usr/bin/env node
import { Replies } from './bot/replies.js';
import { Unfurls } from './bot/unfurls.js';
import { loadConfig } from './config.js';
import { ConsoleDigestPoster, runConsole } from './console/console.js';
import { PaperbotError } from './errors.js';
import { Library } from './library.js';
import { createStderrLogger } from './logger.js';
import { Refresher } from './papers/refresher.js';
import { arxivPaperFetcher, configuredSources } from './papers/refreshSources.js';
import { WorkerSearcher } from './search/workerSearcher.js';
import { createSlackApp } from './slack/app.js';
import { createPostingClient, SlackDigestPoster } from './slack/posting.js';
import type { DigestPoster } from './subscriptions/scheduler.js';
import { Scheduler } from './subscriptions/scheduler.js';
import { openLowdbStore } from './subscriptions/store.js';

/**
 * The composition root: config → corpus and index → subscriptions → replies → Slack app or
 * console, with the digest scheduler and the corpus refresher running beside them.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createStderrLogger(config.logLevel);
  // The index lives in worker threads: this thread acknowledges, renders and posts, never searches.
  const searcher = new WorkerSearcher({ workers: config.searchWorkers, logger });
  const library = await Library.open(config.dataDir, logger, { searcher }).catch(async (error: unknown) => {
    await searcher.close(); // or its threads would keep the process from exiting with the error
    throw error;
  });
  const store = await openLowdbStore(config.subscriptionsFile).catch(async (error: unknown) => {
    await library.close();
    throw error;
  });
  const now = () => new Date();
  const refresher = new Refresher({ library, sources: configuredSources(config.sources), now, logger });
  const interactive = Boolean(process.stdin.isTTY);
  const poster: DigestPoster = config.slack
    ? new SlackDigestPoster(createPostingClient(config.slack, logger))
    : new ConsoleDigestPoster(process.stdout, { color: interactive });
  const scheduler = new Scheduler({ store, index: library, poster, now, logger });
  const replies = new Replies({ index: library, store, scheduler, now, logger });
  const stopBackground = async () => {
    await refresher.stop();
    await scheduler.stop();
    await library.close();
  };

  if (!config.slack) {
    process.stderr.write('No Slack tokens (SLACK_BOT_TOKEN) set: starting the local console.\n');
    scheduler.start();
    refresher.start();
    library.start();
    await runConsole(replies, { input: process.stdin, output: process.stdout, interactive });
    await stopBackground();
    await store.close();
    return;
  }

  const unfurls = new Unfurls(library, arxivPaperFetcher(library, config.sources, now), logger);
  const app = createSlackApp({
    connection: config.slack,
    replies,
    unfurls,
    home: { index: library, store },
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
  refresher.start();
  library.start();
  const shutdown = async () => {
    await stopBackground();
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
