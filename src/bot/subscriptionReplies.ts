import { randomInt } from 'node:crypto';
import type { SlackMessage } from '../blocks/message.js';
import { noticeMessage } from '../blocks/messages.js';
import { escapeToFit } from '../blocks/mrkdwn.js';
import {
  subscribedMessage,
  subscriptionListMessage,
  subscriptionNotice,
  topicText,
} from '../blocks/subscriptions.js';
import type { Logger } from '../logger.js';
import type { PaperSearch, SearchHit } from '../search/paperSearch.js';
import { describeQuery, parseQuery } from '../search/query.js';
import { STRICTNESS_MEANING, type Strictness } from '../subscriptions/aboutness.js';
import { nextDigest } from '../subscriptions/digest.js';
import { formatInZone, isTimeZone, nextRun, type Schedule } from '../subscriptions/schedule.js';
import type { PostResult, Scheduler } from '../subscriptions/scheduler.js';
import type { SubscriptionStore } from '../subscriptions/store.js';
import type { ChannelRef, Subscription, Vote } from '../subscriptions/subscription.js';
import type { Audience } from './discussionNotes.js';
import type { PaperCommand } from './paperCommand.js';

/**
 * Where a command was typed, and what the transport can do for it. `team` is the workspace the
 * request was authenticated for (never a value the user typed): every read and change of
 * subscriptions is confined to it.
 */
export interface CommandContext {
  team: string;
  /** The workspace's Enterprise Grid org, when it is in one. */
  enterprise?: string;
  channel: string;
  user: string;
  /** The user's time zone from their Slack profile, when it can be read. */
  userTimezone(): Promise<string | undefined>;
  /** Posts a message visible to the whole channel. */
  announce(message: SlackMessage): Promise<PostResult>;
  /** Who sees the answer (to say where papers were discussed), when the transport knows. */
  audience?: Audience;
}

/** What the subscription commands work with. */
export interface SubscriptionDeps {
  index: PaperSearch;
  store: SubscriptionStore;
  scheduler: Scheduler;
  now: () => Date;
  logger: Logger;
  /** The authors a channel follows, for the cards of previews (none when not given). */
  followedAuthors?: (where: ChannelRef) => Promise<string[]>;
}

const DEFAULT_SCHEDULE = { cadence: 'daily', time: '09:00' } as const;

type SubscriptionCommand = Extract<
  PaperCommand,
  { kind: 'subscribe' | 'subscriptions' | 'unsubscribe' | 'pause' | 'resume' | 'digest-now' | 'strictness' }
>;

/** The answers to `/paper subscribe`, `subscriptions`, `unsubscribe`, `pause`, `resume` and `digest now`. */
export class SubscriptionReplies {
  constructor(private readonly deps: SubscriptionDeps) {}

  /** Answers one subscription command typed in `context.channel`. */
  async answer(command: SubscriptionCommand, context: CommandContext): Promise<SlackMessage> {
    switch (command.kind) {
      case 'subscribe':
        return this.subscribe(command, context);
      case 'subscriptions':
        return subscriptionListMessage(await this.deps.store.inChannel(context));
      case 'unsubscribe':
        return this.unsubscribe(command.target, context);
      case 'pause':
      case 'resume':
        return this.setPaused(command.id, command.kind === 'pause', context);
      case 'digest-now':
        return this.digestNow(command.id, context);
      case 'strictness':
        return this.setStrictness(command.id, command.strictness, context);
    }
  }

  /** `/paper strictness <id> strict|broad`: how sure its digests must be that a paper is about the topic. */
  private async setStrictness(
    id: string,
    strictness: Strictness,
    context: CommandContext,
  ): Promise<SlackMessage> {
    const subscription = await this.find(id, context);
    if (!subscription) return this.unknown(id, context);
    await this.deps.store.update(context.team, subscription.id, (s) => ({ ...s, strictness }));
    return noticeMessage(
      `:dart: ${topicText(subscription.topic)} (\`${subscription.id}\`) is now *${strictness}*: ${STRICTNESS_MEANING[strictness]}`,
    );
  }

  private async subscribe(
    command: Extract<PaperCommand, { kind: 'subscribe' }>,
    context: CommandContext,
  ): Promise<SlackMessage> {
    const { store, index, now, logger } = this.deps;
    const existing = await this.findByTopic(command.topic, context);
    if (existing) {
      return noticeMessage(
        `:information_source: This channel already follows ${topicText(existing.topic)} (id \`${existing.id}\`). ` +
          'Change its schedule by unsubscribing and subscribing again.',
      );
    }
    const schedule: Schedule = {
      cadence: command.cadence ?? DEFAULT_SCHEDULE.cadence,
      time: command.time ?? DEFAULT_SCHEDULE.time,
      tz: command.tz ?? (await this.userZone(context)),
    };
    const at = now();
    const subscription: Subscription = {
      id: await this.newId(context.team),
      team: context.team,
      ...(context.enterprise ? { enterprise: context.enterprise } : {}),
      channel: context.channel,
      topic: command.topic,
      schedule,
      ...(command.strictness ? { strictness: command.strictness } : {}),
      createdBy: context.user,
      createdAt: at.toISOString(),
      state: { status: 'active' },
      nextRunAt: nextRun(schedule, at).toISOString(),
    };
    try {
      await store.add(subscription);
    } catch (error) {
      logger.error('Storing a subscription failed:', error);
      return noticeMessage(
        ':warning: I could not save that subscription, so nothing changed. Please try again.',
      );
    }
    // Subscribed whatever happens next: a busy search only costs the preview.
    const preview = await nextDigest(subscription, index, await store.postedIn(context), at).then(
      (digest) => digest.hits,
      (error: unknown) => {
        logger.warn('No preview for the new subscription:', (error as Error).message);
        return [];
      },
    );
    const announced = await context.announce(subscriptionNotice(subscription, context.user));
    const warning = announced.ok
      ? undefined
      : announced.pauseReason
        ? "I'm not a member of this channel, so I can't post digests here yet: invite me with `/invite @paperbot`."
        : `I couldn't post the notice in this channel (\`${escapeToFit(announced.error, 100)}\`); digests will try again when due.`;
    return subscribedMessage(subscription, preview, warning, {
      followedAuthors: (await this.deps.followedAuthors?.(context)) ?? [],
    });
  }

  /**
   * What stops a subscribe command from being stored in this channel (a duplicate topic), or
   * undefined: the modal shows it on the topic field before accepting the form.
   */
  async conflict(topic: string, where: ChannelRef): Promise<string | undefined> {
    const existing = await this.findByTopic(topic, where);
    return existing ? `This channel already follows this topic (id ${existing.id}).` : undefined;
  }

  /** What a subscription to `topic` would post in the channel now. */
  async preview(
    topic: string,
    where: ChannelRef,
    schedule: Pick<Schedule, 'cadence'> = DEFAULT_SCHEDULE,
  ): Promise<SearchHit[]> {
    const posted = await this.deps.store.postedIn(where);
    return (await nextDigest({ topic, schedule }, this.deps.index, posted, this.deps.now())).hits;
  }

  /** Records a 👍 / 👎 on a digest card in a channel, and says what it will do. */
  async feedback(where: ChannelRef, paperId: string, vote: Vote): Promise<SlackMessage> {
    const paper = await this.deps.index.get(paperId);
    if (!paper) return noticeMessage(':warning: That paper is no longer in the corpus.');
    await this.deps.store.recordFeedback(where, paperId, vote);
    const title = escapeToFit(paper.title, 150);
    return noticeMessage(
      vote === 'like'
        ? `:thumbsup: Noted: this channel's digests will put papers like “${title}” first.`
        : `:thumbsdown: Noted: this channel's digests will put papers like “${title}” last, and leave out those much like it. (\`/paper taste\` shows what they learnt.)`,
    );
  }

  private async unsubscribe(target: string, context: CommandContext): Promise<SlackMessage> {
    const subscription = (await this.find(target, context)) ?? (await this.findByTopic(target, context));
    if (!subscription) return this.unknown(target, context);
    await this.remove(context.team, subscription.id);
    return noticeMessage(
      `:wave: Unsubscribed this channel from ${topicText(subscription.topic)} (\`${subscription.id}\`).`,
    );
  }

  private async setPaused(id: string, pause: boolean, context: CommandContext): Promise<SlackMessage> {
    const subscription = await this.find(id, context);
    if (!subscription) return this.unknown(id, context);
    const topic = topicText(subscription.topic);
    if (pause) {
      await this.pause(context.team, subscription.id, 'paused with /paper pause');
      return noticeMessage(
        `:double_vertical_bar: Paused ${topic} (\`${subscription.id}\`). \`/paper resume ${subscription.id}\` restarts it.`,
      );
    }
    const updated = await this.resume(context.team, subscription.id);
    const next = updated
      ? ` Next digest: ${formatInZone(new Date(updated.nextRunAt), updated.schedule.tz)} (${updated.schedule.tz}).`
      : '';
    return noticeMessage(`:arrow_forward: Resumed ${topic} (\`${subscription.id}\`).${next}`);
  }

  /**
   * Pauses a subscription of the workspace, with the reason `/paper subscriptions` shows; undefined
   * for an id the workspace does not have.
   */
  pause(team: string, id: string, reason: string): Promise<Subscription | undefined> {
    const since = this.deps.now().toISOString();
    return this.deps.store.update(team, id, (s) => ({ ...s, state: { status: 'paused', reason, since } }));
  }

  /**
   * Resumes a subscription. The runs missed while paused are not replayed: the next run is the
   * schedule's next one from now, and that digest covers the papers that arrived meanwhile.
   */
  resume(team: string, id: string): Promise<Subscription | undefined> {
    const at = this.deps.now();
    // A fresh start: earlier refusals of the digest no longer count towards pausing it again.
    return this.deps.store.update(team, id, ({ refusals: _, ...s }) => ({
      ...s,
      state: { status: 'active' },
      nextRunAt: nextRun(s.schedule, at).toISOString(),
    }));
  }

  /** Removes a subscription of the workspace; undefined for an id it does not have. */
  remove(team: string, id: string): Promise<Subscription | undefined> {
    return this.deps.store.remove(team, id);
  }

  private async digestNow(id: string, context: CommandContext): Promise<SlackMessage> {
    const subscription = await this.find(id, context);
    if (!subscription) return this.unknown(id, context);
    const topic = topicText(subscription.topic);
    if (subscription.state.status === 'paused') {
      return noticeMessage(
        `:double_vertical_bar: ${topic} is paused; \`/paper resume ${subscription.id}\` first.`,
      );
    }
    const run = await this.deps.scheduler.runNow(subscription);
    switch (run.outcome) {
      case 'posted':
        return noticeMessage(
          `:newspaper: Posted ${run.papers} new ${run.papers === 1 ? 'paper' : 'papers'} on ${topic} in this channel.`,
        );
      case 'nothing-new':
        return noticeMessage(`:zzz: No new papers on ${topic} since the last digest.`);
      case 'paused':
        // Paused because Slack refused the digest itself, or (most often) because the bot cannot post here.
        return noticeMessage(
          run.refused
            ? `:warning: ${topic} is paused: ${escapeToFit(run.pauseReason ?? '', 300)}.`
            : `:warning: I can't post in this channel (\`${escapeToFit(run.error ?? '', 100)}\`), so ${topic} is paused. Invite me with \`/invite @paperbot\`, then \`/paper resume ${subscription.id}\`.`,
        );
      case 'busy':
        return noticeMessage(`:hourglass: The digest for ${topic} is being posted right now.`);
      case 'failed':
        return noticeMessage(
          `:warning: Slack did not accept the digest (\`${escapeToFit(run.error ?? '', 100)}\`); it will be tried again at the next run.`,
        );
    }
  }

  private async find(id: string, where: ChannelRef): Promise<Subscription | undefined> {
    return (await this.deps.store.inChannel(where)).find((s) => s.id === id.toLowerCase());
  }

  private async findByTopic(topic: string, where: ChannelRef): Promise<Subscription | undefined> {
    return (await this.deps.store.inChannel(where)).find((s) => sameTopic(s.topic, topic));
  }

  private async unknown(target: string, where: ChannelRef): Promise<SlackMessage> {
    const here = await this.deps.store.inChannel(where);
    const list = here.map((s) => `\`${s.id}\` (${escapeToFit(s.topic, 80)})`).join(', ');
    return noticeMessage(
      `:warning: No subscription \`${escapeToFit(target, 100)}\` in this channel. ` +
        (here.length > 0 ? `Its subscriptions: ${list}.` : 'This channel has no subscriptions.'),
    );
  }

  private async userZone(context: CommandContext): Promise<string> {
    try {
      const zone = await context.userTimezone();
      if (zone && isTimeZone(zone)) return zone;
    } catch (error) {
      this.deps.logger.warn("Could not read the user's time zone; using UTC:", (error as Error).message);
    }
    return 'UTC';
  }

  private async newId(team: string): Promise<string> {
    const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789'; // no look-alikes (l/1, o/0)
    for (;;) {
      let id = '';
      for (let i = 0; i < 6; i++) id += alphabet[randomInt(alphabet.length)];
      if (!(await this.deps.store.get(team, id))) return id;
    }
  }
}

/** Two topics are the same when they parse to the same query, case aside. */
function sameTopic(a: string, b: string): boolean {
  const canonical = (topic: string) => describeQuery(parseQuery(topic).query).toLowerCase();
  return canonical(a) === canonical(b);
}
