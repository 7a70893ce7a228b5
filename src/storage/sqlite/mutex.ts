/**
 * A first-in, first-out lock. `lock()` resolves when the caller owns the lock; the owner hands it
 * straight to the next waiter on `unlock()`, so waiters run in the order they asked.
 *
 * ```ts
 * await mutex.lock()
 * try { await work() } finally { mutex.unlock() }
 * ```
 */
export class Mutex {
  #locked = false
  readonly #waiters: Array<() => void> = []

  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true
      return Promise.resolve()
    }
    return new Promise((resolve) => this.#waiters.push(resolve))
  }

  unlock(): void {
    const next = this.#waiters.shift()
    if (next) next()
    else this.#locked = false
  }
}
