import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import type { App } from '@slack/bolt';
import { Replies } from '../../src/bot/replies.js';
import { type FetchPaper, Unfurls } from '../../src/bot/unfurls.js';
import type { SlackConnection } from '../../src/config.js';
import { CitationTracker } from '../../src/discussions/citationTracker.js';
import { FollowUps } from '../../src/discussions/followUps.js';
import { createMemoryDiscussionStore, type DiscussionStore } from '../../src/discussions/store.js';
import type { InstallationStore } from '../../src/installations/store.js';
import { Library } from '../../src/library.js';
import { type Logger, silentLogger } from '../../src/logger.js';
import { type CitationStore, createMemoryCitationStore } from '../../src/papers/citations.js';
import type { Paper } from '../../src/papers/paper.js';
import { fetchCitations } from '../../src/papers/sources/semanticScholar.js';
import { createSlackApp, type SlackAppOptions, type SlackAuth } from '../../src/slack/app.js';
import { SlackFollowUpPoster } from '../../src/slack/followUps.js';
import { identifyBot } from '../../src/slack/identity.js';
import { installationTokens } from '../../src/slack/oauth.js';
import { createPostingClient, SlackDigestPoster, singleToken } from '../../src/slack/posting.js';
import { createMemoryReadBudget, type ReadBudget } from '../../src/slack/readBudget.js';
import type { SeenEvents } from '../../src/slack/seenEvents.js';
import type { OperationsStatus } from '../../src/status.js';
import { type DigestRun, Scheduler } from '../../src/subscriptions/scheduler.js';
import { createMemoryStore, openLowdbStore, type SubscriptionStore } from '../../src/subscriptions/store.js';
import { bundledSearcher, FakeClock } from './bot.js';
import { FakeSlack, TEST_TOKEN } from './fakeSlack.js';
import { bundledPapers } from './papers.js';
import { SIGNING_SECRET } from './signing.js';

/** The real Bolt app in HTTP mode on loopback, wired to a fake Slack. */
export interface RunningApp {
  app: App;
  slack: FakeSlack;
  /** The bot's HTTP base (the install page is `${url}/slack/install`). */
  url: string;
  /** The receiver's endpoint for commands, events and interactions. */
  eventsUrl: string;
  index: Library;
  store: SubscriptionStore;
  scheduler: Scheduler;
  clock: FakeClock;
  /** The workspaces' memory the app records into. */
  discussions: DiscussionStore;
  /** Follow-ups in threads, posted through the fake Slack (fed by `library` when given). */
  followUps: FollowUps;
  /** The citation cache cards read. */
  citations: CitationStore;
  /** The citation tracker, when `semanticScholar` is given (fed by `library`'s new papers). */
  tracker?: CitationTracker;
  /** Stops the app and closes the store; the fake Slack stays up unless `slackToo`. */
  stop(slackToo?: boolean): Promise<void>;
}

/** How to start the app for a test. */
export interface StartOptions {
  papers?: Paper[];
  /** Serve this library (its papers and index) instead of one of `papers`. */
  index?: Library;
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
  /** A store of one's own (PostgreSQL, say) instead of memory or `subscriptionsFile`. */
  store?: SubscriptionStore;
  /** The workspaces' memory (default: in memory). */
  discussions?: DiscussionStore;
  /** The events handled already (default: the app's memory); replicas share PostgreSQL's. */
  seenEvents?: SeenEvents;
  /** When each workspace may next read history / replies (default: in memory); replicas share PostgreSQL's. */
  readBudget?: ReadBudget;
  /** A library whose ingests feed the follow-ups (Library.onUpdated), as in main.ts. */
  library?: Library;
  /** The citation cache (default: in memory); replicas share one. */
  citations?: CitationStore;
  /** A (fake) Semantic Scholar: citations of `library`'s new papers are read from it, unpaced. */
  semanticScholar?: { apiUrl: string; timeoutMs?: number };
  /**
   * Installs in many workspaces (OAuth) instead of the one token: the fake's app is registered
   * with {@link TEST_APP} and this bot's redirect URL; installations go to `installations`.
   */
  oauth?: { installations: InstallationStore; sendRedirectUri?: boolean };
  /** Operations: request tracking, health endpoints, what `/paper status` reports, digest counting. */
  operations?: Pick<SlackAppOptions, 'requests' | 'health'> & {
    status?: OperationsStatus;
    observeDigest?: (run: DigestRun) => void;
  };
}

/** The OAuth credentials of the test app (the fake Slack knows them once startApp registered them). */
export const TEST_APP = {
  clientId: '1111.2222',
  clientSecret: 'test-client-secret',
  stateSecret: 'test-state-secret',
};

/** A free TCP port on loopback (the OAuth redirect URL names the bot's port before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the fake Slack (unless given) and the app, over the bundled corpus unless `papers` is given. */
export async function startApp(options: StartOptions = {}): Promise<RunningApp> {
  // The store first: when it refuses to open, nothing has been started that would need stopping.
  const store =
    options.store ??
    (options.subscriptionsFile ? await openLowdbStore(options.subscriptionsFile) : createMemoryStore());
  const slack = options.slack ?? (await new FakeSlack().start());
  const port = options.oauth ? await freePort() : 0;
  const base = `http://127.0.0.1:${port}`;
  const connection: SlackConnection = options.oauth
    ? {
        mode: 'oauth',
        oauth: {
          ...TEST_APP,
          ...(options.oauth.sendRedirectUri ? { redirectUri: `${base}/slack/oauth_redirect` } : {}),
        },
        signingSecret: SIGNING_SECRET,
        port,
        apiUrl: slack.apiUrl,
      }
    : { mode: 'http', botToken: TEST_TOKEN, signingSecret: SIGNING_SECRET, port, apiUrl: slack.apiUrl };
  if (options.oauth) slack.configureApp({ ...TEST_APP, redirectUrls: [`${base}/slack/oauth_redirect`] });
  const auth: SlackAuth = options.oauth
    ? { kind: 'oauth', installations: options.oauth.installations }
    : {
        kind: 'token',
        identity: await identifyBot({ botToken: TEST_TOKEN, apiUrl: slack.apiUrl }, silentLogger),
      };
  const index =
    options.index ??
    (options.papers
      ? await Library.inMemory(options.papers)
      : await Library.inMemory(bundledPapers(), { searcher: bundledSearcher() }));
  const clock = options.clock ?? new FakeClock(new Date('2026-11-26T12:00:00Z'));
  const background = createPostingClient(connection, silentLogger, { timeout: 1000 });
  const discussions = options.discussions ?? createMemoryDiscussionStore();
  const citations = options.citations ?? createMemoryCitationStore();
  const tokens = auth.kind === 'token' ? singleToken(TEST_TOKEN) : installationTokens(auth.installations);
  // One budget for the app's answers, its digests and its follow-ups, on the scenario's clock.
  const readBudget = options.readBudget ?? createMemoryReadBudget();
  const reads = { budget: readBudget, now: clock.now };
  const scheduler = new Scheduler({
    store,
    index,
    poster: new SlackDigestPoster(background, tokens, reads, {
      spacingMs: 0,
      backoffMs: 10,
      attempts: options.postAttempts ?? 3,
    }),
    now: clock.now,
    logger: silentLogger,
    ...(options.operations?.observeDigest ? { observe: options.operations.observeDigest } : {}),
    discussions,
    citations,
  });
  const { status: operations, observeDigest: _, ...appOperations } = options.operations ?? {};
  const replies = new Replies({
    index,
    store,
    scheduler,
    citations,
    now: clock.now,
    logger: options.logger ?? silentLogger,
    ...(operations ? { operations } : {}),
    discussions,
    ...(options.fetchPaper ? { fetchPaper: options.fetchPaper } : {}),
  });
  const followUps = new FollowUps({
    store: discussions,
    poster: new SlackFollowUpPoster(background, tokens, reads, {
      attempts: 2,
      backoffMs: 10,
      maxRetryAfterMs: 2000,
    }),
    paper: async (id) => index.get(id),
    now: clock.now,
    logger: options.logger ?? silentLogger,
  });
  options.library?.onUpdated(followUps.onUpdated);
  const s2 = options.semanticScholar;
  const tracker = s2
    ? new CitationTracker({
        store: citations,
        fetch: (ids) =>
          fetchCitations(ids, { apiUrl: s2.apiUrl, ...(s2.timeoutMs ? { timeoutMs: s2.timeoutMs } : {}) }),
        papers: index,
        tell: (cited) => followUps.tellCitations(cited),
        now: clock.now,
        logger: options.logger ?? silentLogger,
        spacingMs: 0,
      })
    : undefined;
  if (tracker) options.library?.onAdded(tracker.onAdded);
  const app = createSlackApp({
    connection,
    auth,
    replies,
    unfurls: new Unfurls(index, options.fetchPaper ?? (async () => undefined), silentLogger, replies.notes),
    home: { index, store, status: () => replies.status() },
    ...appOperations,
    discussions,
    ...(options.seenEvents ? { seenEvents: options.seenEvents } : {}),
    readBudget,
    now: clock.now,
    logger: options.logger ?? silentLogger,
    // The app's own retry policy, as in production: a test must see what a retry would do.
    ...(options.clientTimeoutMs ? { clientOptions: { timeout: options.clientTimeoutMs } } : {}),
  });
  const server = (await app.start({ port, host: '127.0.0.1' })) as Server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    app,
    slack,
    url,
    eventsUrl: `${url}/slack/events`,
    index,
    store,
    scheduler,
    clock,
    discussions,
    followUps,
    citations,
    ...(tracker ? { tracker } : {}),
    async stop(slackToo = true) {
      await scheduler.stop();
      await tracker?.stop();
      await app.stop();
      await followUps.idle(); // a follow-up under way finishes first
      await store.close();
      await discussions.close();
      await citations.close();
      if (slackToo) await slack.stop();
    },
  };
}
