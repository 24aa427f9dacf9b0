import { describe, expect, test } from '@jest/globals';
import { addCardContext, authorsLine, formatDay, paperCard } from '../../src/blocks/paperCard.js';
import { blockKitViolations } from '../support/blockKit.js';
import { makePaper } from '../support/papers.js';

describe('paperCard', () => {
  test('renders title, byline, highlighted snippet and every link button', () => {
    const paper = makePaper({
      id: '2310.02743',
      title: 'Reward Model Ensembles Help Mitigate Overoptimization',
      abstract:
        'Reinforcement learning from human feedback is a standard approach. We use ensembles of reward models to mitigate overoptimization.',
      authors: ['Thomas Coste', 'Usman Anwar', 'Robert Kirk', 'David Krueger', 'Someone Else'],
      published: '2023-10-04',
      links: {
        page: 'https://arxiv.org/abs/2310.02743',
        pdf: 'https://arxiv.org/pdf/2310.02743',
        code: ['https://github.com/tlc4418/llm_optimization'],
        project: ['https://example.org/rme'],
      },
    });
    expect(paperCard({ paper, score: 12, matchedTerms: ['reward', 'ensembl'] })).toEqual([
      {
        type: 'section',
        block_id: 'paper:2310.02743',
        text: {
          type: 'mrkdwn',
          text:
            '*Reward Model Ensembles Help Mitigate Overoptimization*\n' +
            'Thomas Coste, Usman Anwar, Robert Kirk et al. · 4 Oct 2023\n' +
            '…We use *ensembles* of *reward* models to mitigate overoptimization.',
        },
      },
      {
        type: 'actions',
        block_id: 'links:2310.02743',
        elements: [
          {
            type: 'button',
            action_id: 'paper_link:page',
            text: { type: 'plain_text', text: 'Paper', emoji: false },
            url: 'https://arxiv.org/abs/2310.02743',
          },
          {
            type: 'button',
            action_id: 'paper_link:pdf',
            text: { type: 'plain_text', text: 'PDF', emoji: false },
            url: 'https://arxiv.org/pdf/2310.02743',
          },
          {
            type: 'button',
            action_id: 'paper_link:code:0',
            text: { type: 'plain_text', text: 'Code', emoji: false },
            url: 'https://github.com/tlc4418/llm_optimization',
          },
          {
            type: 'button',
            action_id: 'paper_link:project:0',
            text: { type: 'plain_text', text: 'Project page', emoji: false },
            url: 'https://example.org/rme',
          },
          {
            type: 'button',
            action_id: 'cite_paper',
            text: { type: 'plain_text', text: 'Cite', emoji: false },
            value: '2310.02743',
          },
        ],
      },
    ]);
  });

  test('a paper with nothing but a title still makes a valid card with a title search', () => {
    const blocks = paperCard({
      paper: makePaper({ title: 'Untitled Thoughts' }),
      score: 0,
      matchedTerms: [],
    });
    expect(blocks[0]).toMatchObject({ text: { text: '*Untitled Thoughts*' } });
    expect(blocks[1]).toMatchObject({
      elements: [
        {
          text: { text: 'Find on arXiv' },
          url: 'https://arxiv.org/search/?query=Untitled+Thoughts&searchtype=title',
        },
        { action_id: 'cite_paper', value: 'untitled-thoughts' },
      ],
    });
    expect(blockKitViolations({ text: 'x', blocks })).toEqual([]);
  });

  test('huge fields, many repositories and a 255+ character id stay within Block Kit limits', () => {
    const paper = makePaper({
      id: 'x'.repeat(200),
      title: `*${'Long & <title> '.repeat(400)}`,
      abstract: 'Word & <b>. '.repeat(2000),
      authors: Array.from({ length: 500 }, (_, i) => `Author ${i} ${'&'.repeat(50)}`),
      links: {
        code: Array.from({ length: 40 }, (_, i) => `https://github.com/owner/${'repo'.repeat(30)}${i}`),
        project: Array.from({ length: 10 }, (_, i) => `https://example.org/${i}`),
      },
    });
    const blocks = paperCard({ paper, score: 1, matchedTerms: ['word'] });
    expect(blockKitViolations({ text: 'x', blocks })).toEqual([]);
    expect(blocks[1]).toMatchObject({ elements: { length: 7 } }); // page + 3 code + 2 project + Cite
  });

  const hfPaper = makePaper({
    id: '2608.20336',
    title: 'WithEveryone: Unified Planning and Identity Grounding for Group Image Generation',
    abstract: 'Group photos are hard. We ground identities to layout plans.',
    authors: ['Hengyuan Xu', 'Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Yann LeCun', 'Someone Else'],
    aiSummary:
      'WithEveryone enables reliable identity-preserving group image generation for up to ten people by grounding identities to layout plans.',
    aiKeywords: ['identity-preserving image generation'],
  });

  test("the source's summary is the card's text line, labelled, with the matched words in bold", () => {
    const [section] = paperCard({ paper: hfPaper, score: 3, matchedTerms: ['ident'] });
    expect(section).toMatchObject({
      text: {
        text:
          '*WithEveryone: Unified Planning and Identity Grounding for Group Image Generation*\n' +
          'Hengyuan Xu, Ada Lovelace, Alan Turing et al.\n' +
          "*TL;DR* (Hugging Face's AI summary): WithEveryone enables reliable *identity*-preserving group image generation for up to ten people by grounding *identities* to layout plans.",
      },
    });
    // Without a summary, the abstract's excerpt stays.
    const [plain] = paperCard({
      paper: { ...hfPaper, aiSummary: undefined } as never,
      score: 0,
      matchedTerms: [],
    });
    expect(JSON.stringify(plain)).toContain('Group photos are hard. We ground identities to layout plans.');
  });

  test('authors the channel follows are bold and marked, even when "et al." would hide them', () => {
    const [section] = paperCard(
      { paper: hfPaper, score: 0, matchedTerms: [] },
      { kind: 'links' },
      {
        followedAuthors: ['lecun', 'hengyuan'],
      },
    );
    expect((section as { text: { text: string } }).text.text.split('\n')[1]).toBe(
      '*Hengyuan Xu* (followed), Ada Lovelace, Alan Turing, *Yann LeCun* (followed) et al.',
    );
    // The filter matches like author: (accents and case folded); nothing is marked without follows.
    const [accented] = paperCard(
      { paper: { ...hfPaper, authors: ['Yann Lécun'] }, score: 0, matchedTerms: [] },
      { kind: 'links' },
      { followedAuthors: ['lecun'] },
    );
    expect(JSON.stringify(accented)).toContain('*Yann Lécun* (followed)');
  });

  test('the authors an author: search asked for are bold and named past "et al.", not marked as followed', () => {
    const [section] = paperCard(
      { paper: hfPaper, score: 0, matchedTerms: [] },
      { kind: 'search' },
      { searchedAuthors: ['lecun'] },
    );
    expect((section as { text: { text: string } }).text.text.split('\n')[1]).toBe(
      'Hengyuan Xu, Ada Lovelace, Alan Turing, *Yann LeCun* et al.',
    );
  });

  test('notes and addCardContext add context lines just above the buttons', () => {
    const card = paperCard(
      { paper: hfPaper, score: 0, matchedTerms: [] },
      { kind: 'search' },
      {
        notes: ['first note'],
      },
    );
    const more = addCardContext(card, 'discussed in #ml-reading');
    expect(more.map((block) => block.type)).toEqual(['section', 'context', 'context', 'actions']);
    expect(JSON.stringify(more.slice(1, 3))).toMatch(/first note.*discussed in #ml-reading/);
    expect(more.at(-1)).toMatchObject({
      elements: [
        { text: { text: 'Find on arXiv' } },
        { action_id: 'share_paper' },
        { action_id: 'more_like_this' },
        { action_id: 'cite_paper' },
      ],
    });
  });
});

describe('authorsLine', () => {
  test.each([
    [[], ''],
    [['Ada'], 'Ada'],
    [['Ada', 'Alan'], 'Ada and Alan'],
    [['Ada', 'Alan', 'Grace', 'Edsger'], 'Ada, Alan, Grace and Edsger'],
    [['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara'], 'Ada, Alan, Grace et al.'],
  ])('%j → %s', (authors, line) => {
    expect(authorsLine(authors)).toBe(line);
  });
});

test('formatDay writes an unambiguous date', () => {
  expect(formatDay('2024-05-08')).toBe('8 May 2024');
});
