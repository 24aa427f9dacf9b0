import type { Migration } from '../migrate.js';
import { subscriptions } from './0001-subscriptions.js';
import { installations } from './0002-installations.js';
import { discussions } from './0003-discussions.js';
import { papers } from './0004-papers.js';
import { seenEvents } from './0005-seen-events.js';
import { readBudget } from './0006-read-budget.js';
import { teamMemory } from './0007-team-memory.js';
import { subscriptionStrictness } from './0008-subscription-strictness.js';

/**
 * Every migration, in order. A new table (the corpus's papers, say) is a new file here with the
 * next version, appended to this list; a released migration is never edited (its checksum is
 * recorded when applied).
 */
export const MIGRATIONS: readonly Migration[] = [
  subscriptions,
  installations,
  discussions,
  papers,
  seenEvents,
  readBudget,
  teamMemory,
  subscriptionStrictness,
];
