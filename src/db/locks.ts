/**
 * The advisory locks paperbot takes, in PostgreSQL's two-key form `(class, key)`: one class per
 * purpose, so that paperbot's locks never meet each other's or another application's in the same
 * database. A session-level advisory lock is released when its session ends, however it ends: the
 * property both uses rely on.
 */
export const LOCK_CLASS = {
  /** Held while migrations run (key 0): replicas starting together migrate one at a time. */
  migrations: 0x70620001,
  /** Held by each replica's claim session for its whole life, keyed by the session's claim key. */
  claims: 0x70620002,
} as const;
