/** Builds the error a store reports: its message is prefixed with what and where the store is. */
export type StoreErrorFactory = (message: string, options?: { cause?: unknown }) => Error

/**
 * The calls of one store: refused after close, tracked so close waits for them, and failures
 * reported as the store's own error (`<action> failed: <cause>`), the original kept as `cause`.
 * Shared by every store so they fail alike.
 */
export class StoreCalls {
  readonly #fail: StoreErrorFactory
  readonly #isOwn: (e: unknown) => boolean
  readonly #inFlight = new Set<Promise<unknown>>()
  #closed = false

  /** `isOwn` tells the store's errors, which pass through as they are, from the ones to wrap. */
  constructor(fail: StoreErrorFactory, isOwn: (e: unknown) => boolean) {
    this.#fail = fail
    this.#isOwn = isOwn
  }

  get closed(): boolean {
    return this.#closed
  }

  run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(this.#fail(`${action} after close()`))
    let started: Promise<T>
    try {
      started = fn()
    } catch (e) {
      started = Promise.reject(e)
    }
    const p = started.catch((e: unknown) => {
      if (this.#isOwn(e)) throw e
      throw this.#fail(`${action} failed: ${describe(e)}`, { cause: e })
    })
    this.#inFlight.add(p)
    const forget = () => { this.#inFlight.delete(p) }
    p.then(forget, forget)
    return p
  }

  /** Refuses new calls and waits for those in flight; false when it was closed already. */
  async close(): Promise<boolean> {
    if (this.#closed) return false
    this.#closed = true
    await Promise.allSettled([...this.#inFlight])
    return true
  }
}

export function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
