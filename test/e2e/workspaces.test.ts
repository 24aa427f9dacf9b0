import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { HOME_ACTIONS } from '../../src/blocks/home.js';
import type { Database } from '../../src/db/database.js';
import { PostgresInstallationStore } from '../../src/installations/postgresStore.js';
import { type InstallationStore, openLowdbInstallationStore } from '../../src/installations/store.js';
import type { Paper } from '../../src/papers/paper.js';
import { UNINSTALLED_REASON } from '../../src/slack/events/uninstalled.js';
import { PostgresSubscriptionStore } from '../../src/subscriptions/postgresStore.js';
import { createMemoryStore, type SubscriptionStore } from '../../src/subscriptions/store.js';
import { sectionTexts } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import type { FakeSlack, FakeWorkspace } from '../support/fakeSlack.js';
import { suiteDatabase } from '../support/postgres.js';
import { buttonClickBody, eventBody, postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp, TEST_APP } from '../support/slackApp.js';
import { tempDir } from '../support/tmp.js';

const FORM = 'application/x-www-form-urlencoded';
const A: FakeWorkspace = { team: 'T0AAAA', name: 'Alpha' };
const B: FakeWorkspace = { team: 'T0BBBB', name: 'Beta' };

let db: Database;
suiteDatabase((opened) => {
  db = opened;
});

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** PostgreSQL stores on the suite's database, emptied. */
async function postgresStores(): Promise<{ store: SubscriptionStore; installations: InstallationStore }> {
  await db.query('TRUNCATE subscriptions, posted, feedback, channels, installations');
  return { store: new PostgresSubscriptionStore(db), installations: new PostgresInstallationStore(db) };
}

/**
 * The install flow as a browser and Slack play it: the bot's install page, Slack's authorize page
 * (answered by an admin of `workspace`), then the redirect back to the bot with the code and the
 * state cookie the install page set. Resolves to the bot's last answer.
 */
async function install(
  app: RunningApp,
  workspace: FakeWorkspace,
  tamper: { cookie?: string; state?: string; code?: string } = {},
): Promise<{ status: number; text: string; replay: () => Promise<number> }> {
  const page = await fetch(`${app.url}/slack/install`);
  expect(page.status).toBe(200);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^slack-app-oauth-state=./);
  const addToSlack = /<a href="([^"]+)">/.exec(await page.text())?.[1] ?? '';
  const authorizeUrl = new URL(addToSlack);
  expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(app.slack.authorizeUrl);
  expect(authorizeUrl.searchParams.get('client_id')).toBe(TEST_APP.clientId);
  expect(authorizeUrl.searchParams.get('scope')).toContain('commands');
  app.slack.nextApprover({ team: workspace, user: 'U0ADMIN' });
  const approved = await fetch(addToSlack, { redirect: 'manual' });
  expect(approved.status).toBe(302);
  const redirect = new URL(approved.headers.get('location') ?? '');
  expect(`${redirect.origin}${redirect.pathname}`).toBe(`${app.url}/slack/oauth_redirect`);
  if (tamper.state !== undefined) redirect.searchParams.set('state', tamper.state);
  if (tamper.code !== undefined) redirect.searchParams.set('code', tamper.code);
  const back = () => fetch(redirect, { headers: { cookie: tamper.cookie ?? cookie }, redirect: 'manual' });
  const done = await back();
  return { status: done.status, text: await done.text(), replay: async () => (await back()).status };
}

let sequence = 0;
/** A slash command from `team`, and its answer (what Slack shows the user). */
async function slash(app: RunningApp, team: string, text: string, channel = 'C0GENERAL') {
  const id = `cmd-${++sequence}`;
  const body = slashCommandBody(text, app.slack.responseUrl(id), { team_id: team, channel_id: channel });
  expect((await postSigned(app.eventsUrl, body, FORM)).status).toBe(200);
  return (await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === id))).body;
}

/** The ids of digests posted with `team`'s tokens. */
function digestsOf(slack: FakeSlack, team: string): string[] {
  return slack
    .callsTo('chat.postMessage')
    .filter((call) => slack.workspaceOf(call.token)?.team === team)
    .map(
      (call) => call.args.metadata as { event_type?: string; event_payload?: { run?: string } } | undefined,
    )
    .filter((metadata) => metadata?.event_type === 'paperbot_digest')
    .map((metadata) => metadata?.event_payload?.run ?? '');
}

describe.each([
  ['PostgreSQL', postgresStores],
  [
    'lowdb',
    async () => ({
      store: createMemoryStore(),
      installations: await openLowdbInstallationStore(join(tempDir('paperbot-oauth-'), 'installations.json')),
    }),
  ],
])('installing through OAuth (%s)', (_name, stores) => {
  test('install page → Slack authorize → redirect: the installation is stored, and that workspace is answered with its token', async () => {
    const { store, installations } = await stores();
    running = await startApp({
      store,
      oauth: { installations },
      clock: new FakeClock(new Date('2026-11-26T12:00:00Z')),
    });
    const { status, text } = await install(running, A);
    expect(status).toBe(200);
    expect(text).toContain('Thank you!');
    const exchange = running.slack.callsTo('oauth.v2.access');
    expect(exchange).toHaveLength(1);
    expect(exchange[0]?.args).toMatchObject({
      client_id: TEST_APP.clientId,
      client_secret: TEST_APP.clientSecret,
    });
    const stored = await installations.find({ team: A.team });
    expect(stored?.team?.id).toBe(A.team);
    const token = stored?.bot?.token ?? '';
    expect(running.slack.workspaceOf(token)?.team).toBe(A.team);
    // The installer asked who the new token is (auth.test) with that token.
    expect(running.slack.callsTo('auth.test').map((call) => call.token)).toContain(token);

    // A's users are answered, and its channel posted to, with A's token; its subscription is A's.
    const answer = await slash(running, A.team, 'subscribe reward models tz UTC');
    expect(sectionTexts(answer)[0]).toMatch(
      /^:white_check_mark: Subscribed this channel to \*reward models\*/,
    );
    const notice = running.slack.callsTo('chat.postMessage')[0];
    expect(notice?.token).toBe(token);
    expect((await store.inTeam(A.team)).map((s) => s.topic)).toEqual(['reward models']);
    running.clock.set('2026-11-27T09:00:00Z');
    await running.scheduler.tick();
    expect(digestsOf(running.slack, A.team)).toHaveLength(1);
  });

  test('the state is checked: a redirect without the install page’s cookie, or with a forged state, installs nothing', async () => {
    const { store, installations } = await stores();
    running = await startApp({ store, oauth: { installations } });
    const noCookie = await install(running, A, { cookie: '' });
    expect(noCookie.status).toBe(400);
    const forged = await install(running, A, {
      state: 'eyJhbGciOiJIUzI1NiJ9.eyJub3ciOiIyMDI2LTExLTI2In0.forged',
      cookie: 'slack-app-oauth-state=eyJhbGciOiJIUzI1NiJ9.eyJub3ciOiIyMDI2LTExLTI2In0.forged',
    });
    expect(forged.status).toBe(400);
    expect(running.slack.callsTo('oauth.v2.access')).toEqual([]); // never got as far as the exchange
    expect(await installations.find({ team: A.team })).toBeUndefined();
  });

  test('a code Slack refuses (made up, or used twice) installs nothing', async () => {
    const { store, installations } = await stores();
    running = await startApp({ store, oauth: { installations } });
    const madeUp = await install(running, A, { code: 'made-up-code' });
    expect(madeUp.status).toBe(500); // Bolt's failure page
    expect(madeUp.text).toContain('Oops, Something Went Wrong!');
    expect(await installations.find({ team: A.team })).toBeUndefined();
    // A real code, exchanged; then the same redirect again (a reload): Slack refuses the used code.
    const first = await install(running, B);
    expect(first.status).toBe(200);
    await installations.remove({ team: B.team });
    expect(await first.replay()).toBe(500);
    expect(await installations.find({ team: B.team })).toBeUndefined();
    expect(running.slack.callsTo('oauth.v2.access')).toHaveLength(3); // refused, accepted, refused
  });

  test('with SLACK_REDIRECT_URI the authorize request and the exchange both name it (Slack compares them)', async () => {
    const { store, installations } = await stores();
    running = await startApp({ store, oauth: { installations, sendRedirectUri: true } });
    expect((await install(running, B)).status).toBe(200);
    const [exchange] = running.slack.callsTo('oauth.v2.access');
    expect(exchange?.args.redirect_uri).toBe(`${running.url}/slack/oauth_redirect`);
    expect((await installations.find({ team: B.team }))?.bot?.token).toMatch(/^xoxb-T0BBBB-/);
  });
});

describe('many workspaces', () => {
  /** A bot with A and B installed (through the flow), each with a subscription in its own channel. */
  async function twoWorkspaces() {
    const { store, installations } = await postgresStores();
    const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
    running = await startApp({ store, oauth: { installations }, clock });
    const app = running;
    expect((await install(app, A)).status).toBe(200);
    expect((await install(app, B)).status).toBe(200);
    app.slack.assignChannels(A.team, 'C0ALPHA');
    app.slack.assignChannels(B.team, 'C0BETA');
    await slash(app, A.team, 'subscribe reward models tz UTC', 'C0ALPHA');
    await slash(app, B.team, 'subscribe diffusion models tz UTC', 'C0BETA');
    const [ofA] = await store.inTeam(A.team);
    const [ofB] = await store.inTeam(B.team);
    if (!ofA || !ofB) throw new Error('subscriptions missing');
    return { app, store, installations, clock, ofA, ofB };
  }

  test('workspace A can never list, pause, resume, remove or run B’s subscriptions, even with B’s ids and channel', async () => {
    const { app, store, ofA, ofB } = await twoWorkspaces();
    const before = await store.get(B.team, ofB.id);
    // Commands typed in A, naming B's subscription id, even "in" B's channel id.
    for (const channel of ['C0ALPHA', 'C0BETA']) {
      const list = await slash(app, A.team, 'subscriptions', channel);
      expect(JSON.stringify(list)).not.toContain(ofB.id);
      for (const command of [
        `pause ${ofB.id}`,
        `resume ${ofB.id}`,
        `unsubscribe ${ofB.id}`,
        `digest now ${ofB.id}`,
      ]) {
        const answer = await slash(app, A.team, command, channel);
        expect(answer.text).toMatch(
          new RegExp(`^:warning: No subscription \`${ofB.id}\` in this channel\\.`),
        );
      }
    }
    // Home tab buttons of A with B's id forged into their value.
    for (const action_id of [HOME_ACTIONS.pause, HOME_ACTIONS.remove, HOME_ACTIONS.resume]) {
      const click = buttonClickBody(
        { action_id, value: ofB.id },
        { responseUrl: app.slack.responseUrl(`home-${action_id}`), team: A.team },
      );
      expect((await postSigned(app.eventsUrl, click, FORM)).status).toBe(200);
    }
    // A 👍 from A on a card "in" B's channel: A's ledger, not B's.
    const vote = buttonClickBody(
      { action_id: 'digest_like', value: `${ofB.id}:reward-model-ensembles-help-mitigate-overoptimization` },
      { responseUrl: app.slack.responseUrl('vote'), team: A.team, channel: 'C0BETA' },
    );
    expect((await postSigned(app.eventsUrl, vote, FORM)).status).toBe(200);
    await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === 'vote'));
    await app.slack.waitFor(() => app.slack.callsTo('views.publish').length >= 3);
    expect(await store.get(B.team, ofB.id)).toEqual(before);
    expect(await store.feedbackIn({ team: B.team, channel: 'C0BETA' })).toEqual({});
    // A's Home tab lists A's subscription only.
    const homes = app.slack.callsTo('views.publish').map((call) => JSON.stringify(call.args.view));
    for (const home of homes) {
      expect(home).toContain(ofA.id);
      expect(home).not.toContain(ofB.id);
    }
    // And A's own subscription still answers to A.
    expect((await slash(app, A.team, `pause ${ofA.id}`, 'C0ALPHA')).text).toContain(
      `Paused *reward models* (\`${ofA.id}\`)`,
    );
  });

  test('background posting picks each workspace’s token; app_uninstalled removes B’s installation, pauses its subscriptions, and nothing is posted to B again', async () => {
    const { app, store, installations, clock, ofA, ofB } = await twoWorkspaces();
    clock.set('2026-11-27T09:00:00Z');
    await app.scheduler.tick();
    expect(digestsOf(app.slack, A.team)).toEqual([`${ofA.id}@2026-11-27T09:00:00.000Z`]);
    expect(digestsOf(app.slack, B.team)).toEqual([`${ofB.id}@2026-11-27T09:00:00.000Z`]);

    // Slack revokes B's tokens and tells the app.
    app.slack.revokeTokens(B.team);
    const uninstalled = eventBody({ type: 'app_uninstalled' }, 'EvUninstall', B.team);
    expect((await postSigned(app.eventsUrl, uninstalled, 'application/json')).status).toBe(200);
    await app.slack.waitFor(async () => (await installations.find({ team: B.team })) === undefined);
    await app.slack.waitFor(async () => (await store.get(B.team, ofB.id))?.state.status === 'paused');
    expect((await store.get(B.team, ofB.id))?.state).toMatchObject({
      status: 'paused',
      reason: UNINSTALLED_REASON,
    });
    expect((await store.get(A.team, ofA.id))?.state.status).toBe('active');
    const postsToB = () =>
      app.slack.callsTo('chat.postMessage').filter((call) => call.args.channel === 'C0BETA').length;
    const before = postsToB();

    // New papers on both topics; the next morning A gets its digest, B nothing, not even a try.
    // Without the arXiv id, or merging would take them for the paper they are copied from.
    const { arxivId: _copied, ...newest } = (await app.index.newest(1))[0] as Paper;
    await app.index.ingest({
      papers: [
        {
          ...newest,
          id: 'new-reward',
          title: 'Reward Models Revisited',
          arrivedAt: '2026-11-27T12:00:00.000Z',
        } as never,
        {
          ...newest,
          id: 'new-diffusion',
          title: 'Diffusion Models Revisited',
          arrivedAt: '2026-11-27T12:00:00.000Z',
        } as never,
      ],
      skipped: [],
    });
    clock.set('2026-11-28T09:00:00Z');
    await app.scheduler.tick();
    expect(digestsOf(app.slack, A.team)).toHaveLength(2);
    expect(postsToB()).toBe(before);
    // Resuming by hand in a workspace without its installation: the digest pauses again, unposted.
    await store.update(B.team, ofB.id, (s) => ({ ...s, state: { status: 'active' } }));
    clock.set('2026-11-29T09:00:00Z');
    const runs = await app.scheduler.tick();
    expect(runs.find((run) => run.subscriptionId === ofB.id)?.outcome).toBe('paused');
    expect(postsToB()).toBe(before);
  });

  test('tokens_revoked for the bot token is an uninstall too; for user tokens only, nothing changes', async () => {
    const { app, store, installations, ofA } = await twoWorkspaces();
    const userOnly = eventBody({ type: 'tokens_revoked', tokens: { oauth: ['U0ADMIN'] } }, 'EvUser', A.team);
    expect((await postSigned(app.eventsUrl, userOnly, 'application/json')).status).toBe(200);
    const bot = eventBody({ type: 'tokens_revoked', tokens: { bot: ['UPAPERBOT'] } }, 'EvBot', A.team);
    expect((await postSigned(app.eventsUrl, bot, 'application/json')).status).toBe(200);
    await app.slack.waitFor(async () => (await store.get(A.team, ofA.id))?.state.status === 'paused');
    expect(await installations.find({ team: A.team })).toBeUndefined();
    expect((await installations.find({ team: B.team }))?.team?.id).toBe(B.team);
  });
});

describe('single-token mode', () => {
  test('every request is the token’s workspace’s, whatever team its payload names (Slack Connect)', async () => {
    running = await startApp();
    await slash(running, 'T0GUEST', 'subscribe reward models tz UTC');
    expect((await running.store.inTeam('T0TEST')).map((s) => s.topic)).toEqual(['reward models']);
    expect(await running.store.inTeam('T0GUEST')).toEqual([]);
  });
});
