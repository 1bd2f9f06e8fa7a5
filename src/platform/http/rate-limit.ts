import type { Clock } from '../time.ts';

/**
 * A sliding-window counter kept in memory, one per rule. Loose per IP (mobile carriers put many
 * people behind one address), strict per e-mail. Behind several processes each keeps its own
 * count; ADR 0005 says why that is acceptable for these limits.
 */
export class RateLimiter {
  readonly #hits = new Map<string, number[]>();
  #lastSweep = 0;
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: Clock,
  ) {}

  /** Counts a hit; returns 0 when allowed, else the seconds to wait. */
  hit(key: string): number {
    const now = this.clock.now().getTime();
    this.#sweep(now);
    const from = now - this.windowMs;
    const list = (this.#hits.get(key) ?? []).filter((t) => t > from);
    if (list.length >= this.limit) {
      this.#hits.set(key, list);
      return Math.max(1, Math.ceil((list[0]! + this.windowMs - now) / 1000));
    }
    list.push(now);
    this.#hits.set(key, list);
    return 0;
  }

  /** The seconds to wait before the next hit would be allowed, without counting one. */
  peek(key: string): number {
    const now = this.clock.now().getTime();
    const list = (this.#hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    return list.length >= this.limit ? Math.max(1, Math.ceil((list[0]! + this.windowMs - now) / 1000)) : 0;
  }

  /** Forgets a key, e.g. after a successful sign-in. */
  reset(key: string) {
    this.#hits.delete(key);
  }

  #sweep(now: number) {
    if (now - this.#lastSweep < this.windowMs) return;
    this.#lastSweep = now;
    const from = now - this.windowMs;
    for (const [k, list] of this.#hits) if (!list.some((t) => t > from)) this.#hits.delete(k);
  }
}
