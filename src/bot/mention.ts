import { plainFromSlackMarkup } from '../blocks/mrkdwn.js';
import { type PaperQuery, paperQuery } from '../search/query.js';
import { STOP_WORDS, tokenize } from '../search/text.js';

/**
 * Conversation words that carry no topic in a question to the bot ("hey, any good papers on this?").
 * Removed from mentions only, never from the index or from `/paper` queries.
 */
const FILLER = new Set(
  `hey hi hello please pls thanks thank could can would you me us find show give get list recommend
  suggest know any some good great recent new latest relevant related similar interesting work works
  research article articles publication publications reading read look looking search topic topics thread
  discussion something anything else more here there this that these those it`
    .split(/\s+/)
    .filter(Boolean),
);

/** The most words taken from a thread's first message; the rest rarely changes the ranking. */
const MAX_THREAD_WORDS = 60;

/**
 * The question in a mention's text, as plain words: the bot's (and anyone's) mention, broadcasts
 * and link markup removed, conversational filler dropped. Empty when the mention asks nothing
 * specific ("@paperbot", "@paperbot any papers on this?").
 */
export function questionOf(mentionText: string): string {
  const words = tokenize(withoutEmoji(plainFromSlackMarkup(mentionText))).filter(
    (word) => !FILLER.has(word.toLowerCase()),
  );
  // "papers on reward models" → "reward models": the edges of a question are its grammar.
  const isStop = (word: string | undefined) => word !== undefined && STOP_WORDS.has(word.toLowerCase());
  while (isStop(words[0])) words.shift();
  while (isStop(words.at(-1))) words.pop();
  return words.join(' ');
}

/**
 * A query from someone else's message (a thread's first message): its words only. Operators such
 * as `author:` or `-word` are not interpreted, since nobody wrote them for the bot.
 */
export function queryFromMessage(messageText: string): PaperQuery {
  const words = tokenize(withoutEmoji(plainFromSlackMarkup(messageText))).slice(0, MAX_THREAD_WORDS);
  return paperQuery({ words });
}

/** Drops emoji codes (`:+1:`, `:tada:`), which Slack sends as text but which are not words. */
function withoutEmoji(text: string): string {
  return text.replace(/:[a-z0-9_+'-]+:/gi, ' ');
}
