import type { Database } from '../db/database.js';
import { Installation, type InstallationQuery, installationKey, keyOfInstallation } from './installation.js';
import { findInstallation, type InstallationStore } from './store.js';

/** Installations in PostgreSQL, shared by every replica (table `installations`). */
export class PostgresInstallationStore implements InstallationStore {
  constructor(private readonly db: Database) {}

  async save(installation: Installation): Promise<void> {
    const key = keyOfInstallation(installation);
    if (!key)
      throw new Error('An installation must name its workspace (team) or, org-wide, its org (enterprise).');
    const record = Installation.parse(installation);
    await this.db.query(
      `INSERT INTO installations (install_key, team_id, enterprise_id, installation) VALUES ($1, $2, $3, $4)
       ON CONFLICT (install_key) DO UPDATE SET installation = EXCLUDED.installation, team_id = EXCLUDED.team_id,
         enterprise_id = EXCLUDED.enterprise_id, updated_at = now()`,
      [key, record.team?.id ?? null, record.enterprise?.id ?? null, JSON.stringify(record)],
    );
  }

  find(query: InstallationQuery): Promise<Installation | undefined> {
    return findInstallation(query, async (key) => {
      const { rows } = await this.db.query<{ installation: unknown }>(
        'SELECT installation FROM installations WHERE install_key = $1',
        [key],
      );
      return rows[0] ? Installation.parse(rows[0].installation) : undefined;
    });
  }

  async remove(query: InstallationQuery): Promise<boolean> {
    const key = installationKey(query);
    if (!key) return false;
    const { rowCount } = await this.db.query('DELETE FROM installations WHERE install_key = $1', [key]);
    return rowCount === 1;
  }

  /** The database is closed by its owner. */
  async close(): Promise<void> {}
}
