import type { KnownBlock } from '@slack/types';
import type { SlackMessage } from '../blocks/message.js';
import { buttonRows, TYPED } from './buttons.js';

/** The console's one user, as a Slack user id: what they share or ask is remembered under it, and it prints as "you". */
export const CONSOLE_USER = 'U0CONSOLE';

/** Whether to use ANSI styles (bold, dim) for a terminal, and to show the buttons as typed commands. */
export interface TextStyle {
  color: boolean;
  /** The console: a card's buttons as `[2] share 2 · like 2 · cite 2`, the list's as `more · subscribe`. */
  buttons?: boolean;
}

const EMOJI: Record<string, string> = {
  ':warning:': '⚠',
  ':mag:': '🔍',
  ':white_check_mark:': '✅',
  ':newspaper:': '📰',
  ':wave:': '👋',
  ':double_vertical_bar:': '⏸',
  ':arrow_forward:': '▶',
  ':zzz:': '💤',
  ':hourglass:': '⏳',
  ':information_source:': 'ℹ',
  ':bookmark:': '🔖',
  ':chart_with_upwards_trend:': '📈',
  ':speech_balloon:': '💬',
  ':rocket:': '🚀',
  ':page_facing_up:': '📄',
  ':fire:': '🔥',
  ':thumbsup:': '👍',
  ':thumbsdown:': '👎',
  ':wastebasket:': '🗑',
  ':link:': '🔗',
  ':paperclip:': '📎',
  ':busts_in_silhouette:': '👥',
  ':books:': '📚',
};

/**
 * Renders the Block Kit message the Slack app would send as readable terminal text: titles in
 * bold, buttons as "label: url" lines. The console shows exactly what Slack users get.
 */
export function renderText(message: SlackMessage, style: TextStyle = { color: false }): string {
  const bold = (s: string) => (style.color ? `\x1b[1m${s}\x1b[22m` : s);
  const dim = (s: string) => (style.color ? `\x1b[2m${s}\x1b[22m` : s);
  const styled = (s: string) =>
    s
      .replace(/:[a-z_]+:/g, (code) => EMOJI[code] ?? code)
      .replace(/\*([^*\n]+)\*/g, (_m, inner: string) => bold(inner))
      // The mentions paperbot writes from Slack's ids (untrusted text was escaped: &lt;…).
      .replaceAll(`<@${CONSOLE_USER}>`, 'you')
      .replace(/<([@#])([UWCG][A-Z0-9]+)>/g, '$1$2');
  // A ``` code block (a BibTeX entry) is printed verbatim, without its fences, ready to copy.
  const mrkdwn = (s: string) =>
    decode(
      s
        .split(/```\n?/)
        .map((part, i) => (i % 2 === 1 ? part.replace(/\n$/, '') : styled(part)))
        .join(''),
    );
  const lines: string[] = [];
  const rows = style.buttons ? buttonRows(message) : [];
  for (const [at, block] of (message.blocks as KnownBlock[]).entries()) {
    switch (block.type) {
      case 'header':
        lines.push(bold(block.text.text));
        break;
      case 'context':
        lines.push(dim(block.elements.map((e) => ('text' in e ? mrkdwn(e.text) : '')).join('  ')));
        break;
      case 'divider':
        lines.push(dim('─'.repeat(60)));
        break;
      case 'section':
        if (block.text) lines.push(block.text.type === 'mrkdwn' ? mrkdwn(block.text.text) : block.text.text);
        break;
      case 'actions':
        for (const element of block.elements) {
          // Links as links; the other buttons, with `buttons`, as the commands that press them.
          if (element.type === 'button' && element.url) lines.push(`  ${element.text.text}: ${element.url}`);
        }
        if (rows[at]?.buttons.length) {
          const { card, buttons } = rows[at];
          const words = buttons.map(
            (button) => `${TYPED[button.word]}${card === undefined ? '' : ` ${card}`}`,
          );
          lines.push(dim(`  ${card === undefined ? '' : `[${card}] `}${words.join(' · ')}`));
        }
        break;
      default:
        break;
    }
  }
  return lines.length > 0 ? lines.join('\n') : decode(message.text);
}

function decode(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
