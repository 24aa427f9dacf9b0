import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { createMemoryDiscussionStore, openLowdbDiscussionStore } from '../../src/discussions/store.js';
import { PaperbotError } from '../../src/errors.js';
import { tempDir } from '../support/tmp.js';
import { discussionStoreContract, sighting } from './storeContract.js';

const tempFile = () => join(tempDir('paperbot-discussions-'), 'discussions.json');

discussionStoreContract({ name: 'memory', open: async () => createMemoryDiscussionStore() });
discussionStoreContract({ name: 'lowdb', open: () => openLowdbDiscussionStore(tempFile()) });

describe('lowdb discussion store on disk', () => {
  test('what was recorded is on disk, and a reopened store (a restart) reads it', async () => {
    const file = tempFile();
    const store = await openLowdbDiscussionStore(file);
    await store.record([sighting('1700000000.000100', 'p1')]);
    expect(JSON.parse(readFileSync(file, 'utf8')).teams.T0AAAA.sightings).toHaveLength(1);
    await store.close();
    const reopened = await openLowdbDiscussionStore(file);
    expect(await reopened.ofPaper('T0AAAA', 'p1')).toEqual([sighting('1700000000.000100', 'p1')]);
    await reopened.close();
  });

  test('who asked not to be named survives a restart; a file from before it loads as no one', async () => {
    const file = tempFile();
    writeFileSync(file, '{"version": 1, "teams": {"T0AAAA": {"sightings": [], "followUps": []}}}');
    const store = await openLowdbDiscussionStore(file);
    expect(await store.unnamed('T0AAAA')).toEqual([]);
    await store.unname('T0AAAA', 'U0ALICE');
    await store.close();
    const reopened = await openLowdbDiscussionStore(file);
    expect(await reopened.unnamed('T0AAAA')).toEqual(['U0ALICE']);
    await reopened.close();
  });

  test('a corrupt file stops the load with a message naming it, and is left untouched', async () => {
    const file = tempFile();
    writeFileSync(file, '{"version": 1, "teams": {"T": {"sightings": [{"ts": "<!channel>"}]}}}');
    const opening = openLowdbDiscussionStore(file);
    await expect(opening).rejects.toThrow(PaperbotError);
    await expect(opening).rejects.toThrow(`The discussions file ${file} is not a paperbot discussions file`);
    expect(readFileSync(file, 'utf8')).toContain('<!channel>');
  });
});
