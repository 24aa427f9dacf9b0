import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { PaperbotError } from '../../../src/errors.js';
import { FIELDS, fetchCitations, RateLimited } from '../../../src/papers/sources/semanticScholar.js';
import { FakeSemanticScholar } from '../../support/fakeSemanticScholar.js';

let s2: FakeSemanticScholar;
beforeAll(async () => {
  s2 = await new FakeSemanticScholar().start();
  s2.add({
    arxivId: '2411.00001',
    citationCount: 7,
    influentialCitationCount: 2,
    references: ['2310.02743'],
  });
});
afterAll(() => s2.stop());

describe('the Semantic Scholar batch client', () => {
  test('one POST for the batch, with the fields and the key; unknown ids are left out; only arXiv references kept', async () => {
    const facts = await fetchCitations(['2411.00001', '2499.99999'], {
      apiUrl: s2.url,
      apiKey: 'test-key-123',
    });
    expect(facts).toEqual([
      { arxivId: '2411.00001', citationCount: 7, influentialCitationCount: 2, references: ['2310.02743'] },
    ]);
    expect(s2.requests.at(-1)).toEqual({
      path: '/graph/v1/paper/batch',
      fields: FIELDS,
      apiKey: 'test-key-123',
      ids: ['ARXIV:2411.00001', 'ARXIV:2499.99999'],
    });
    expect(await fetchCitations([], { apiUrl: s2.url })).toEqual([]);
    expect(s2.requests.at(-1)?.apiKey).toBe('test-key-123'); // nothing sent for no ids
    await fetchCitations(['2411.00001'], { apiUrl: s2.url });
    expect(s2.requests.at(-1)?.apiKey).toBeUndefined();
  });

  test('a 429 says when to try again; a 500, a timeout, garbage and a wrong shape are source errors', async () => {
    s2.fail('rate-limit');
    const limited = fetchCitations(['2411.00001'], { apiUrl: s2.url });
    await expect(limited).rejects.toBeInstanceOf(RateLimited);
    await expect(limited).rejects.toMatchObject({ retryAfterMs: 30_000 });
    for (const [fault, message] of [
      ['server-error', /HTTP 500/],
      ['timeout', /no answer within 200 ms/],
      ['garbage', /not JSON/],
      ['wrong-length', /not a list of papers/],
    ] as const) {
      s2.fail(fault);
      const failed = fetchCitations(['2411.00001'], { apiUrl: s2.url, timeoutMs: 200 });
      await expect(failed).rejects.toBeInstanceOf(PaperbotError);
      await expect(failed).rejects.toThrow(message);
    }
    // And then it answers again.
    expect(await fetchCitations(['2411.00001'], { apiUrl: s2.url })).toHaveLength(1);
  });
});
