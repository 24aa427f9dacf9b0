/**
 * Remembers ids seen recently, bounded both in time and in count, so that Slack's retries of an
 * event (same `event_id`, within minutes) are answered once and memory stays flat however long the
 * bot runs.
 */
export class RecentIds {
  // A Map iterates in insertion order, so the oldest entries are always first.
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records `id` and says whether it had been seen within the TTL. */
  checkAndRemember(id: string): boolean {
    const now = this.now();
    this.evict(now);
    if (this.seenAt.has(id)) return true;
    this.seenAt.set(id, now);
    if (this.seenAt.size > this.maxEntries) {
      const oldest = this.seenAt.keys().next().value;
      if (oldest !== undefined) this.seenAt.delete(oldest);
    }
    return false;
  }

  /** How many ids are remembered now. */
  get size(): number {
    return this.seenAt.size;
  }

  private evict(now: number): void {
    for (const [id, at] of this.seenAt) {
      if (now - at < this.ttlMs) break;
      this.seenAt.delete(id);
    }
  }
}
