import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { helpMessage } from '../../src/blocks/help.js';
import { PAPER_COMMANDS } from '../../src/bot/paperCommand.js';
import { CONSOLE_HELP, runConsole } from '../../src/console/console.js';
import { renderText } from '../../src/console/renderText.js';
import type { DocumentResults, SearchRequest } from '../../src/search/documentIndex.js';
import { SearchBusy } from '../../src/search/paperSearch.js';
import { LocalSearcher, type Searcher } from '../../src/search/searcher.js';
import { makeBot } from '../support/bot.js';
import { shippedPapers } from '../support/papers.js';

async function session(lines: string[], interactive = false, searcher?: Searcher): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  const done = runConsole((await makeBot(searcher ? { searcher } : {})).replies, {
    input,
    output,
    interactive,
  });
  input.end(lines.join('\n'));
  await done;
  return printed;
}

describe('the local console', () => {
  test('/paper lines print the same cards as text: title, snippet and links', async () => {
    const printed = await session(['/paper reward model ensembles']);
    const lines = printed.split('\n');
    expect(lines[0]).toBe('Papers for “reward model ensembles”');
    expect(lines[3]).toBe('Reward Model Ensembles Help Mitigate Overoptimization');
    expect(printed).toContain(
      '  Find on arXiv: https://arxiv.org/search/?query=Reward+Model+Ensembles+Help+Mitigate+Overoptimization&searchtype=title',
    );
    expect(printed).not.toMatch(/Share to channel|More results|\(button\)/); // buttons that need Slack
  });

  test('/paper for <a message> finds the papers for its words, operators not read as operators', async () => {
    const printed = await session([
      '/paper for Has anyone tried ensembles of reward models against overoptimization? -ensembles',
      '/paper for',
    ]);
    expect(printed).toContain("Searched with the message's words");
    expect(printed).toContain('Reward Model Ensembles Help Mitigate Overoptimization');
    expect(printed).not.toMatch(/Post these in the thread/); // a button for Slack threads only
    expect(printed).toContain('Paste the message after it: `/paper for <a message or an abstract>`.');
  });

  test('mentions, help, unknown lines and exit', async () => {
    const printed = await session([
      '@paperbot papers on knowledge distillation?',
      'hello',
      '/paper help',
      'exit',
      '/paper never read',
    ]);
    expect(printed).toContain('Papers for “knowledge distillation”');
    expect(printed).toContain('Type /paper <words> to search');
    expect(printed).toContain(renderText(helpMessage(PAPER_COMMANDS)));
    expect(printed).not.toContain('never read');
  });

  test('a search refused as busy prints the busy sentence, and the session goes on', async () => {
    // An index whose queue is full of digests refuses a person's search at once (WorkerSearcher).
    const busy = new (class extends LocalSearcher {
      override search(request: SearchRequest, patient?: boolean): Promise<DocumentResults> {
        return patient ? super.search(request) : Promise.reject(new SearchBusy());
      }
    })();
    const printed = await session(['/paper reward model ensembles', '/paper help'], false, busy);
    expect(printed).toContain('I’m busy right now: please try again in a few seconds.');
    expect(printed).toContain('/paper subscribe'); // the help after it: the console did not stop
  });

  test('an interactive session shows a prompt and styles titles', async () => {
    const printed = await session(['/paper hyperbolic'], true);
    expect(printed).toContain('paperbot> ');
    expect(printed).toContain(
      '\x1b[1mHyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing\x1b[22m',
    );
  });

  test('escaped text is shown as the user would read it in Slack', () => {
    expect(
      renderText({
        text: 'x',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '&lt;!channel&gt; &amp; *bold*' } }],
      }),
    ).toBe('<!channel> & bold');
  });
});

describe('the console as a terminal', () => {
  test('the card buttons, typed: like N, up N / 👍 N, down N, more, share N, cite N, subscribe', async () => {
    const printed = await session([
      '/paper reward model ensembles',
      'more',
      'like 1',
      'up 2',
      '👎 3',
      '/paper taste',
      '/paper reward model ensembles',
      'share 1',
      'cite 1',
      'like 9',
      'subscribe',
      'help',
    ]);
    const answers = printed.split('\n\n');
    expect(answers[0]).toContain('  [1] share 1 · like 1 · cite 1');
    expect(answers[0]).toMatch(/\n {2}more · subscribe$/);
    expect(answers[1]).toMatch(/^Papers for “reward model ensembles”\n.*6–10/); // the next page
    // More like this on card 1 of that page.
    const firstOnPage = answers[1]?.split('\n')[3] ?? '';
    expect(answers[2]?.split('\n')[0]).toContain(`for “like: ${firstOnPage.slice(0, 40)}`);
    expect(answers[3]).toMatch(/^👍 Noted: this channel's digests will put papers like “.+” first\.$/);
    expect(answers[4]).toMatch(/^👎 Noted: /);
    expect(answers[5]).toMatch(/^This channel's taste \(2 votes\)/);
    expect(answers[7]).toMatch(
      /^🔗 Shared by .+\nReward Model Ensembles Help Mitigate Overoptimization\n[\s\S]*✅ Shared to the channel\.$/,
    );
    // After sharing, the numbers still mean the list's cards.
    expect(answers[8]).toContain('BibTeX for “Reward Model Ensembles Help Mitigate Overoptimization”');
    expect(answers[9]).toBe('ℹ There is no card 9: the last answer has 5.');
    expect(answers[10]).toMatch(/✅ Subscribed this channel to reward model ensembles/);
    expect(printed).toContain(CONSOLE_HELP);
    expect(CONSOLE_HELP).toContain('  like N         More like this (card N)');
  });

  test('a terminal edits lines and recalls them from the history kept in the data folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paperbot-console-'));
    try {
      const historyFile = join(dir, 'console-history');
      const typed = async (keys: string) => {
        const input = new PassThrough();
        const output = new PassThrough();
        let printed = '';
        output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
        const done = runConsole((await makeBot()).replies, { input, output, interactive: true, historyFile });
        input.write(keys);
        input.end();
        await done;
        return printed;
      };
      // Backspace over a typo, then Enter.
      const first = await typed('/paper hyperbolicc\x7f\r');
      expect(first).toContain('Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing');
      expect(readFileSync(historyFile, 'utf8')).toBe('/paper hyperbolic\n');
      // A new session: Up recalls the last line, Enter runs it.
      const second = await typed('\x1b[A\r');
      expect(second).toContain('Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing');
      expect(second).not.toContain('^[[A');
      // Ctrl-C ends the session (the rest of the input is not read).
      const third = await typed('\x03/paper hyperbolic\r');
      expect(third).not.toContain('Hyp-OC');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a pasted paper link', () => {
  test('is answered with the paper, as a link preview would be', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
    });
    const { replies, index } = await makeBot({ papers: shippedPapers() });
    const done = runConsole(replies, { input, output, interactive: false });
    input.end('https://arxiv.org/abs/2310.02743\n');
    await done;
    await index.close();
    expect(printed).toContain('Reward Model Ensembles Help Mitigate Overoptimization');
    expect(printed).not.toContain('Type /paper <words> to search');
  });
});
