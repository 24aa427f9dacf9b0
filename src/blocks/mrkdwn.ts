/**
 * Making untrusted text (titles, abstracts, queries, thread messages) safe for Slack. Slack's
 * mrkdwn turns `<!channel>`, `<@U123>` and `<https://x|label>` into pings and links; escaping `&`,
 * `<` and `>` (as Slack documents) makes them inert text.
 */

// C0/C1 control characters (except tab and newline) and the bidirectional overrides that can
// make text read differently from what it is ("Trojan Source").
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Removes control and bidi-override characters and repairs lone surrogates. */
export function cleanText(text: string): string {
  return text.toWellFormed().replace(INVISIBLE, '');
}

/** Escapes text for a mrkdwn field: nothing in it can mention, broadcast or link. */
export function escapeMrkdwn(text: string): string {
  return cleanText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Shortens text to at most `max` UTF-16 units, ending in "…", never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--; // a high surrogate whose pair would be cut off
  return `${text.slice(0, end).trimEnd()}…`;
}

/** Escapes `text` and shortens it so that the escaped form fits in `max` characters. */
export function escapeToFit(text: string, max: number): string {
  if (max <= 0) return '';
  const cleaned = cleanText(text);
  let budget = max;
  for (;;) {
    const escaped = escapeMrkdwn(truncate(cleaned, budget));
    if (escaped.length <= max) return escaped;
    budget -= escaped.length - max; // entities grew the text; cut the raw text by the excess
  }
}

/**
 * Untrusted text in bold: escaped and shortened to fit `max`, its own `*` replaced by a look-alike
 * so that it cannot end the bold early (a title or topic with `*` stays readable).
 */
export function boldText(text: string, max: number): string {
  return `*${escapeToFit(text.replace(/\*/g, '∗'), max)}*`;
}

/** A plain_text object (never parsed as mrkdwn), shortened to `max`. */
export function plainText(text: string, max: number): { type: 'plain_text'; text: string; emoji: boolean } {
  return {
    type: 'plain_text',
    text: truncate(cleanText(text).replace(/\s+/g, ' ').trim(), max) || ' ',
    emoji: false,
  };
}

/**
 * Turns Slack message markup back into the words a person typed: user and channel mentions and
 * broadcasts are dropped, links become their label (or nothing when unlabelled), and entities are
 * decoded. Used to read a question or a thread's first message.
 */
export function plainFromSlackMarkup(text: string): string {
  return text
    .replace(/<([^<>|]*)\|([^<>]*)>/g, (_whole, target: string, label: string) =>
      target.startsWith('@') || target.startsWith('!') || target.startsWith('#') ? ' ' : label,
    )
    .replace(/<[^<>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * A mention of a Slack user, written only from a real user id (never from text), or `fallback`:
 * the one mention paperbot writes itself (who subscribed a channel, who shared a card).
 */
export function userMention(userId: string, fallback: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : fallback;
}
