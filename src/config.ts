import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cron } from 'croner';
import { z } from 'zod';
import { redact } from './db/database.js';
import { PaperbotError } from './errors.js';

/** Where the bundled data lives, and the default data directory. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../data/', import.meta.url));

/** Treats an unset, empty or blank variable alike, and trims the others. */
function setting<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (typeof value === 'string' ? value.trim() || undefined : value), schema);
}

/** A source's base URL: http(s), ending in `/`. */
function apiBase(fallback: string) {
  return z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .transform((url) => (url.endsWith('/') ? url : `${url}/`))
    .default(fallback);
}

/** A cron pattern (validated by croner, in UTC), or `off`. */
function cronOrOff(fallback: string) {
  return (
    z
      .string()
      .refine(
        (value) => value === 'off' || isCron(value),
        'must be a cron pattern such as "5 * * * *", or off',
      )
      .default(fallback)
      // false, not undefined: zod 4 replaces an undefined result by the default.
      .transform((value) => (value === 'off' ? (false as const) : value))
  );
}

function isCron(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true });
    return true;
  } catch {
    return false;
  }
}

/** Where Slack's OAuth redirect comes back to (Bolt's default path). */
export const OAUTH_REDIRECT_PATH = '/slack/oauth_redirect';
/** Where an install starts (Bolt's default path): the "Add to Slack" page. */
export const OAUTH_INSTALL_PATH = '/slack/install';

const Env = z.object({
  SLACK_BOT_TOKEN: setting(
    z
      .string()
      .startsWith('xoxb-', 'must be a bot token starting with xoxb- (OAuth & Permissions page)')
      .optional(),
  ),
  SLACK_APP_TOKEN: setting(
    z
      .string()
      .startsWith(
        'xapp-',
        'must be an app-level token starting with xapp- (Basic Information → App-Level Tokens)',
      )
      .optional(),
  ),
  SLACK_SIGNING_SECRET: setting(z.string().optional()),
  SLACK_CLIENT_ID: setting(z.string().optional()),
  SLACK_CLIENT_SECRET: setting(z.string().optional()),
  SLACK_STATE_SECRET: setting(z.string().optional()),
  SLACK_REDIRECT_URI: setting(
    z
      .url({ protocol: /^https?$/, message: 'must be the https URL of /slack/oauth_redirect on your host' })
      .refine(
        (url) => new URL(url).pathname === OAUTH_REDIRECT_PATH,
        `must end with ${OAUTH_REDIRECT_PATH}, where paperbot answers Slack's redirect`,
      )
      .optional(),
  ),
  PAPERBOT_DATABASE_URL: setting(
    z
      .string()
      .refine(
        (url) => /^postgres(ql)?:\/\//.test(url) && URL.canParse(url),
        'must be a postgres:// URL such as postgres://paperbot:password@db.example.com:5432/paperbot',
      )
      .optional(),
  ),
  PAPERBOT_INSTALLATIONS_FILE: setting(z.string().optional()),
  PAPERBOT_DIGEST_INTERVAL: setting(
    z.coerce
      .number({ message: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be from 1 to 3600 seconds')
      .max(3600, 'must be from 1 to 3600 seconds')
      .default(30),
  ),
  PAPERBOT_CORPUS_CATCH_UP: setting(
    z.coerce
      .number({ message: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be from 1 to 3600 seconds')
      .max(3600, 'must be from 1 to 3600 seconds')
      .optional(),
  ),
  PORT: setting(
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be from 1 to 65535')
      .max(65535, 'must be from 1 to 65535')
      .default(3000),
  ),
  SLACK_API_URL: setting(
    z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL such as https://slack.com/api/' })
      .transform((url) => (url.endsWith('/') ? url : `${url}/`))
      .default('https://slack.com/api/'),
  ),
  PAPERBOT_DATA_DIR: setting(z.string().optional()),
  PAPERBOT_SUBSCRIPTIONS_FILE: setting(z.string().optional()),
  PAPERBOT_HF_API_URL: setting(apiBase('https://huggingface.co/api/')),
  PAPERBOT_ARXIV_API_URL: setting(apiBase('http://export.arxiv.org/api/')),
  PAPERBOT_SEMANTIC_SCHOLAR_API_URL: setting(apiBase('https://api.semanticscholar.org/')),
  PAPERBOT_SEMANTIC_SCHOLAR_API_KEY: setting(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,200}$/, 'must be a Semantic Scholar API key (letters and digits)')
      .optional(),
  ),
  PAPERBOT_REFRESH_HF: setting(cronOrOff('5 * * * *')),
  PAPERBOT_REFRESH_ARXIV: setting(cronOrOff('30 6 * * *')),
  PAPERBOT_ARXIV_CATEGORIES: setting(
    z
      .string()
      .regex(
        /^[a-z-]+(\.[A-Za-z-]+)?(,\s*[a-z-]+(\.[A-Za-z-]+)?)*$/,
        'must be arXiv categories separated by commas, e.g. cs.LG,cs.CL',
      )
      .transform((list) => list.split(',').map((category) => category.trim()))
      .default(['cs.LG', 'cs.CL']),
  ),
  PAPERBOT_ARXIV_MAX: setting(
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1)
      .max(2000)
      .default(200),
  ),
  PAPERBOT_HEALTH_PORT: setting(
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be from 1 to 65535')
      .max(65535, 'must be from 1 to 65535')
      .optional(),
  ),
  PAPERBOT_BACKFILL_DAYS: setting(
    z.coerce
      .number({ message: 'must be a whole number of days (0 turns the backfill off)' })
      .int('must be a whole number of days (0 turns the backfill off)')
      .min(0, 'must be from 0 to 365 days')
      .max(365, 'must be from 0 to 365 days')
      .default(14),
  ),
  // The pause between two requests of the backfill: polite to Hugging Face, a background job.
  PAPERBOT_BACKFILL_PACE: setting(
    z.coerce
      .number({ message: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must be from 0 to 60 seconds')
      .max(60, 'must be from 0 to 60 seconds')
      .default(2),
  ),
  // How the Slack app is installed: a distributed, non-Marketplace app may read history and
  // replies once a minute (the default, right for every install); an internal or Marketplace
  // app 50 times, which settles unconfirmed posts faster after a crash.
  PAPERBOT_SLACK_APP: setting(
    z
      .enum(['distributed', 'internal'], { message: 'must be distributed or internal' })
      .default('distributed'),
  ),
  PAPERBOT_SHUTDOWN_SECONDS: setting(
    z.coerce
      .number({ message: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be from 1 to 300 seconds')
      .max(300, 'must be from 1 to 300 seconds')
      .default(10),
  ),
  LOG_FORMAT: setting(z.enum(['json', 'pretty'], { message: 'must be json or pretty' }).optional()),
  LOG_LEVEL: setting(
    z
      .enum(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' })
      .default('info'),
  ),
  PAPERBOT_SEARCH_WORKERS: setting(
    z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be from 1 to 16')
      .max(16, 'must be from 1 to 16')
      .default(1),
  ),
});

/** The app's credentials for installing it in workspaces (Basic Information → App Credentials). */
export interface OAuthSettings {
  clientId: string;
  clientSecret: string;
  /** Signs the OAuth state (any long random string, the same on every replica). */
  stateSecret: string;
  /** The redirect URL registered in the app's settings; absent: Slack uses the app's first one. */
  redirectUri?: string;
}

/**
 * How the bot talks to Slack, decided by which settings are set: one workspace's token (Socket
 * Mode or HTTP), or installs in many workspaces through OAuth (HTTP).
 */
export type SlackConnection =
  | { mode: 'socket'; botToken: string; appToken: string; apiUrl: string }
  | { mode: 'http'; botToken: string; signingSecret: string; port: number; apiUrl: string }
  | { mode: 'oauth'; oauth: OAuthSettings; signingSecret: string; port: number; apiUrl: string };

/** The validated settings of a paperbot process. */
export interface Config {
  /** Absent without Slack tokens: the bot then runs the local console. */
  slack?: SlackConnection;
  /** Where the working corpus and index snapshot live. */
  dataDir: string;
  /** The lowdb JSON file of channel subscriptions (default: `subscriptions.json` in `dataDir`). */
  subscriptionsFile: string;
  /** The lowdb JSON file of OAuth installations (default: `installations.json` in `dataDir`). */
  installationsFile: string;
  /**
   * PostgreSQL (postgres://…), shared by every replica: the corpus, subscriptions and
   * installations live there instead of the data directory's files.
   */
  databaseUrl?: string;
  /** How often the digest scheduler ticks (ms). */
  digestIntervalMs: number;
  /**
   * How often the index takes in the papers other processes stored (ms): 10 s with a database
   * (another replica's ingests), 60 s without (`paperbot ingest` beside the bot).
   */
  corpusCatchUpMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** How log lines look; absent: pretty on a terminal, JSON lines otherwise. */
  logFormat?: 'json' | 'pretty';
  /** Socket Mode: the port of /healthz, /readyz and /metrics (HTTP mode serves them on PORT). */
  healthPort?: number;
  /** Days of Hugging Face daily papers read in the background at a first start (0: none). */
  backfillDays: number;
  /** The pause between two requests of the backfill (ms). */
  backfillPaceMs: number;
  /** How long a shutdown waits for the answers and digest posts under way (ms). */
  shutdownMs: number;
  /**
   * How the Slack app is installed, which decides how often each workspace may read
   * conversations.history / .replies: `distributed` (non-Marketplace: Tier 1, once a minute; the
   * default, right for every install) or `internal` (customer-built or Marketplace: Tier 3).
   */
  slackApp: 'distributed' | 'internal';
  /** Worker threads that hold the search index (each a whole copy). */
  searchWorkers: number;
  /** Where new papers come from, and when the running bot reads them (cron, UTC; absent: off). */
  sources: {
    hfApiUrl: string;
    arxivApiUrl: string;
    hfSchedule?: string;
    arxivSchedule?: string;
    arxivCategories: string[];
    arxivMax: number;
  };
  /** Semantic Scholar's Graph API: citation counts and references (the key raises its rate limit). */
  semanticScholar: { apiUrl: string; apiKey?: string };
}

/** Settings whose value is shown in errors with its password hidden. */
const SHOWN_REDACTED = new Set(['PAPERBOT_DATABASE_URL']);

/** Secrets: an error shows how a bad one starts (enough to tell a user token from a bot token), never the rest. */
const SECRETS = new Set([
  'SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_CLIENT_SECRET',
  'SLACK_STATE_SECRET',
  'PAPERBOT_SEMANTIC_SCHOLAR_API_KEY',
]);

/** A setting's value as an error may show it. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (SECRETS.has(name)) return `${JSON.stringify(`${value.slice(0, 5)}…`)}, ${value.length} characters`;
  return JSON.stringify(SHOWN_REDACTED.has(name) ? redact(value) : value);
}

/**
 * Reads the settings from the environment. OAuth (installs in many workspaces, HTTP mode) when
 * `SLACK_CLIENT_ID` is set; else Socket Mode when `SLACK_APP_TOKEN` is, HTTP mode when
 * `SLACK_SIGNING_SECRET` is, the local console when there is no `SLACK_BOT_TOKEN`. Throws a
 * {@link PaperbotError} naming each bad variable and what to set.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}: ${issue.message} (got ${shown(name, env[name])})`;
    });
    throw configError(`Some settings are not valid:\n${lines.join('\n')}`);
  }
  const vars = parsed.data;
  const dataDir = vars.PAPERBOT_DATA_DIR ? resolve(vars.PAPERBOT_DATA_DIR) : DEFAULT_DATA_DIR;
  const subscriptionsFile = vars.PAPERBOT_SUBSCRIPTIONS_FILE
    ? resolve(vars.PAPERBOT_SUBSCRIPTIONS_FILE)
    : join(dataDir, 'subscriptions.json');
  const sources = {
    hfApiUrl: vars.PAPERBOT_HF_API_URL,
    arxivApiUrl: vars.PAPERBOT_ARXIV_API_URL,
    ...(vars.PAPERBOT_REFRESH_HF ? { hfSchedule: vars.PAPERBOT_REFRESH_HF } : {}),
    ...(vars.PAPERBOT_REFRESH_ARXIV ? { arxivSchedule: vars.PAPERBOT_REFRESH_ARXIV } : {}),
    arxivCategories: vars.PAPERBOT_ARXIV_CATEGORIES,
    arxivMax: vars.PAPERBOT_ARXIV_MAX,
  };
  const semanticScholar = {
    apiUrl: vars.PAPERBOT_SEMANTIC_SCHOLAR_API_URL,
    ...(vars.PAPERBOT_SEMANTIC_SCHOLAR_API_KEY ? { apiKey: vars.PAPERBOT_SEMANTIC_SCHOLAR_API_KEY } : {}),
  };
  const base = {
    dataDir,
    subscriptionsFile,
    installationsFile: vars.PAPERBOT_INSTALLATIONS_FILE
      ? resolve(vars.PAPERBOT_INSTALLATIONS_FILE)
      : join(dataDir, 'installations.json'),
    ...(vars.PAPERBOT_DATABASE_URL ? { databaseUrl: vars.PAPERBOT_DATABASE_URL } : {}),
    digestIntervalMs: vars.PAPERBOT_DIGEST_INTERVAL * 1000,
    corpusCatchUpMs: (vars.PAPERBOT_CORPUS_CATCH_UP ?? (vars.PAPERBOT_DATABASE_URL ? 10 : 60)) * 1000,
    logLevel: vars.LOG_LEVEL,
    ...(vars.LOG_FORMAT ? { logFormat: vars.LOG_FORMAT } : {}),
    ...(vars.PAPERBOT_HEALTH_PORT ? { healthPort: vars.PAPERBOT_HEALTH_PORT } : {}),
    backfillDays: vars.PAPERBOT_BACKFILL_DAYS,
    backfillPaceMs: vars.PAPERBOT_BACKFILL_PACE * 1000,
    shutdownMs: vars.PAPERBOT_SHUTDOWN_SECONDS * 1000,
    slackApp: vars.PAPERBOT_SLACK_APP,
    searchWorkers: vars.PAPERBOT_SEARCH_WORKERS,
    sources,
    semanticScholar,
  };
  const oauth = oauthSettings(vars);
  if (oauth) {
    return {
      ...base,
      slack: {
        mode: 'oauth',
        oauth,
        signingSecret: vars.SLACK_SIGNING_SECRET as string,
        port: vars.PORT,
        apiUrl: vars.SLACK_API_URL,
      },
    };
  }
  const botToken = vars.SLACK_BOT_TOKEN;
  if (!botToken) {
    if (vars.SLACK_APP_TOKEN || vars.SLACK_SIGNING_SECRET) {
      throw configError(
        '  SLACK_BOT_TOKEN: not set. Set it to the Bot User OAuth Token (xoxb-...) of your app.',
      );
    }
    // A console is someone trying paperbot out: it reads the sources only when asked to.
    const { hfSchedule, arxivSchedule, ...sources } = base.sources;
    return {
      ...base,
      sources: {
        ...sources,
        ...(hfSchedule && env.PAPERBOT_REFRESH_HF ? { hfSchedule } : {}),
        ...(arxivSchedule && env.PAPERBOT_REFRESH_ARXIV ? { arxivSchedule } : {}),
      },
    };
  }
  if (vars.SLACK_APP_TOKEN) {
    return {
      ...base,
      slack: { mode: 'socket', botToken, appToken: vars.SLACK_APP_TOKEN, apiUrl: vars.SLACK_API_URL },
    };
  }
  if (vars.SLACK_SIGNING_SECRET) {
    return {
      ...base,
      slack: {
        mode: 'http',
        botToken,
        signingSecret: vars.SLACK_SIGNING_SECRET,
        port: vars.PORT,
        apiUrl: vars.SLACK_API_URL,
      },
    };
  }
  throw configError(
    '  SLACK_APP_TOKEN / SLACK_SIGNING_SECRET: neither is set. Set SLACK_APP_TOKEN (xapp-...) for Socket Mode, or SLACK_SIGNING_SECRET (and PORT) for HTTP mode.',
  );
}

/** The configured values that must never reach a log line: tokens, secrets, the database password. */
export function secretsOf(config: Config): string[] {
  const { slack } = config;
  const secrets: Array<string | undefined> = [];
  if (slack?.mode === 'socket') secrets.push(slack.botToken, slack.appToken);
  if (slack?.mode === 'http') secrets.push(slack.botToken, slack.signingSecret);
  if (slack?.mode === 'oauth')
    secrets.push(slack.signingSecret, slack.oauth.clientSecret, slack.oauth.stateSecret);
  if (config.databaseUrl && URL.canParse(config.databaseUrl))
    secrets.push(decodeURIComponent(new URL(config.databaseUrl).password) || undefined);
  return secrets.filter((secret): secret is string => Boolean(secret));
}

/**
 * The OAuth settings when any of them is set, checked as a whole: all three credentials, HTTP mode
 * (a signing secret), and no single token beside them.
 */
function oauthSettings(vars: z.infer<typeof Env>): OAuthSettings | undefined {
  const triple = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;
  if (!triple.some((name) => vars[name])) {
    if (vars.SLACK_REDIRECT_URI)
      throw configError(
        '  SLACK_REDIRECT_URI: set without SLACK_CLIENT_ID; it is only used by OAuth installs.',
      );
    return undefined;
  }
  const problems: string[] = [];
  const missing = triple.filter((name) => !vars[name]);
  if (missing.length > 0) {
    problems.push(
      `  ${missing.join(', ')}: not set. Installs in many workspaces (OAuth) need all three of SLACK_CLIENT_ID and ` +
        'SLACK_CLIENT_SECRET (Basic Information → App Credentials) and SLACK_STATE_SECRET (any long random string, the same on every replica).',
    );
  }
  if (!vars.SLACK_SIGNING_SECRET) {
    problems.push(
      '  SLACK_SIGNING_SECRET: not set. OAuth installs run in HTTP mode: set it to the Signing Secret (Basic Information → App Credentials).',
    );
  }
  if (vars.SLACK_BOT_TOKEN) {
    problems.push(
      "  SLACK_BOT_TOKEN: set together with SLACK_CLIENT_ID. With OAuth each workspace's token comes from its installation: unset SLACK_BOT_TOKEN (or the SLACK_CLIENT_* settings, for one workspace).",
    );
  }
  if (vars.SLACK_APP_TOKEN) {
    problems.push(
      '  SLACK_APP_TOKEN: set together with SLACK_CLIENT_ID. OAuth installs run in HTTP mode: unset it.',
    );
  }
  if (problems.length > 0) throw configError(problems.join('\n'));
  return {
    clientId: vars.SLACK_CLIENT_ID as string,
    clientSecret: vars.SLACK_CLIENT_SECRET as string,
    stateSecret: vars.SLACK_STATE_SECRET as string,
    ...(vars.SLACK_REDIRECT_URI ? { redirectUri: vars.SLACK_REDIRECT_URI } : {}),
  };
}

function configError(details: string): PaperbotError {
  return new PaperbotError(
    'paperbot_config_error',
    `paperbot cannot start.\n${details}\nSee README.md, "Connect to Slack".`,
  );
}
