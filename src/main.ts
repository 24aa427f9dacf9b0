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
import { WorkerSearcher } from './search/workerSearcher.js';
import { createSlackApp, type SlackAuth } from './slack/app.js';
import { identifyBot } from './slack/identity.js';
import { installationTokens } from './slack/oauth.js';
import { createPostingClient, SlackDigestPoster, singleToken } from './slack/posting.js';
import { openStores } from './stores.js';
import type { DigestPoster } from './subscriptions/scheduler.js';
import { Scheduler } from './subscriptions/scheduler.js';

/**
 * The composition root: config → stores (with the database) → corpus and index → replies → Slack app or console,
 * with the digest scheduler and the corpus refresher running beside them.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createStderrLogger(config.logLevel);
  const { slack } = config;
  // One workspace's token: who it is (its workspace files every subscription). OAuth: none.
  const identity = slack && slack.mode !== 'oauth' ? await identifyBot(slack, logger) : undefined;
  // The stores first: with a database, the corpus is in it too.
  const stores = await openStores(
    config,
    {
      installations: slack?.mode === 'oauth',
      ...(identity || !slack ? { legacyTeam: identity?.team ?? CONSOLE_TEAM } : {}),
    },
    logger,
  );
  // The index lives in worker threads: this thread acknowledges, renders and posts, never searches.
  const searcher = new WorkerSearcher({ workers: config.searchWorkers, logger });
  const library = await Library.open(config.dataDir, logger, {
    searcher,
    ...(stores.database ? { database: stores.database } : {}),
  }).catch(async (error: unknown) => {
    await searcher.close(); // or its threads would keep the process from exiting with the error
    await stores.close();
    throw error;
  });
  const index = library;
  const store = stores.subscriptions;
  const auth: SlackAuth | undefined = identity
    ? { kind: 'token', identity }
    : stores.installations
      ? { kind: 'oauth', installations: stores.installations }
      : undefined;
  const now = () => new Date();
  const refresher = new Refresher({ library, sources: configuredSources(config.sources), now, logger });
  const interactive = Boolean(process.stdin.isTTY);
  const poster: DigestPoster =
    slack && auth
      ? new SlackDigestPoster(
          createPostingClient(slack, logger),
          auth.kind === 'token'
            ? singleToken(auth.identity.botToken)
            : installationTokens(auth.installations),
        )
      : new ConsoleDigestPoster(process.stdout, { color: interactive });
  const scheduler = new Scheduler({ store, index, poster, now, logger });
  const replies = new Replies({ index, store, scheduler, now, logger });
  const stopBackground = async () => {
    await refresher.stop();
    await scheduler.stop();
    await library.close();
  };

  if (!slack || !auth) {
    process.stderr.write('No Slack tokens (SLACK_BOT_TOKEN) set: starting the local console.\n');
    scheduler.start(config.digestIntervalMs);
    refresher.start();
    library.start(config.corpusCatchUpMs);
    await runConsole(replies, { input: process.stdin, output: process.stdout, interactive });
    await stopBackground();
    await stores.close();
    return;
  }

  const unfurls = new Unfurls(index, arxivPaperFetcher(library, config.sources, now), logger);
  const app = createSlackApp({
    connection: slack,
    auth,
    replies,
    unfurls,
    home: { index, store },
    logger,
    now,
  });
  if (slack.mode === 'socket') {
    await app.start();
    logger.info(`paperbot is connected to Slack (Socket Mode); state in ${stores.where}`);
  } else {
    await app.start(slack.port);
    logger.info(
      `paperbot is listening for Slack requests on port ${slack.port} (/slack/events` +
        `${slack.mode === 'oauth' ? ', installs at /slack/install' : ''}); state in ${stores.where}`,
    );
  }
  scheduler.start(config.digestIntervalMs);
  refresher.start();
  library.start(config.corpusCatchUpMs);
  const shutdown = async () => {
    await stopBackground();
    await app.stop();
    await stores.close();
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof PaperbotError ? error.message : (error as Error).stack}\n`);
  process.exitCode = 1;
});
