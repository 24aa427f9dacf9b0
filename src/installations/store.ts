import { resolve } from 'node:path';
import { z } from 'zod';
import { type JsonDocument, memoryDocument, openJsonFile } from '../jsonFile.js';
import { Installation, type InstallationQuery, installationKey, keyOfInstallation } from './installation.js';

/**
 * Where the app's installations live (OAuth): one per workspace, or per org for an org-wide
 * install. The memory twin, the lowdb file and PostgreSQL pass one contract suite.
 */
export interface InstallationStore {
  /** Stores an installation (a reinstall replaces the previous one). */
  save(installation: Installation): Promise<void>;
  /**
   * The installation that serves a workspace: an org-wide query finds the org's; a workspace's
   * finds its own, else its org's org-wide one (which serves every workspace of the org).
   */
  find(query: InstallationQuery): Promise<Installation | undefined>;
  /** Removes the installation the query names exactly (uninstalled); false when there was none. */
  remove(query: InstallationQuery): Promise<boolean>;
  close(): Promise<void>;
}

/** The refusal of an installation that names neither a workspace nor an org. */
function unkeyed(): Error {
  return new Error('An installation must name its workspace (team) or, org-wide, its org (enterprise).');
}

/** Finds through `byKey`: the query's own key, then the org's org-wide install. */
export async function findInstallation(
  query: InstallationQuery,
  byKey: (key: string) => Promise<Installation | undefined>,
): Promise<Installation | undefined> {
  const own = installationKey(query);
  const found = own === undefined ? undefined : await byKey(own);
  if (found || query.isEnterpriseInstall || !query.enterprise) return found;
  return byKey(installationKey({ enterprise: query.enterprise, isEnterpriseInstall: true }) as string);
}

/** The installations file: version 1, installations by key. */
const InstallationData = z.object({
  version: z.literal(1),
  installations: z.record(z.string(), Installation),
});
type InstallationData = z.infer<typeof InstallationData>;

const emptyData = (): InstallationData => ({ version: 1, installations: {} });

class DocumentInstallationStore implements InstallationStore {
  constructor(
    private readonly document: JsonDocument<InstallationData>,
    private readonly onClose: () => void = () => {},
  ) {}

  save(installation: Installation): Promise<void> {
    const key = keyOfInstallation(installation);
    if (!key) return Promise.reject(unkeyed());
    const record = Installation.parse(installation);
    return this.document.change((data) => {
      data.installations[key] = record;
    });
  }

  find(query: InstallationQuery): Promise<Installation | undefined> {
    return findInstallation(query, async (key) => {
      const found = this.document.data.installations[key];
      return found ? structuredClone(found) : undefined;
    });
  }

  remove(query: InstallationQuery): Promise<boolean> {
    const key = installationKey(query);
    if (!key) return Promise.resolve(false);
    return this.document.change((data) => {
      if (!Object.hasOwn(data.installations, key)) return false;
      delete data.installations[key];
      return true;
    });
  }

  async close(): Promise<void> {
    await this.document.settle();
    this.onClose();
  }
}

/** Installations in memory (tests). */
export function createMemoryInstallationStore(): InstallationStore {
  return new DocumentInstallationStore(memoryDocument(emptyData()));
}

const openFiles = new Map<string, Promise<InstallationStore>>();

/**
 * The lowdb JSON file of installations (without a database), readable by its owner only: it holds
 * every workspace's bot token. Validated like the subscriptions file; one instance per file.
 */
export function openLowdbInstallationStore(file: string): Promise<InstallationStore> {
  const path = resolve(file);
  let store = openFiles.get(path);
  if (!store) {
    store = openJsonFile<InstallationData>(path, {
      what: 'installations',
      empty: emptyData,
      secret: true,
      parse: (json) => {
        const parsed = InstallationData.safeParse(json);
        if (parsed.success) return { data: parsed.data };
        const issue = parsed.error.issues[0];
        return { problem: `${issue?.path.join('.') || 'top level'}: ${issue?.message}` };
      },
    }).then((document) => new DocumentInstallationStore(document, () => openFiles.delete(path)));
    openFiles.set(path, store);
    store.catch(() => openFiles.delete(path));
  }
  return store;
}
