import type { IncomingMessage, ServerResponse } from 'node:http';
import type { webApi } from '@slack/bolt';
import { App, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import { BUSY } from '../blocks/messages.js';
import type { Replies } from '../bot/replies.js';
import type { Unfurls } from '../bot/unfurls.js';
import type { SlackConnection } from '../config.js';
import type { DiscussionStore } from '../discussions/store.js';
import { HEALTH_PATHS, type HealthEndpoints, serveHealth } from '../health.js';
import type { InstallationStore } from '../installations/store.js';
import type { Logger } from '../logger.js';
import { registerCardButtons } from './actions/cardButtons.js';
import { registerLinkButtons } from './actions/linkButtons.js';
import { registerPostInThread } from './actions/postInThread.js';
import { registerResultButtons } from './actions/resultButtons.js';
import { registerTasteButtons } from './actions/tasteButtons.js';
import { registerPaperCommand } from './commands/paper.js';
import { ANSWER_MAX_WAIT_MS } from './deliver.js';
import { type HomeDeps, registerAppHome } from './events/appHome.js';
import { registerAppMention } from './events/appMention.js';
import { registerLinkShared } from './events/linkShared.js';
import { registerUninstalled } from './events/uninstalled.js';
import type { BotIdentity } from './identity.js';
import { installerCheck } from './installer.js';
import { installerOptions } from './oauth.js';
import { createPostingClient, type PostingFor, postingWith } from './posting.js';
import { createMemoryReadBudget, type ReadBudget } from './readBudget.js';
import type { RequestTracker } from './requests.js';
import { MemorySeenEvents, type SeenEvents } from './seenEvents.js';
import { registerFindPapers } from './shortcuts/findPapers.js';
import { registerSearchPapers } from './shortcuts/searchPapers.js';
import { registerSearchModal } from './views/searchModal.js';
import { registerSubscribeModal } from './views/subscribeModal.js';
import { WorkerHttpReceiver, WorkerSocketModeReceiver } from './workerReceiver.js';

/**
 * Whose token answers a request: the one token's (its workspace, as auth.test said: see
 * identifyBot), or, with OAuth, the installation of the request's workspace.
 */
export type SlackAuth =
  | { kind: 'token'; identity: BotIdentity }
  | { kind: 'oauth'; installations: InstallationStore };

/** What the Slack app needs from the rest of paperbot. */
export interface SlackAppOptions {
  connection: SlackConnection;
  auth: SlackAuth;
  replies: Replies;
  /** Link previews for paper links. */
  unfurls: Unfurls;
  /** What the Home tab shows (its buttons change subscriptions through `replies`). */
  home: Pick<HomeDeps, 'index' | 'store' | 'status'>;
  logger: Logger;
  /** The workspaces' memory: shared links, shares and mention answers are remembered there. */
  discussions?: DiscussionStore;
  /** The events handled already (default: this process's memory; replicas share the database's). */
  seenEvents?: SeenEvents;
  /** When each workspace may next read history / replies (default: this process's memory; replicas share the database's). */
  readBudget?: ReadBudget;
  /** Overrides of the Web API client's options (tests shorten retries). */
  clientOptions?: webApi.WebClientOptions;
  now?: () => Date;
  /** Counts, times and tracks every request (metrics, per-request logs, a shutdown's wait). */
  requests?: RequestTracker;
  /** HTTP modes: /healthz, /readyz and /metrics beside /slack/events. */
  health?: HealthEndpoints;
  /** Called when the thread that receives Slack's requests stops on its own (the process should exit). */
  onReceiverExit?: (code: number) => void;
}

// Bolt's client, for calls that are safe to repeat: a few quick retries, then give up and log,
// rather than the client's default of retrying for 30 minutes. A 429 is not waited out (its
// Retry-After can be a minute, Tier 1's whole window): the call fails and the answer does without.
// Posts go through a client that never retries by itself (see ChannelPoster).
const INTERACTIVE_RETRIES = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 4000 };
/** How long an answer to a person waits for one Web API call. */
const INTERACTIVE_TIMEOUT_MS = 5000;

/**
 * Builds the Bolt app for a connection (Socket Mode, HTTP, or HTTP with Bolt's OAuth installer)
 * with every listener registered. Start it with `app.start()` (HTTP: `app.start(port)`).
 */
export function createSlackApp(options: SlackAppOptions): App {
  const { connection, replies, logger } = options;
  const clientOptions: webApi.WebClientOptions = {
    slackApiUrl: connection.apiUrl,
    retryConfig: INTERACTIVE_RETRIES,
    timeout: INTERACTIVE_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    ...options.clientOptions,
  };
  const once = createPostingClient(connection, logger, {
    timeout: INTERACTIVE_TIMEOUT_MS,
    ...options.clientOptions,
  });
  const reads = {
    budget: options.readBudget ?? createMemoryReadBudget(),
    ...(options.now ? { now: options.now } : {}),
  };
  const posting: PostingFor = (context) => postingWith(once, context, reads);
  const { auth } = options;
  // No conversation store: nothing reads it, and Bolt's in-memory one makes an Error on every request.
  const common = { logger: boltLogger(logger), clientOptions, convoStore: false as const };
  // Requests are received and acked on a thread of their own (HTTP: verified there too; see
  // workerReceiver.ts); one that waits for this thread longer than an answer may is told "busy" from there.
  const shedding = {
    busyMessage: BUSY,
    shedAfterMs: ANSWER_MAX_WAIT_MS,
    ...(options.onReceiverExit ? { onThreadExit: options.onReceiverExit } : {}),
  };
  const { health } = options;
  // Served before Bolt's signature check: a load balancer's probes are not signed.
  const customRoutes = health
    ? HEALTH_PATHS.map((path) => ({
        path,
        method: ['GET', 'HEAD'],
        handler: (req: IncomingMessage, res: ServerResponse) => {
          serveHealth(health, req, res).catch((error: unknown) => {
            logger.error(`${path} failed:`, error);
            if (!res.headersSent) res.writeHead(500);
            res.end();
          });
        },
      }))
    : [];
  let app: App;
  if (connection.mode === 'oauth') {
    if (auth.kind !== 'oauth') throw new Error('OAuth mode needs an installation store');
    // Bolt's installer serves /slack/install and /slack/oauth_redirect, and its authorize reads
    // each request's token from the installation of the request's workspace.
    const receiver = new WorkerHttpReceiver({
      signingSecret: connection.signingSecret,
      logger: common.logger,
      customRoutes,
      ...shedding,
      ...installerOptions(
        connection.oauth,
        auth.installations,
        connection.apiUrl,
        options.clientOptions ?? {},
      ),
    });
    app = new App({ ...common, receiver });
  } else {
    if (auth.kind !== 'token') throw new Error('A single-token mode needs the bot identity');
    const { identity } = auth;
    // Every request is the token's workspace's, whatever team the payload names (a Slack Connect
    // channel's users come from other workspaces): auth.test said which one, once, at start.
    const authorize = async () => ({
      botToken: identity.botToken,
      botId: identity.botId,
      botUserId: identity.botUserId,
      teamId: identity.team,
      ...(identity.enterprise ? { enterpriseId: identity.enterprise } : {}),
    });
    app =
      connection.mode === 'socket'
        ? new App({
            ...common,
            authorize,
            receiver: new WorkerSocketModeReceiver({
              appToken: connection.appToken,
              logger: common.logger,
              ...(clientOptions.slackApiUrl ? { slackApiUrl: clientOptions.slackApiUrl } : {}),
              ...shedding,
            }),
          })
        : new App({
            ...common,
            authorize,
            receiver: new WorkerHttpReceiver({
              signingSecret: connection.signingSecret,
              logger: common.logger,
              customRoutes,
              ...shedding,
            }),
          });
  }

  options.requests?.observe(app);
  const { discussions } = options;
  const now = options.now ?? (() => new Date());
  registerPaperCommand(app, replies, posting, logger);
  // One memory of event ids for every event type: Slack retries any of them.
  const seenEvents = options.seenEvents ?? new MemorySeenEvents();
  registerAppMention(app, replies, posting, seenEvents, logger, discussions, now);
  registerLinkShared(app, options.unfurls, seenEvents, logger, discussions, now);
  registerAppHome(app, {
    ...options.home,
    subscriptions: replies.subscriptions,
    logger,
    isInstaller: installerCheck(auth.kind === 'oauth' ? auth.installations : undefined, logger),
  });
  registerLinkButtons(app);
  registerCardButtons(app, replies, posting, logger, discussions, now);
  registerTasteButtons(app, replies, logger);
  registerResultButtons(app, replies, posting, logger);
  registerSubscribeModal(app, replies, posting, logger);
  registerFindPapers(app, replies, logger);
  registerPostInThread(app, replies, posting, logger, discussions, now);
  registerSearchPapers(app, posting, logger);
  registerSearchModal(app, replies, logger);
  registerUninstalled(app, {
    store: options.home.store,
    ...(auth.kind === 'oauth' ? { installations: auth.installations } : {}),
    now,
    logger,
  });
  app.error(async (error) => {
    logger.error('Unhandled error in a Slack listener:', error);
  });
  return app;
}

/** Bolt wants a logger with level and name setters; ours decides its level itself. */
function boltLogger(logger: Logger): BoltLogger {
  return {
    debug: (...m) => logger.debug(...m),
    info: (...m) => logger.info(...m),
    warn: (...m) => logger.warn(...m),
    error: (...m) => logger.error(...m),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
