import { describe, expect, test } from '@jest/globals';
import type { CitationStore } from '../../src/papers/citations.js';

/** One implementation under the contract: how to open an empty store. */
export interface CitationStoreUnderTest {
  name: string;
  open(): Promise<CitationStore>;
}

const DAY = 86_400_000;
const at = (day: number) => new Date(Date.parse('2026-11-01T12:00:00.000Z') + day * DAY);

/** What every CitationStore does: memory, lowdb and PostgreSQL run the same tests. */
export function citationStoreContract(under: CitationStoreUnderTest): void {
  describe(`${under.name} citation store`, () => {
    test('wanted papers are due once, never fetched first; a fetch is refreshed after a day, while wanted in the last 30', async () => {
      const store = await under.open();
      await store.want(['2401.00002', '2401.00001'], at(0), false);
      await store.want(['2401.00003'], at(0), true);
      const due = await store.due(at(0), 10);
      expect(due.map((e) => [e.arxivId, e.checkReferences])).toEqual([
        ['2401.00001', false],
        ['2401.00002', false],
        ['2401.00003', true],
      ]);
      expect((await store.due(at(0), 2)).map((e) => e.arxivId)).toEqual(['2401.00001', '2401.00002']);
      await store.record([
        {
          arxivId: '2401.00001',
          fetchedAt: at(0).toISOString(),
          counts: { citationCount: 12, influentialCitationCount: 3 },
          referencesTold: true,
        },
        { arxivId: '2401.00003', fetchedAt: at(0).toISOString(), referencesTold: false }, // unknown yet
        { arxivId: '2409.99999', fetchedAt: at(0).toISOString(), referencesTold: true }, // never wanted
      ]);
      expect((await store.due(at(0), 10)).map((e) => e.arxivId)).toEqual(['2401.00002']);
      // A day later both fetched ones are due again; the unknown one still checks its references.
      const later = await store.due(at(1), 10);
      expect(later.map((e) => [e.arxivId, e.checkReferences, e.fetchedAt])).toEqual([
        ['2401.00002', false, undefined],
        ['2401.00001', false, at(0).toISOString()],
        ['2401.00003', true, at(0).toISOString()],
      ]);
      // Wanted over 30 days ago: no longer refreshed; wanted again: it is.
      expect(await store.due(at(31), 10)).toEqual([]);
      await store.want(['2401.00001'], at(31), false);
      expect((await store.due(at(31), 10)).map((e) => e.arxivId)).toEqual(['2401.00001']);
      await store.close();
    });

    test('counts are what was fetched, with its date; a later fetch that knows nothing keeps them', async () => {
      const store = await under.open();
      await store.want(['2401.00001', '2401.00002'], at(0), true);
      expect((await store.counts(['2401.00001'])).size).toBe(0);
      await store.record([
        {
          arxivId: '2401.00001',
          fetchedAt: at(0).toISOString(),
          counts: { citationCount: 12, influentialCitationCount: 3 },
          referencesTold: false,
        },
      ]);
      await store.record([{ arxivId: '2401.00001', fetchedAt: at(1).toISOString(), referencesTold: true }]);
      expect(await store.counts(['2401.00001', '2401.00002', 'nope'])).toEqual(
        new Map([
          ['2401.00001', { citationCount: 12, influentialCitationCount: 3, fetchedAt: at(1).toISOString() }],
        ]),
      );
      // Wanting again never resets what is known nor a pending reference check.
      await store.want(['2401.00002'], at(1), false);
      expect((await store.due(at(1), 10)).find((e) => e.arxivId === '2401.00002')?.checkReferences).toBe(
        true,
      );
      expect(await store.counts([])).toEqual(new Map());
      await store.close();
    });
  });
}
