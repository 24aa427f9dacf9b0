import type { KnownBlock } from '@slack/types';
import type { Recap } from '../discussions/recap.js';
import type { CitationCount } from '../papers/citations.js';
import type { SearchHit } from '../search/paperSearch.js';
import { DEFAULT_STRICTNESS } from '../subscriptions/aboutness.js';
import { describeSchedule, formatInZone } from '../subscriptions/schedule.js';
import type { Subscription } from '../subscriptions/subscription.js';
import { isRecapTopic, trendingCount, trendingPeriod } from '../subscriptions/topics.js';
import { withCitationCounts } from './discussions.js';
import { LIMITS, type SlackMessage } from './message.js';
import { boldText, escapeToFit, truncate, userMention } from './mrkdwn.js';
import { type CardButtons, type CardExtras, paperCard } from './paperCard.js';
import { withWhyThis } from './taste.js';
import { recapMessage } from './team.js';

/** A topic in mrkdwn: escaped, bold. */
export function topicText(topic: string): string {
  return boldText(topic, 200);
}

function cards(hits: readonly SearchHit[], buttons?: CardButtons, extras?: CardExtras): KnownBlock[] {
  return hits.flatMap((hit) => [{ type: 'divider' } as KnownBlock, ...paperCard(hit, buttons, extras)]);
}

/**
 * What a digest's first line says it holds: "3 new papers on" a topic, or for a trending
 * subscription "the 5 most upvoted papers of the last day" (no topic after it).
 */
function digestLead(
  subscription: Pick<Subscription, 'topic' | 'schedule'>,
  count: number,
): { lead: string; topic: boolean } {
  if (trendingCount(subscription.topic) === undefined)
    return { lead: `${count} new ${count === 1 ? 'paper' : 'papers'} on`, topic: true };
  const period = trendingPeriod(subscription.schedule) === 'week' ? 'week' : 'day';
  return {
    lead:
      count === 1
        ? `The most upvoted new paper of the last ${period}`
        : `The ${count} most upvoted new papers of the last ${period}`,
    topic: false,
  };
}

function titles(hits: readonly SearchHit[]): string {
  return hits.map((hit, i) => `${i + 1}. ${truncate(hit.paper.title, 150)}`).join('\n');
}

/** A digest: "3 new papers on *reward models*", how to manage the subscription, and the cards. */
export function digestMessage(
  subscription: Pick<Subscription, 'id' | 'topic' | 'schedule'>,
  hits: readonly SearchHit[],
  extras: CardExtras = {},
): SlackMessage {
  const { lead, topic } = digestLead(subscription, hits.length);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:newspaper: ${lead}${topic ? ` ${topicText(subscription.topic)}` : ''}`,
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Subscription \`${subscription.id}\` · ${describeSchedule(subscription.schedule)} · \`/paper unsubscribe ${subscription.id}\` to stop`,
        },
      ],
    },
    ...hits.flatMap((hit) => [
      { type: 'divider' } as KnownBlock,
      ...withWhyThis(
        paperCard(hit, { kind: 'digest', subscriptionId: subscription.id }, extras),
        subscription.id,
        hit.paper.id,
      ),
    ]),
  ];
  return {
    text: escapeToFit(`${lead}${topic ? ` ${subscription.topic}` : ''}:\n${titles(hits)}`, 3000),
    blocks: blocks.slice(0, LIMITS.blocksPerMessage),
  };
}

/** A digest as the channel sees it: a recap's message for a recap subscription, else {@link digestMessage}. */
export function renderDigest(
  digest: {
    subscription: Pick<Subscription, 'id' | 'topic' | 'schedule'>;
    hits: readonly SearchHit[];
    followedAuthors?: readonly string[];
    recap?: Recap;
    citations?: ReadonlyMap<string, CitationCount>;
  },
  here: string,
): SlackMessage {
  const { subscription } = digest;
  if (!digest.recap)
    return withCitationCounts(
      digestMessage(subscription, digest.hits, { followedAuthors: digest.followedAuthors ?? [] }),
      digest.citations ?? new Map(),
    );
  const message = recapMessage(digest.recap, here, true);
  const manage: KnownBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Subscription \`${subscription.id}\` · ${describeSchedule(subscription.schedule)} · \`/paper unsubscribe ${subscription.id}\` to stop`,
      },
    ],
  };
  return { ...message, blocks: [...message.blocks, manage].slice(0, LIMITS.blocksPerMessage) };
}

/** The reply to a new subscription: what was stored, when it posts, a warning if any, and a preview. */
export function subscribedMessage(
  subscription: Subscription,
  preview: readonly SearchHit[],
  warning?: string,
  extras: CardExtras = {},
): SlackMessage {
  const next = formatInZone(new Date(subscription.nextRunAt), subscription.schedule.tz);
  const confirmation =
    `:white_check_mark: Subscribed this channel to ${topicText(subscription.topic)} (id \`${subscription.id}\`): ` +
    `${describeSchedule(subscription.schedule)}. First digest: ${next}.`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: confirmation } }];
  if (warning) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${warning}` } });
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text:
          preview.length > 0
            ? `Preview: the ${preview.length === 1 ? 'paper' : `${preview.length} papers`} it would post now.`
            : isRecapTopic(subscription.topic)
              ? 'Each recap: the papers discussed most in this channel and in public channels, and those that got code or a new version. `/paper recap` shows this week’s now.'
              : trendingCount(subscription.topic) === undefined
                ? 'No paper matches it strongly yet: digests post strong matches as they arrive.'
                : 'No upvoted paper of the period yet: digests post the most upvoted ones as they arrive.',
      },
    ],
  });
  blocks.push(...cards(preview, undefined, extras));
  return {
    text: escapeToFit(`Subscribed this channel to ${subscription.topic} (${subscription.id}).`, 3000),
    blocks,
  };
}

/** The in-channel notice that a channel is now subscribed, naming who did it when `user` is a Slack user id. */
export function subscriptionNotice(subscription: Subscription, user: string): SlackMessage {
  const who = userMention(user, 'Someone');
  const text =
    `${who} subscribed this channel to ${topicText(subscription.topic)} papers, ` +
    `${describeSchedule(subscription.schedule)}. \`/paper subscriptions\` lists them.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/**
 * A topic subscription's strictness, as a list shows it (` · strict`); nothing for a trending one,
 * which posts the most upvoted papers whatever their subject.
 */
export function strictnessNote(s: Pick<Subscription, 'topic' | 'strictness'>): string {
  return trendingCount(s.topic) === undefined ? ` · ${s.strictness ?? DEFAULT_STRICTNESS}` : '';
}

/** `/paper subscriptions`: each subscription with its id, schedule, next run, last post and state. */
export function subscriptionListMessage(subscriptions: readonly Subscription[]): SlackMessage {
  if (subscriptions.length === 0) {
    const text = 'This channel has no subscriptions. Start one with `/paper subscribe reward models`.';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  // 2 blocks per subscription, after a header: messages allow 50 blocks.
  const shown = subscriptions.slice(0, 24);
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          `*This channel's subscriptions (${subscriptions.length})*\n` +
          '`/paper strictness &lt;id&gt; strict|broad` sets how sure a digest must be that a paper is about its topic: ' +
          '*strict* posts papers whose subject is the topic, *broad* also those where it is one thread among others.',
      },
    },
  ];
  for (const s of shown) {
    const tz = s.schedule.tz;
    const state =
      s.state.status === 'active'
        ? `next digest ${formatInZone(new Date(s.nextRunAt), tz)}`
        : `:double_vertical_bar: paused: ${escapeToFit(s.state.reason, 300)} (\`/paper resume ${s.id}\`)`;
    const lastPost = s.lastPostAt ? formatInZone(new Date(s.lastPostAt), tz) : 'never';
    blocks.push(
      { type: 'divider' },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${topicText(s.topic)} · \`${s.id}\`${strictnessNote(s)}\n${describeSchedule(s.schedule)} · ${state} · last post: ${lastPost}`,
        },
      },
    );
  }
  if (shown.length < subscriptions.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${subscriptions.length - shown.length} more.` }],
    });
  }
  const text = escapeToFit(
    `This channel's subscriptions: ${subscriptions.map((s) => `${s.topic} (${s.id})`).join(', ')}`,
    3000,
  );
  return { text, blocks };
}
