import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_DATA_DIR, loadConfig } from '../src/config.js';
import { PaperbotError } from '../src/errors.js';

describe('loadConfig', () => {
  test('without tokens: the local console on the bundled data directory', () => {
    expect(loadConfig({})).toEqual({
      dataDir: DEFAULT_DATA_DIR,
      subscriptionsFile: join(DEFAULT_DATA_DIR, 'subscriptions.json'),
      logLevel: 'info',
    });
  });

  test('the subscriptions file can live elsewhere', () => {
    expect(loadConfig({ PAPERBOT_SUBSCRIPTIONS_FILE: '/var/lib/paperbot/subs.json' }).subscriptionsFile).toBe(
      '/var/lib/paperbot/subs.json',
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
