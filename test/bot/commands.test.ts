import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { helpMessage } from '../../src/blocks/help.js';
import { homeView } from '../../src/blocks/home.js';
import {
  arxivIdOf,
  PAPER_COMMANDS,
  type PaperCommand,
  parsePaperCommand,
} from '../../src/bot/paperCommand.js';
import { expectValidMessage, viewViolations } from '../support/blockKit.js';

/** Research words as people type them, none of which is a command's argument (no ids, periods or "reset"). */
const RESEARCH_WORDS = `screening large language models prediction speech smell topics nlp diffusion reward
  ensembles graph neural networks retrieval augmented generation protein folding robot grasping vision
  transformer attention sparse mixture experts quantization speculative decoding alignment preference
  optimization multimodal agents benchmark evaluation tokenizer scaling laws federated privacy`
  .split(/\s+/)
  .filter(Boolean);

/** The commands whose arguments are free text: what follows them is their topic, target or paper. */
const FREE_TEXT: Record<string, PaperCommand['kind']> = {
  subscribe: 'subscribe',
  unsubscribe: 'unsubscribe',
  cite: 'cite',
  for: 'for',
  who: 'who',
};

const commandWords = PAPER_COMMANDS.flatMap((spec) => (spec.word ? [spec.word] : []));

describe('a command only when its arguments fit', () => {
  test('every command word followed by ordinary research words is a search that asks about the command, or the free-text command itself', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...commandWords),
        fc.array(fc.constantFrom(...RESEARCH_WORDS), { minLength: 2, maxLength: 6 }),
        fc.boolean(),
        (word, words, capitalised) => {
          const typed = `${capitalised ? word[0]?.toUpperCase() + word.slice(1) : word} ${words.join(' ')}`;
          const command = parsePaperCommand(typed);
          const free = FREE_TEXT[word];
          if (free) {
            expect(command.kind).toBe(free);
            return;
          }
          expect(command.kind).toBe('search');
          if (command.kind !== 'search') return;
          // Every word typed is searched, the command word too ("resume screening").
          expect(command.query.words.map((w) => w.toLowerCase())).toEqual([word, ...words]);
          const usage = PAPER_COMMANDS.find((spec) => spec.word === word)?.usage ?? '';
          expect(command.note).toBe(
            `Did you mean the command \`${usage}\`? These are papers for your words.`,
          );
        },
      ),
    );
  });

  test.each([
    ['resume screening with large language models', 'resume'],
    ['trending topics in NLP', 'trending'],
    ['taste and smell prediction', 'taste'],
    ['pause prediction in speech', 'pause'],
    ['status quo bias', 'status'],
    ['digest of protein structures', 'digest'],
    ['subscriptions economy models', 'subscriptions'],
  ])('%s is a search (as the issue saw it refused)', (typed, word) => {
    const command = parsePaperCommand(typed);
    expect(command).toMatchObject({ kind: 'search', text: typed });
    expect(command.kind === 'search' && command.note).toContain(
      PAPER_COMMANDS.find((spec) => spec.word === word)?.usage,
    );
  });

  test.each<[string, PaperCommand]>([
    ['resume y3jtzs', { kind: 'resume', id: 'y3jtzs' }],
    ['pause Y3JTZS', { kind: 'pause', id: 'y3jtzs' }],
    ['digest now y3jtzs', { kind: 'digest-now', id: 'y3jtzs' }],
    ['trending', { kind: 'trending', period: 'today' }],
    ['trending today', { kind: 'trending', period: 'today' }],
    ['trending week', { kind: 'trending', period: 'week' }],
    ['taste', { kind: 'taste' }],
    ['taste reset', { kind: 'taste-reset', confirmed: false }],
    ['taste reset confirm', { kind: 'taste-reset', confirmed: true }],
    ['status', { kind: 'status' }],
    ['subscriptions', { kind: 'subscriptions' }],
    ['help', { kind: 'help' }],
    ['Help?', { kind: 'help' }],
  ])('%s is the command', (typed, expected) => {
    expect(parsePaperCommand(typed)).toEqual(expected);
  });

  test('a request for papers searches what is asked for, not the request', () => {
    for (const typed of [
      'help me find diffusion papers',
      'can you find me diffusion papers',
      'please show me diffusion papers',
    ]) {
      const command = parsePaperCommand(typed);
      expect(command.kind === 'search' && command.query.words).toEqual(['diffusion', 'papers']);
    }
    // Titles that start like a request are searched whole.
    const showO = parsePaperCommand('Show-o one single transformer');
    expect(showO.kind === 'search' && showO.query.words).toEqual(['Show-o', 'one', 'single', 'transformer']);
  });
});

describe('papers by id and link', () => {
  test.each([
    ['2501.12948', '2501.12948'],
    ['arXiv:2501.12948', '2501.12948'],
    ['arxiv: 2501.12948v2', '2501.12948'],
    ['https://arxiv.org/abs/2501.12948', '2501.12948'],
    ['https://arxiv.org/pdf/2501.12948v1.pdf', '2501.12948'],
    ['https://huggingface.co/papers/2501.12948', '2501.12948'],
    ['<https://arxiv.org/abs/2501.12948>', '2501.12948'],
    ['https://arxiv.org/abs/2501.12948?context=cs', '2501.12948'],
    ['hep-th/9901001', 'hep-th/9901001'],
  ])('%s names arXiv:%s', (typed, id) => {
    expect(arxivIdOf(typed)).toBe(id);
    expect(parsePaperCommand(typed)).toMatchObject({ kind: 'search', arxivId: id });
  });

  test('words around an id are a search', () => {
    expect(arxivIdOf('see 2501.12948 for details')).toBeUndefined();
    expect(parsePaperCommand('deepseek r1 2501.12948')).not.toHaveProperty('arxivId');
  });
});

describe('one list of commands', () => {
  test('every command and every example is in the help, status and taste included, in valid Block Kit', () => {
    const help = helpMessage(PAPER_COMMANDS);
    expectValidMessage(help);
    const text = JSON.stringify(help.blocks);
    const escaped = (line: string) =>
      JSON.stringify(line.replace(/</g, '&lt;').replace(/>/g, '&gt;')).slice(1, -1);
    for (const spec of PAPER_COMMANDS) {
      expect(text).toContain(escaped(spec.usage));
      for (const example of spec.examples.filter((line) => !line.includes('<')))
        expect(text).toContain(escaped(example));
    }
    expect(text).toContain('/paper status');
    expect(text).toContain('/paper taste');
  });

  test('the Home tab lists every command from the same list', () => {
    const view = homeView([], [], 0, undefined, PAPER_COMMANDS);
    expect(viewViolations(view as unknown as Record<string, unknown>)).toEqual([]);
    const text = JSON.stringify(view.blocks);
    for (const spec of PAPER_COMMANDS)
      expect(text).toContain(
        JSON.stringify(spec.usage.replace(/</g, '&lt;').replace(/>/g, '&gt;')).slice(1, -1),
      );
  });

  test('each command word names one command, and every command has an example', () => {
    expect(new Set(commandWords).size).toBe(commandWords.length);
    for (const spec of PAPER_COMMANDS) expect(spec.examples.length).toBeGreaterThan(0);
  });
});
