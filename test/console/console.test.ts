import { PassThrough } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { helpMessage } from '../../src/blocks/messages.js';
import { runConsole } from '../../src/console/console.js';
import { renderText } from '../../src/console/renderText.js';
import type { DocumentResults, SearchRequest } from '../../src/search/documentIndex.js';
import { SearchBusy } from '../../src/search/paperSearch.js';
import { LocalSearcher, type Searcher } from '../../src/search/searcher.js';
import { makeBot } from '../support/bot.js';

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
    expect(printed).toContain(renderText(helpMessage()));
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
