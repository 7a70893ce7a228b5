// Call-rate limits over a sliding window (PutMetadata: 5 per channel and 155 per account+region in
// any 1 s, docs/ivs-behavior.md §9 #13). Checking and counting are separate so that a call refused for any
// reason, by this limiter or by a later rule, is not counted.
export interface RateLimit {
  readonly key: string
  readonly limit: number
}

export class SlidingWindowLimiter {
  readonly #windowMs: number
  /** Times of counted calls per key, oldest first. */
  readonly #calls = new Map<string, number[]>()

  constructor(windowMs: number) {
    this.#windowMs = windowMs
  }

  /** The first limit one more call at `nowMs` would exceed, or undefined when all allow it. */
  refusal(limits: readonly RateLimit[], nowMs: number): RateLimit | undefined {
    return limits.find((l) => this.#recent(l.key, nowMs) >= l.limit)
  }

  /** Counts one call at `nowMs` against every key. */
  record(limits: readonly RateLimit[], nowMs: number): void {
    for (const { key } of limits) {
      const times = this.#calls.get(key)
      if (times) times.push(nowMs)
      else this.#calls.set(key, [nowMs])
    }
  }

  /** Calls in (now - window, now]; forgets older ones, and keys left with none. */
  #recent(key: string, nowMs: number): number {
    const times = this.#calls.get(key)
    if (!times) return 0
    let expired = 0
    while (expired < times.length && times[expired] <= nowMs - this.#windowMs) expired++
    if (expired === times.length) {
      this.#calls.delete(key)
      return 0
    }
    if (expired > 0) times.splice(0, expired)
    return times.length
  }
}
