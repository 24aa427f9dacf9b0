import type { KnownBlock } from '@slack/types';
import type { Sighting } from '../discussions/discussion.js';
import type { Recap, RecapNews, RecapPaper } from '../discussions/recap.js';
import type { Person } from '../discussions/teamMemory.js';
import { LIMITS, type SlackMessage } from './message.js';
import { boldText, escapeToFit, plainText, userMention } from './mrkdwn.js';
import { LINK_ACTION_PREFIX } from './paperCard.js';

// Slack's own channel ids: a bare <#C…> is rendered by Slack with the channel's name, and only to
// people who can see the channel.
const CHANNEL_ID = /^[CG][A-Z0-9]{2,30}$/;

/** Where a sighting is, for its viewer in `here`: "here", "in #channel", or "in a channel". */
export function placeOf(channel: string, here: string): string {
  if (channel === here) return 'here';
  return CHANNEL_ID.test(channel) ? `in <#${channel}>` : 'in a channel';
}

/** A button to a thread (undefined without a permalink short enough for a button). */
function threadButton(sighting: Sighting, actionId: string) {
  return sighting.permalink && sighting.permalink.length <= LIMITS.buttonUrl
    ? {
        type: 'button' as const,
        action_id: `${LINK_ACTION_PREFIX}:${actionId}`,
        text: plainText('Open thread', LIMITS.buttonText),
        url: sighting.permalink,
      }
    : undefined;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * `/paper who <topic>`, only for the person who asked: the people who shared or discussed papers
 * on the topic, strongest first, each with their papers, threads and a button to one thread.
 */
export function whoMessage(topic: string, people: readonly Person[], here: string): SlackMessage {
  const about = boldText(topic.replace(/\s+/g, ' ').trim(), 200);
  const plainAbout = escapeToFit(topic.replace(/\s+/g, ' ').trim(), 200);
  const footer: KnownBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Only you see this. From links, shared cards and questions to paperbot in channels you can see. `/paper who forget me`: never be named here.',
      },
    ],
  };
  if (people.length === 0)
    return {
      text: `Nobody has shared or discussed papers on ${plainAbout} where you can see.`,
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `:busts_in_silhouette: Nobody has shared or discussed papers on ${about} in the channels you can see yet.`,
          },
        },
        footer,
      ],
    };
  const rows: KnownBlock[] = people.map((person, i) => {
    const who = userMention(person.user, escapeToFit(person.user, 40));
    const where = placeOf(person.thread.channel, here);
    const text = `${i + 1}. ${who}: ${plural(person.papers, 'paper')} in ${plural(person.threads, 'thread')}, e.g. ${where}`;
    const button = threadButton(person.thread, `who-thread-${i}`);
    return { type: 'section', text: { type: 'mrkdwn', text }, ...(button ? { accessory: button } : {}) };
  });
  return {
    text: `${plural(people.length, 'person', 'people')} shared or discussed papers on ${plainAbout}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:busts_in_silhouette: Who shared or discussed papers on ${about}, strongest first:`,
        },
      },
      ...rows,
      footer,
    ],
  };
}

/** The answer to `/paper who forget me`. */
export function unnamedMessage(): SlackMessage {
  const text =
    ':white_check_mark: Done: `/paper who` will never name you in this workspace. What you shared stays where it is.';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

const PERIOD_NAMES = { day: 'day', week: 'week', month: 'month' } as const;
// Made with the first recap: building a formatter loads locale data, which start-up does not need.
let shortDay: Intl.DateTimeFormat | undefined;

/** "3 threads, 12 replies, 2 shares, 1 👍": what made a paper one of the period's. */
function activity(entry: RecapPaper): string {
  const parts = [plural(entry.threads, 'thread'), plural(entry.replies, 'reply', 'replies')];
  if (entry.shares > 0) parts.push(plural(entry.shares, 'share'));
  if (entry.votes > 0) parts.push(`${entry.votes} :thumbsup:`);
  return parts.join(', ');
}

/** One line of news: ":rocket: *Title*: code at …" or ":page_facing_up: *Title*: arXiv v3". */
function newsLine({ paper, news }: RecapNews): string {
  const what = news.map((item) =>
    item.kind === 'code'
      ? `code at ${escapeToFit(item.url.replace(/^https?:\/\//, ''), 200)}`
      : item.kind === 'version'
        ? `arXiv v${item.version}`
        : item.kind === 'upvotes'
          ? `${item.threshold} upvotes`
          : 'cited by a new paper',
  );
  const icon = news.some((item) => item.kind === 'code') ? ':rocket:' : ':page_facing_up:';
  return `${icon} ${boldText(paper.title, 200)}: ${what.join(', ')}`;
}

/**
 * "The week in papers": the papers the workspace discussed most in the period (each with its
 * activity, where, and a button to its liveliest thread), then those that got code or a new
 * version. `forChannel` says whose view it is: a channel's (a subscription) or one person's.
 */
export function recapMessage(recap: Recap, here: string, forChannel: boolean): SlackMessage {
  const period = PERIOD_NAMES[recap.period];
  shortDay ??= new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const span = `${shortDay.format(new Date(recap.since))} – ${shortDay.format(new Date(recap.until))}`;
  const whose = forChannel ? 'everyone here can see' : 'you can see';
  if (recap.discussed.length === 0 && recap.news.length === 0) {
    const text = `:newspaper: Nothing was discussed this ${period} (${span}) in the channels ${whose}.`;
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText(`The ${period} in papers`, LIMITS.headerText) },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${span} · the papers discussed most (threads, replies, votes, shares) in the channels ${whose}`,
        },
      ],
    },
  ];
  for (const [i, entry] of recap.discussed.entries()) {
    const places = [...new Set(entry.where.map((s) => placeOf(s.channel, here)))].join(', ');
    const text = `${i + 1}. ${boldText(entry.paper.title, 300)}\n:speech_balloon: ${activity(entry)} · ${places}`;
    const liveliest = entry.where[0];
    const button = liveliest && threadButton(liveliest, `recap-thread-${i}`);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text },
      ...(button ? { accessory: button } : {}),
    });
  }
  if (recap.news.length > 0) {
    const lines: string[] = [];
    let room = LIMITS.sectionText - 40;
    for (const item of recap.news) {
      const line = newsLine(item);
      if (line.length + 1 > room) break;
      lines.push(line);
      room -= line.length + 1;
    }
    blocks.push({ type: 'divider' });
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Got code or a new version*\n${lines.join('\n')}` },
    });
  }
  const count = recap.discussed.length;
  return {
    text: `The ${period} in papers (${span}): ${plural(count, 'paper')} discussed, ${plural(recap.news.length, 'paper')} with code or a new version`,
    blocks,
  };
}
