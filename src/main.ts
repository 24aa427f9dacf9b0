#!/usr/bin/env node
import { Replies } from './bot/replies.js';
import { Unfurls } from './bot/unfurls.js';
import { loadConfig } from './config.js';
import { CONSOLE_TEAM, ConsoleDigestPoster, runConsole } from './console/console.js';
import { PaperbotError } from './errors.js';
import { Library } from './library.js';
import { createStderrLogger } from './logger.js';
import { Refresher } from './papers/refresher.js';
import { arxivPaperFetcher, configuredSources } from './papers/refreshSources.js';
import { createSlackApp } from './slack/app.js';
import { identifyBot } from './slack/identity.js';
import { createPostingClient, SlackDigestPoster, singleToken } from './slack/posting.js';
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
  const library = await Library.open(config.dataDir, logger);
  const { index } = library;
  // Single-token mode: the token's workspace, which a subscriptions file of paperbot 0.1 belongs to.
  const identity = config.slack ? await identifyBot(config.slack, logger) : undefined;
  const store = await openLowdbStore(config.subscriptionsFile, {
    legacyTeam: identity?.team ?? CONSOLE_TEAM,
  });
  const now = () => new Date();
  const refresher = new Refresher({ library, sources: configuredSources(config.sources), now, logger });
  const interactive = Boolean(process.stdin.isTTY);
  const poster: DigestPoster = config.slack
    ? new SlackDigestPoster(createPostingClient(config.slack, logger), singleToken(config.slack.botToken))
    : new ConsoleDigestPoster(process.stdout, { color: interactive });
  const scheduler = new Scheduler({ store, index, poster, now, logger });
  const replies = new Replies({ index, store, scheduler, now, logger });
  const stopBackground = async () => {
    await refresher.stop();
    await scheduler.stop();
  };

  if (!config.slack) {
    process.stderr.write('No Slack tokens (SLACK_BOT_TOKEN) set: starting the local console.\n');
    scheduler.start();
    refresher.start();
    await runConsole(replies, { input: process.stdin, output: process.stdout, interactive });
    await stopBackground();
    await store.close();
    return;
  }

  const unfurls = new Unfurls(index, arxivPaperFetcher(library, config.sources, now), logger);
  const app = createSlackApp({
    connection: config.slack,
    identity: identity as NonNullable<typeof identity>,
    replies,
    unfurls,
    home: { index, store },
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
