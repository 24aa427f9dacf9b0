import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_DATA_DIR, loadConfig, secretsOf } from '../src/config.js';
import { PaperbotError } from '../src/errors.js';

const DEFAULT_SOURCES = {
  hfApiUrl: 'https://huggingface.co/api/',
  arxivApiUrl: 'http://export.arxiv.org/api/',
  hfSchedule: '5 * * * *',
  arxivSchedule: '30 6 * * *',
  arxivCategories: ['cs.LG', 'cs.CL'],
  arxivMax: 200,
};

/** The console's: no scheduled reads unless asked for. */
const { hfSchedule: _hf, arxivSchedule: _arxiv, ...CONSOLE_SOURCES } = DEFAULT_SOURCES;

describe('loadConfig', () => {
  test('without tokens: the local console on the bundled data directory', () => {
    expect(loadConfig({})).toEqual({
      dataDir: DEFAULT_DATA_DIR,
      subscriptionsFile: join(DEFAULT_DATA_DIR, 'subscriptions.json'),
      installationsFile: join(DEFAULT_DATA_DIR, 'installations.json'),
      digestIntervalMs: 30_000,
      corpusCatchUpMs: 60_000,
      logLevel: 'info',
      backfillDays: 14,
      backfillPaceMs: 2000,
      shutdownMs: 10_000,
      slackApp: 'distributed',
      searchWorkers: 1,
      semanticScholar: { apiUrl: 'https://api.semanticscholar.org/' },
      sources: CONSOLE_SOURCES,
    });
  });

  test('the console reads the sources only when their schedule is set; the bot on its defaults', () => {
    expect(loadConfig({ PAPERBOT_REFRESH_HF: '0 * * * *' }).sources).toEqual({
      ...CONSOLE_SOURCES,
      hfSchedule: '0 * * * *',
    });
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).sources).toEqual(
      DEFAULT_SOURCES,
    );
  });

  test('operations: backfill days (0 turns it off) and pace, the health port, the log format', () => {
    const config = loadConfig({
      PAPERBOT_BACKFILL_DAYS: '0',
      PAPERBOT_BACKFILL_PACE: '0',
      PAPERBOT_HEALTH_PORT: '9090',
      LOG_FORMAT: 'json',
    });
    expect(config).toMatchObject({ backfillDays: 0, backfillPaceMs: 0, healthPort: 9090, logFormat: 'json' });
    expect(() =>
      loadConfig({ PAPERBOT_BACKFILL_DAYS: '-1', PAPERBOT_BACKFILL_PACE: '61', LOG_FORMAT: 'text' }),
    ).toThrow(
      [
        '  PAPERBOT_BACKFILL_DAYS: must be from 0 to 365 days (got "-1")',
        '  PAPERBOT_BACKFILL_PACE: must be from 0 to 60 seconds (got "61")',
        '  LOG_FORMAT: must be json or pretty (got "text")',
      ].join('\n'),
    );
  });

  test('the secrets a logger must never write: tokens, secrets, the database password', () => {
    expect(
      secretsOf(
        loadConfig({
          SLACK_BOT_TOKEN: 'xoxb-1',
          SLACK_SIGNING_SECRET: 's3cret',
          PAPERBOT_DATABASE_URL: 'postgres://bot:p%40ss@db:5432/paperbot',
        }),
      ),
    ).toEqual(['xoxb-1', 's3cret', 'p@ss']);
  });

  test('Semantic Scholar: its base URL and key; a bad key is refused without being shown', () => {
    expect(
      loadConfig({
        PAPERBOT_SEMANTIC_SCHOLAR_API_URL: 'http://127.0.0.1:9000',
        PAPERBOT_SEMANTIC_SCHOLAR_API_KEY: 'abcDEF1234567890',
      }).semanticScholar,
    ).toEqual({ apiUrl: 'http://127.0.0.1:9000/', apiKey: 'abcDEF1234567890' });
    expect(() => loadConfig({ PAPERBOT_SEMANTIC_SCHOLAR_API_URL: 'ftp://x' })).toThrow(
      /PAPERBOT_SEMANTIC_SCHOLAR_API_URL: must be an http\(s\) URL/,
    );
    let message = '';
    try {
      loadConfig({ PAPERBOT_SEMANTIC_SCHOLAR_API_KEY: 'secret key with spaces' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PAPERBOT_SEMANTIC_SCHOLAR_API_KEY: must be a Semantic Scholar API key');
    expect(message).not.toContain('key with spaces');
  });

  test('the subscriptions file can live elsewhere', () => {
    expect(loadConfig({ PAPERBOT_SUBSCRIPTIONS_FILE: '/var/lib/paperbot/subs.json' }).subscriptionsFile).toBe(
      '/var/lib/paperbot/subs.json',
    );
  });

  test('sources: base URLs, schedules (or off), categories and page size', () => {
    expect(
      loadConfig({
        PAPERBOT_HF_API_URL: 'http://mirror.local/hf',
        PAPERBOT_REFRESH_HF: 'off',
        PAPERBOT_REFRESH_ARXIV: '0 */6 * * *',
        PAPERBOT_ARXIV_CATEGORIES: 'cs.CV, stat.ML',
        PAPERBOT_ARXIV_MAX: '50',
      }).sources,
    ).toEqual({
      hfApiUrl: 'http://mirror.local/hf/',
      arxivApiUrl: 'http://export.arxiv.org/api/',
      arxivSchedule: '0 */6 * * *',
      arxivCategories: ['cs.CV', 'stat.ML'],
      arxivMax: 50,
    });
  });

  test('a bad schedule or category list says what to write', () => {
    expect(() =>
      loadConfig({ PAPERBOT_REFRESH_HF: 'hourly', PAPERBOT_ARXIV_CATEGORIES: 'machine learning' }),
    ).toThrow(
      [
        '  PAPERBOT_REFRESH_HF: must be a cron pattern such as "5 * * * *", or off (got "hourly")',
        '  PAPERBOT_ARXIV_CATEGORIES: must be arXiv categories separated by commas, e.g. cs.LG,cs.CL (got "machine learning")',
      ].join('\n'),
    );
  });

  test('blank variables count as unset', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: '  ', PORT: '' }).slack).toBeUndefined();
  });

  test('an app token selects Socket Mode', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' }).slack).toEqual({
      mode: 'socket',
      botToken: 'xoxb-1',
      appToken: 'xapp-1',
      apiUrl: 'https://slack.com/api/',
    });
  });

  test('a signing secret without an app token selects HTTP mode; the API URL gets its trailing slash', () => {
    expect(
      loadConfig({
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's3cret',
        PORT: '8080',
        SLACK_API_URL: 'https://slack-gov.com/api',
        PAPERBOT_DATA_DIR: '/tmp/papers',
        LOG_LEVEL: 'debug',
      }),
    ).toEqual({
      dataDir: '/tmp/papers',
      subscriptionsFile: '/tmp/papers/subscriptions.json',
      installationsFile: '/tmp/papers/installations.json',
      digestIntervalMs: 30_000,
      corpusCatchUpMs: 60_000,
      logLevel: 'debug',
      backfillDays: 14,
      backfillPaceMs: 2000,
      shutdownMs: 10_000,
      slackApp: 'distributed',
      searchWorkers: 1,
      semanticScholar: { apiUrl: 'https://api.semanticscholar.org/' },
      sources: DEFAULT_SOURCES,
      slack: {
        mode: 'http',
        botToken: 'xoxb-1',
        signingSecret: 's3cret',
        port: 8080,
        apiUrl: 'https://slack-gov.com/api/',
      },
    });
  });

  test('a bad secret is shown by how it starts, never whole', () => {
    const secret = 'xoxb-not-an-app-token-SECRET-PART';
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: secret })).toThrow(
      /SLACK_APP_TOKEN: .*\(got "xoxb-…", 33 characters\)/,
    );
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: secret })).not.toThrow(
      /SECRET-PART/,
    );
  });

  test('each bad variable is named with what to set', () => {
    let error: unknown;
    try {
      loadConfig({
        SLACK_BOT_TOKEN: 'xoxp-1234-REAL-USER-SECRET',
        PORT: '99999',
        SLACK_API_URL: 'slack.com',
        LOG_LEVEL: 'loud',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(PaperbotError);
    expect((error as PaperbotError).code).toBe('paperbot_config_error');
    expect((error as Error).message).toBe(
      [
        'paperbot cannot start.',
        'Some settings are not valid:',
        '  SLACK_BOT_TOKEN: must be a bot token starting with xoxb- (OAuth & Permissions page) (got "xoxp-…", 26 characters)',
        '  PORT: must be from 1 to 65535 (got "99999")',
        '  SLACK_API_URL: must be an http(s) URL such as https://slack.com/api/ (got "slack.com")',
        '  LOG_LEVEL: must be debug, info, warn or error (got "loud")',
        'See README.md, "Connect to Slack".',
      ].join('\n'),
    );
  });

  test('a bot token with neither an app token nor a signing secret says how to choose a mode', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1' })).toThrow(
      'SLACK_APP_TOKEN / SLACK_SIGNING_SECRET: neither is set. Set SLACK_APP_TOKEN (xapp-...) for Socket Mode, or SLACK_SIGNING_SECRET (and PORT) for HTTP mode.',
    );
  });

  test('an app token without a bot token asks for the bot token', () => {
    expect(() => loadConfig({ SLACK_APP_TOKEN: 'xapp-1' })).toThrow(
      'SLACK_BOT_TOKEN: not set. Set it to the Bot User OAuth Token (xoxb-...) of your app.',
    );
  });

  describe('several replicas and many workspaces', () => {
    const OAUTH = {
      SLACK_CLIENT_ID: '1234.5678',
      SLACK_CLIENT_SECRET: 'client-secret',
      SLACK_STATE_SECRET: 'state-secret',
      SLACK_SIGNING_SECRET: 'signing-secret',
    };

    test('PAPERBOT_DATABASE_URL selects PostgreSQL; postgresql:// is accepted too', () => {
      expect(loadConfig({ PAPERBOT_DATABASE_URL: 'postgres://bot:pw@db:5432/paperbot' }).databaseUrl).toBe(
        'postgres://bot:pw@db:5432/paperbot',
      );
      expect(loadConfig({ PAPERBOT_DATABASE_URL: 'postgresql://db/paperbot' }).databaseUrl).toBe(
        'postgresql://db/paperbot',
      );
    });

    test('a database URL that is not postgres:// says what to write, without showing its password', () => {
      expect(() => loadConfig({ PAPERBOT_DATABASE_URL: 'mysql://bot:hunter2@db/paperbot' })).toThrow(
        '  PAPERBOT_DATABASE_URL: must be a postgres:// URL such as postgres://paperbot:password@db.example.com:5432/paperbot (got "mysql://bot:***@db/paperbot")',
      );
    });

    test('the OAuth triple with a signing secret selects OAuth installs in HTTP mode', () => {
      expect(
        loadConfig({
          ...OAUTH,
          PORT: '8080',
          SLACK_REDIRECT_URI: 'https://bot.example.com/slack/oauth_redirect',
        }).slack,
      ).toEqual({
        mode: 'oauth',
        oauth: {
          clientId: '1234.5678',
          clientSecret: 'client-secret',
          stateSecret: 'state-secret',
          redirectUri: 'https://bot.example.com/slack/oauth_redirect',
        },
        signingSecret: 'signing-secret',
        port: 8080,
        apiUrl: 'https://slack.com/api/',
      });
    });

    test('half of the OAuth triple names the missing ones', () => {
      expect(() => loadConfig({ SLACK_CLIENT_ID: '1234.5678', SLACK_SIGNING_SECRET: 's' })).toThrow(
        '  SLACK_CLIENT_SECRET, SLACK_STATE_SECRET: not set. Installs in many workspaces (OAuth) need all three of SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (Basic Information → App Credentials) and SLACK_STATE_SECRET (any long random string, the same on every replica).',
      );
    });

    test('OAuth without a signing secret, or with a single token or an app token, says what to change', () => {
      const { SLACK_SIGNING_SECRET: _, ...withoutSecret } = OAUTH;
      let error: unknown;
      try {
        loadConfig({ ...withoutSecret, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PaperbotError);
      expect((error as Error).message).toBe(
        [
          'paperbot cannot start.',
          '  SLACK_SIGNING_SECRET: not set. OAuth installs run in HTTP mode: set it to the Signing Secret (Basic Information → App Credentials).',
          "  SLACK_BOT_TOKEN: set together with SLACK_CLIENT_ID. With OAuth each workspace's token comes from its installation: unset SLACK_BOT_TOKEN (or the SLACK_CLIENT_* settings, for one workspace).",
          '  SLACK_APP_TOKEN: set together with SLACK_CLIENT_ID. OAuth installs run in HTTP mode: unset it.',
          'See README.md, "Connect to Slack".',
        ].join('\n'),
      );
    });

    test('a redirect URI must be where paperbot answers, and only goes with OAuth', () => {
      expect(() => loadConfig({ ...OAUTH, SLACK_REDIRECT_URI: 'https://bot.example.com/callback' })).toThrow(
        '  SLACK_REDIRECT_URI: must end with /slack/oauth_redirect, where paperbot answers Slack\'s redirect (got "https://bot.example.com/callback")',
      );
      expect(() =>
        loadConfig({ SLACK_REDIRECT_URI: 'https://bot.example.com/slack/oauth_redirect' }),
      ).toThrow('  SLACK_REDIRECT_URI: set without SLACK_CLIENT_ID; it is only used by OAuth installs.');
    });

    test('the corpus catch-up: every 10 s with a database (other replicas ingest), 60 s without, or as set', () => {
      expect(loadConfig({}).corpusCatchUpMs).toBe(60_000);
      expect(loadConfig({ PAPERBOT_DATABASE_URL: 'postgres://db/paperbot' }).corpusCatchUpMs).toBe(10_000);
      expect(loadConfig({ PAPERBOT_CORPUS_CATCH_UP: '2' }).corpusCatchUpMs).toBe(2000);
      expect(() => loadConfig({ PAPERBOT_CORPUS_CATCH_UP: '1.5' })).toThrow(
        '  PAPERBOT_CORPUS_CATCH_UP: must be a whole number of seconds (got "1.5")',
      );
    });

    test('PAPERBOT_SLACK_APP: distributed (Tier 1 reads) unless the app is internal; anything else is refused', () => {
      expect(loadConfig({}).slackApp).toBe('distributed');
      expect(loadConfig({ PAPERBOT_SLACK_APP: 'internal' }).slackApp).toBe('internal');
      expect(() => loadConfig({ PAPERBOT_SLACK_APP: 'marketplace' })).toThrow(
        /PAPERBOT_SLACK_APP.*distributed or internal/s,
      );
    });

    test('the digest interval is a number of seconds', () => {
      expect(loadConfig({ PAPERBOT_DIGEST_INTERVAL: '5' }).digestIntervalMs).toBe(5000);
      expect(() => loadConfig({ PAPERBOT_DIGEST_INTERVAL: '0' })).toThrow(
        '  PAPERBOT_DIGEST_INTERVAL: must be from 1 to 3600 seconds (got "0")',
      );
    });
  });
});
