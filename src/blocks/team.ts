import type { KnownBlock } from '@slack/types';
import type { Sighting } from '../discussions/discussion.js';
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

/** The help lines of what the team's memory answers. */
export const TEAM_HELP = [
  '',
  '*What your team knows*',
  '`/paper who reward models` — who shared or discussed papers on a topic (channels you can see), only to you · `/paper who forget me` — never be named',
];
