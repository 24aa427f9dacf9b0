import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from '../blocks/message.js';
import { LIST_ACTIONS } from '../blocks/messages.js';
import { CARD_ACTIONS } from '../blocks/paperCard.js';

/** What a typed button does: the Slack button it stands for. */
export type ButtonWord = 'share' | 'similar' | 'cite' | 'up' | 'down' | 'more' | 'subscribe';

/** The word the console prints for each Slack button (and takes back as a command). */
export const BUTTON_WORDS: Record<string, ButtonWord> = {
  [CARD_ACTIONS.share]: 'share',
  [CARD_ACTIONS.moreLikeThis]: 'similar',
  [CARD_ACTIONS.cite]: 'cite',
  [CARD_ACTIONS.like]: 'up',
  [CARD_ACTIONS.dislike]: 'down',
  [LIST_ACTIONS.more]: 'more',
  [LIST_ACTIONS.subscribe]: 'subscribe',
};

/** How each word is typed: `similar` is printed as `like N` (More like this). */
export const TYPED: Record<ButtonWord, string> = {
  share: 'share',
  similar: 'like',
  cite: 'cite',
  up: 'up',
  down: 'down',
  more: 'more',
  subscribe: 'subscribe',
};

/** The console's help for the buttons of the last answer, typed. */
export const BUTTON_HELP = [
  'The buttons of the last answer, typed (cards are numbered [1], [2]…):',
  '  more           More results',
  '  like N         More like this (card N)',
  '  share N        Share to channel',
  '  cite N         Cite (BibTeX)',
  '  up N, 👍 N     this channel likes card N (its digests put papers like it first; /paper taste)',
  '  down N, 👎 N   this channel does not (/paper taste)',
  '  subscribe      Subscribe this channel to the search',
].join('\n');

/** A typed button: which one, on which card (1-based). */
export interface ButtonCommand {
  word: ButtonWord;
  card?: number;
}

const ALIASES: Record<string, ButtonWord> = {
  more: 'more',
  share: 'share',
  like: 'similar',
  similar: 'similar',
  cite: 'cite',
  up: 'up',
  '👍': 'up',
  '+1': 'up',
  down: 'down',
  '👎': 'down',
  '-1': 'down',
  subscribe: 'subscribe',
};

/** A line that is a typed button (`more`, `like 2`, `👍 2`…), or undefined. */
export function parseButtonCommand(line: string): ButtonCommand | undefined {
  const match = /^(\S+)(?:\s+#?(\d{1,3}))?$/u.exec(line.trim().toLowerCase());
  const word = match ? ALIASES[match[1] as string] : undefined;
  if (!match || !word) return undefined;
  return match[2] === undefined ? { word } : { word, card: Number(match[2]) };
}

/** A button of a message: what it stands for and its value. */
interface Pressable {
  word: ButtonWord;
  value: string;
}

/** The interactive buttons of one actions block (URL buttons are printed as links instead). */
function pressables(block: KnownBlock): Pressable[] {
  if (block.type !== 'actions') return [];
  return block.elements.flatMap((element) => {
    if (element.type !== 'button' || element.url || !element.action_id) return [];
    const word = BUTTON_WORDS[element.action_id];
    return word ? [{ word, value: element.value ?? '' }] : [];
  });
}

const CARD_WORDS = new Set<ButtonWord>(['share', 'similar', 'cite', 'up', 'down']);

/**
 * The buttons of each actions block of a message, as printed: a card's get its number (cards are
 * numbered in order), the list's (More results, Subscribe) none.
 */
export function buttonRows(message: SlackMessage): Array<{ card?: number; buttons: Pressable[] }> {
  let card = 0;
  return (message.blocks as KnownBlock[]).map((block) => {
    const buttons = pressables(block);
    if (buttons.some((button) => CARD_WORDS.has(button.word))) return { card: ++card, buttons };
    return { buttons };
  });
}

/**
 * The buttons of the last message printed that had any: what `like 2` or `more` presses. A
 * message without buttons (a notice) leaves them as they were, so "👍 2" after "Shared" still
 * means the card the user sees above.
 */
export class ConsoleButtons {
  private cards: Pressable[][] = [];
  private list: Pressable[] = [];

  remember(message: SlackMessage): void {
    const rows = buttonRows(message);
    if (rows.every((row) => row.buttons.length === 0)) return;
    this.cards = rows.filter((row) => row.card !== undefined).map((row) => row.buttons);
    this.list = rows.filter((row) => row.card === undefined).flatMap((row) => row.buttons);
  }

  /**
   * The button a typed command presses, or why there is none: cards are counted from 1, and a
   * card without the button (👍 on a search result) still has a paper to vote on.
   */
  press(command: ButtonCommand): { word: ButtonWord; value: string; paperId?: string } | { problem: string } {
    if (command.word === 'more' || command.word === 'subscribe') {
      const button = this.list.find((b) => b.word === command.word);
      return (
        button ?? {
          problem: `There is no ${command.word === 'more' ? 'More results' : 'Subscribe'} button on the last answer.`,
        }
      );
    }
    if (this.cards.length === 0)
      return { problem: 'There are no cards above: search first, e.g. /paper reward model ensembles.' };
    const number = command.card ?? (this.cards.length === 1 ? 1 : undefined);
    if (number === undefined)
      return {
        problem: `Say which card: ${TYPED[command.word]} 1 to ${TYPED[command.word]} ${this.cards.length}.`,
      };
    const card = this.cards[number - 1];
    if (!card) return { problem: `There is no card ${number}: the last answer has ${this.cards.length}.` };
    const paperId = paperOf(card);
    const button = card.find((b) => b.word === command.word);
    if (button) return { ...button, paperId };
    // 👍/👎 teach the channel's taste from any paper it sees; Slack shows them on digest cards only.
    if (command.word === 'up' || command.word === 'down')
      return { word: command.word, value: paperId, paperId };
    return { problem: `Card ${number} has no ${TYPED[command.word]} button.` };
  }
}

/** The paper id of a card's buttons (digest feedback values are `subscription:paper`). */
function paperOf(card: Pressable[]): string {
  const plain = card.find((b) => b.word !== 'up' && b.word !== 'down');
  if (plain) return plain.value;
  const vote = card[0]?.value ?? '';
  return vote.slice(vote.indexOf(':') + 1);
}
