import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_DATA_DIR, loadConfig } from '../src/config.js';
import { PaperbotError } from '../src/errors.js';

const DEFAULT_SOURCES = {
  hfApiUrl: 'https://huggingface.co/api/',
  arxivApiUrl: 'http://export.arxiv.org/api/',
  hfSchedule: '5 * * * *',
  arxivSchedule: '30 6 * * *',
  arxivCategories: ['cs.LG', 'cs.CL'],
  arxivMax: 200,
};

describe('loadConfig', () => {
  test('without tokens: the local console on the bundled data directory', () => {
    expect(loadConfig({})).toEqual({
      dataDir: DEFAULT_DATA_DIR,
      subscriptionsFile: join(DEFAULT_DATA_DIR, 'subscriptions.json'),
      logLevel: 'info',
      searchWorkers: 1,
      sources: DEFAULT_SOURCES,
    });
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
      logLevel: 'debug',
      searchWorkers: 1,
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

  test('each bad variable is named with what to set', () => {
    let error: unknown;
    try {
      loadConfig({
        SLACK_BOT_TOKEN: 'xoxp-user',
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
        '  SLACK_BOT_TOKEN: must be a bot token starting with xoxb- (OAuth & Permissions page) (got "xoxp-user")',
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
});
