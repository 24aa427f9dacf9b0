/**
 * Every error paperbot raises on purpose carries a stable code, so callers (and tests) can tell
 * them apart without matching on message text, and the message always says what to do.
 */
export type PaperbotErrorCode =
  | 'paperbot_config_error'
  | 'paperbot_corpus_error'
  | 'paperbot_store_error'
  | 'paperbot_source_error'
  | 'paperbot_busy'
  | 'paperbot_database_error';

/** A deliberate, user-explainable failure. `message` is written for the person who must act on it. */
export class PaperbotError extends Error {
  constructor(
    readonly code: PaperbotErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PaperbotError';
  }
}
