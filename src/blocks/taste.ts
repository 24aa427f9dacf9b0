import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import type { PickExplanation, TasteView, WeightedWord } from '../subscriptions/taste.js';
import { LIMITS, type SlackMessage } from './message.js';
import { escapeToFit, plainText, truncate } from './mrkdwn.js';
import { blockId } from './paperCard.js';

/** action_ids of the taste's buttons: "Why this?" on digest cards (value `subscription:paper`), and the reset's confirmation. */
export const TASTE_ACTIONS = { whyThis: 'why_this', reset: 'taste_reset' } as const;

/** A digest card with a "Why this?" button in its row of buttons (the card's blocks, unchanged otherwise). */
export function withWhyThis(card: KnownBlock[], subscriptionId: string, paperId: string): KnownBlock[] {
  return card.map((block) => {
    if (block.type !== 'actions' || block.block_id !== blockId('links', paperId)) return block;
    const why: Button = {
      type: 'button',
      action_id: TASTE_ACTIONS.whyThis,
      text: plainText('Why this?', LIMITS.buttonText),
      value: `${subscriptionId}:${paperId}`.slice(0, LIMITS.buttonValue),
    };
    return { ...block, elements: [...(block as ActionsBlock).elements, why] } as ActionsBlock;
  });
}

const titleLine = (title: string) => `• ${escapeToFit(title, 150)}`;
const wordList = (words: readonly WeightedWord[]) =>
  words.map((w) => `${escapeToFit(w.word, 40)} (${w.weight > 0 ? '+' : ''}${w.weight})`).join(', ');

/** `/paper taste`: what the channel's votes taught it. */
export function tasteMessage(taste: TasteView): SlackMessage {
  if (taste.votes === 0) {
    const text =
      'This channel has no taste yet: 👍 or 👎 papers in its digests, and later digests put papers like the liked ones first and leave out papers like the disliked ones.';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const section = (text: string): KnownBlock => ({
    type: 'section',
    text: { type: 'mrkdwn', text: text.slice(0, LIMITS.sectionText) },
  });
  const list = (papers: TasteView['liked']) =>
    papers.length > 0
      ? `${papers
          .slice(0, 10)
          .map((p) => titleLine(p.title))
          .join('\n')}${papers.length > 10 ? `\n…and ${papers.length - 10} more` : ''}`
      : '_none_';
  const blocks: KnownBlock[] = [
    section(`*This channel's taste* (${taste.votes} ${taste.votes === 1 ? 'vote' : 'votes'})`),
    section(`:thumbsup: *Liked* (${taste.liked.length})\n${list(taste.liked)}`),
    section(`:thumbsdown: *Disliked* (${taste.disliked.length})\n${list(taste.disliked)}`),
  ];
  if (taste.heaviest.length > 0) blocks.push(section(`*Words that weigh most:* ${wordList(taste.heaviest)}`));
  if (taste.against.length > 0)
    blocks.push(section(`*Words that weigh against:* ${wordList(taste.against)}`));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: 'Digests put papers like the liked ones first; papers much like a disliked one are left out. `/paper taste reset` forgets.',
      },
    ],
  });
  return {
    text: escapeToFit(
      `This channel's taste: ${taste.liked.length} liked, ${taste.disliked.length} disliked; words: ${taste.heaviest.map((w) => w.word).join(', ')}`,
      3000,
    ),
    blocks,
  };
}

/** The answer to "Why this?": the topic's words the paper has, and the liked (or disliked) paper it resembles. */
export function whyThisMessage(why: PickExplanation): SlackMessage {
  const lines = [`*Why “${escapeToFit(truncate(why.paper.title, 150), 300)}”?*`];
  lines.push(
    why.matchedWords.length > 0
      ? `It has the words of the topic “${escapeToFit(why.topic, 200)}”: ${why.matchedWords.map((w) => `*${escapeToFit(w, 40)}*`).join(', ')}.`
      : `It matches the topic “${escapeToFit(why.topic, 200)}”.`,
  );
  if (why.about.length > 0) lines.push(`:dart: About the topic: ${escapeToFit(why.about.join('; '), 600)}.`);
  const percent = (x: number) => `${Math.round(x * 100)}%`;
  if (why.liked.paper)
    lines.push(
      `:thumbsup: It resembles “${escapeToFit(truncate(why.liked.paper.title, 150), 300)}”, which this channel liked (${percent(why.liked.similarity)} of their words shared).`,
    );
  if (why.disliked.paper && why.disliked.similarity > 0)
    lines.push(
      `:thumbsdown: It also resembles “${escapeToFit(truncate(why.disliked.paper.title, 150), 300)}”, which this channel disliked (${percent(why.disliked.similarity)}).`,
    );
  if (!why.liked.paper && !why.disliked.paper) lines.push('No 👍 / 👎 of this channel bears on it yet.');
  if (why.belowFloor)
    lines.push(':information_source: With the votes as they are now, digests would leave it out.');
  const text = lines.join('\n').slice(0, LIMITS.sectionText);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** `/paper taste reset`: asks before forgetting (a button with Slack's confirmation dialog). */
export function tasteResetPrompt(votes: number): SlackMessage {
  if (votes === 0) {
    const text = 'This channel has no votes to forget.';
    return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
  }
  const text = `Forget this channel's ${votes} ${votes === 1 ? 'vote' : 'votes'}? Digests will stop ordering and filtering papers by them. (In the console: \`/paper taste reset confirm\`.)`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        block_id: 'taste_reset',
        elements: [
          {
            type: 'button',
            action_id: TASTE_ACTIONS.reset,
            text: plainText('Forget the taste', LIMITS.buttonText),
            style: 'danger',
            value: 'reset',
            confirm: {
              title: plainText('Forget the taste?', 100),
              text: plainText(`This channel's ${votes} 👍 / 👎 will be forgotten, for everyone here.`, 300),
              confirm: plainText('Forget', 30),
              deny: plainText('Keep', 30),
              style: 'danger',
            },
          },
        ],
      },
    ],
  };
}

/** After the reset. */
export function tasteForgottenMessage(forgotten: number): SlackMessage {
  const text = `:wastebasket: Forgot this channel's ${forgotten} ${forgotten === 1 ? 'vote' : 'votes'}; its taste starts afresh.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
