import { z } from 'zod';

/**
 * The app's installation in a workspace (or, org-wide, in an Enterprise Grid org), as Bolt's
 * OAuth installer builds it: what is checked here is what paperbot relies on (the bot's token and
 * ids, the workspace or org); the rest is kept as Bolt gave it.
 */
export const Installation = z.looseObject({
  team: z.looseObject({ id: z.string().min(1), name: z.string().optional() }).optional(),
  enterprise: z.looseObject({ id: z.string().min(1), name: z.string().optional() }).optional(),
  isEnterpriseInstall: z.boolean().optional(),
  bot: z
    .looseObject({
      token: z.string().min(1),
      userId: z.string().min(1),
      id: z.string().optional(),
      scopes: z.array(z.string()).optional(),
    })
    .optional(),
  user: z.looseObject({ id: z.string().min(1) }),
});
export type Installation = z.infer<typeof Installation>;

/** Which installation: a workspace's, or (org-wide install) its Enterprise Grid org's. */
export interface InstallationQuery {
  team?: string;
  enterprise?: string;
  isEnterpriseInstall?: boolean;
}

/**
 * The key an installation is stored under: `enterprise:E…` for an org-wide install (it serves
 * every workspace of the org), else `team:T…`; undefined when the query names neither.
 */
export function installationKey(query: InstallationQuery): string | undefined {
  if (query.isEnterpriseInstall) return query.enterprise ? `enterprise:${query.enterprise}` : undefined;
  return query.team ? `team:${query.team}` : undefined;
}

/** The key of an installation record. */
export function keyOfInstallation(installation: Installation): string | undefined {
  return installationKey({
    ...(installation.team ? { team: installation.team.id } : {}),
    ...(installation.enterprise ? { enterprise: installation.enterprise.id } : {}),
    isEnterpriseInstall: installation.isEnterpriseInstall === true,
  });
}
