import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cron } from 'croner';
import { z } from 'zod';
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

/** How the bot talks to Slack, decided by which tokens are set. */
export type SlackConnection =
  | { mode: 'socket'; botToken: string; appToken: string; apiUrl: string }
  | { mode: 'http'; botToken: string; signingSecret: string; port: number; apiUrl: string };

/** The validated settings of a paperbot process. */
export interface Config {
  /** Absent without Slack tokens: the bot then runs the local console. */
  slack?: SlackConnection;
  /** Where the working corpus and index snapshot live. */
  dataDir: string;
  /** The lowdb JSON file of channel subscriptions (default: `subscriptions.json` in `dataDir`). */
  subscriptionsFile: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
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
}

/**
 * Reads the settings from the environment. Socket Mode when `SLACK_APP_TOKEN` is set, HTTP mode
 * when `SLACK_SIGNING_SECRET` is, the local console when there is no `SLACK_BOT_TOKEN`. Throws a
 * {@link PaperbotError} naming each bad variable and what to set.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `  ${name}: ${issue.message} (got ${JSON.stringify(env[name])})`;
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
  const base = {
    dataDir,
    subscriptionsFile,
    logLevel: vars.LOG_LEVEL,
    searchWorkers: vars.PAPERBOT_SEARCH_WORKERS,
    sources,
  };
  const botToken = vars.SLACK_BOT_TOKEN;
  if (!botToken) {
    if (vars.SLACK_APP_TOKEN || vars.SLACK_SIGNING_SECRET) {
      throw configError(
        '  SLACK_BOT_TOKEN: not set. Set it to the Bot User OAuth Token (xoxb-...) of your app.',
      );
    }
    return base;
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

function configError(details: string): PaperbotError {
  return new PaperbotError(
    'paperbot_config_error',
    `paperbot cannot start.\n${details}\nSee README.md, "Connect to Slack".`,
  );
}
