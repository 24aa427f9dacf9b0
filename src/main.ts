#!/usr/bin/env node
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Replies } from './bot/replies.js';
import { Unfurls } from './bot/unfurls.js';
import { loadConfig, secretsOf } from './config.js';
import { ConsoleButtons } from './console/buttons.js';
import { CONSOLE_TEAM, ConsoleDigestPoster, ConsoleFollowUpPoster, runConsole } from './console/console.js';
import { DataFolderLock } from './dataFolderLock.js';
import { CitationTracker, SPACING_KEYLESS_MS, SPACING_WITH_KEY_MS } from './discussions/citationTracker.js';
import { type FollowUpPoster, FollowUps } from './discussions/followUps.js';
import { PaperbotError } from './errors.js';
import { Readiness, startHealthServer } from './health.js';
import { Library } from './library.js';
import { createLogger, defaultLogFormat } from './logger.js';
import { Backfill } from './papers/backfill.js';
import { Refresher } from './papers/refresher.js';
import { arxivPaperFetcher, configuredSources } from './papers/refreshSources.js';
import { RefreshState } from './papers/refreshState.js';
import { fetchCitations } from './papers/sources/semanticScholar.js';
import { isProgram } from './program.js';
import { WorkerSearcher } from './search/workerSearcher.js';
import { exitGracefullyOnSignals } from './shutdown.js';
import type { SlackAuth } from './slack/app.js';
import { answersWaiting } from './slack/deliver.js';
import { installationTokens } from './slack/oauth.js';
import { RequestTracker } from './slack/requests.js';
import type { OperationsStatus } from './status.js';
import { openStores } from './stores.js';
import type { DigestPoster } from './subscriptions/scheduler.js';
import { Scheduler } from './subscriptions/scheduler.js';

/** What the program reads and writes: the process's own, unless a test runs it in its process. */
export interface ProgramIo {
  /** The settings (PAPERBOT_*, SLACK_*, LOG_*). */
  env: NodeJS.ProcessEnv;
  /** The console's input (a terminal makes it interactive). */
  stdin: Readable & { isTTY?: boolean };
  /** The console's answers and digests. */
  stdout: Writable;
  /** The logs and start-up messages. */
  stderr: Writable & { isTTY?: boolean };
  /** Ends the bot with an exit status (after a shutdown on SIGTERM/SIGINT, or when its index is lost). */
  exit: (code: number) => void;
}

const processIo = (): ProgramIo => ({
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
});

/**
 * The composition root: config → logs, metrics and health → stores (with the database: the corpus
 * is in it too) → corpus and index → replies → Slack app or console, with the digest scheduler,
 * the corpus refresher and (on a first day) the backfill running beside them, and a graceful
 * shutdown on SIGTERM/SIGINT.
 */
export async function main(io: ProgramIo = processIo()): Promise<void> {
  const startedAt = new Date();
  const config = loadConfig(io.env);
  const logger = createLogger({
    level: config.logLevel,
    format: config.logFormat ?? defaultLogFormat(io.stderr),
    secrets: secretsOf(config),
    // The process's stderr is written synchronously (and coloured on a terminal) by the logger itself.
    ...(io.stderr === process.stderr ? {} : { stream: io.stderr }),
  });
  const { slack } = config;
  // Bolt, Slack's Web API and prom-client are a good part of start-up: the console talks to no
  // workspace and serves no /metrics, so it never loads them.
  const slackSide = slack ? await loadSlackSide() : undefined;
  const metrics = slackSide ? new slackSide.Metrics() : undefined;
  const readiness = new Readiness(['index', 'store']);
  // Socket Mode has no HTTP server: the probes get a port of their own, open while the index loads.
  let healthServer: Server | undefined;
  if (metrics && config.healthPort) {
    healthServer = await startHealthServer({ readiness, metrics }, config.healthPort);
    logger.info(`Health and metrics on port ${config.healthPort} (/healthz, /readyz, /metrics)`);
  }
  // Start-up failed: nothing may keep the process from exiting with the error.
  const closeHealth = () =>
    new Promise((resolve) => (healthServer ? healthServer.close(resolve) : resolve(undefined)));
  // One workspace's token: who it is (its workspace files every subscription). OAuth: none.
  const identity =
    slack && slackSide && slack.mode !== 'oauth' ? await slackSide.identifyBot(slack, logger) : undefined;
  // One writer per data folder: the lowdb files are held in memory and written whole. With a
  // database the state is PostgreSQL's, shared by replicas.
  const folderLock = config.databaseUrl
    ? undefined
    : await DataFolderLock.acquire(config.dataDir, slack ? 'bot' : 'console', startedAt).catch(
        async (error: unknown) => {
          await closeHealth();
          throw error;
        },
      );
  const releaseFolder = () => folderLock?.release() ?? Promise.resolve();
  // The stores first: with a database, the corpus is in it too.
  const stores = await openStores(
    config,
    {
      installations: slack?.mode === 'oauth',
      ...(identity || !slack ? { legacyTeam: identity?.team ?? CONSOLE_TEAM } : {}),
    },
    logger,
  ).catch(async (error: unknown) => {
    await releaseFolder();
    await closeHealth();
    throw error;
  });
  readiness.set('store', () => stores.check());
  // The index lives in worker threads: this thread acknowledges, renders and posts, never searches.
  const searcher = new WorkerSearcher({
    workers: config.searchWorkers,
    logger,
    // A bot without its index would ack and fail every answer while looking alive: exit, so that
    // it is restarted (and restores the index from the corpus, which has every acknowledged paper).
    onStopped: () => {
      logger.error('Every search worker stopped: exiting so that paperbot is restarted.');
      io.exit(1);
    },
  });
  metrics?.reportQueue('search', () => searcher.waiting);
  const library = await Library.open(config.dataDir, logger, {
    searcher,
    ...(stores.database ? { database: stores.database } : {}),
  }).catch(async (error: unknown) => {
    await searcher.close(); // or its threads would keep the process from exiting with the error
    await stores.close();
    await releaseFolder();
    await closeHealth();
    throw error;
  });
  readiness.set('index', () => {});
  metrics?.reportCorpus(() => library.size);
  // Every search (answers, digests, the Home tab) is timed.
  const index = slackSide && metrics ? slackSide.timed(library, 'search', metrics.searchSeconds) : library;
  const closeLibrary = async (error: unknown) => {
    await library.close();
    await stores.close();
    await releaseFolder();
    await closeHealth();
    throw error;
  };
  const store = stores.subscriptions;
  const auth: SlackAuth | undefined = identity
    ? { kind: 'token', identity }
    : stores.installations
      ? { kind: 'oauth', installations: stores.installations }
      : undefined;
  const now = () => new Date();
  const refreshState = await RefreshState.open(config.dataDir).catch(closeLibrary);
  const refresher = new Refresher({
    library,
    sources: configuredSources(config.sources),
    now,
    logger,
    state: refreshState,
    observe: (run) => metrics?.countRefresh(run),
  });
  const interactive = Boolean(io.stdin.isTTY);
  // The console's typed buttons: what its answers and its digests printed last.
  const consoleButtons = new ConsoleButtons();
  const postingClient = slack && slackSide && auth ? slackSide.createPostingClient(slack, logger) : undefined;
  const tokens =
    auth?.kind === 'token'
      ? slackSide?.singleToken(auth.identity.botToken)
      : auth
        ? installationTokens(auth.installations)
        : undefined;
  const poster: DigestPoster =
    slackSide && postingClient && tokens
      ? new slackSide.SlackDigestPoster(postingClient, tokens, { budget: stores.readBudget })
      : new ConsoleDigestPoster(io.stdout, { color: interactive }, consoleButtons);
  const { discussions } = stores;
  const scheduler = new Scheduler({
    store,
    index,
    poster,
    now,
    logger,
    discussions,
    citations: stores.citations,
    observe: (run) => metrics?.countDigest(run),
  });
  // News of papers (code, versions, upvotes) merged in by ingests go to the threads that discussed them.
  const followUpPoster: FollowUpPoster =
    slackSide && postingClient && tokens
      ? new slackSide.SlackFollowUpPoster(postingClient, tokens, { budget: stores.readBudget })
      : new ConsoleFollowUpPoster(io.stdout, { color: interactive });
  const followUps = new FollowUps({
    store: discussions,
    poster: followUpPoster,
    paper: async (id) => index.get(id),
    now,
    logger,
  });
  library.onUpdated(followUps.onUpdated);
  // Papers new to the corpus: their references are read, and the threads of the papers they cite told.
  const citations = new CitationTracker({
    store: stores.citations,
    fetch: (ids) => fetchCitations(ids, config.semanticScholar),
    papers: index,
    tell: (cited) => followUps.tellCitations(cited),
    now,
    logger,
    spacingMs: config.semanticScholar.apiKey ? SPACING_WITH_KEY_MS : SPACING_KEYLESS_MS,
  });
  library.onAdded(citations.onAdded);
  void followUps.settle().catch((error: unknown) => logger.warn('Settling follow-ups failed:', error));
  const operations: OperationsStatus = {
    startedAt,
    sources: () => refresher.status(),
    backfill: () => refreshState.backfill,
    lastIngest: () => refreshState.lastIngest(),
  };
  // Online (with Slack), a paper named by its arXiv id that the corpus lacks is fetched and added.
  const fetchPaper = slack && auth ? arxivPaperFetcher(library, config.sources, now) : undefined;
  const replies = new Replies({
    index,
    store,
    scheduler,
    now,
    logger,
    operations,
    discussions,
    ...(fetchPaper ? { fetchPaper } : {}),
    citations: stores.citations,
  });
  metrics?.reportQueue('answers', answersWaiting);

  if (!slack || !slackSide || !metrics || !auth) {
    io.stderr.write('No Slack tokens (SLACK_BOT_TOKEN) set: starting the local console.\n');
    if (Backfill.wanted(refreshState, config.backfillDays)) {
      const since = new Date(Date.now() - (config.backfillDays - 1) * 86_400_000).toISOString().slice(0, 10);
      io.stderr.write(
        `This corpus was never refreshed. The console does not backfill; to add the last ${config.backfillDays} days of Hugging Face daily papers: npx paperbot ingest hf-daily --since ${since}\n`,
      );
    }
    scheduler.start(config.digestIntervalMs);
    refresher.start();
    library.start(config.corpusCatchUpMs);
    citations.start();
    await runConsole(replies, {
      input: io.stdin,
      output: io.stdout,
      interactive,
      buttons: consoleButtons,
      historyFile: join(config.dataDir, 'console-history'),
      discussions,
      now,
    });
    await refresher.stop();
    await scheduler.stop();
    await citations.stop();
    await followUps.idle(); // a follow-up being posted is recorded before the stores close
    await library.close();
    await refreshState.settle();
    await stores.close();
    await releaseFolder();
    return;
  }

  const requests = new RequestTracker({ metrics, logger });
  const unfurls = new Unfurls(
    index,
    fetchPaper ?? arxivPaperFetcher(library, config.sources, now),
    logger,
    replies.notes,
  );
  const app = slackSide.createSlackApp({
    connection: slack,
    auth,
    replies,
    unfurls,
    home: { index, store, status: () => replies.status() },
    discussions,
    seenEvents: stores.seenEvents,
    readBudget: stores.readBudget,
    logger,
    now,
    requests,
    health: { readiness, metrics },
    // A bot that no longer hears Slack would look alive (over Socket Mode even to its operator):
    // exit, so that it is restarted, as when every search worker stopped.
    onReceiverExit: () => {
      logger.error('The thread that receives Slack requests stopped: exiting so that paperbot is restarted.');
      io.exit(1);
    },
  });
  if (slack.mode === 'socket') {
    await app.start();
    logger.info(`paperbot is connected to Slack (Socket Mode); state in ${stores.where}`);
  } else {
    await app.start(slack.port);
    logger.info(
      `paperbot is listening for Slack requests on port ${slack.port} (/slack/events, /healthz, /readyz, /metrics` +
        `${slack.mode === 'oauth' ? ', installs at /slack/install' : ''}); state in ${stores.where}`,
    );
  }
  scheduler.start(config.digestIntervalMs);
  refresher.start();
  library.start(config.corpusCatchUpMs);
  citations.start();
  // A first day: the recent papers, read in the background while the bot answers.
  const backfill = Backfill.wanted(refreshState, config.backfillDays)
    ? new Backfill({
        library,
        state: refreshState,
        hfApiUrl: config.sources.hfApiUrl,
        now,
        logger,
        days: config.backfillDays,
        paceMs: config.backfillPaceMs,
        observe: (run) => metrics.countRefresh(run),
      })
    : undefined;
  backfill?.start();
  metrics.reportQueue('backfill', () => backfill?.pending ?? 0);

  let stopped: Promise<unknown> = Promise.resolve();
  const stopHandling = exitGracefullyOnSignals(
    {
      stopIntake: () => {
        readiness.shuttingDown();
        // The receiver stops first (no new requests); the background work stops taking new work.
        stopped = Promise.allSettled([
          app.stop(),
          refresher.stop(),
          scheduler.stop(),
          citations.stop(),
          backfill?.stop(),
        ]);
      },
      // In-flight answers and digest posts (and an ingest under way) finish. Requests are counted
      // once the receiver has stopped: it hands the main thread what it acked but not yet passed on.
      drain: () => stopped.then(() => Promise.all([followUps.idle(), requests.drained()])),
      // The library writes its checkpoint and stops its search workers; the stores their writes.
      flush: async () => {
        await library.close();
        await refreshState.settle();
        await stores.close();
        await releaseFolder();
        await closeHealth();
      },
    },
    logger,
    {
      boundMs: config.shutdownMs,
      // A bot run inside another program (a test) leaves no handlers behind it.
      exit: (code) => {
        stopHandling();
        io.exit(code);
      },
    },
  );
}

/** What only a bot connected to Slack uses, loaded when it is. */
async function loadSlackSide() {
  const [app, followUps, identity, metrics, posting] = await Promise.all([
    import('./slack/app.js'),
    import('./slack/followUps.js'),
    import('./slack/identity.js'),
    import('./metrics.js'),
    import('./slack/posting.js'),
  ]);
  return {
    createSlackApp: app.createSlackApp,
    SlackFollowUpPoster: followUps.SlackFollowUpPoster,
    identifyBot: identity.identifyBot,
    Metrics: metrics.Metrics,
    timed: metrics.timed,
    createPostingClient: posting.createPostingClient,
    SlackDigestPoster: posting.SlackDigestPoster,
    singleToken: posting.singleToken,
  };
}

/**
 * Runs the program to the end of its start-up (the console: to the end of its input) and returns
 * its exit status; a failure is told in one sentence on stderr, its stack only with LOG_LEVEL=debug.
 */
export async function run(io: ProgramIo = processIo()): Promise<number> {
  try {
    await main(io);
    return 0;
  } catch (error) {
    // One sentence for people; where it came from only for whoever asked for debug logs.
    const message = error instanceof Error ? error.message : String(error);
    const debug = io.env.LOG_LEVEL === 'debug' && error instanceof Error;
    io.stderr.write(
      `${debug ? error.stack : error instanceof PaperbotError ? message : `paperbot stopped: ${message} (LOG_LEVEL=debug shows where)`}\n`,
    );
    return 1;
  }
}

if (isProgram(import.meta.url))
  void run().then((status) => {
    process.exitCode = status;
  });
