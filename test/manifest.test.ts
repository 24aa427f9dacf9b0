import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { z } from 'zod';
import { SHORTCUTS } from '../src/blocks/shortcuts.js';
import { OAUTH_REDIRECT_PATH } from '../src/config.js';
import { BOT_SCOPES } from '../src/slack/oauth.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const manifest = parse(readFileSync(join(ROOT, 'manifest.yml'), 'utf8'));

/** The parts of Slack's app manifest schema paperbot uses, with Slack's documented limits. */
const Manifest = z.strictObject({
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().max(140),
    background_color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
    long_description: z.string().min(175).max(4000),
  }),
  features: z.strictObject({
    app_home: z.strictObject({
      home_tab_enabled: z.boolean(),
      messages_tab_enabled: z.boolean(),
      messages_tab_read_only_enabled: z.boolean(),
    }),
    shortcuts: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(24),
          type: z.enum(['message', 'global']),
          callback_id: z.string().min(1).max(255),
          description: z.string().min(1).max(150),
        }),
      )
      .min(1)
      .max(10),
    unfurl_domains: z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]+$/)).max(5),
    bot_user: z.strictObject({
      display_name: z
        .string()
        .max(80)
        .regex(/^[a-z0-9._-]+$/),
      always_online: z.boolean(),
    }),
    slash_commands: z.array(
      z.strictObject({
        command: z.string().regex(/^\/[a-z0-9_-]{1,31}$/),
        description: z.string().min(1).max(2000),
        usage_hint: z.string().max(1000),
        should_escape: z.boolean(),
        url: z.url().optional(),
      }),
    ),
  }),
  oauth_config: z.strictObject({
    scopes: z.strictObject({ bot: z.array(z.string()) }),
    redirect_urls: z
      .array(z.url({ protocol: /^https$/ }))
      .max(1000)
      .optional(),
  }),
  settings: z.strictObject({
    event_subscriptions: z.strictObject({ bot_events: z.array(z.string()), request_url: z.url().optional() }),
    interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: z.url().optional() }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});

/** The bot scopes each Web API method or event needs (from Slack's method reference). */
const SCOPES_NEEDED: Record<string, string[]> = {
  'auth.test': [], // who the token is, at start
  'chat.postMessage': ['chat:write'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'users.info': ['users:read'],
  'conversations.info': ['channels:read', 'groups:read'], // is it public, is it archived
  'chat.getPermalink': [], // no scope required
  'chat.postEphemeral': ['chat:write'],
  'views.open': [], // works with the trigger_id of an interaction
  'views.publish': [],
  'views.update': [],
  'users.conversations': ['channels:read', 'groups:read'],
  'chat.unfurl': ['links:write'],
  link_shared: ['links:read'],
  app_home_opened: [],
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  app_mention: ['app_mentions:read'],
  app_uninstalled: [],
  tokens_revoked: [],
  '/paper': ['commands'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('manifest.yml', () => {
  test('is a valid Slack app manifest', () => {
    expect(Manifest.safeParse(manifest).error?.issues ?? []).toEqual([]);
  });

  test('declares /paper, the app_mention event, Socket Mode and interactivity', () => {
    expect(manifest.features.slash_commands.map((c: { command: string }) => c.command)).toEqual(['/paper']);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual([
      'app_mention',
      'app_home_opened',
      'link_shared',
      'app_uninstalled',
      'tokens_revoked',
    ]);
    expect(manifest.features.unfurl_domains).toEqual(['arxiv.org', 'huggingface.co']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
  });

  test('declares the message shortcut and the global shortcut the app listens for', () => {
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ type: 'message', callback_id: SHORTCUTS.forMessage }),
      expect.objectContaining({ type: 'global', callback_id: SHORTCUTS.search }),
    ]);
  });

  test('grants exactly the scopes that the code uses, no more', () => {
    const source = sourceFiles(join(ROOT, 'src', 'slack'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    // Web API calls go through Bolt's `client` or the single-shot posting client `once`.
    const calls = new Set(
      [...source.matchAll(/\b(?:client|once)\.([a-z]+\.[a-zA-Z]+)\(/g)].map((match) => match[1]),
    );
    const used = Object.keys(SCOPES_NEEDED).filter((name) =>
      name.includes('.') ? calls.has(name) : source.includes(`'${name}'`),
    );
    expect(used.sort()).toEqual(Object.keys(SCOPES_NEEDED).sort()); // every known call is still made
    // ...and no Web API call is made that this table does not know the scopes of.
    expect([...calls].filter((method) => method && !(method in SCOPES_NEEDED))).toEqual([]);
    const needed = new Set(used.flatMap((name) => SCOPES_NEEDED[name] ?? []));
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  test('the descriptions say what the app does, not only search', () => {
    const [paper] = manifest.features.slash_commands;
    const { long_description: long } = manifest.display_information;
    for (const feature of [
      /search/i,
      /@paperbot/,
      /\/paper subscribe/,
      /\/paper trending/,
      /\/paper cite/,
      /BibTeX/,
    ])
      expect(long).toMatch(feature);
    for (const feature of [/search/i, /follow/i, /trending/i, /cite/i])
      expect(paper.description).toMatch(feature);
    for (const example of ['subscribe', 'trending', 'cite', 'help'])
      expect(paper.usage_hint).toContain(example);
  });

  test('an OAuth install asks for exactly the manifest’s bot scopes', () => {
    expect([...BOT_SCOPES].sort()).toEqual([...manifest.oauth_config.scopes.bot].sort());
  });

  test('the operating guide’s manifest changes for OAuth make a valid manifest for HTTP installs', () => {
    const guide = readFileSync(join(ROOT, 'docs', 'operating.md'), 'utf8');
    const start = guide.indexOf('\n## Installs in many workspaces (OAuth)');
    expect(start).toBeGreaterThan(-1);
    const section = guide.slice(start);
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const changes = parse(block.replace(/^ {3}/gm, ''));
    const merged = merge(manifest, changes) as typeof manifest;
    expect(Manifest.safeParse(merged).error?.issues ?? []).toEqual([]);
    expect(merged.settings.socket_mode_enabled).toBe(false);
    expect(merged.oauth_config.redirect_urls).toEqual(['https://paperbot.example.com/slack/oauth_redirect']);
    expect(new URL(merged.oauth_config.redirect_urls[0]).pathname).toBe(OAUTH_REDIRECT_PATH);
    for (const url of [
      merged.features.slash_commands[0].url,
      merged.settings.event_subscriptions.request_url,
      merged.settings.interactivity.request_url,
    ])
      expect(url).toBe('https://paperbot.example.com/slack/events');
    expect(merged.features.slash_commands[0].command).toBe('/paper'); // merged into, not replaced
  });
});

/** `changes` laid over `base`: objects key by key, arrays element by element. */
function merge(base: unknown, changes: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(changes))
    return base.map((item, i) => (i < changes.length ? merge(item, changes[i]) : item));
  if (base && changes && typeof base === 'object' && typeof changes === 'object') {
    const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [key, value] of Object.entries(changes)) result[key] = merge(result[key], value);
    return result;
  }
  return changes === undefined ? base : changes;
}
