import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/database.js';
import type { Installation } from '../../src/installations/installation.js';
import { PostgresInstallationStore } from '../../src/installations/postgresStore.js';
import {
  createMemoryInstallationStore,
  type InstallationStore,
  openLowdbInstallationStore,
} from '../../src/installations/store.js';
import { suiteDatabase } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

const tempFile = () => join(tempDir('paperbot-installs-'), 'installations.json');

/** An installation as Bolt's installer builds it after oauth.v2.access. */
function installation(team: string, fields: Partial<Installation> = {}): Installation {
  return {
    team: { id: team, name: `Team ${team}` },
    enterprise: undefined,
    user: { token: undefined, scopes: undefined, id: 'U0INSTALLER' },
    tokenType: 'bot',
    isEnterpriseInstall: false,
    appId: 'A0PAPERBOT',
    authVersion: 'v2',
    bot: { scopes: ['chat:write', 'commands'], token: `xoxb-${team}`, userId: 'UPAPERBOT', id: 'BPAPERBOT' },
    ...fields,
  };
}

let db: Database;
suiteDatabase((opened) => {
  db = opened;
});

const implementations: Array<[string, () => Promise<InstallationStore>]> = [
  ['memory', async () => createMemoryInstallationStore()],
  ['lowdb', () => openLowdbInstallationStore(tempFile())],
  [
    'PostgreSQL',
    async () => {
      await db.query('TRUNCATE installations');
      return new PostgresInstallationStore(db);
    },
  ],
];

describe.each(implementations)('%s installation store', (_name, open) => {
  test('an installation is found by its workspace; a reinstall replaces it', async () => {
    const store = await open();
    await store.save(installation('T0A'));
    await store.save(installation('T0B'));
    expect((await store.find({ team: 'T0A' }))?.bot?.token).toBe('xoxb-T0A');
    await store.save(
      installation('T0A', { bot: { token: 'xoxb-T0A-again', userId: 'UPAPERBOT', scopes: [] } }),
    );
    expect((await store.find({ team: 'T0A' }))?.bot?.token).toBe('xoxb-T0A-again');
    expect((await store.find({ team: 'T0B' }))?.bot?.token).toBe('xoxb-T0B');
    expect(await store.find({ team: 'T0C' })).toBeUndefined();
    expect((await store.find({ team: 'T0A' }))?.appId).toBe('A0PAPERBOT'); // Bolt's other fields are kept
    await store.close();
  });

  test("an org-wide install serves the org's workspaces; a workspace's own install comes first", async () => {
    const store = await open();
    await store.save(
      installation('unused', {
        team: undefined,
        enterprise: { id: 'E0ORG', name: 'Org' },
        isEnterpriseInstall: true,
        bot: { token: 'xoxb-org', userId: 'UPAPERBOT', scopes: [] },
      }),
    );
    await store.save(installation('T0OWN', { enterprise: { id: 'E0ORG' } }));
    expect((await store.find({ team: 'T0ANY', enterprise: 'E0ORG' }))?.bot?.token).toBe('xoxb-org');
    expect((await store.find({ enterprise: 'E0ORG', isEnterpriseInstall: true }))?.bot?.token).toBe(
      'xoxb-org',
    );
    expect((await store.find({ team: 'T0OWN', enterprise: 'E0ORG' }))?.bot?.token).toBe('xoxb-T0OWN');
    expect(await store.find({ team: 'T0ANY' })).toBeUndefined(); // no org: no org-wide install applies
    await store.close();
  });

  test('remove takes away exactly the installation named, once', async () => {
    const store = await open();
    await store.save(installation('T0A'));
    await store.save(installation('T0B'));
    expect(await store.remove({ team: 'T0A' })).toBe(true);
    expect(await store.remove({ team: 'T0A' })).toBe(false);
    expect(await store.remove({})).toBe(false);
    expect(await store.find({ team: 'T0A' })).toBeUndefined();
    expect((await store.find({ team: 'T0B' }))?.bot?.token).toBe('xoxb-T0B');
    await store.close();
  });

  test('an installation that names neither a workspace nor an org is refused', async () => {
    const store = await open();
    await expect(store.save(installation('x', { team: undefined }))).rejects.toThrow(
      'An installation must name its workspace (team) or, org-wide, its org (enterprise).',
    );
    await store.close();
  });
});

describe('lowdb installation file', () => {
  test('holds tokens: readable by its owner only, and read back after a restart', async () => {
    const file = tempFile();
    const store = await openLowdbInstallationStore(file);
    await store.save(installation('T0A'));
    await store.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const reopened = await openLowdbInstallationStore(file);
    expect((await reopened.find({ team: 'T0A' }))?.bot?.token).toBe('xoxb-T0A');
    await reopened.close();
    expect(statSync(`${file}.bak`).mode & 0o777).toBe(0o600);
  });

  test('a file that is not an installations file stops the load, naming it', async () => {
    const file = tempFile();
    writeFileSync(file, '{"version": 1, "installations": {"team:T0A": {"bot": {}}}}');
    await expect(openLowdbInstallationStore(file)).rejects.toThrow(
      `The installations file ${file} is not a paperbot installations file (installations.team:T0A.bot.token: Invalid input: expected string, received undefined). paperbot left it untouched and did not start.`,
    );
  });
});
