import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { Replies } from '../../src/bot/replies.js';
import { type FetchPaper, Unfurls } from '../../src/bot/unfurls.js';
import type { SlackConnection } from '../../src/config.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperIndex } from '../../src/search/paperIndex.js';
import { createSlackApp } from '../../src/slack/app.js';
import { identifyBot } from '../../src/slack/identity.js';
import { createPostingClient, SlackDigestPoster, singleToken } from '../../src/slack/posting.js';
import { Scheduler } from '../../src/subscriptions/scheduler.js';
import { createMemoryStore, openLowdbStore, type SubscriptionStore } from '../../src/subscriptions/store.js';
import { FakeClock } from './bot.js';
import { FakeSlack } from './fakeSlack.js';
import { bundledPapers } from './papers.js';
import { SIGNING_SECRET } from './signing.js';

/** The real Bolt app in HTTP mode on loopback, wired to a fake Slack. */
export interface RunningApp {
  app: App;
  slack: FakeSlack;
  /** The receiver's endpoint for commands, events and interactions. */
  eventsUrl: string;
  index: PaperIndex;
  store: SubscriptionStore;
  scheduler: Scheduler;
  clock: FakeClock;
  /** Stops the app and closes the store; the fake Slack stays up unless `slackToo`. */
  stop(slackToo?: boolean): Promise<void>;
}

/** How to start the app for a test. */
export interface StartOptions {
  papers?: Paper[];
  /** Serve this live index (a Library's) instead of indexing `papers`. */
  index?: PaperIndex;
  /** A lowdb file for subscriptions (default: in memory). */
  subscriptionsFile?: string;
  /** Reuse a running fake Slack (to restart the app against the same one). */
  slack?: FakeSlack;
  clock?: FakeClock;
  /** Finds papers missing from the corpus for link previews (default: none found). */
  fetchPaper?: FetchPaper;
  /** The app's logger (default: silent). */
  logger?: Logger;
  /** Background posting attempts per digest (default 3). */
  postAttempts?: number;
  /** The Web API timeout of the app's own client (answers to people; default the app's 5 s). */
  clientTimeoutMs?: number;
}

/** Starts the fake Slack (unless given) and the app, over the bundled corpus unless `papers` is given. */
export async function startApp(options: StartOptions = {}): Promise<RunningApp> {
  // The store first: when it refuses to open, nothing has been started that would need stopping.
  const store = options.subscriptionsFile
    ? await openLowdbStore(options.subscriptionsFile)
    : createMemoryStore();
  const slack = options.slack ?? (await new FakeSlack().start());
  const connection: SlackConnection = {
    mode: 'http',
    botToken: 'xoxb-test',
    signingSecret: SIGNING_SECRET,
    port: 0,
    apiUrl: slack.apiUrl,
  };
  const index = options.index ?? PaperIndex.build(options.papers ?? bundledPapers());
  const clock = options.clock ?? new FakeClock(new Date('2026-11-26T12:00:00Z'));
  const background = createPostingClient(connection, silentLogger, { timeout: 1000 });
  const scheduler = new Scheduler({
    store,
    index,
    poster: new SlackDigestPoster(background, singleToken(connection.botToken), {
      spacingMs: 0,
      backoffMs: 10,
      attempts: options.postAttempts ?? 3,
    }),
    now: clock.now,
    logger: silentLogger,
  });
  const app = createSlackApp({
    connection,
    auth: { kind: 'token', identity: await identifyBot(connection, silentLogger) },
    replies: new Replies({ index, store, scheduler, now: clock.now, logger: options.logger ?? silentLogger }),
    unfurls: new Unfurls(index, options.fetchPaper ?? (async () => undefined), silentLogger),
    home: { index, store },
    logger: options.logger ?? silentLogger,
    // The app's own retry policy, as in production: a test must see what a retry would do.
    ...(options.clientTimeoutMs ? { clientOptions: { timeout: options.clientTimeoutMs } } : {}),
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const { port } = server.address() as AddressInfo;
  return {
    app,
    slack,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    index,
    store,
    scheduler,
    clock,
    async stop(slackToo = true) {
      await scheduler.stop();
      await app.stop();
      await store.close();
      if (slackToo) await slack.stop();
    },
  };
}
