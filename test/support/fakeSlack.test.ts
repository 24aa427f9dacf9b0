import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { webApi } from '@slack/bolt';
import { FakeSlack, newTriggerId, RESPONSE_URL_USES } from './fakeSlack.js';

// The fake must refuse what Slack refuses: each behaviour it models, seen through a real WebClient.
let slack: FakeSlack;
let client: webApi.WebClient;
const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName() {},
};
const clientOf = (fake: FakeSlack) =>
  new webApi.WebClient('xoxb-test', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: silent,
  });
beforeAll(async () => {
  slack = await new FakeSlack().start();
  client = clientOf(slack);
});
afterAll(async () => slack.stop());

/** Slack's error code for a call, or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    const e = error as { code?: string; data?: { error?: string } };
    return e.code === webApi.ErrorCode.RateLimitedError ? 'ratelimited' : (e.data?.error ?? String(error));
  }
}

const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });

describe('the strict fake Slack', () => {
  test('chat.postMessage refuses invalid blocks, no content, over-long text and bad metadata', async () => {
    expect(
      await outcome(
        client.chat.postMessage({ channel: 'C1', text: 'x', blocks: [section('a'.repeat(3001))] }),
      ),
    ).toBe('invalid_blocks');
    expect(await outcome(client.chat.postMessage({ channel: 'C1', text: '' }))).toBe('no_text');
    expect(await outcome(client.chat.postMessage({ channel: 'C1', text: 'a'.repeat(40_001) }))).toBe(
      'msg_too_long',
    );
    expect(
      await outcome(
        client.chat.postMessage({ channel: 'C1', text: 'x', metadata: { event_type: 'x' } as never }),
      ),
    ).toBe('invalid_metadata_format');
    expect(slack.messagesIn('C1')).toEqual([]);
  });

  test('one channel takes a short burst of posts, then 429 with Retry-After; other channels are apart', async () => {
    const limited = await new FakeSlack({ burst: 2 }).start();
    const post = (channel: string) => outcome(clientOf(limited).chat.postMessage({ channel, text: 'hello' }));
    try {
      expect([await post('C2'), await post('C2'), await post('C2'), await post('C3')]).toEqual([
        'ok',
        'ok',
        'ratelimited',
        'ok',
      ]);
    } finally {
      await limited.stop();
    }
  });

  test('views.open takes a trigger once, within 3 s, and a valid modal; views.update needs its view and hash', async () => {
    const view = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Hi' },
      blocks: [section('x')],
    };
    const trigger = newTriggerId();
    const opened = await client.views.open({ trigger_id: trigger, view });
    expect(await outcome(client.views.open({ trigger_id: trigger, view }))).toBe('exchanged_trigger_id');
    expect(await outcome(client.views.open({ trigger_id: newTriggerId(3100), view }))).toBe(
      'expired_trigger_id',
    );
    expect(await outcome(client.views.open({ trigger_id: 'trigger.1', view }))).toBe('invalid_trigger_id');
    expect(
      await outcome(
        client.views.open({
          trigger_id: newTriggerId(),
          view: { ...view, title: { type: 'plain_text', text: 'x'.repeat(25) } },
        }),
      ),
    ).toBe('invalid_arguments');
    const id = opened.view?.id ?? '';
    expect(await outcome(client.views.update({ view_id: 'VNONE', view }))).toBe('not_found');
    expect(await outcome(client.views.update({ view_id: id, hash: 'stale', view }))).toBe('hash_conflict');
    expect(await outcome(client.views.update({ view_id: id, hash: opened.view?.hash ?? '', view }))).toBe(
      'ok',
    );
  });

  test('conversations.history: newest first, pages by limit and cursor, oldest exclusive, metadata only when asked', async () => {
    const first = slack.userMessage('C4', { text: 'first' });
    for (let i = 0; i < 4; i++)
      await client.chat.postMessage({
        channel: 'C5',
        text: `n${i}`,
        metadata: { event_type: 'paperbot_post', event_payload: { run: `k${i}` } },
      });
    const page1 = await client.conversations.history({ channel: 'C5', limit: 3 });
    expect(page1.messages?.map((m) => m.text)).toEqual(['n3', 'n2', 'n1']);
    expect(page1.messages?.[0]?.metadata).toBeUndefined();
    expect(page1.has_more).toBe(true);
    const page2 = await client.conversations.history({
      channel: 'C5',
      limit: 3,
      cursor: page1.response_metadata?.next_cursor ?? '',
      include_all_metadata: true,
    });
    expect(page2.messages?.map((m) => [m.text, m.metadata?.event_payload])).toEqual([['n0', { run: 'k0' }]]);
    expect(page2.response_metadata?.next_cursor).toBe('');
    const all = slack.messagesIn('C5');
    const since = await client.conversations.history({ channel: 'C5', oldest: all[1]?.ts ?? '' });
    expect(since.messages?.map((m) => m.text)).toEqual(['n3', 'n2']);
    expect(await outcome(client.conversations.replies({ channel: 'C4', ts: '1.000001' }))).toBe(
      'thread_not_found',
    );
    expect((await client.conversations.replies({ channel: 'C4', ts: first.ts })).messages?.[0]?.text).toBe(
      'first',
    );
  });

  test('a distributed, non-Marketplace app reads history and replies once a minute per method and workspace, 15 at most', async () => {
    let now = Date.parse('2026-11-26T12:00:00Z');
    const tier1 = await new FakeSlack({ now: () => now }).start();
    try {
      tier1.installAs('T0TEST', 'distributed');
      const otherToken = tier1.addWorkspace({ team: 'T0OTHER', name: 'Other' });
      tier1.installAs('T0OTHER', 'distributed');
      const reader = clientOf(tier1);
      for (let i = 0; i < 20; i++)
        tier1.userMessage('C7', { text: `m${i}`, ts: `1700000000.${String(i + 1).padStart(6, '0')}` });
      const parent = tier1.messagesIn('C7')[0]?.ts ?? '';
      for (let i = 0; i < 20; i++) tier1.userMessage('C7', { text: `r${i}`, thread_ts: parent });
      // Asked for 200: Slack gives 15, newest first, and a cursor to the rest.
      const first = await reader.conversations.history({ channel: 'C7', limit: 200 });
      expect(first.messages).toHaveLength(15);
      expect(first.messages?.[0]?.text).toBe('m19');
      expect(first.has_more).toBe(true);
      // A second read of the same method within the minute: 429, Retry-After the seconds left.
      now += 20_000;
      let retryAfter: number | undefined;
      try {
        await reader.conversations.history({
          channel: 'C7',
          cursor: first.response_metadata?.next_cursor ?? '',
        });
      } catch (error) {
        retryAfter = (error as { retryAfter?: number }).retryAfter;
      }
      expect(retryAfter).toBe(40);
      // The other method has its own minute, and so has another workspace.
      const replies = await reader.conversations.replies({ channel: 'C7', ts: parent });
      expect(replies.messages).toHaveLength(15);
      expect(replies.has_more).toBe(true);
      expect(await outcome(reader.conversations.replies({ channel: 'C7', ts: parent }))).toBe('ratelimited');
      expect(await outcome(reader.conversations.history({ channel: 'C7', token: otherToken }))).toBe('ok');
      // A minute after the accepted read (the refused one does not count): the next page.
      now += 40_000;
      const second = await reader.conversations.history({
        channel: 'C7',
        cursor: first.response_metadata?.next_cursor ?? '',
      });
      expect(second.messages?.map((m) => m.text)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0']);
      expect(second.has_more).toBe(false);
      // An internal app (the default) keeps Tier 3: reads in a row, pages up to 999.
      tier1.installAs('T0TEST', 'internal');
      expect((await reader.conversations.history({ channel: 'C7', limit: 200 })).messages).toHaveLength(20);
      expect(await outcome(reader.conversations.history({ channel: 'C7' }))).toBe('ok');
    } finally {
      await tier1.stop();
    }
  });

  test('a response_url: 400 and the reason for invalid blocks, 404 after 5 uses or 30 minutes', async () => {
    const post = (url: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => `${response.status} ${await response.text()}`);
    const url = slack.responseUrl('uses');
    expect(
      await post(url, { text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }] }),
    ).toBe('400 invalid_blocks');
    for (let i = 1; i < RESPONSE_URL_USES; i++)
      expect(await post(url, { text: `answer ${i}` })).toBe('200 ok');
    expect(await post(url, { text: 'one too many' })).toBe('404 used_url');
    expect(await post(slack.responseUrl('old', { ageMs: 31 * 60 * 1000 }), { text: 'late' })).toBe(
      '404 expired_url',
    );
    // A URL Slack never gave out.
    expect(await post(url.replace(/uses$/, 'made-up'), { text: 'x' })).toBe('404 invalid_url');
  });

  test('conversations.info knows declared channels only; an archived channel refuses posts (is_archived)', async () => {
    slack.addChannel({ id: 'C0PUB', name: 'pub' });
    slack.addChannel({ id: 'G0PRIV', name: 'priv', isPrivate: true });
    expect((await client.conversations.info({ channel: 'C0PUB' })).channel).toMatchObject({
      id: 'C0PUB',
      name: 'pub',
      is_channel: true,
      is_private: false,
      is_archived: false,
    });
    expect((await client.conversations.info({ channel: 'G0PRIV' })).channel).toMatchObject({
      is_private: true,
      is_group: true,
    });
    expect(await outcome(client.conversations.info({ channel: 'C0NOWHERE' }))).toBe('channel_not_found');
    slack.addChannel({ id: 'C0ARCH', name: 'arch', isArchived: true });
    expect(await outcome(client.chat.postMessage({ channel: 'C0ARCH', text: 'x' }))).toBe('is_archived');
    expect((await client.conversations.info({ channel: 'C0ARCH' })).channel?.is_archived).toBe(true);
  });

  test('chat.getPermalink: a stored message’s link (a reply’s names its thread); unknown messages are refused', async () => {
    const root = await client.chat.postMessage({ channel: 'C0LINK', text: 'root' });
    const reply = await client.chat.postMessage({
      channel: 'C0LINK',
      text: 'reply',
      thread_ts: root.ts as string,
    });
    const digits = (ts: unknown) => String(ts).replace('.', '');
    expect(
      (await client.chat.getPermalink({ channel: 'C0LINK', message_ts: root.ts as string })).permalink,
    ).toBe(`https://fake.slack.com/archives/C0LINK/p${digits(root.ts)}`);
    expect(
      (await client.chat.getPermalink({ channel: 'C0LINK', message_ts: reply.ts as string })).permalink,
    ).toBe(`https://fake.slack.com/archives/C0LINK/p${digits(reply.ts)}?thread_ts=${root.ts}&cid=C0LINK`);
    expect(await outcome(client.chat.getPermalink({ channel: 'C0LINK', message_ts: '1.000001' }))).toBe(
      'message_not_found',
    );
  });

  test('a thread’s parent carries its reply_count in history and replies; a message without replies has none', async () => {
    const root = await client.chat.postMessage({ channel: 'C0THREAD', text: 'root' });
    const lone = await client.chat.postMessage({ channel: 'C0THREAD', text: 'lone' });
    for (const text of ['a', 'b', 'c'])
      await client.chat.postMessage({ channel: 'C0THREAD', text, thread_ts: root.ts as string });
    const replies = await client.conversations.replies({
      channel: 'C0THREAD',
      ts: root.ts as string,
      limit: 1,
    });
    expect(replies.messages?.[0]).toMatchObject({ ts: root.ts, thread_ts: root.ts, reply_count: 3 });
    const history = await client.conversations.history({ channel: 'C0THREAD' });
    expect(history.messages?.map((m) => [m.text, m.reply_count])).toEqual([
      ['lone', undefined],
      ['root', 3],
    ]);
    expect(lone.ts).toBeDefined();
  });

  test('users.info says whether a user is a guest', async () => {
    slack.addUser({ id: 'U0GUEST', guest: 'single' });
    expect((await client.users.info({ user: 'U0GUEST' })).user).toMatchObject({
      is_restricted: true,
      is_ultra_restricted: true,
    });
    expect((await client.users.info({ user: 'U0MEMBER' })).user).toMatchObject({ is_restricted: false });
  });

  test('a method it does not model is unknown, as on Slack', async () => {
    expect(
      await outcome(client.apiCall('chat.scheduleMessage', { channel: 'C1', text: 'x', post_at: 1 })),
    ).toBe('unknown_method');
  });

  test('every call needs a token Slack issued and has not revoked (https://docs.slack.dev/reference/methods/auth.test)', async () => {
    const tokenless = new webApi.WebClient(undefined, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      logger: silent,
    });
    expect(await outcome(tokenless.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('not_authed');
    const stranger = new webApi.WebClient('xoxb-made-up', {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      logger: silent,
    });
    expect(await outcome(stranger.auth.test())).toBe('invalid_auth');
    const token = slack.addWorkspace({ team: 'T0REVOKED', name: 'Revoked' });
    const revoked = new webApi.WebClient(token, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      logger: silent,
    });
    expect((await revoked.auth.test()).team_id).toBe('T0REVOKED');
    slack.revokeTokens('T0REVOKED');
    expect(await outcome(revoked.chat.postMessage({ channel: 'C1', text: 'x' }))).toBe('token_revoked');
    expect((await client.auth.test()).team_id).toBe('T0TEST'); // other workspaces are untouched
  });

  test("a workspace's channel is not found with another workspace's token", async () => {
    const other = new webApi.WebClient(slack.addWorkspace({ team: 'T0OTHER', name: 'Other' }), {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      logger: silent,
    });
    slack.assignChannels('T0OTHER', 'C0THEIRS');
    expect(await outcome(client.chat.postMessage({ channel: 'C0THEIRS', text: 'x' }))).toBe(
      'channel_not_found',
    );
    expect(await outcome(client.conversations.history({ channel: 'C0THEIRS' }))).toBe('channel_not_found');
    expect(await outcome(other.chat.postMessage({ channel: 'C0THEIRS', text: 'x' }))).toBe('ok');
  });

  describe('OAuth (https://docs.slack.dev/authentication/installing-with-oauth)', () => {
    const APP = {
      clientId: '1111.2222',
      clientSecret: 'client-secret',
      redirectUrls: ['https://bot.example/slack/oauth_redirect'],
    };
    const WORKSPACE = { team: 'T0NEW', name: 'New' };
    const oauth = () =>
      new webApi.WebClient(undefined, {
        slackApiUrl: slack.apiUrl,
        retryConfig: { retries: 0 },
        logger: silent,
      });

    /** The authorize page answered by `approver`: the redirect it sends the browser to. */
    async function authorize(
      query: Record<string, string>,
      approver: Parameters<FakeSlack['nextApprover']>[0],
    ) {
      slack.nextApprover(approver);
      const response = await fetch(`${slack.authorizeUrl}?${new URLSearchParams(query)}`, {
        redirect: 'manual',
      });
      return {
        status: response.status,
        location: response.headers.get('location'),
        text: await response.text(),
      };
    }
    const approve = { team: WORKSPACE, user: 'U0ADMIN' };

    test('authorize → redirect with a code and the state; oauth.v2.access exchanges it once for a working bot token', async () => {
      slack.configureApp(APP);
      const { status, location } = await authorize(
        { client_id: APP.clientId, scope: 'chat:write,commands', state: 's1' },
        approve,
      );
      expect(status).toBe(302);
      const back = new URL(location ?? '');
      expect(`${back.origin}${back.pathname}`).toBe(APP.redirectUrls[0]);
      expect(back.searchParams.get('state')).toBe('s1');
      const code = back.searchParams.get('code') ?? '';
      const answer = await oauth().oauth.v2.access({
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        code,
      });
      expect(answer).toMatchObject({
        ok: true,
        token_type: 'bot',
        scope: 'chat:write,commands',
        bot_user_id: FakeSlack.BOT_USER_ID,
        team: { id: 'T0NEW', name: 'New' },
        enterprise: null,
        authed_user: { id: 'U0ADMIN' },
        is_enterprise_install: false,
      });
      const installed = new webApi.WebClient(answer.access_token, {
        slackApiUrl: slack.apiUrl,
        retryConfig: { retries: 0 },
        logger: silent,
      });
      expect((await installed.auth.test()).team_id).toBe('T0NEW');
      expect(
        await outcome(
          oauth().oauth.v2.access({ client_id: APP.clientId, client_secret: APP.clientSecret, code }),
        ),
      ).toBe(
        'invalid_code', // once only
      );
    });

    test('oauth.v2.access refuses a wrong client, secret, code or redirect_uri, as Slack does', async () => {
      slack.configureApp(APP);
      const codeFor = async (query: Record<string, string> = {}) =>
        new URL(
          (await authorize({ client_id: APP.clientId, scope: 'commands', ...query }, approve)).location ?? '',
        ).searchParams.get('code') ?? '';
      const access = (args: Record<string, string>) =>
        outcome(
          oauth().oauth.v2.access({
            client_id: APP.clientId,
            client_secret: APP.clientSecret,
            ...args,
          } as never),
        );
      expect(await access({ client_id: '9999.9999', code: await codeFor() })).toBe('invalid_client_id');
      expect(await access({ client_secret: 'guessed', code: await codeFor() })).toBe('bad_client_secret');
      expect(await access({ code: 'made-up' })).toBe('invalid_code');
      const redirectUri = APP.redirectUrls[0] as string;
      expect(await access({ code: await codeFor({ redirect_uri: redirectUri }) })).toBe('bad_redirect_uri'); // sent then, not now
      expect(
        await access({
          code: await codeFor({ redirect_uri: redirectUri }),
          redirect_uri: 'https://evil.example/cb',
        }),
      ).toBe('bad_redirect_uri');
      expect(
        await access({ code: await codeFor({ redirect_uri: redirectUri }), redirect_uri: redirectUri }),
      ).toBe('ok');
    });

    test('the authorize page refuses an unknown app, a redirect_uri not registered, or no scope; a user may cancel', async () => {
      slack.configureApp(APP);
      expect((await authorize({ client_id: '9999.9999', scope: 'commands' }, approve)).text).toBe(
        'invalid_client_id',
      );
      expect(
        (
          await authorize(
            { client_id: APP.clientId, scope: 'commands', redirect_uri: 'https://evil.example/cb' },
            approve,
          )
        ).text,
      ).toBe('bad_redirect_uri');
      expect((await authorize({ client_id: APP.clientId }, approve)).text).toBe('invalid_scope');
      const cancelled = new URL(
        (await authorize({ client_id: APP.clientId, scope: 'commands', state: 's' }, 'deny')).location ?? '',
      );
      expect(cancelled.searchParams.get('error')).toBe('access_denied');
      expect(cancelled.searchParams.get('code')).toBeNull();
    });
  });
});
